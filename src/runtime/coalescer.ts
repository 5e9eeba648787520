/**
 * Coalesces single-item requests into batched calls. Callers ask for one item (an instance ID)
 * within a group (a region, or a region and role); items of one group that arrive close together
 * are sent together, up to the API's batch limit. Each caller gets its own item's result, or the
 * batch's error when the whole call failed.
 *
 * A batch that is not full waits a window for company, and while requests keep arriving, a few
 * windows more (maxHoldWindows), so a stream of requests fills its calls.
 *
 * A batch is sealed only once its `gate` (e.g. "the rate limiter would let a call through now")
 * opens, so while calls are throttled the waiting batch keeps filling: under load every call
 * carries a full batch.
 *
 * Urgent requests (the attach that gives just-detached instances their new role) are sealed into
 * the next batch ahead of the others, and that batch's gate and call are urgent too: they go ahead
 * of unrelated work in the rate limiter's queue. An urgent request arriving while the gate is
 * being waited for as not urgent re-queues the wait as urgent.
 *
 * A caller whose signal aborts stops waiting at once; its item leaves a batch not yet sealed. A
 * sealed batch's call gets a signal that aborts only when every one of its callers has aborted.
 */
import { allAborted } from './abort.js';

/**
 * A batch that grows every window may wait this many windows (200 ms at the operator's 10 ms
 * window): a stream of passes slower than the quota (a resync, a wave of edits) still sends full
 * calls. A lone request waits one window.
 */
export const DEFAULT_MAX_HOLD_WINDOWS = 20;
/**
 * Windows without a new item after which a batch that has been growing is sent anyway (60 ms at
 * the 10 ms window). A stream's gaps grow with the load of the machine: with a kube-apiserver
 * sharing the operator's two cores, a 10,000-binding resync made 1.05-1.07x the minimum calls
 * with 3 windows and 1.03x with 6, at the same speed (make bench KUBE=real).
 */
export const STREAM_QUIET_WINDOWS = 6;

export type BatchRunner<Item, Result> = (group: string, items: Item[], signal: AbortSignal | undefined, urgent: boolean) => Promise<Map<Item, Result>>;

interface Waiter<Result> {
  resolve: (value: Result) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  urgent: boolean;
}

interface GroupQueue<Item, Result> {
  waiters: Map<Item, Waiter<Result>[]>;
  draining: boolean;
  /** Wakes a drain loop waiting out the batch window early (the batch is full). */
  wake: (() => void) | undefined;
  /** Set while the gate is waited for as not urgent: an urgent request re-queues the wait. */
  hurry: (() => void) | undefined;
}

export interface CoalescerOptions<Item, Result> {
  maxBatch: number;
  /** How long the first item of a batch waits for company. */
  windowMs: number;
  run: BatchRunner<Item, Result>;
  /**
   * How many windows a batch that keeps growing may wait before it is sealed not full. Default
   * DEFAULT_MAX_HOLD_WINDOWS.
   */
  maxHoldWindows?: number;
  /**
   * Resolves when a call may be made (e.g. a token is available), urgent ones ahead of the others;
   * a wait whose signal aborts rejects. Default: at once.
   */
  gate?: (urgent: boolean, signal: AbortSignal) => Promise<void>;
}

export class Coalescer<Item, Result> {
  private readonly groups = new Map<string, GroupQueue<Item, Result>>();

  private readonly maxHoldWindows: number;

  constructor(private readonly opts: CoalescerOptions<Item, Result>) {
    if (opts.maxBatch < 1) throw new Error('maxBatch must be at least 1');
    this.maxHoldWindows = Math.max(1, opts.maxHoldWindows ?? DEFAULT_MAX_HOLD_WINDOWS);
  }

  request(group: string, item: Item, signal?: AbortSignal): Promise<Result> {
    return this.requestMany(group, [item], signal).then((results) => results.get(item) as Result);
  }

