import { describe, expect, it, vi } from 'vitest';
import { Coalescer, STREAM_QUIET_WINDOWS } from '../../../src/runtime/coalescer.js';

describe('Coalescer', () => {
  it('sends items of one group that arrive together as one call, up to the batch limit', async () => {
    const calls: Array<{ group: string; items: string[] }> = [];
    const c = new Coalescer<string, string>({
      maxBatch: 3,
      windowMs: 5,
      run: async (group, items) => {
        calls.push({ group, items: [...items] });
        return new Map(items.map((i) => [i, `${group}:${i}`]));
      },
    });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((i) => c.request('r1', i)));
    expect(results).toEqual(['r1:a', 'r1:b', 'r1:c', 'r1:d']);
    expect(calls).toEqual([
      { group: 'r1', items: ['a', 'b', 'c'] },
      { group: 'r1', items: ['d'] },
    ]);
  });

  it('keeps groups apart and de-duplicates an item asked for twice', async () => {
    const calls: string[][] = [];
    const c = new Coalescer<string, number>({
      maxBatch: 10,
      windowMs: 5,
      run: async (_g, items) => {
        calls.push([...items]);
        return new Map(items.map((i) => [i, i.length]));
      },
    });
    const [x, y, z] = await Promise.all([c.request('g1', 'aa'), c.request('g1', 'aa'), c.request('g2', 'bbb')]);
    expect([x, y, z]).toEqual([2, 2, 3]);
    expect(calls).toEqual([['aa'], ['bbb']]);
  });

  it('rejects every caller of a batch whose call failed, and callers missing from the answer', async () => {
    const failing = new Coalescer<string, string>({
      maxBatch: 10,
      windowMs: 1,
      run: async () => {
        throw new Error('Throttling');
      },
    });
    await expect(Promise.all([failing.request('g', 'a'), failing.request('g', 'b')])).rejects.toThrow('Throttling');
    const partial = new Coalescer<string, string>({
      maxBatch: 10,
      windowMs: 1,
      run: async () => new Map([['a', 'ok']]),
    });
    const [a, b] = await Promise.allSettled([partial.request('g', 'a'), partial.request('g', 'b')]);
    expect(a).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(b.status).toBe('rejected');
  });

  it('requestMany maps every unique item to its result', async () => {
    const c = new Coalescer<string, string>({
      maxBatch: 2,
      windowMs: 1,
      run: async (_g, items) => new Map(items.map((i) => [i, i.toUpperCase()])),
    });
    const m = await c.requestMany('g', ['x', 'y', 'x', 'z']);
    expect([...m.entries()].sort()).toEqual([
      ['x', 'X'],
      ['y', 'Y'],
      ['z', 'Z'],
    ]);
  });
});

