/**
 * Coalesces single-item requests into batched calls. Callers ask for one item (an instance ID)
 * within a group (a region, or a region and role); items of one group that arrive within a short
 * window are sent together, up to the API's batch limit. Each caller gets its own item's result,
 * or the batch's error when the whole call failed.
 */

export type BatchRunner<Item, Result> = (group: string, items: Item[]) => Promise<Map<Item, Result>>;

interface Waiter<Result> {
  resolve: (value: Result) => void;
  reject: (reason: unknown) => void;
}

interface PendingBatch<Item, Result> {
  waiters: Map<Item, Waiter<Result>[]>;
  timer: NodeJS.Timeout | undefined;
}

export class Coalescer<Item, Result> {
  private readonly pending = new Map<string, PendingBatch<Item, Result>>();

  constructor(
    private readonly opts: { maxBatch: number; windowMs: number; run: BatchRunner<Item, Result> },
  ) {
    if (opts.maxBatch < 1) throw new Error('maxBatch must be at least 1');
  }

  request(group: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      let batch = this.pending.get(group);
      if (!batch) {
        batch = { waiters: new Map(), timer: undefined };
        this.pending.set(group, batch);
        const created = batch;
        batch.timer = setTimeout(() => this.flush(group, created), this.opts.windowMs);
      }
      const list = batch.waiters.get(item);
      if (list) list.push({ resolve, reject });
      else batch.waiters.set(item, [{ resolve, reject }]);
      if (batch.waiters.size >= this.opts.maxBatch) this.flush(group, batch);
    });
  }

  requestMany(group: string, items: Iterable<Item>): Promise<Map<Item, Result>> {
    const unique = [...new Set(items)];
    return Promise.all(unique.map((item) => this.request(group, item))).then(
      (results) => new Map(unique.map((item, i) => [item, results[i] as Result])),
    );
  }

  private flush(group: string, batch: PendingBatch<Item, Result>): void {
    if (this.pending.get(group) !== batch) return;
    this.pending.delete(group);
    if (batch.timer) clearTimeout(batch.timer);
    const items = [...batch.waiters.keys()];
    this.opts.run(group, items).then(
      (results) => {
        for (const [item, waiters] of batch.waiters) {
          if (results.has(item)) {
            const value = results.get(item) as Result;
            for (const w of waiters) w.resolve(value);
          } else {
            const err = new Error(`batched call for group ${group} returned no result for ${String(item)}`);
            for (const w of waiters) w.reject(err);
          }
        }
      },
      (err: unknown) => {
        for (const waiters of batch.waiters.values()) for (const w of waiters) w.reject(err);
      },
    );
  }
}
