/**
 * The generic controller loop (controller-runtime's Controller, kube-rs's Controller::run),
 * apart from any one kind: workers take keys from the work queue (one reconcile per key at a
 * time), run `reconcile`, and turn its decision into the key's next turn:
 *
 * - done: nothing is queued (a watch event brings the key back);
 * - requeueAfter: the key comes back after about that long (±10% jitter, never 0 ms);
 * - failed: `errorPolicy` (kube-rs's error_policy) maps the failure to a backoff or a delay;
 * - thrown: a bug or a failed Kubernetes write: per-key capped exponential backoff.
 *
 * Each pass gets a signal that aborts when the loop's signal (given to start) does; a pass that
 * ends because of it is not requeued. stop() lets passes in flight finish.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { errorText } from '../util/error-text.js';
import type { WorkQueue } from './work-queue.js';

export type Decision<Failure> =
  | { kind: 'done'; why: string }
  | { kind: 'requeueAfter'; ms: number; why: string }
  | { kind: 'failed'; failure: Failure; why: string };

/** What the error policy asks for. */
export type Retry = { kind: 'backoff' } | { kind: 'after'; ms: number };

export type PassResult = 'success' | 'error' | 'requeue';

export interface ReconcileLoopOptions<Failure> {
  queue: WorkQueue;
  /** Reconciles running at once (different keys). */
  concurrency: number;
  reconcile(key: string, signal: AbortSignal, log: Logger): Promise<Decision<Failure>>;
  errorPolicy(failure: Failure, key: string): Retry;
  /** The logger of one pass (e.g. a child with the key and a pass id). */
  passLogger(key: string): Logger;
  /** Told about every finished pass: requeue = retried with backoff, error = it threw. */
  onPass?(result: PassResult, seconds: number): void;
  /** Source of randomness in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
}

/** requeueAfter delays are spread by ±this fraction so keys created together do not return together. */
const REQUEUE_JITTER = 0.1;

export class ReconcileLoop<Failure> {
  private workers: Promise<void>[] = [];
  private readonly random: () => number;

  constructor(private readonly opts: ReconcileLoopOptions<Failure>) {
    this.random = opts.random ?? Math.random;
  }

  /** Starts the workers; passes are aborted when `signal` aborts. */
  start(signal?: AbortSignal): void {
    // The workers listen to a signal of the loop's own, which alone listens to the caller's.
    const lifetime = new AbortController();
    // The passes in flight under this start. The loop's signal has one listener that aborts them
    // all, rather than a listener per pass: adding and removing an EventTarget listener walks the
    // listeners already there, which with a thousand passes in flight was a few percent of the
    // operator's CPU.
    const inFlight = new Set<AbortController>();
    lifetime.signal.addEventListener('abort', () => {
      for (const pass of inFlight) pass.abort(lifetime.signal.reason);
    }, { once: true });
    if (signal?.aborted) lifetime.abort(signal.reason);
    else signal?.addEventListener('abort', () => lifetime.abort(signal.reason), { once: true });
    for (let i = 0; i < this.opts.concurrency; i++) this.workers.push(this.work(lifetime.signal, inFlight));
  }

  /** Takes no new keys and waits for the passes in flight. */
  async stop(): Promise<void> {
    this.opts.queue.shutDown();
    await Promise.all(this.workers);
  }

  private async work(stopSignal: AbortSignal, inFlight: Set<AbortController>): Promise<void> {
    const { queue } = this.opts;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        if (stopSignal.aborted) continue;
        await this.pass(key, stopSignal, inFlight);
      } finally {
        queue.done(key);
      }
    }
  }

  private async pass(key: string, stopSignal: AbortSignal, inFlight: Set<AbortController>): Promise<void> {
    const { queue } = this.opts;
    const log = this.opts.passLogger(key);
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    // One signal per pass: every call of the pass listens to it; the loop's signal aborts it (through inFlight).
    const pass = new AbortController();
    setMaxListeners(0, pass.signal);
    if (stopSignal.aborted) pass.abort(stopSignal.reason);
    inFlight.add(pass);
    try {
      const decision = await this.opts.reconcile(key, pass.signal, log);
      const retry: Retry | undefined =
        decision.kind === 'failed' ? this.opts.errorPolicy(decision.failure, key) : decision.kind === 'requeueAfter' ? { kind: 'after', ms: decision.ms } : undefined;
      if (retry?.kind === 'backoff') {
        queue.addRateLimited(key);
        this.opts.onPass?.('requeue', seconds());
        log.info({ why: decision.why }, 'reconcile will retry with backoff');
        return;
      }
      queue.forget(key);
      if (retry) queue.addAfter(key, this.jitter(retry.ms));
      this.opts.onPass?.('success', seconds());
      log.debug({ decision: decision.kind, why: decision.why, ...(retry ? { requeueAfterMs: retry.ms } : {}) }, 'reconciled');
    } catch (err) {
      if (pass.signal.aborted) {
        log.info({ why: errorText(pass.signal.reason) }, 'reconcile aborted');
        return;
      }
      queue.addRateLimited(key);
      this.opts.onPass?.('error', seconds());
      log.error({ err: errorText(err) }, 'reconcile failed');
    } finally {
      inFlight.delete(pass);
    }
  }

  /** ±10%, never zero. */
  private jitter(ms: number): number {
    return Math.max(1, Math.round(ms * (1 - REQUEUE_JITTER + 2 * REQUEUE_JITTER * this.random())));
  }
}