describe('Coalescer with a gate', () => {
  it('keeps filling the waiting batch while the gate is closed', async () => {
    const calls: string[][] = [];
    let open: () => void = () => undefined;
    let gateCalls = 0;
    const c = new Coalescer<string, string>({
      maxBatch: 100,
      windowMs: 1,
      gate: () => {
        gateCalls++;
        return gateCalls === 1 ? new Promise<void>((r) => (open = r)) : Promise.resolve();
      },
      run: async (_g, items) => {
        calls.push([...items]);
        return new Map(items.map((i) => [i, i]));
      },
    });
    const first = c.request('g', 'a');
    await new Promise((r) => setTimeout(r, 10));
    const later = ['b', 'c', 'd'].map((i) => c.request('g', i));
    open();
    await Promise.all([first, ...later]);
    expect(calls).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('splits what does not fit into the next call', async () => {
    const calls: string[][] = [];
    const c = new Coalescer<string, string>({
      maxBatch: 2,
      windowMs: 1,
      gate: async () => undefined,
      run: async (_g, items) => {
        calls.push([...items]);
        return new Map(items.map((i) => [i, i]));
      },
    });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((i) => c.request('g', i)));
    expect(calls.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(calls.every((b) => b.length <= 2)).toBe(true);
    expect(calls).toHaveLength(3);
  });
});

describe('Coalescer: aborts', () => {
  it('withdraws an aborted caller from a batch not yet sent, and sends the rest', async () => {
    const sent: string[][] = [];
    const c = new Coalescer<string, string>({ maxBatch: 10, windowMs: 10, run: async (_g, items) => echo(sent, items) });
    const stop = new AbortController();
    const aborted = c.requestMany('g', ['a', 'b'], stop.signal);
    const kept = c.request('g', 'c');
    stop.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(await kept).toBe('c');
    expect(sent).toEqual([['c']]);
  });

  it('gives a sealed batch a signal that aborts only when every caller has', async () => {
    const signals: Array<AbortSignal | undefined> = [];
    let finish: () => void = () => undefined;
    const c = new Coalescer<string, string>({
      maxBatch: 2,
      windowMs: 1,
      run: (_g, items, signal) => {
        signals.push(signal);
        return new Promise((resolve) => (finish = () => resolve(new Map(items.map((i) => [i, i])))));
      },
    });
    const one = new AbortController();
    const two = new AbortController();
    const first = c.request('g', 'a', one.signal);
    const second = c.request('g', 'b', two.signal);
    await new Promise((r) => setTimeout(r, 10));
    one.abort(new Error('one'));
    await expect(first).rejects.toThrow('one');
    expect(signals[0]?.aborted).toBe(false);
    two.abort(new Error('two'));
    expect(signals[0]?.aborted).toBe(true);
    finish();
    await expect(second).rejects.toThrow('two');
  });
});

/** Records the batch and answers each item with itself. */
function echo(sent: string[][], items: string[]): Map<string, string> {
  sent.push([...items]);
  return new Map(items.map((i) => [i, i]));
}

describe('Coalescer: urgent requests', () => {
  it('seals urgent items first, marks that call urgent, and re-waits the gate as urgent when one arrives', async () => {
    const calls: Array<{ items: string[]; urgent: boolean }> = [];
    const gates: boolean[] = [];
    let open: () => void = () => undefined;
    const c = new Coalescer<string, string>({
      maxBatch: 2,
      windowMs: 1,
      gate: (urgent, signal) => {
        gates.push(urgent);
        if (urgent) return Promise.resolve();
        return new Promise<void>((resolve, reject) => {
          open = resolve;
          signal.addEventListener('abort', () => reject(new Error('hurried')), { once: true });
        });
      },
      run: async (_g, items, _s, urgent) => {
        calls.push({ items: [...items], urgent });
        return new Map(items.map((i) => [i, i]));
      },
    });
    const ordinary = ['a', 'b', 'c'].map((i) => c.request('g', i));
    await new Promise((r) => setTimeout(r, 10));
    const urgent = c.requestMany('g', ['u'], undefined, true);
    await urgent;
    open();
    await Promise.all(ordinary);
    expect(gates.slice(0, 2)).toEqual([false, true]);
    expect(calls[0]).toEqual({ items: ['u', 'a'], urgent: true });
    expect(calls.slice(1).every((call) => !call.urgent)).toBe(true);
    expect(calls.flatMap((call) => call.items).sort()).toEqual(['a', 'b', 'c', 'u']);
  });
});

describe('Coalescer: a stream of requests fills its calls', () => {
  it('holds a batch that keeps growing for a few more windows, and sends a lone request after one', async () => {
    vi.useFakeTimers();
    try {
      const calls: string[][] = [];
      const c = new Coalescer<string, string>({ maxBatch: 100, windowMs: 20, maxHoldWindows: 10, run: async (_g, items) => echo(calls, items) });
      const streamed: Promise<string>[] = [];
      for (let i = 0; i < 5; i++) {
        streamed.push(c.request('g', `s${i}`));
        await vi.advanceTimersByTimeAsync(8);
      }
      await vi.advanceTimersByTimeAsync(200);
      await Promise.all(streamed);
      expect(calls).toEqual([['s0', 's1', 's2', 's3', 's4']]);
      const alone = c.request('g', 'alone');
      await vi.advanceTimersByTimeAsync(20);
      expect(await alone).toBe('alone');
      expect(calls.at(-1)).toEqual(['alone']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a growing batch open across a pause in the stream shorter than STREAM_QUIET_WINDOWS, and sends it after that many quiet windows', async () => {
    vi.useFakeTimers();
    try {
      const calls: string[][] = [];
      const c = new Coalescer<string, string>({ maxBatch: 100, windowMs: 10, maxHoldWindows: 20, run: async (_g, items) => echo(calls, items) });
      const streamed = [c.request('g', 'a')];
      await vi.advanceTimersByTimeAsync(5);
      streamed.push(c.request('g', 'b'));
      // A pause of one window less than the limit (a GC pause, a busy machine): the batch has been growing, so it waits on.
      await vi.advanceTimersByTimeAsync(10 * (STREAM_QUIET_WINDOWS - 1) + 5);
      streamed.push(c.request('g', 'c'));
      await vi.advanceTimersByTimeAsync(10 * (STREAM_QUIET_WINDOWS - 1));
      expect(calls).toEqual([]);
      // STREAM_QUIET_WINDOWS quiet windows: sent.
      await vi.advanceTimersByTimeAsync(20);
      await Promise.all(streamed);
      expect(calls).toEqual([['a', 'b', 'c']]);
    } finally {
      vi.useRealTimers();
    }
  });
});
