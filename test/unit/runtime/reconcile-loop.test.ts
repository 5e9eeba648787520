import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { type Decision, type PassResult, ReconcileLoop, type Retry } from '../../../src/runtime/reconcile-loop.js';
import { WorkQueue } from '../../../src/runtime/work-queue.js';

const log = pino({ level: 'silent' });

function setup(
  reconcile: (key: string, signal: AbortSignal) => Promise<Decision<string>>,
  errorPolicy: (f: string) => Retry = () => ({ kind: 'backoff' }),
  random = 0.5,
) {
  const queue = new WorkQueue();
  const ops: string[] = [];
  vi.spyOn(queue, 'addAfter').mockImplementation((key, ms) => void ops.push(`after ${key} ${ms}`));
  vi.spyOn(queue, 'addRateLimited').mockImplementation((key) => void ops.push(`backoff ${key}`));
  vi.spyOn(queue, 'forget').mockImplementation((key) => void ops.push(`forget ${key}`));
  const passes: PassResult[] = [];
  const loop = new ReconcileLoop<string>({
    queue,
    concurrency: 1,
    reconcile,
    errorPolicy,
    passLogger: () => log,
    onPass: (result) => void passes.push(result),
    random: () => random,
  });
  /** Runs one pass of `key` and stops the loop. */
  const run = async (key: string, signal?: AbortSignal): Promise<void> => {
    loop.start(signal);
    queue.add(key);
    await vi.waitFor(() => expect(queue.processingLen() + queue.len()).toBe(0));
    await loop.stop();
  };
  return { ops, passes, run };
}

describe('ReconcileLoop', () => {
  it('requeues after the asked delay (jittered, here at the middle), and forgets the backoff', async () => {
    const { ops, passes, run } = setup(async () => ({ kind: 'requeueAfter', ms: 60_000, why: 'resync' }));
    await run('ns/a');
    expect(ops).toEqual(['forget ns/a', 'after ns/a 60000']);
    expect(passes).toEqual(['success']);
  });

  it('spreads requeues by ±10% and never requeues at 0 ms', async () => {
    const ops: string[] = [];
    for (const [random, ms] of [[0, 1_000], [0.999, 1_000], [0, 0]] as const) {
      const pass = setup(async () => ({ kind: 'requeueAfter', ms, why: 'x' }), undefined, random);
      await pass.run('k');
      ops.push(...pass.ops.filter((op) => op.startsWith('after')));
    }
    expect(ops).toEqual(['after k 900', 'after k 1100', 'after k 1']);
  });

  it('applies the error policy to a failed pass', async () => {
    const seen: string[] = [];
    const policy = (failure: string): Retry => {
      seen.push(failure);
      return failure === 'wait' ? { kind: 'after', ms: 5_000 } : { kind: 'backoff' };
    };
    const waiting = setup(async () => ({ kind: 'failed', failure: 'wait', why: 'x' }), policy);
    await waiting.run('ns/w');
    expect(waiting.ops).toEqual(['forget ns/w', 'after ns/w 5000']);
    expect(waiting.passes).toEqual(['success']);
    const retrying = setup(async () => ({ kind: 'failed', failure: 'throttled', why: 'x' }), policy);
    await retrying.run('ns/r');
    expect(retrying.ops).toEqual(['backoff ns/r']);
    expect(retrying.passes).toEqual(['requeue']);
    expect(seen).toEqual(['wait', 'throttled']);
  });

  it('backs off a pass that throws, and queues nothing for one that is done', async () => {
    const thrown = setup(async () => {
      throw new Error('409 Conflict');
    });
    await thrown.run('ns/t');
    expect(thrown.ops).toEqual(['backoff ns/t']);
    expect(thrown.passes).toEqual(['error']);
    const done = setup(async () => ({ kind: 'done', why: 'finalized' }));
    await done.run('ns/d');
    expect(done.ops).toEqual(['forget ns/d']);
  });

  it('aborts the pass when the loop signal aborts, and does not requeue it', async () => {
    const stop = new AbortController();
    let passSignal: AbortSignal | undefined;
    const { ops, passes, run } = setup(async (_key, signal) => {
      passSignal = signal;
      stop.abort(new Error('leadership lost'));
      signal.throwIfAborted();
      return { kind: 'done', why: 'unreachable' };
    });
    await run('ns/a', stop.signal);
    expect(passSignal?.aborted).toBe(true);
    expect(ops).toEqual([]);
    expect(passes).toEqual([]);
  });
});
