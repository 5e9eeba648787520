/**
 * Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection package:
 *
 * - A candidate takes the lease when nobody holds it (no lease, or an empty holderIdentity after a
 *   release) or when the holder has not renewed it for leaseDuration. "Not renewed" is judged by
 *   this candidate's own clock: the time it last saw the lease record change, plus the holder's
 *   leaseDurationSeconds. Clocks of different nodes are never compared.
 * - Every write is a full replace carrying the resourceVersion that was read, so of two candidates
 *   racing for the same expired lease the apiserver lets exactly one through (the other gets 409).
 *   A missing lease is created; two racing creates likewise yield one winner.
 * - The leader renews every retryPeriod. If it cannot renew for renewDeadline (shorter than
 *   leaseDuration, so it stops before anyone else may start) it stops leading.
 * - release() on shutdown clears holderIdentity and shortens leaseDurationSeconds to 1 so the next
 *   candidate takes over at its next retry instead of waiting out the lease.
 *
 * acquireTime and renewTime are metav1.MicroTime: RFC 3339 with exactly six fractional digits.
 * @kubernetes/client-node's V1MicroTime (a Date subclass) serialises that way; on reads the
 * library hands back the raw string, so reads accept either.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
  V1MicroTime,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { errorText } from '../util/error-text.js';

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  /** Namespace of the Lease (the operator's own). */
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** Unique per replica, e.g. "<pod name>_<random>" (defaultIdentity()). */
  identity: string;
  /** The field manager named by the Lease writes. */
  fieldManager?: string;
  /** How long a holder's lease is honoured without renewal. Default 15. */
  leaseDurationSec?: number;
  /** How long the leader keeps retrying a failing renewal before it stops leading. Default 10. */
  renewDeadlineSec?: number;
  /** Pause between acquire attempts and between renewals. Default 2. */
  retryPeriodSec?: number;
  /**
   * Called once this replica becomes leader. The signal aborts when leadership ends (lost,
   * released or stopped); work started here must stop when it does.
   */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called once when leadership ends, after the signal has aborted. */
  onStoppedLeading: () => void | Promise<void>;
  /** Told about leadership changes, e.g. OperatorMetrics.setLeader. */
  onLeaderChange?: (isLeader: boolean) => void;
  logger: Logger;
}

/** The Lease deploy/ grants get/update on (by resourceNames); use it unless you change the Role too. */
export const DEFAULT_LEASE_NAME = 'ecs-role-operator-leader';

