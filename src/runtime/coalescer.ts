/**
 * Coalesces single-item requests into batched calls. Callers ask for one item (an instance ID)
 * within a group (a region, or a region and role); items of one group that arrive close together
 * are sent together, up to the API's batch limit. Each caller gets its own item's result, or the
 * batch's error when the whole call failed.
 *
 * A batch is sealed only once its `gate` (the rate limiter) lets a call through, so while calls
 * are throttled the waiting batch keeps filling: under load every call carries a full batch.
 */

export type BatchRunner<Item, Result> = (group: string, items: Item[]) => Promise<Map<Item, Result>>;

interface Waiter<Result> {
  resolve: (value: Result) => void;
  reject: (reason: unknown) => void;
}

interface GroupQueue<Item, Result> {
  waiters: Map<Item, Waiter<Result>[]>;
  draining: boolean;
  /** Wakes a drain loop waiting out the batch window early (the batch is full). */
  wake: (() => void) | undefined;
}

export interface CoalescerOptions<Item, Result> {
  maxBatch: number;
  /** How long the first item of a batch waits for company. */
  windowMs: number;
  run: BatchRunner<Item, Result>;
  /** Resolves when a call may be made (e.g. a token bucket). Default: at once. */
  gate?: () => Promise<void>;
}

export class Coalescer<Item, Result> {
  private readonly groups = new Map<string, GroupQueue<Item, Result>>();

  constructor(private readonly opts: CoalescerOptions<Item, Result>) {
    if (opts.maxBatch < 1) throw new Error('maxBatch must be at least 1');
  }

  request(group: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      let queue = this.groups.get(group);
      if (!queue) {
        queue = { waiters: new Map(), draining: false, wake: undefined };
        this.groups.set(group, queue);
      }
      const list = queue.waiters.get(item);
      if (list) list.push({ resolve, reject });
      else queue.waiters.set(item, [{ resolve, reject }]);
      if (queue.waiters.size >= this.opts.maxBatch) queue.wake?.();
      if (!queue.draining) {
        queue.draining = true;
        void this.drain(group, queue);
      }
    });
  }

  requestMany(group: string, items: Iterable<Item>): Promise<Map<Item, Result>> {
    const unique = [...new Set(items)];
    return Promise.all(unique.map((item) => this.request(group, item))).then(
      (results) => new Map(unique.map((item, i) => [item, results[i] as Result])),
    );
  }

  private async drain(group: string, queue: GroupQueue<Item, Result>): Promise<void> {
    while (queue.waiters.size > 0) {
      if (queue.waiters.size < this.opts.maxBatch) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.opts.windowMs);
          queue.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        queue.wake = undefined;
      }
      try {
        await this.opts.gate?.();
      } catch (err) {
        this.rejectAll(queue, err);
        break;
      }
      const batch = new Map<Item, Waiter<Result>[]>();
      for (const [item, waiters] of queue.waiters) {
        if (batch.size >= this.opts.maxBatch) break;
        batch.set(item, waiters);
      }
      for (const item of batch.keys()) queue.waiters.delete(item);
      void this.send(group, batch);
    }
    queue.draining = false;
    if (queue.waiters.size === 0 && this.groups.get(group) === queue) this.groups.delete(group);
  }

  private async send(group: string, batch: Map<Item, Waiter<Result>[]>): Promise<void> {
    let results: Map<Item, Result>;
    try {
      results = await this.opts.run(group, [...batch.keys()]);
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
      return;
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

  private rejectAll(queue: GroupQueue<Item, Result>, err: unknown): void {
    for (const waiters of queue.waiters.values()) for (const w of waiters) w.reject(err);
    queue.waiters.clear();
  }
}
