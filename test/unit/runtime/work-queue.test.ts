import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/runtime/backoff.js';
import { type QueueTimers, WorkQueue } from '../../../src/runtime/work-queue.js';

/** A hand-driven clock: timers fire only when the test advances time. */
class ManualTimers implements QueueTimers {
  private time = 0;
  private nextId = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.time;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  count(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = until;
  }
}

function setup(backoff = new Backoff({ baseMs: 10, maxMs: 1_000, jitter: 0 })) {
  const timers = new ManualTimers();
  return { timers, queue: new WorkQueue({ timers, backoff }) };
}

/** Resolves what a get() has produced so far without waiting on it. */
async function settled<T>(p: Promise<T>): Promise<{ done: boolean; value?: T }> {
  const marker = Symbol('pending');
  const v = await Promise.race([p, new Promise<typeof marker>((r) => setImmediate(() => r(marker)))]);
  return v === marker ? { done: false } : { done: true, value: v as T };
}

describe('WorkQueue', () => {
  it('hands keys out in FIFO order and de-duplicates queued keys', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.add('c');
    queue.add('b');
    expect(queue.len()).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
    expect(queue.len()).toBe(0);
  });

  it('never hands the same key to two workers at once; a key added while processing comes back after done()', async () => {
    const { queue } = setup();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(0);
    const second = queue.get();
    expect((await settled(second)).done).toBe(false);
    queue.done('a');
    expect(await second).toBe('a');
    expect(queue.processingLen()).toBe(1);
    queue.done('a');
    expect(queue.len()).toBe(0);
    expect(queue.processingLen()).toBe(0);
  });

  it('does not re-queue a key that was not added again while processing', async () => {
    const { queue } = setup();
    queue.add('a');
    await queue.get();
    queue.done('a');
    expect(queue.len()).toBe(0);
    expect((await settled(queue.get())).done).toBe(false);
  });

  it('ignores done() for a key that was not handed out', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.done('a');
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    expect(queue.len()).toBe(0);
  });

  it('wakes a waiting worker when a key arrives, and other keys go to other workers', async () => {
    const { queue } = setup();
    const w1 = queue.get();
    const w2 = queue.get();
    queue.add('a');
    queue.add('a');
    queue.add('b');
    expect(await w1).toBe('a');
    expect(await w2).toBe('b');
  });

  it('addAfter queues the key only when the delay has passed', async () => {
    const { queue, timers } = setup();
    queue.addAfter('a', 100);
    expect(queue.len()).toBe(0);
    expect(queue.delayedLen()).toBe(1);
    timers.advance(99);
    expect(queue.len()).toBe(0);
    timers.advance(1);
    expect(queue.len()).toBe(1);
    expect(queue.delayedLen()).toBe(0);
    expect(await queue.get()).toBe('a');
  });

  it('addAfter keeps the earliest pending time', () => {
    const { queue, timers } = setup();
    queue.addAfter('a', 100);
    queue.addAfter('a', 50);
    queue.addAfter('a', 500);
    expect(timers.count()).toBe(1);
    timers.advance(50);
    expect(queue.len()).toBe(1);
    timers.advance(1_000);
    expect(queue.len()).toBe(1);
    expect(timers.count()).toBe(0);
  });

  it('holds one timer for every delayed key, and adds each key when its own delay has passed', async () => {
    const { queue, timers } = setup();
    const delays = Array.from({ length: 200 }, (_, i) => ((i * 7919) % 1000) + 1); // 1..1000 ms, shuffled
    delays.forEach((ms, i) => queue.addAfter(`k${i}`, ms));
    expect(timers.count()).toBe(1);
    expect(queue.delayedLen()).toBe(200);
    const order: string[] = [];
    for (let t = 1; t <= 1000; t++) {
      timers.advance(1);
      expect(timers.count()).toBe(queue.delayedLen() > 0 ? 1 : 0);
      for (let n = queue.len(); n > 0; n--) {
        const key = (await queue.get()) as string;
        expect(delays[Number(key.slice(1))], key).toBe(t);
        order.push(key);
        queue.done(key);
      }
    }
    expect(order).toHaveLength(200);
    expect(queue.delayedLen()).toBe(0);
  });

  it('re-arms its timer for a key delayed less than the one it waits for', () => {
    const { queue, timers } = setup();
    queue.addAfter('late', 1_000);
    queue.addAfter('soon', 10);
    expect(timers.count()).toBe(1);
    timers.advance(10);
    expect(queue.len()).toBe(1);
    expect(timers.count()).toBe(1);
    timers.advance(989);
    expect(queue.len()).toBe(1);
    timers.advance(1);
    expect(queue.len()).toBe(2);
    expect(timers.count()).toBe(0);
  });

  it('addAfter with no delay adds at once', () => {
    const { queue } = setup();
    queue.addAfter('a', 0);
    expect(queue.len()).toBe(1);
  });

  it('a delayed add that fires while the key is processing re-queues it after done()', async () => {
    const { queue, timers } = setup();
    queue.add('a');
    await queue.get();
    queue.addAfter('a', 10);
    timers.advance(10);
    expect(queue.len()).toBe(0);
    queue.done('a');
    expect(queue.len()).toBe(1);
  });

  it('addRateLimited backs off exponentially per key until forget()', async () => {
    const { queue, timers } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = timers.now();
      queue.addRateLimited('a');
      while (queue.len() === 0) timers.advance(1);
      delays.push(timers.now() - before);
      await queue.get();
      queue.done('a');
    }
    expect(delays).toEqual([10, 20, 40, 80]);
    expect(queue.numRequeues('a')).toBe(4);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    queue.addRateLimited('a');
    timers.advance(9);
    expect(queue.len()).toBe(0);
    timers.advance(1);
    expect(queue.len()).toBe(1);
  });

  it('never retries at zero delay', () => {
    const { queue } = setup(new Backoff({ baseMs: 0.0001, maxMs: 0.0002, jitter: 0.9, random: () => 0.99 }));
    queue.addRateLimited('a');
    expect(queue.len()).toBe(0);
    expect(queue.delayedLen()).toBe(1);
  });

  it('shutDown wakes waiting workers with undefined and ignores later adds', async () => {
    const { queue, timers } = setup();
    const waiting = queue.get();
    queue.addAfter('later', 100);
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    expect(await queue.get()).toBeUndefined();
    expect(timers.count()).toBe(0);
    queue.add('x');
    queue.addAfter('y', 1);
    queue.addRateLimited('z');
    expect(queue.len()).toBe(0);
    expect(queue.delayedLen()).toBe(0);
    expect(queue.isShuttingDown()).toBe(true);
    queue.shutDown();
  });

  it('shutDown abandons queued keys; done() on an in-flight key is still safe', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.shutDown();
    queue.done('a');
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it('works with the real clock by default', async () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 5);
    expect(await queue.get()).toBe('a');
    queue.done('a');
    queue.shutDown();
  });

  it('stays correct over many keys (compaction of the internal FIFO)', async () => {
    const { queue } = setup();
    for (let i = 0; i < 5_000; i++) queue.add(`k${i}`);
    for (let i = 0; i < 5_000; i++) {
      expect(await queue.get()).toBe(`k${i}`);
      queue.done(`k${i}`);
      if (i % 1_000 === 0) queue.add(`k${i}`);
    }
    expect(queue.len()).toBe(5);
    expect(await queue.get()).toBe('k0');
  });
});

describe('WorkQueue delays no timer can hold', () => {
  it('clamps a delay past 2^31-1 ms instead of letting the timer fire at once (a hot loop)', async () => {
    const { timers, queue } = setup();
    const timerDelays: number[] = [];
    const setTimer = timers.setTimer.bind(timers);
    timers.setTimer = (fn, ms) => {
      timerDelays.push(ms);
      return setTimer(fn, ms);
    };
    queue.addAfter('far', 1000 * 3_600_000); // 1000h
    expect(timerDelays).toEqual([2 ** 31 - 1]);
    timers.advance(60_000);
    expect(queue.len()).toBe(0);
    timers.advance(2 ** 31);
    expect(await queue.get()).toBe('far');
  });
});
