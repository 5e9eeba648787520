/**
 * A RoleCloud decorator that answers role checks from a short-lived cache: a RAM role rarely
 * changes, and thousands of bindings may name the same one. Concurrent checks of one role share
 * one GetRole; a failed check is not cached; forget() drops a role (a user asked for a fresh
 * look): a negative answer (missing, not trusted) at once, a positive one once it is older than
 * the grace period, so a reconcile requested on thousands of bindings naming one role costs one
 * GetRole, not one per binding. Everything else passes through.
 *
 * The shared GetRole runs without any one caller's signal (other callers still want it); a
 * caller whose signal aborts stops waiting for it.
 */
import { setMaxListeners } from 'node:events';
import { abortable } from '../runtime/abort.js';
import type { RoleCheckAnswer, RoleCloud } from './role-cloud.js';

export interface RoleCheckCacheOptions {
  /** How long an answer is trusted. Default 60 s. */
  ttlMs?: number;
  /** forget() keeps a positive answer younger than this. Default 5 s. */
  forgetGraceMs?: number;
  now?: () => number;
}

export const DEFAULT_ROLE_CHECK_TTL_MS = 60_000;
export const DEFAULT_FORGET_GRACE_MS = 5_000;

export class CachedRoleChecks implements RoleCloud {
  private readonly cache = new Map<string, { at: number; answer: Promise<RoleCheckAnswer>; usable?: boolean }>();
  private readonly ttlMs: number;
  private readonly forgetGraceMs: number;
  private readonly now: () => number;
  /** The signal of the shared GetRole calls: never aborts; every call in flight listens to it. */
  private readonly unaborted = new AbortController().signal;

  constructor(
    private readonly inner: RoleCloud,
    options: RoleCheckCacheOptions = {},
  ) {
    setMaxListeners(0, this.unaborted);
    this.ttlMs = options.ttlMs ?? DEFAULT_ROLE_CHECK_TTL_MS;
    this.forgetGraceMs = options.forgetGraceMs ?? DEFAULT_FORGET_GRACE_MS;
    this.now = options.now ?? (() => Date.now());
  }

  observe: RoleCloud['observe'] = (regionId, scope, signal, onPart) => this.inner.observe(regionId, scope, signal, onPart);
  attach: RoleCloud['attach'] = (regionId, changes, signal, options) => this.inner.attach(regionId, changes, signal, options);
  detach: RoleCloud['detach'] = (regionId, changes, signal) => this.inner.detach(regionId, changes, signal);

  checkRole(roleName: string, signal: AbortSignal): Promise<RoleCheckAnswer> {
    const cached = this.cache.get(roleName);
    if (cached && this.now() - cached.at < this.ttlMs) return abortable(cached.answer, signal);
    const answer = this.inner.checkRole(roleName, this.unaborted);
    const entry: { at: number; answer: Promise<RoleCheckAnswer>; usable?: boolean } = { at: this.now(), answer };
    this.cache.set(roleName, entry);
    answer.then(
      (a) => (entry.usable = a.exists && a.trustsEcs),
      () => {
        if (this.cache.get(roleName)?.answer === answer) this.cache.delete(roleName);
      },
    );
    return abortable(answer, signal);
  }

  /**
   * Drops the cached answer for the role, so the next check asks the cloud: at once when it said
   * the role is missing or untrusted (or has not answered yet), else once it is older than the grace period.
   */
  forget(roleName: string): void {
    const entry = this.cache.get(roleName);
    if (entry?.usable === true && this.now() - entry.at < this.forgetGraceMs) return;
    this.cache.delete(roleName);
  }
}
