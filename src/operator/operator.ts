/**
 * Assembles a running operator: Kubernetes clients, the cloud (the given CloudApi, instrumented,
 * then the reconciler's RoleCloud port over it: rate limits, coalescing, role-check cache), the
 * binding controller, health and metrics endpoints, and optional leader election. Used by `run`
 * (real clusters) and `sandbox` (the simulators) alike.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { CloudApi } from '../cloud/cloud-api.js';
import { instrumentCloudApi } from '../cloud/instrumented-cloud-api.js';
import { createRoleCloud } from '../cloud/role-cloud-stack.js';
import { BindingController } from '../controller/binding-controller.js';
import type { TenancyMode } from '../kube/tenancy-cache.js';
import { FIELD_MANAGER } from '../kube/wire-identity.js';
import { OperatorHealth } from '../observability/health.js';
import { type ObservabilityServer, startObservabilityServer } from '../observability/http-server.js';
import { OperatorMetrics } from '../observability/metrics.js';
import { PooledKubeConfig } from '../kube/pooled-kubeconfig.js';
import { LeaderElector, defaultIdentity } from '../runtime/leader-election.js';
import { errorText } from '../util/error-text.js';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  cloud: CloudApi;
  logger: Logger;
  /** Drift-check period for bindings that do not set spec.resyncPeriod. */
  defaultResyncMs: number;
  /** Calls per second allowed for each ECS/RAM API action. */
  qps: number;
  qpsPerAction?: Record<string, number>;
  concurrency: number;
  /** undefined: no HTTP endpoints (tests); 0: a free port. */
  metricsPort?: number;
  healthPort?: number;
  /** Interface for the metrics/health server. Default all interfaces. */
  httpHost?: string;
  leaderElection?: { namespace: string; name: string; identity?: string; leaseDurationSec?: number; renewDeadlineSec?: number; retryPeriodSec?: number };
  /** Region used by the readiness probe's cheap cloud call. */
  probeRegionId?: string;
  batchWindowMs?: number;
  /**
   * coalesced (default): cloud calls merged across bindings. per-binding: each binding's calls go
   * out alone (one describe and one attach per binding), the benchmark's baseline only.
   */
  cloudStrategy?: CloudStrategy;
  /** enforce (default): InstanceRolePolicies decide; disabled: single-tenant, logged as a warning at start. */
  tenancy?: TenancyMode;
  /**
   * The operator's own namespace, where the ownership ledger lives (tenants must have no access).
   * Default: the leader-election namespace, else ecs-role-operator-system.
   */
  ownershipNamespace?: string;
}

export type CloudStrategy = 'coalesced' | 'per-binding';
export const CLOUD_STRATEGIES: readonly CloudStrategy[] = ['coalesced', 'per-binding'];

/** Where the ledger lives when neither ownershipNamespace nor leader election names a namespace. */
export const DEFAULT_OPERATOR_NAMESPACE = 'ecs-role-operator-system';

export interface RunningOperator {
  readonly metrics: OperatorMetrics;
  readonly controller: BindingController;
  readonly health: OperatorHealth;
  readonly http: ObservabilityServer | undefined;
  readonly elector: LeaderElector | undefined;
  /** Resolves when leadership is lost (never, without leader election). */
  readonly lostLeadership: Promise<void>;
  /** Graceful stop: no new work, in-flight reconciles finish, lease released. */
  stop(): Promise<void>;
}

