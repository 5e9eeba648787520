import { describe, expect, test } from 'vitest';
import { DEFAULT_QPS, Throttle } from '../src/throttle.js';

/** The token bucket alone, on a fake clock (pure logic, no network). */
describe('Throttle', () => {
  test('allows a burst of `qps` calls, then refills at `qps` a second', () => {
    let now = 1_000_000;
    const throttle = new Throttle({ AttachInstanceRamRole: 20 }, () => now);
    const burst = Array.from({ length: 25 }, () => throttle.take('AttachInstanceRamRole', 'cn-hangzhou').allowed);
    expect(burst.filter(Boolean)).toHaveLength(20);
    const denied = throttle.take('AttachInstanceRamRole', 'cn-hangzhou');
    expect(denied).toEqual({ allowed: false, retryAfterMs: 50 });
    now += 50;
    expect(throttle.take('AttachInstanceRamRole', 'cn-hangzhou').allowed).toBe(true);
    expect(throttle.take('AttachInstanceRamRole', 'cn-hangzhou').allowed).toBe(false);
    now += 10_000;
    expect(Array.from({ length: 21 }, () => throttle.take('AttachInstanceRamRole', 'cn-hangzhou').allowed).filter(Boolean)).toHaveLength(20);
  });

  test('buckets are per action and per region; unlisted actions get the generous default', () => {
    const now = 0;
    const throttle = new Throttle({ AttachInstanceRamRole: 1 }, () => now);
    expect(throttle.take('AttachInstanceRamRole', 'cn-hangzhou').allowed).toBe(true);
    expect(throttle.take('AttachInstanceRamRole', 'cn-hangzhou').allowed).toBe(false);
    expect(throttle.take('AttachInstanceRamRole', 'cn-shanghai').allowed).toBe(true);
    expect(throttle.take('DetachInstanceRamRole', 'cn-hangzhou').allowed).toBe(true);
    expect(throttle.limitFor('DescribeInstances')).toBe(DEFAULT_QPS);
  });
});
