/**
 * A keyed work queue with controller-runtime (client-go workqueue) semantics, without I/O:
 *
 * - a key waiting in the queue is held once, however often it is added (de-duplication);
 * - a key being processed (between get() and done()) is never handed to a second worker; adding
 *   it meanwhile marks it dirty, and done() puts it back in the queue;
 * - addAfter() delays an add; when a key already has a delayed add pending, the EARLIEST time wins;
 * - addRateLimited() delays by the key's Backoff; forget() resets that backoff (call it on success);
 * - shutDown() wakes every waiting get() with undefined and drops delayed adds; queued keys are
 *   abandoned (the controller is level-triggered: the next start relists everything).
 *
 * The clock and timers are injectable so tests drive time by hand.
 */
import { Backoff } from './backoff.js';
import { clampTimerDelay } from '../util/timer-limits.js';

export interface QueueTimers {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface WorkQueueOptions {
  backoff?: Backoff;
  timers?: QueueTimers;
}

const realTimers: QueueTimers = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending resync must not keep a stopping process alive.
    t.unref();
    return t;
  },
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Delayed adds: when each key is due, and a min-heap of (due time, key) with one timer armed for
 * its earliest entry. One timer for every key, not one each: at 10,000 bindings the per-key
 * resync timers were 20,000 timer objects. An entry whose key was re-delayed earlier stays in the
 * heap and is skipped when it comes up (it no longer matches the key's due time).
 */
class DelayedAdds {
  private readonly dueAt = new Map<string, number>();
  private readonly heapAt: number[] = [];
  private readonly heapKey: string[] = [];
  private timer: unknown;
  private armedAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly timers: QueueTimers,
    private readonly fire: (key: string) => void,
  ) {}

  get size(): number {
    return this.dueAt.size;
  }

  /** Adds the key at `at`, unless it is already due at that time or earlier. */
  schedule(key: string, at: number): void {
    const pending = this.dueAt.get(key);
    if (pending !== undefined && pending <= at) return;
    this.dueAt.set(key, at);
    this.push(at, key);
    if (at < this.armedAt) this.arm(at);
  }

  clear(): void {
    if (this.timer !== undefined) this.timers.clearTimer(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    this.dueAt.clear();
    this.heapAt.length = 0;
    this.heapKey.length = 0;
  }

  private arm(at: number): void {
    if (this.timer !== undefined) this.timers.clearTimer(this.timer);
    this.armedAt = at;
    // A delay a timer cannot hold would fire at once (a hot loop): it waits as long as one can.
    this.timer = this.timers.setTimer(() => this.onTimer(), clampTimerDelay(Math.max(1, at - this.timers.now())));
  }

  private onTimer(): void {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.timers.now();
    const due: string[] = [];
    while (this.heapAt.length > 0 && (this.heapAt[0] as number) <= now) {
      const [at, key] = this.pop();
      if (this.dueAt.get(key) !== at) continue; // re-delayed earlier, already fired or cleared
      this.dueAt.delete(key);
      due.push(key);
    }
    // Skip stale entries so the timer is armed for a key that is still waiting.
    while (this.heapKey.length > 0 && this.dueAt.get(this.heapKey[0] as string) !== this.heapAt[0]) this.pop();
    if (this.heapAt.length > 0) this.arm(this.heapAt[0] as number);
    for (const key of due) this.fire(key);
  }

  private push(at: number, key: string): void {
    const { heapAt, heapKey } = this;
    let i = heapAt.length;
    heapAt.push(at);
    heapKey.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heapAt[parent] as number) <= at) break;
      heapAt[i] = heapAt[parent] as number;
      heapKey[i] = heapKey[parent] as string;
      i = parent;
    }
    heapAt[i] = at;
    heapKey[i] = key;
  }

  private pop(): [number, string] {
    const { heapAt, heapKey } = this;
    const top: [number, string] = [heapAt[0] as number, heapKey[0] as string];
    const lastAt = heapAt.pop() as number;
    const lastKey = heapKey.pop() as string;
    const n = heapAt.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && (heapAt[right] as number) < (heapAt[left] as number) ? right : left;
        if ((heapAt[child] as number) >= lastAt) break;
        heapAt[i] = heapAt[child] as number;
        heapKey[i] = heapKey[child] as string;
        i = child;
      }
      heapAt[i] = lastAt;
      heapKey[i] = lastKey;
    }
    return top;
  }
}

export class WorkQueue {
  private readonly backoff: Backoff;
  private readonly timers: QueueTimers;
  /** FIFO of keys ready to be handed out; `head` avoids O(n) shifts. */
  private items: string[] = [];
  private head = 0;
  /** Keys that need processing (queued, or added again while processing). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed: DelayedAdds;
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.backoff = opts.backoff ?? new Backoff();
    this.timers = opts.timers ?? realTimers;
    this.delayed = new DelayedAdds(this.timers, (key) => this.add(key));
  }

  /** Queues the key now (no-op if it is already queued or after shutDown). */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() re-queues it
    this.push(key);
  }

  /** Queues the key after `ms`; an earlier pending delayed add of the same key is kept. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    this.delayed.schedule(key, this.timers.now() + clampTimerDelay(ms));
  }

  /** Queues the key after its next backoff delay (never 0). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.backoff.next(key));
  }

  /** Forgets the key's failures: its next addRateLimited starts from the base delay. */
  forget(key: string): void {
    this.backoff.reset(key);
  }

  /** Consecutive addRateLimited calls since the last forget(). */
  numRequeues(key: string): number {
    return this.backoff.failuresOf(key);
  }

  /**
   * The next key to process, waiting until one is ready. The caller must call done(key) when it
   * has finished with it. Resolves undefined once the queue is shut down.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key finished; if it was added while being processed it is queued again. */
  done(key: string): void {
    // Only a key that was handed out can come back; a stray done() must not duplicate a queued key.
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  /** Keys ready to be handed out (not counting delayed or in-process keys). */
  len(): number {
    return this.items.length - this.head;
  }

  /** Keys waiting for a delayed add. */
  delayedLen(): number {
    return this.delayed.size;
  }

  /** Keys currently handed out and not yet done(). */
  processingLen(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops the queue: pending get() calls resolve undefined, delayed adds are dropped. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.delayed.clear();
    this.items = [];
    this.head = 0;
    for (const wake of this.waiters.splice(0)) wake(undefined);
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.items.push(key);
  }

  private take(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head] as string;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