  /**
   * Every unique item's result; rejects with the first failure, or the signal's reason on abort.
   * Urgent items are sealed ahead of the others.
   */
  requestMany(group: string, items: Iterable<Item>, signal?: AbortSignal, urgent = false): Promise<Map<Item, Result>> {
    if (signal?.aborted) return Promise.reject(signal.reason as unknown);
    const unique = [...new Set(items)];
    let queue = this.groups.get(group);
    if (!queue) {
      queue = { waiters: new Map(), draining: false, wake: undefined, hurry: undefined };
      this.groups.set(group, queue);
    }
    const pending = queue;
    const entries = unique.map((item) => ({ item, ...this.enqueue(pending, item, signal, urgent) }));
    if (urgent) queue.hurry?.();
    if (!queue.draining) {
      queue.draining = true;
      void this.drain(group, queue);
    }
    const all = Promise.all(entries.map((e) => e.result)).then((results) => new Map(unique.map((item, i) => [item, results[i] as Result])));
    if (!signal) return all;
    // One listener per call (not per item): withdraws what is not sealed yet and stops waiting.
    const onAbort = (): void => {
      for (const { item, waiter } of entries) {
        this.withdraw(pending, item, waiter);
        waiter.reject(signal.reason);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return all.finally(() => signal.removeEventListener('abort', onAbort));
  }

  private enqueue(queue: GroupQueue<Item, Result>, item: Item, signal: AbortSignal | undefined, urgent: boolean): { waiter: Waiter<Result>; result: Promise<Result> } {
    let waiter: Waiter<Result> | undefined;
    const result = new Promise<Result>((resolve, reject) => {
      waiter = { resolve, reject, signal, urgent };
    });
    const created = waiter as Waiter<Result>;
    const list = queue.waiters.get(item);
    if (list) list.push(created);
    else queue.waiters.set(item, [created]);
    if (queue.waiters.size >= this.opts.maxBatch) queue.wake?.();
    return { waiter: created, result };
  }

  private async drain(group: string, queue: GroupQueue<Item, Result>): Promise<void> {
    while (queue.waiters.size > 0) {
      // A batch not full waits one window for company, and more windows (up to maxHoldWindows)
      // while items keep arriving: a stream of requests fills its calls instead of sending the
      // first few alone. A lone request (nothing arrives during its window) goes after one
      // window; a stream that paused goes after STREAM_QUIET_WINDOWS quiet windows in a row (a
      // stream has gaps: a GC pause, a burst of other work); an urgent one never waits more
      // than one.
      let grew = false;
      let quiet = 0;
      for (let windows = 0; queue.waiters.size < this.opts.maxBatch && windows < this.maxHoldWindows; windows++) {
        // Requests made in the same tick as the first one count as already there.
        await Promise.resolve();
        if (queue.waiters.size >= this.opts.maxBatch) break;
        const before = queue.waiters.size;
        await this.waitWindow(queue);
        if (hasUrgent(queue)) break;
        if (queue.waiters.size > before) {
          grew = true;
          quiet = 0;
        } else if (++quiet >= (grew ? STREAM_QUIET_WINDOWS : 1)) break;
      }
      try {
        await this.passGate(queue);
      } catch (err) {
        this.rejectAll(queue, err);
        break;
      }
      const batch = new Map<Item, Waiter<Result>[]>();
      // Urgent items first, then the others in arrival order.
      for (const urgentPass of [true, false]) {
        for (const [item, waiters] of queue.waiters) {
          if (batch.size >= this.opts.maxBatch) break;
          if (waiters.some((w) => w.urgent) === urgentPass) batch.set(item, waiters);
        }
      }
      for (const item of batch.keys()) queue.waiters.delete(item);
      if (batch.size > 0) void this.send(group, batch);
    }
    queue.draining = false;
    if (queue.waiters.size === 0 && this.groups.get(group) === queue) this.groups.delete(group);
  }

  /** One batch window, ended early when the batch fills. */
  private async waitWindow(queue: GroupQueue<Item, Result>): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.opts.windowMs);
      queue.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    queue.wake = undefined;
  }

  /** Waits for the gate, as urgent when an urgent item waits; re-waits as urgent when one arrives meanwhile. */
  private async passGate(queue: GroupQueue<Item, Result>): Promise<void> {
    const gate = this.opts.gate;
    if (!gate) return;
    for (;;) {
      const urgent = hasUrgent(queue);
      if (urgent) return gate(true, NEVER);
      const hurried = new AbortController();
      queue.hurry = () => hurried.abort();
      try {
        return await gate(false, hurried.signal);
      } catch (err) {
        if (!hurried.signal.aborted) throw err;
      } finally {
        queue.hurry = undefined;
      }
    }
  }

  private async send(group: string, batch: Map<Item, Waiter<Result>[]>): Promise<void> {
    const all = [...batch.values()].flat();
    const shared = allAborted(all.map((w) => w.signal));
    let results: Map<Item, Result>;
    try {
      results = await this.opts.run(group, [...batch.keys()], shared.signal, all.some((w) => w.urgent));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
      return;
    } finally {
      shared.release();
    }
    for (const [item, waiters] of batch) {
      if (results.has(item)) {
        const value = results.get(item) as Result;
        for (const w of waiters) w.resolve(value);
      } else {
        const err = new Error(`batched call for group ${group} returned no result for ${String(item)}`);
        for (const w of waiters) w.reject(err);
      }
    }
  }

  /** Takes an aborted caller's item out of a batch that has not been sealed yet. */
  private withdraw(queue: GroupQueue<Item, Result>, item: Item, waiter: Waiter<Result>): void {
    const list = queue.waiters.get(item);
    if (!list) return;
    const at = list.indexOf(waiter);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) queue.waiters.delete(item);
  }

  private rejectAll(queue: GroupQueue<Item, Result>, err: unknown): void {
    for (const waiters of queue.waiters.values()) for (const w of waiters) w.reject(err);
    queue.waiters.clear();
  }
}

/** The signal of a gate wait nothing re-queues. */
const NEVER = new AbortController().signal;

function hasUrgent<Item, Result>(queue: GroupQueue<Item, Result>): boolean {
  for (const waiters of queue.waiters.values()) if (waiters.some((w) => w.urgent)) return true;
  return false;
}