export async function startOperator(opts: OperatorOptions): Promise<RunningOperator> {
  const metrics = new OperatorMetrics();
  const cloud = instrumentCloudApi(opts.cloud, metrics);
  const roleCloud = createRoleCloud(cloud, {
    qps: opts.qps,
    ...(opts.qpsPerAction ? { qpsPerAction: opts.qpsPerAction } : {}),
    ...(opts.batchWindowMs !== undefined ? { batchWindowMs: opts.batchWindowMs } : {}),
    ...(opts.cloudStrategy === 'per-binding' ? { coalesce: false } : {}),
    // The tag-filter fallback is a warning in the operator's own log, not a process warning on stderr.
    onListingDenied: (message) => opts.logger.warn({ api: 'ListTagResources' }, message),
  });
  const tenancy = opts.tenancy ?? 'enforce';
  if (tenancy === 'disabled') {
    opts.logger.warn(
      'tenancy is disabled (--tenancy=disabled): InstanceRolePolicies are not enforced, every binding in every namespace may bind any role the operator can pass to any instance; use only on single-tenant clusters',
    );
  }
  const controller = new BindingController({
    kubeConfig: opts.kubeConfig,
    customObjects: opts.kubeConfig.makeApiClient(CustomObjectsApi),
    core: opts.kubeConfig.makeApiClient(CoreV1Api),
    // Events wait behind the status and finalizer writes (a convergence waits on those, not on Events).
    ...(opts.kubeConfig instanceof PooledKubeConfig ? { eventsCore: opts.kubeConfig.background().makeApiClient(CoreV1Api) } : {}),
    cloud: roleCloud,
    forgetRole: (roleName) => roleCloud.forget(roleName),
    logger: opts.logger,
    concurrency: opts.concurrency,
    defaultResyncMs: opts.defaultResyncMs,
    metrics,
    tenancy,
    ownershipNamespace: opts.ownershipNamespace ?? opts.leaderElection?.namespace ?? DEFAULT_OPERATOR_NAMESPACE,
  });

  let elector: LeaderElector | undefined;
  const health = new OperatorHealth({
    leaderElection: Boolean(opts.leaderElection),
    // Before the elector exists (informers still starting) a replica with leader election leads nothing yet.
    isLeader: () => elector?.isLeader() ?? !opts.leaderElection,
    cacheSynced: () => controller.isSynced(),
    probeCloud: async () => {
      if (opts.probeRegionId) await cloud.describeInstances(opts.probeRegionId, { instanceIds: ['i-readinessprobe'] });
    },
  });

  let http: ObservabilityServer | undefined;
  if (opts.metricsPort !== undefined) {
    http = await startObservabilityServer({
      metricsPort: opts.metricsPort,
      healthPort: opts.healthPort ?? opts.metricsPort,
      ...(opts.httpHost ? { host: opts.httpHost } : {}),
      metrics: { exposition: () => metrics.registry.metrics(), contentType: metrics.registry.contentType },
      readiness: health.readiness,
      liveness: health.liveness,
      logger: opts.logger,
    });
  }

  await controller.startInformer();
  opts.logger.info({ bindings: controller.cache.size(), policies: controller.tenancy.policyEntries().length, tenancy }, 'binding cache synced');

  let signalLost: () => void = () => undefined;
  const lostLeadership = new Promise<void>((resolve) => {
    signalLost = resolve;
  });

  if (opts.leaderElection) {
    const le = opts.leaderElection;
    elector = new LeaderElector({
      // Renewals on connections of their own: never queued behind the controller's writes.
      kubeConfig: opts.kubeConfig instanceof PooledKubeConfig ? opts.kubeConfig.withOwnPool() : opts.kubeConfig,
      namespace: le.namespace,
      name: le.name,
      identity: le.identity ?? defaultIdentity(),
      fieldManager: FIELD_MANAGER,
      ...(le.leaseDurationSec !== undefined ? { leaseDurationSec: le.leaseDurationSec } : {}),
      ...(le.renewDeadlineSec !== undefined ? { renewDeadlineSec: le.renewDeadlineSec } : {}),
      ...(le.retryPeriodSec !== undefined ? { retryPeriodSec: le.retryPeriodSec } : {}),
      logger: opts.logger,
      onLeaderChange: (leading) => metrics.setLeader(leading),
      onStartedLeading: (leadership) => {
        opts.logger.info('became leader; starting reconcilers');
        // Leadership's signal reaches every pass, the token-bucket waits and the SDK calls: once
        // it aborts, no Attach or Detach leaves this process (another replica may lead already).
        // The ledger loads first; it is not loaded (nor written) once leadership ends.
        void controller.startWorkers(leadership);
      },
      onStoppedLeading: () => {
        opts.logger.warn('leadership lost; stopping reconcilers');
        signalLost();
      },
    });
    void elector.run().catch((err: unknown) => {
      opts.logger.error({ err: errorText(err) }, 'leader election failed');
      health.markFatal('leader election failed');
      signalLost();
    });
  } else {
    metrics.setLeader(true);
    // The first attempt to load the ledger is awaited: a started operator is ready at once.
    await controller.startWorkers();
  }

  let stopped: Promise<void> | undefined;
  return {
    metrics,
    controller,
    health,
    http,
    elector,
    lostLeadership,
    stop: () => {
      stopped ??= (async () => {
        await controller.stop();
        if (elector) await elector.release();
        await http?.close();
      })();
      return stopped;
    },
  };
}
