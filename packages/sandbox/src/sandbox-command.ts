import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger, durationOption, parseLogLevel, parsePort } from 'ecs-role-operator';
import { ensureKubeconfigFree, releaseKubeconfig } from './kubeconfig-claim.js';
import { runUntilSignal } from './run-until-signal.js';
import { type Sandbox, startSandbox } from './sandbox.js';

interface SandboxFlags {
  kubePort: number;
  cloudPort: number;
  fleet?: string;
  examples?: string;
  kubeconfigOut: string;
  metricsPort: number;
  resyncPeriod: number;
  logLevel: string;
}

/** The read-only key of the sample fleet, for the audit recipe; else the operator's own key. */
const AUDITOR_KEY_ID = 'LTAI5tAuditor';

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('the embedded default: Kubernetes API emulator + cloud simulator + operator in one process')
    .option('--kube-port <port>', 'port of the Kubernetes API emulator (0: any free port)', parsePort('--kube-port'), 0)
    .option('--cloud-port <port>', 'port of the cloud simulator (0: any free port)', parsePort('--cloud-port'), 0)
    .option('--fleet <file>', 'fleet file for the cloud simulator (default: the sample fleet, packages/alicloud-sim/fleets/sample.yaml)')
    .option('--examples <dir>', 'manifests applied at start (default: deploy/examples; "" for none)')
    .option('--kubeconfig-out <file>', 'where to write the kubeconfig (removed on exit)', '.sandbox/kubeconfig')
    .option('--metrics-port <port>', 'serve /metrics, /healthz and /readyz on this port (0: any free port)', parsePort('--metrics-port'), 0)
    .addOption(durationOption('--resync-period <duration>', 'drift-check period for bindings without spec.resyncPeriod', 30_000, { minMs: 1_000, maxMs: 24 * 3_600_000 }))
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .action(async (flags: SandboxFlags) => {
      const logger = createLogger({ level: parseLogLevel(flags.logLevel) });
      const kubeconfigPath = resolve(flags.kubeconfigOut);
      await ensureKubeconfigFree(kubeconfigPath, '--kubeconfig-out');
      const sandbox = await startSandbox({
        logger,
        kubePort: flags.kubePort,
        cloudPort: flags.cloudPort,
        ...(flags.fleet ? { fleetPath: flags.fleet } : {}),
        ...(flags.examples !== undefined ? { examplesPath: flags.examples } : {}),
        kubeconfigPath,
        metricsPort: flags.metricsPort,
        defaultResyncMs: flags.resyncPeriod,
      });
      await runUntilSignal(
        'sandbox',
        async () => {
          await sandbox.stop();
          releaseKubeconfig(kubeconfigPath, sandbox.kube.httpsUrl);
          logger.flush();
        },
        () => process.stdout.write(banner(sandbox)),
      );
      process.exit(0);
    });
}

function banner(sandbox: Sandbox): string {
  const cloud = sandbox.cloud.url;
  const kc = sandbox.kubeconfigPath;
  const region = sandbox.fleet.regions[0]?.id ?? 'cn-hangzhou';
  const instance = sandbox.fleet.regions[0]?.instances?.find((i) => i.network === 'vpc')?.id ?? 'i-...';
  const auditor = sandbox.fleet.accessKeys.find((k) => k.id === AUDITOR_KEY_ID) ?? sandbox.fleet.accessKeys[0];
  const http = sandbox.operator.http;
  return [
    '',
    'ecs-role-operator sandbox is running.',
    `  Kubernetes API emulator: ${sandbox.kube.url}`,
    `  cloud simulator:         ${cloud}`,
    `  kubeconfig:              ${kc}`,
    ...(http
      ? [
          `  metrics:                 http://127.0.0.1:${http.metricsPort}/metrics`,
          `  health:                  http://127.0.0.1:${http.healthPort}/healthz  http://127.0.0.1:${http.healthPort}/readyz`,
        ]
      : []),
    '',
    'Try:',
    `  export KUBECONFIG=${kc}`,
    '  kubectl get irb -A -o wide',
    '  kubectl describe irb -n platform oss-readers',
    `  curl -s ${cloud}/sim/state | head -c 600; echo`,
    `  curl -s -X PUT ${cloud}/sim/instances/${instance}/role -d '{"roleName":null}'   # drift: detach out of band`,
    '  kubectl patch irb -n platform oss-readers --type merge -p \'{"spec":{"roleName":"EcsRamRoleLogShipper"}}\'   # change the role',
    `  curl -s ${cloud}/sim/calls | head -c 600; echo   # the ActionTrail of every API call`,
    '',
    'Audit the sandbox (every instance, its role and the binding that claims it):',
    `  ALIBABA_CLOUD_ACCESS_KEY_ID=${auditor?.id ?? 'KEY'} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${auditor?.secret ?? 'SECRET'} \\`,
    `    ecs-role-operator audit --kubeconfig ${kc} --ecs-endpoint ${sandbox.cloud.endpoint} --ram-endpoint ${sandbox.cloud.endpoint} --protocol http --region ${region}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}
