/** Waiting in the benchmark: sleeps and polls that give up on a deadline or when the operator died. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Liveness {
  /** Throws when the process being measured is gone. */
  assertAlive(): void;
}

/** Polls `done` every `everyMs` until it returns true; throws on the deadline (with `what`) or when `alive` fails. */
export async function waitUntil(what: string, done: () => boolean | Promise<boolean>, opts: { timeoutMs: number; everyMs?: number; alive: Liveness }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    opts.alive.assertAlive();
    if (await done()) return;
    opts.alive.assertAlive();
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(opts.everyMs ?? 250);
  }
}

/** Runs `work` over `items` with `parallel` workers at a time. */
export async function forEachParallel<T>(items: readonly T[], parallel: number, work: (item: T) => Promise<void>, alive?: Liveness): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        alive?.assertAlive();
        await work(items[next++] as T);
      }
    }),
  );
}
