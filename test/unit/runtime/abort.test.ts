import { describe, expect, it } from 'vitest';
import { abortable, allAborted } from '../../../src/runtime/abort.js';

describe('abortable', () => {
  it('settles like the promise, or rejects with the reason once the signal aborts', async () => {
    expect(await abortable(Promise.resolve(1), undefined)).toBe(1);
    const stop = new AbortController();
    const never = new Promise<number>(() => undefined);
    const waiting = abortable(never, stop.signal);
    stop.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(abortable(Promise.reject(new Error('late')), stop.signal)).rejects.toThrow('stop');
  });
});

describe('allAborted', () => {
  it('aborts when every signal has; never when one caller gave none; reuses a single signal', () => {
    const a = new AbortController();
    const b = new AbortController();
    const both = allAborted([a.signal, b.signal, a.signal]);
    a.abort();
    expect(both.signal?.aborted).toBe(false);
    b.abort();
    expect(both.signal?.aborted).toBe(true);
    both.release();
    expect(allAborted([a.signal, undefined]).signal).toBeUndefined();
    expect(allAborted([b.signal, b.signal]).signal).toBe(b.signal);
  });
});
