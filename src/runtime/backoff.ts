/**
 * Per-key capped exponential backoff with jitter: the n-th consecutive failure of a key waits
 * about baseMs * 2^n, never more than maxMs, never 0. Jitter spreads retries of keys that failed
 * together (a throttled fleet) so they do not come back in lockstep.
 */

export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  baseMs?: number;
  /** Cap. Default 5 minutes. */
  maxMs?: number;
  /** Fraction (0..1) by which a delay may be shortened at random. Default 0.2. */
  jitter?: number;
  /** Source of randomness in [0, 1). Default Math.random. */
  random?: () => number;
}

export const DEFAULT_BACKOFF_BASE_MS = 500;
export const DEFAULT_BACKOFF_MAX_MS = 5 * 60_000;
export const DEFAULT_BACKOFF_JITTER = 0.2;

export class Backoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly failures = new Map<string, number>();

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
    this.maxMs = opts.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
    this.jitter = opts.jitter ?? DEFAULT_BACKOFF_JITTER;
    this.random = opts.random ?? Math.random;
    if (!(this.baseMs > 0)) throw new Error(`backoff baseMs must be positive, got ${this.baseMs}`);
    if (!(this.maxMs >= this.baseMs)) throw new Error(`backoff maxMs (${this.maxMs}) must be at least baseMs (${this.baseMs})`);
    if (!(this.jitter >= 0 && this.jitter < 1)) throw new Error(`backoff jitter must be in [0, 1), got ${this.jitter}`);
  }

  /** Records one more failure of the key and returns how long to wait before retrying it. */
  next(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long after the cap; Math.min keeps the result finite.
    const exponential = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(n, 1024));
    const r = Math.min(Math.max(this.random(), 0), 1);
    const jittered = exponential * (1 - this.jitter * r);
    return Math.max(1, Math.round(jittered));
  }

  /** The key succeeded: its next failure starts again from baseMs. */
  reset(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive failures recorded for the key. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
