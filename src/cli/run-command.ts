import { type Command, Option } from 'commander';
import { createAlibabaCloudApi } from '../cloud/alibaba-cloud-api.js';
import { NO_CREDENTIALS_FIX, candidateCredentialSources, createDefaultCredential, describeCredentialSource } from '../cloud/credentials.js';
import { DEFAULT_RESYNC_PERIOD_MS, MAX_RESYNC_PERIOD_MS } from '../api/instance-role-binding.js';
import { loadKubeconfig } from '../kube/kubeconfig-loader.js';
import { createLogger, parseLogLevel } from '../observability/logger.js';
import { CLOUD_STRATEGIES, type CloudStrategy, startOperator } from '../operator/operator.js';
import { DEFAULT_LEASE_NAME, defaultLeaseNamespace } from '../runtime/leader-election.js';
import {
  durationOption,
  parseEndpoint,
  parsePort,
  parsePositiveInt,
  parsePositiveNumber,
  parseProtocol,
  parseQpsOverrides,
  parseTenancy,
} from './options.js';
import type { TenancyMode } from '../kube/tenancy-cache.js';

interface RunFlags {
  kubeconfig?: string;
  ecsEndpoint?: string;
  ramEndpoint?: string;
  protocol: 'http' | 'https';
  resyncPeriod: number;
  ecsQps: number;
  ecsQpsPerAction?: Record<string, number>;
  concurrency: number;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaderElectionLeaseDuration: number;
  leaderElectionRenewDeadline: number;
  leaderElectionRetryPeriod: number;
  metricsPort: number;
  healthPort: number;
  probeRegion?: string;
  logLevel: string;
  tenancy: TenancyMode;
  cloudStrategy: CloudStrategy;
}

const HOUR_MS = 3_600_000;
/** Where the leader Lease lives outside a pod (deploy/ installs into this namespace). */
const DEFAULT_LEASE_NAMESPACE = 'ecs-role-operator-system';
/**
 * Passes in flight at once. A pass spends most of its time waiting for coalesced, rate-limited
 * cloud calls and queued Kubernetes requests; it must be high enough that the waiting batches
 * fill (a call carries up to 100 instances, 20 bindings of 5, and the quota allows 20 Attach calls
 * a second) and no higher: past that, passes only wait longer in the Kubernetes request queue,
 * and what they hold lives long enough to reach the old generation, so the operator spends its
 * CPU collecting it. At 10,000 bindings, 300 converged in 26 to 32 s where 1,000 took 31 to 33 s
 * (make bench, docs/operations.md, "Memory").
 */
