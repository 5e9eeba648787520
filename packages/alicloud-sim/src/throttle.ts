/**
 * Per-action, per-region token buckets. Each bucket holds up to one second's worth of calls
 * (`qps` tokens, at least 1) and refills at `qps` tokens a second.
 */

/** Calls per second allowed for an action that the fleet's `limits.qps` does not name. */
export const DEFAULT_QPS = 10_000;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly qps: Readonly<Record<string, number>>,
    private readonly now: () => number = Date.now,
    private readonly defaultQps: number = DEFAULT_QPS,
  ) {}

  limitFor(action: string): number {
    return this.qps[action] ?? this.defaultQps;
  }

  /** Takes one token for `action` in `scope` (a region ID, or "global" for RAM). */
  take(action: string, scope: string): ThrottleDecision {
    const rate = this.limitFor(action);
    const capacity = Math.max(1, rate);
    const key = `${scope}\u0000${action}`;
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: capacity, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(((1 - bucket.tokens) / rate) * 1000)) };
  }
}