/**
 * A replica's identity in the Lease: the pod name (POD_NAME, from the downward API) or the host
 * name, plus a random suffix so a restarted container never mistakes the old holder for itself.
 */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.POD_NAME || hostname()}_${randomUUID().slice(0, 8)}`;
}

const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * The Lease's namespace: POD_NAMESPACE (downward API), else the namespace of the mounted
 * ServiceAccount token (in cluster), else the given fallback.
 */
export function defaultLeaseNamespace(
  fallback: string,
  env: NodeJS.ProcessEnv = process.env,
  namespaceFile: string = IN_CLUSTER_NAMESPACE_FILE,
): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    const fromFile = readFileSync(namespaceFile, 'utf8').trim();
    if (fromFile) return fromFile;
  } catch {
    // not in a cluster
  }
  return fallback;
}

/** Retry pauses are spread by up to this factor so candidates do not retry in lockstep. */
const JITTER_FACTOR = 1.2;

interface ObservedRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  renewTime: string;
  acquireTime: string;
  leaseTransitions: number;
}

type Attempt = { acquired: true } | { acquired: false; reason: string };

export class LeaderElector {
  readonly identity: string;
  private readonly api: CoordinationV1Api;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;

  private leading = false;
  private leadership: AbortController | undefined;
  /** Aborted by stop()/release(): ends every wait and loop. */
  private readonly lifecycle = new AbortController();
  private observed: ObservedRecord | undefined;
  /** Local monotonic-ish time (ms) at which `observed` last changed. */
  private observedAt = 0;
  /** The attempt in flight, so release() can wait for it before writing. */
  private inFlight: Promise<Attempt> | undefined;
  private running: Promise<void> | undefined;
  private lastFailure = '';

  constructor(private readonly opts: LeaderElectorOptions) {
    this.identity = opts.identity;
    this.leaseDurationMs = seconds(opts.leaseDurationSec ?? 15, 'leaseDurationSec');
    this.renewDeadlineMs = seconds(opts.renewDeadlineSec ?? 10, 'renewDeadlineSec');
    this.retryPeriodMs = seconds(opts.retryPeriodSec ?? 2, 'retryPeriodSec');
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new Error(
        `leader election: leaseDurationSec (${this.leaseDurationMs / 1000}) must be greater than renewDeadlineSec (${this.renewDeadlineMs / 1000})`,
      );
    }
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) {
      throw new Error(
        `leader election: renewDeadlineSec (${this.renewDeadlineMs / 1000}) must be greater than ${JITTER_FACTOR} x retryPeriodSec (${this.retryPeriodMs / 1000})`,
      );
    }
    if (!opts.identity) throw new Error('leader election: identity must not be empty');
    this.api = opts.kubeConfig.makeApiClient(CoordinationV1Api);
    this.logger = opts.logger.child({ lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until this replica leads, leads until leadership is lost, released or stopped, then
   * resolves. Callers usually exit the process when it resolves without a shutdown under way.
   */
  run(): Promise<void> {
    if (this.running) throw new Error('leader election: run() was already called');
    this.running = this.campaignAndLead();
    return this.running;
  }

  /** Stops campaigning/renewing WITHOUT touching the lease (others take over once it expires). */
  async stop(): Promise<void> {
    this.lifecycle.abort();
    await this.running;
  }

  /**
   * Stops, and if this replica holds the lease, hands it back so another candidate takes over at
   * its next retry. Safe to call when not leading or not running.
   */
  async release(): Promise<void> {
    this.lifecycle.abort();
    await this.inFlight?.catch(() => undefined);
    await this.running;
    // Also covers an acquire that landed just as we were stopping: giveBack re-reads the Lease
    // and writes only if it still names us.
    if (this.observed?.holderIdentity === this.identity) await this.giveBack();
  }

  private async campaignAndLead(): Promise<void> {
    const acquired = await this.acquire();
    if (!acquired || this.lifecycle.signal.aborted) return;
    this.leading = true;
    this.leadership = new AbortController();
    this.opts.onLeaderChange?.(true);
    this.logger.info('became leader');
    this.startCallback();
    await this.renewUntilLost();
    this.leading = false;
    this.leadership.abort();
    this.opts.onLeaderChange?.(false);
    try {
      await this.opts.onStoppedLeading();
    } catch (err) {
      this.logger.error({ err: errorText(err) }, 'onStoppedLeading failed');
    }
  }

  private startCallback(): void {
    const signal = this.leadership!.signal;
    try {
      const started = this.opts.onStartedLeading(signal);
      if (started instanceof Promise) {
        started.catch((err: unknown) => this.logger.error({ err: errorText(err) }, 'onStartedLeading failed'));
      }
    } catch (err) {
      this.logger.error({ err: errorText(err) }, 'onStartedLeading failed');
    }
  }

  /** Resolves true once the lease is ours, false if stopped first. */
  private async acquire(): Promise<boolean> {
    this.logger.info('campaigning for leadership');
    while (!this.lifecycle.signal.aborted) {
      const attempt = await this.attempt(this.renewDeadlineMs);
      if (attempt.acquired) return true;
      this.noteFailure(attempt.reason, 'debug');
      if (!(await this.pause(jittered(this.retryPeriodMs)))) return false;
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renewal could not succeed within renewDeadline, or on stop. */
  private async renewUntilLost(): Promise<void> {
    let lastRenew = Date.now();
    while (!this.lifecycle.signal.aborted) {
      if (!(await this.pause(this.retryPeriodMs))) return;
      for (;;) {
        const remaining = lastRenew + this.renewDeadlineMs - Date.now();
        if (remaining <= 0) {
          this.logger.warn(
            { renewDeadlineSec: this.renewDeadlineMs / 1000, lastFailure: this.lastFailure },
            'could not renew the lease within the renew deadline; stopping leading',
          );
          return;
        }
        const attempt = await this.attempt(remaining);
        if (this.lifecycle.signal.aborted) return;
        if (attempt.acquired) {
          lastRenew = Date.now();
          this.lastFailure = '';
          break;
        }
        if (this.observed && this.observed.holderIdentity !== this.identity && this.observed.holderIdentity !== '') {
          this.logger.warn({ holder: this.observed.holderIdentity }, 'another replica holds the lease; stopping leading');
          return;
        }
        this.noteFailure(attempt.reason, 'warn');
        if (!(await this.pause(Math.min(this.retryPeriodMs, Math.max(0, lastRenew + this.renewDeadlineMs - Date.now()))))) {
          return;
        }
      }
    }
  }

  /** One tryAcquireOrRenew, given up (as failed) after timeoutMs. */
  private attempt(timeoutMs: number): Promise<Attempt> {
    const attempt = this.tryAcquireOrRenew().catch(
      (err: unknown): Attempt => ({ acquired: false, reason: describeApiError(err, this.opts.namespace, this.opts.name) }),
    );
    this.inFlight = attempt;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Attempt>((resolve) => {
      timer = setTimeout(
        () => resolve({ acquired: false, reason: `lease request took longer than ${Math.round(timeoutMs)} ms` }),
        timeoutMs,
      );
    });
    return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    const { namespace, name } = this.opts;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 404) throw err;
      const now = new V1MicroTime(Date.now());
      const created = await this.writeLease('create', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: this.spec({ acquireTime: now, renewTime: now, leaseTransitions: 0 }),
      });
      if (!created) return { acquired: false, reason: 'another candidate created the lease first' };
      this.observe(created);
      return { acquired: true };
    }

    this.observe(lease);
    const record = this.observed!;
    const heldByOther = record.holderIdentity !== '' && record.holderIdentity !== this.identity;
    if (heldByOther && this.observedAt + record.leaseDurationSeconds * 1000 > Date.now()) {
      return { acquired: false, reason: `lease is held by ${record.holderIdentity}` };
    }
    // The lease is ours to renew, free, or expired: take it, guarded by the resourceVersion we read.
    if (this.lifecycle.signal.aborted) return { acquired: false, reason: 'stopped' };
    const now = new V1MicroTime(Date.now());
    const renewing = record.holderIdentity === this.identity;
    const replaced = await this.writeLease('replace', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...lease.metadata, name, namespace },
      spec: this.spec({
        acquireTime: renewing && lease.spec?.acquireTime ? lease.spec.acquireTime : now,
        renewTime: now,
        leaseTransitions: renewing ? record.leaseTransitions : record.leaseTransitions + 1,
      }),
    });
    if (!replaced) return { acquired: false, reason: 'the lease changed while acquiring it (conflict)' };
    this.observe(replaced);
    return { acquired: true };
  }

  private spec(times: { acquireTime: V1MicroTime | Date; renewTime: V1MicroTime; leaseTransitions: number }): V1LeaseSpec {
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: toMicroTime(times.acquireTime),
      renewTime: times.renewTime,
      leaseTransitions: times.leaseTransitions,
    };
  }

  /** Creates or replaces the lease; undefined when the apiserver reports a conflict (409). */
  private async writeLease(kind: 'create' | 'replace', body: V1Lease): Promise<V1Lease | undefined> {
    const { namespace, name, fieldManager } = this.opts;
    const manager = fieldManager !== undefined ? { fieldManager } : {};
    try {
      return kind === 'create'
        ? await this.api.createNamespacedLease({ namespace, body, ...manager })
        : await this.api.replaceNamespacedLease({ name, namespace, body, ...manager });
    } catch (err) {
      if (err instanceof ApiException && err.code === 409) return undefined;
      throw err;
    }
  }

  /** Records the lease as seen now; the observation time moves only when the record changed. */
  private observe(lease: V1Lease): void {
    const spec = lease.spec ?? {};
    const record: ObservedRecord = {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? Math.ceil(this.leaseDurationMs / 1000),
      renewTime: timeText(spec.renewTime),
      acquireTime: timeText(spec.acquireTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    };
    const prev = this.observed;
    if (
      !prev ||
      prev.holderIdentity !== record.holderIdentity ||
      prev.renewTime !== record.renewTime ||
      prev.acquireTime !== record.acquireTime ||
      prev.leaseDurationSeconds !== record.leaseDurationSeconds ||
      prev.leaseTransitions !== record.leaseTransitions
    ) {
      this.observed = record;
      this.observedAt = Date.now();
    }
  }

  /** Hands the lease back: empty holder, 1s duration, guarded by resourceVersion; retried on conflict. */
  private async giveBack(): Promise<void> {
    const { namespace, name } = this.opts;
    for (let tries = 0; tries < 3; tries++) {
      try {
        const lease = await this.api.readNamespacedLease({ name, namespace });
        if ((lease.spec?.holderIdentity ?? '') !== this.identity) {
          this.logger.info({ holder: lease.spec?.holderIdentity ?? '' }, 'lease no longer ours; nothing to release');
          return;
        }
        const now = new V1MicroTime(Date.now());
        const released = await this.writeLease('replace', {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { ...lease.metadata, name, namespace },
          spec: {
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: lease.spec?.leaseTransitions ?? 0,
          },
        });
        if (released) {
          this.logger.info('released the leader lease');
          return;
        }
      } catch (err) {
        this.logger.warn({ err: describeApiError(err, namespace, name) }, 'could not release the leader lease');
        return;
      }
    }
    this.logger.warn('could not release the leader lease: it kept changing; it will expire on its own');
  }

  /** Waits ms; false when stopped meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    if (this.lifecycle.signal.aborted) return false;
    try {
      await sleep(ms, undefined, { signal: this.lifecycle.signal });
      return true;
    } catch {
      return false;
    }
  }

  private noteFailure(reason: string, level: 'debug' | 'warn'): void {
    if (reason === this.lastFailure) return;
    this.lastFailure = reason;
    // Permission and transport errors matter even while merely campaigning.
    const notable = !reason.startsWith('lease is held by') && !reason.includes('(conflict)') && !reason.includes('created the lease first');
    this.logger[notable ? 'warn' : level]({ reason }, 'leader lease not acquired');
  }
}

function seconds(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`leader election: ${name} must be a positive number of seconds, got ${value}`);
  return value * 1000;
}

function jittered(ms: number): number {
  return ms * (1 + Math.random() * (JITTER_FACTOR - 1));
}

function toMicroTime(value: V1MicroTime | Date | string): V1MicroTime {
  return value instanceof V1MicroTime ? value : new V1MicroTime(new Date(value).getTime());
}

/** The lease's time as text; client-node returns MicroTime fields as raw strings on reads. */
function timeText(value: V1MicroTime | Date | string | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.toISOString();
}

function describeApiError(err: unknown, namespace: string, name: string): string {
  if (err instanceof ApiException) {
    const code = err.code as number;
    if (code === 403) {
      return `forbidden: the operator's ServiceAccount needs get, create and update on leases.coordination.k8s.io in namespace ${namespace} (lease ${name}); apply deploy/ or grant the Role`;
    }
    if (code === 401) return 'unauthorized: the kubeconfig or ServiceAccount token was rejected';
    const message = statusMessage(err.body);
    return `lease ${namespace}/${name}: HTTP ${code}${message ? `: ${message}` : ''}`;
  }
  return `lease ${namespace}/${name}: ${errorText(err)}`;
}

/** The message of a metav1.Status error body; client-node hands the body over as raw text. */
function statusMessage(body: unknown): string {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.slice(0, 200);
    }
  }
  const message = (parsed as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : '';
}