const DEFAULT_CONCURRENCY = 300;

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the operator: watch InstanceRoleBindings and keep ECS instance roles in line with them')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--ecs-endpoint <host:port>', 'ECS API endpoint (default: ecs.<region>.aliyuncs.com)', parseEndpoint('--ecs-endpoint'))
    .option('--ram-endpoint <host:port>', 'RAM API endpoint (default: ram.aliyuncs.com)', parseEndpoint('--ram-endpoint'))
    .option('--protocol <http|https>', 'protocol for the cloud endpoints', parseProtocol, 'https')
    .addOption(
      durationOption('--resync-period <duration>', 'drift-check period for bindings without spec.resyncPeriod', DEFAULT_RESYNC_PERIOD_MS, {
        // Shorter than spec.resyncPeriod's 30s minimum is allowed here, for test and dev clusters.
        minMs: 1_000,
        maxMs: MAX_RESYNC_PERIOD_MS,
      }),
    )
    .option('--ecs-qps <n>', 'calls per second allowed for each ECS/RAM API action', parsePositiveNumber('--ecs-qps'), 20)
    .option('--ecs-qps-per-action <list>', 'per-action overrides, e.g. DescribeInstanceRamRole=50,AttachInstanceRamRole=20', parseQpsOverrides)
    .option('--concurrency <n>', 'bindings reconciled at once (passes in flight)', parsePositiveInt('--concurrency'), DEFAULT_CONCURRENCY)
    .option('--leader-elect', 'elect a leader through a coordination.k8s.io Lease (for more than one replica)', false)
    .option('--leader-election-namespace <ns>', 'namespace of the leader Lease and of the ownership ledger (POD_NAMESPACE, else the ServiceAccount\'s, else ecs-role-operator-system)', defaultLeaseNamespace(DEFAULT_LEASE_NAMESPACE))
    .option('--leader-election-id <name>', 'name of the leader Lease', DEFAULT_LEASE_NAME)
    .addOption(durationOption('--leader-election-lease-duration <duration>', 'how long a leader lease is honoured without renewal', 15_000, { minMs: 1_000, maxMs: HOUR_MS }))
    .addOption(
      durationOption('--leader-election-renew-deadline <duration>', 'how long the leader retries a failing renewal before it stops leading (less than the lease duration)', 10_000, {
        minMs: 1_000,
        maxMs: HOUR_MS,
      }),
    )
    .addOption(durationOption('--leader-election-retry-period <duration>', 'pause between attempts to acquire or renew the lease', 2_000, { minMs: 100, maxMs: HOUR_MS }))
    .option('--metrics-port <port>', 'port for /metrics', parsePort('--metrics-port'), 8080)
    .option('--health-port <port>', 'port for /healthz and /readyz', parsePort('--health-port'), 8081)
    .option('--probe-region <region>', 'region used by the readiness probe to check the cloud is reachable')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .option(
      '--tenancy <enforce|disabled>',
      'enforce: act on a binding only as an InstanceRolePolicy permits (deny by default); disabled: single-tenant clusters only, every binding may bind any role (logged as a warning)',
      parseTenancy,
      'enforce',
    )
    // The benchmark's baseline (make bench): not for clusters, so not in --help.
    .addOption(new Option('--cloud-strategy <strategy>', 'coalesced or per-binding cloud calls (benchmark only)').choices(CLOUD_STRATEGIES).default('coalesced').hideHelp())
    .action(async (flags: RunFlags) => {
      const logger = createLogger({ level: parseLogLevel(flags.logLevel) });
      const { config: kubeConfig, source: kubeconfigSource } = loadKubeconfig(flags.kubeconfig !== undefined ? { flag: flags.kubeconfig } : {});
      const credential = createDefaultCredential();
      logger.info({ credentials: describeCredentialSource(), kubeconfig: kubeconfigSource, cluster: kubeConfig.getCurrentCluster()?.server }, 'starting operator');
      if (candidateCredentialSources().length === 0) logger.warn({ fix: NO_CREDENTIALS_FIX }, 'no cloud credential provider applies: every binding will report InvalidCredentials');
      const operator = await startOperator({
        kubeConfig,
        cloud: createAlibabaCloudApi({
          ...(flags.ecsEndpoint ? { ecsEndpoint: flags.ecsEndpoint } : {}),
          ...(flags.ramEndpoint ? { ramEndpoint: flags.ramEndpoint } : {}),
          protocol: flags.protocol,
          credential,
        }),
        logger,
        defaultResyncMs: flags.resyncPeriod,
        qps: flags.ecsQps,
        ...(flags.ecsQpsPerAction ? { qpsPerAction: flags.ecsQpsPerAction } : {}),
        concurrency: flags.concurrency,
        tenancy: flags.tenancy,
        cloudStrategy: flags.cloudStrategy,
        ownershipNamespace: flags.leaderElectionNamespace,
        metricsPort: flags.metricsPort,
        healthPort: flags.healthPort,
        ...(flags.probeRegion ? { probeRegionId: flags.probeRegion } : {}),
        ...(flags.leaderElect
          ? {
              leaderElection: {
                namespace: flags.leaderElectionNamespace,
                name: flags.leaderElectionId,
                leaseDurationSec: flags.leaderElectionLeaseDuration / 1000,
                renewDeadlineSec: flags.leaderElectionRenewDeadline / 1000,
                retryPeriodSec: flags.leaderElectionRetryPeriod / 1000,
              },
            }
          : {}),
      });
      let shuttingDown = false;
      const shutdown = async (why: string, code: number): Promise<void> => {
        // operator.stop() releases the Lease, which also ends leadership: only the first reason counts.
        if (shuttingDown) return;
        shuttingDown = true;
        logger.info({ why }, 'shutting down');
        const force = setTimeout(() => process.exit(code || 1), 20_000);
        force.unref();
        await operator.stop();
        logger.flush();
        process.exit(code);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
      process.once('SIGINT', () => void shutdown('SIGINT', 0));
      // Like controller-runtime: a replica that loses its lease exits and is restarted clean.
      void operator.lostLeadership.then(() => shutdown('leadership lost', 1));
    });
}
