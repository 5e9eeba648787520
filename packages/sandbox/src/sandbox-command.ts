import type { Command } from 'commander';
import { createLogger, durationOption, parseLogLevel, parsePort } from 'ecs-role-operator';
import { startSandbox } from './sandbox.js';

interface SandboxFlags {
  kubePort: number;
  cloudPort: number;
  fleet?: string;
  examples?: string;
  kubeconfigOut?: string;
  metricsPort?: number;
  resyncPeriod: number;
  logLevel: string;
}

export function registerSandboxCommand(program: Command): void {
  program
    .command('sandbox')
    .description('the embedded default: Kubernetes API emulator + cloud simulator + operator in one process')
    .option('--kube-port <port>', 'port of the Kubernetes API emulator (0: any free port)', parsePort('--kube-port'), 0)
    .option('--cloud-port <port>', 'port of the cloud simulator (0: any free port)', parsePort('--cloud-port'), 0)
    .option('--fleet <file>', 'fleet file for the cloud simulator (default: fleets/sample.yaml)')
    .option('--examples <dir>', 'manifests applied at start (default: deploy/examples; "" for none)')
    .option('--kubeconfig-out <file>', 'where to write the kubeconfig', '.sandbox/kubeconfig')
    .option('--metrics-port <port>', 'serve /metrics, /healthz and /readyz on this port', parsePort('--metrics-port'))
    .addOption(durationOption('--resync-period <duration>', 'drift-check period for bindings without spec.resyncPeriod', 30_000, { minMs: 1_000, maxMs: 24 * 3_600_000 }))
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .action(async (flags: SandboxFlags) => {
      const logger = createLogger({ level: parseLogLevel(flags.logLevel) });
      const sandbox = await startSandbox({
        logger,
        kubePort: flags.kubePort,
        cloudPort: flags.cloudPort,
        ...(flags.fleet ? { fleetPath: flags.fleet } : {}),
        ...(flags.examples !== undefined ? { examplesPath: flags.examples } : {}),
        ...(flags.kubeconfigOut ? { kubeconfigPath: flags.kubeconfigOut } : {}),
        ...(flags.metricsPort !== undefined ? { metricsPort: flags.metricsPort } : {}),
        defaultResyncMs: flags.resyncPeriod,
      });
      const cloud = sandbox.cloud.url;
      const kc = sandbox.kubeconfigPath;
      const instance = sandbox.fleet.regions[0]?.instances?.find((i) => i.network === 'vpc')?.id ?? 'i-...';
      process.stdout.write(
        [
          '',
          'ecs-role-operator sandbox is running.',
          `  Kubernetes API emulator: ${sandbox.kube.url}`,
          `  cloud simulator:         ${cloud}`,
          `  kubeconfig:              ${kc}`,
          '',
          'Try:',
          `  export KUBECONFIG=${kc}`,
          '  kubectl get irb -A',
          '  kubectl describe irb -n platform oss-readers',
          `  curl -s ${cloud}/sim/state | head -c 600; echo`,
          `  curl -s -X PUT ${cloud}/sim/instances/${instance}/role -d '{"roleName":null}'   # drift: detach out of band`,
          '  kubectl patch irb -n platform oss-readers --type merge -p \'{"spec":{"roleName":"EcsRamRoleLogShipper"}}\'   # change the role',
          `  curl -s ${cloud}/sim/calls | head -c 600; echo   # the ActionTrail of every API call`,
          '',
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      const stop = async (): Promise<void> => {
        await sandbox.stop();
        logger.flush();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
