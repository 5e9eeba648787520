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

interface Delayed {
  at: number;
  handle: unknown;
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
  private readonly delayed = new Map<string, Delayed>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.backoff = opts.backoff ?? new Backoff();
    this.timers = opts.timers ?? realTimers;
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
    // A delay a timer cannot hold would fire at once (a hot loop): it waits as long as one can.
    const delay = clampTimerDelay(ms);
    const at = this.timers.now() + delay;
    const pending = this.delayed.get(key);
    if (pending) {
      if (pending.at <= at) return;
      this.timers.clearTimer(pending.handle);
    }
    const handle = this.timers.setTimer(() => {
      const current = this.delayed.get(key);
      if (current?.handle !== handle) return;
      this.delayed.delete(key);
      this.add(key);
    }, delay);
    this.delayed.set(key, { at, handle });
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
    for (const { handle } of this.delayed.values()) this.timers.clearTimer(handle);
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
