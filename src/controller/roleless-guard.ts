/**
 * The roleless guard, one per operator process: the state behind domain/roleless-admission.ts
 * (its header says what the guard decides and why). It tracks every instance a role change
 * detached until its new role is attached (the `roleless_instances` gauge; each closed window goes
 * to the roleless-window histogram), knows whether attaches are failing, and answers `admit(n)`
 * for each swap batch: admit (the n are reserved until the detach is answered), pause, or wait
 * for room. The clock is injected.
 */
import type { ErrorClass } from '../domain/failures.js';
import {
  type Admission,
  DEFAULT_ATTACH_FAILURE_COOLDOWN_MS,
  DEFAULT_OWED_RETRY_STALE_MS,
  DEFAULT_ROLELESS_CAPACITY,
  type GuardLimits,
  type GuardSnapshot,
  admission,
} from '../domain/roleless-admission.js';

export interface RolelessObserver {
  /** The number of instances detached for a role change and not re-attached yet. */
  rolelessInstances(count: number): void;
  /** One instance got its new role (or any role) this many seconds after it lost the old one. */
  rolelessWindow(seconds: number): void;
}

export interface RolelessGuardOptions {
  capacity?: number;
  cooldownMs?: number;
  staleMs?: number;
  now?: () => number;
  observer?: RolelessObserver | undefined;
}

interface Tracked {
  since: number;
  toRole: string;
  /** The last failed attach: when, and its class. */
  failed?: { at: number; class: ErrorClass };
}

interface Waiter {
  n: number;
  toRole: string;
  resolve: (answer: Exclude<Admission, { kind: 'wait' }>) => void;
}

export class RolelessGuard {
  private readonly tracked = new Map<string, Tracked>();
  private readonly waiters: Waiter[] = [];
  private reserved = 0;
  private failing: { at: number; code: string } | undefined;
  private readonly terminalRoles = new Map<string, string>();
  private readonly limits: GuardLimits;
  private readonly staleMs: number;
  private readonly now: () => number;
  private readonly observer: RolelessObserver | undefined;

  constructor(options: RolelessGuardOptions = {}) {
    this.limits = { capacity: options.capacity ?? DEFAULT_ROLELESS_CAPACITY, cooldownMs: options.cooldownMs ?? DEFAULT_ATTACH_FAILURE_COOLDOWN_MS };
    this.staleMs = options.staleMs ?? DEFAULT_OWED_RETRY_STALE_MS;
    this.now = options.now ?? (() => Date.now());
    this.observer = options.observer;
  }

  /**
   * Asks to detach n instances for a role change into toRole. Resolves `admit` (the n are then
   * reserved: call `answered(n)` once the detach call is answered) or `pause` (detach nothing);
   * waits while the roleless instances are at capacity. Rejects when the signal aborts.
   */
  admit(n: number, toRole: string, signal: AbortSignal): Promise<Exclude<Admission, { kind: 'wait' }>> {
    if (signal.aborted) return Promise.reject(signal.reason as unknown);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(signal.reason as unknown);
        this.pump();
      };
      const waiter: Waiter = {
        n,
        toRole,
        resolve: (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** The detach call of n admitted instances was answered (whatever the answer). */
  answered(n: number): void {
    this.reserved = Math.max(0, this.reserved - n);
    this.pump();
  }

  /** These instances lost their role for a change into toRole: their window opens. */
  detached(instanceIds: readonly string[], toRole: string): void {
    const since = this.now();
    for (const id of instanceIds) this.tracked.set(id, { since, toRole });
    this.changed();
  }

  /** These instances got toRole: their windows close; attaches work again. */
  attached(instanceIds: readonly string[], toRole: string): void {
    this.failing = undefined;
    this.terminalRoles.delete(toRole);
    const now = this.now();
    for (const id of instanceIds) {
      const entry = this.tracked.get(id);
      if (!entry) continue;
      this.tracked.delete(id);
      this.observer?.rolelessWindow((now - entry.since) / 1000);
    }
    this.changed();
  }

  /** Attaching toRole failed on these instances. */
  attachFailed(instanceIds: readonly string[], toRole: string, failure: { class: ErrorClass; code: string }): void {
    const at = this.now();
    if (failure.class === 'terminal') this.terminalRoles.set(toRole, failure.code);
    else this.failing = { at, code: failure.code };
    for (const id of instanceIds) {
      const entry = this.tracked.get(id);
      if (entry) entry.failed = { at, class: failure.class };
    }
    this.changed();
  }

  /** The instances were seen with these roles: a tracked one seen with a role is no longer roleless. */
  observed(roles: ReadonlyMap<string, string | null>): void {
    if (this.tracked.size === 0) return;
    const now = this.now();
    let closed = false;
    for (const [id, role] of roles) {
      const entry = this.tracked.get(id);
      if (!entry || role === null) continue;
      this.tracked.delete(id);
      this.observer?.rolelessWindow((now - entry.since) / 1000);
      closed = true;
    }
    if (closed) this.changed();
  }

  /** Stops tracking instances nobody will re-attach (their binding let go of them). */
  forget(instanceIds: Iterable<string>): void {
    let dropped = false;
    for (const id of instanceIds) dropped = this.tracked.delete(id) || dropped;
    if (dropped) this.changed();
  }

  /** Whether the instance was detached for a role change and is still waiting for its new role. */
  isRoleless(instanceId: string): boolean {
    return this.tracked.has(instanceId);
  }

  get rolelessCount(): number {
    return this.tracked.size;
  }

  snapshot(): GuardSnapshot {
    const now = this.now();
    let owed = 0;
    for (const entry of this.tracked.values()) {
      if (entry.failed && entry.failed.class !== 'terminal' && now - entry.failed.at < this.staleMs) owed++;
    }
    return { reserved: this.reserved, roleless: this.tracked.size, owed, health: { failing: this.failing, terminalRoles: this.terminalRoles } };
  }

  private changed(): void {
    this.observer?.rolelessInstances(this.tracked.size);
    this.pump();
  }

  /** Answers the waiters in order; the first that must wait holds the rest behind it. */
  private pump(): void {
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0] as Waiter;
      const answer = admission(this.snapshot(), waiter.n, waiter.toRole, this.now(), this.limits);
      if (answer.kind === 'wait') return;
      this.waiters.shift();
      if (answer.kind === 'admit') this.reserved += waiter.n;
      waiter.resolve(answer);
    }
  }
}
