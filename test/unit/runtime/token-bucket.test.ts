import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/runtime/token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through at once, then one token per 1/rate seconds', async () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    const order: number[] = [];
    const all = [0, 1, 2, 3].map((i) => bucket.acquire().then(() => order.push(i)));
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    now = 100; // one token refilled at 10/s
    await new Promise((r) => setTimeout(r, 150));
    now = 200;
    await new Promise((r) => setTimeout(r, 150));
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('refuses a non-positive rate', () => {
    expect(() => new TokenBucket(0)).toThrow(/rate must be positive/);
  });
});

describe('TokenBucket: waits that take nothing, and aborted waits', () => {
  it('whenAvailable resolves while a token is there and takes none', async () => {
    const bucket = new TokenBucket(1, 1, () => 0);
    await bucket.whenAvailable();
    await bucket.acquire();
    let available = false;
    void bucket.whenAvailable().then(() => (available = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(available).toBe(false);
  });

  it('an aborted acquire leaves the queue and rejects with the reason; the token goes to the next', async () => {
    let now = 0;
    const bucket = new TokenBucket(10, 1, () => now);
    await bucket.acquire();
    const stop = new AbortController();
    const aborted = bucket.acquire({ signal: stop.signal });
    const next = bucket.acquire();
    stop.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    now = 100;
    await next;
    await expect(bucket.acquire({ signal: stop.signal })).rejects.toThrow('stop');
  });
});

describe('TokenBucket: urgent waiters', () => {
  it('serves an urgent waiter before every ordinary one already waiting, and urgent ones in order', async () => {
    let now = 0;
    const bucket = new TokenBucket(10, 1, () => now);
    await bucket.acquire();
    const order: string[] = [];
    const waits = [
      bucket.acquire().then(() => order.push('ordinary-1')),
      bucket.acquire().then(() => order.push('ordinary-2')),
      bucket.acquire({ urgent: true }).then(() => order.push('urgent-1')),
      bucket.acquire({ urgent: true }).then(() => order.push('urgent-2')),
    ];
    for (let step = 0; step < 4; step++) {
      now += 100;
      await new Promise((r) => setTimeout(r, 120));
    }
    await Promise.all(waits);
    expect(order).toEqual(['urgent-1', 'urgent-2', 'ordinary-1', 'ordinary-2']);
  });
});
