/**
 * Runs LeaderElectors against a Kubernetes API server (either target) and records who led when, so tests can
 * check that leadership periods never overlap.
 */
import { CoordinationV1Api, CoreV1Api, KubeConfig, type V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { LeaderElector, type LeaderElectorOptions } from '../../../src/runtime/leader-election.js';

export interface Timing {
  leaseDurationSec: number;
  renewDeadlineSec: number;
  retryPeriodSec: number;
}
/** The short durations the takeover tests run with. */
export const FAST: Timing = { leaseDurationSec: 2, renewDeadlineSec: 1, retryPeriodSec: 0.2 };
/**
 * For tests where the leader must keep its lease: a loaded CI machine can stall the event loop
 * past FAST's 1s renew deadline, and a leader that gives up then is correct, but not what those
 * tests look at.
 */
export const STEADY: Timing = { leaseDurationSec: 8, renewDeadlineSec: 6, retryPeriodSec: 0.2 };

export interface Term {
  identity: string;
  startedAt: number;
  stoppedAt?: number;
}

export function kubeConfigFrom(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

export function readLease(kc: KubeConfig, namespace: string, name: string): Promise<V1Lease> {
  return kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name, namespace });
}

/** A set of candidates for one lease, with a shared record of leadership terms. */
export class Election {
  readonly terms: Term[] = [];
  readonly electors: LeaderElector[] = [];
  readonly runs: Promise<void>[] = [];
  private current = 0;
  /** The most replicas that believed they led at the same moment. */
  maxConcurrentLeaders = 0;

  constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
    readonly name: string,
    private readonly timing: Timing = FAST,
  ) {}

  start(identity: string, overrides: Partial<LeaderElectorOptions> = {}): LeaderElector {
    let term: Term | undefined;
    const elector = new LeaderElector({
      kubeConfig: this.kc,
      namespace: this.namespace,
      name: this.name,
      identity,
      ...this.timing,
      logger: pino({ level: 'silent' }),
      onStartedLeading: () => {
        this.current++;
        this.maxConcurrentLeaders = Math.max(this.maxConcurrentLeaders, this.current);
        term = { identity, startedAt: Date.now() };
        this.terms.push(term);
      },
      onStoppedLeading: () => {
        this.current--;
        if (term) term.stoppedAt = Date.now();
      },
      ...overrides,
    });
    this.electors.push(elector);
    this.runs.push(elector.run());
    return elector;
  }

  leaders(): LeaderElector[] {
    return this.electors.filter((e) => e.isLeader());
  }

  /** Stops every candidate without releasing (test cleanup). */
  async stopAll(): Promise<void> {
    await Promise.all(this.electors.map((e) => e.stop()));
  }
}

/** Polls until check() returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Watches for `ms` that at most one candidate leads at any sampled moment. */
export async function singleLeaderFor(election: Election, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const leaders = election.leaders();
    if (leaders.length > 1) throw new Error(`two leaders at once: ${leaders.map((l) => l.identity).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
