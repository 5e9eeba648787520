/**
 * What /readyz and /healthz mean for this operator:
 *
 * - Ready: a standby replica (leader election on, lease held elsewhere) is ready — it is healthy
 *   and waiting, and a rolling update must be able to proceed past it. The leader (or the only
 *   replica without leader election) is ready once its binding cache has synced and the cloud
 *   answered a cheap probe call recently; a failed probe makes it not ready with the cloud's error.
 * - Alive: the process has not hit a fatal condition it cannot recover from (markFatal), and the
 *   event loop answers (implicit: a blocked loop cannot answer the probe at all).
 */
import type { LivenessResult, ReadinessResult } from './http-server.js';
import { errorText } from '../util/error-text.js';

export interface OperatorHealthOptions {
  /** Whether leader election is enabled. */
  leaderElection: boolean;
  isLeader: () => boolean;
  cacheSynced: () => boolean;
  /** A cheap read against the cloud (e.g. one DescribeInstanceRamRole); throws when unreachable. */
  probeCloud: () => Promise<void>;
  /** How long a probe result is reused, so kubelet probes do not become cloud traffic. Default 30s. */
  cloudProbeTtlMs?: number;
  now?: () => number;
}

interface CloudProbe {
  at: number;
  error: string | undefined;
}

export class OperatorHealth {
  private fatal: string | undefined;
  private lastProbe: CloudProbe | undefined;
  private probing: Promise<CloudProbe> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: OperatorHealthOptions) {
    this.ttlMs = opts.cloudProbeTtlMs ?? 30_000;
    this.now = opts.now ?? (() => Date.now());
  }

  /** Makes /healthz fail from now on, so the kubelet restarts the container. */
  markFatal(reason: string): void {
    this.fatal ??= reason;
  }

  liveness = (): LivenessResult =>
    this.fatal ? { alive: false, reason: this.fatal } : { alive: true, reason: 'process running' };

  readiness = async (): Promise<ReadinessResult> => {
    if (this.fatal) return { ready: false, reason: this.fatal };
    if (this.opts.leaderElection && !this.opts.isLeader()) {
      return { ready: true, reason: 'standby: waiting for the leader lease' };
    }
    if (!this.opts.cacheSynced()) return { ready: false, reason: 'binding cache not synced yet' };
    const probe = await this.cloudProbe();
    if (probe.error) return { ready: false, reason: `cloud API unreachable: ${probe.error}` };
    return { ready: true, reason: this.opts.leaderElection ? 'leader: cache synced, cloud reachable' : 'cache synced, cloud reachable' };
  };

  private cloudProbe(): Promise<CloudProbe> {
    const last = this.lastProbe;
    if (last && this.now() - last.at < this.ttlMs) return Promise.resolve(last);
    this.probing ??= this.opts
      .probeCloud()
      .then(
        () => undefined,
        (err: unknown) => errorText(err),
      )
      .then((error) => {
        this.lastProbe = { at: this.now(), error };
        this.probing = undefined;
        return this.lastProbe;
      });
    return this.probing;
  }
}
