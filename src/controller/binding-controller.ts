/**
 * The InstanceRoleBinding controller, assembled: the informer fills the binding cache, the watch
 * handlers turn its events into keys on the work queue, the generic loop hands each key to the
 * reconciler (one pass per key at a time) and applies the error policy to failed passes. Mirrors
 * controller-runtime's manager + controller split, without the reconciler knowing any of it.
 */
import type { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { INSTANCE_STATES, type InstanceState } from '../api/instance-role-binding.js';
import type { Failure } from '../domain/failures.js';
import type { RoleCloud } from '../cloud/role-cloud.js';
import { BindingCache } from '../kube/binding-cache.js';
import { BindingInformer } from '../kube/binding-informer.js';
import { KubeBindingApi, KubeEventRecorder } from '../kube/kube-binding-api.js';
import { reconcileLogger } from '../observability/logger.js';
import { type PassResult, ReconcileLoop } from '../runtime/reconcile-loop.js';
import { WorkQueue } from '../runtime/work-queue.js';
import { BindingReconciler, DEFAULT_WAIT_REQUEUE_MS, type ReconcileObserver, type ReconcileResult } from './reconciler.js';
import { bindingErrorPolicy } from './requeue-policy.js';
import { StatusWriter } from './status-writer.js';
import { bindingWatchHandlers } from './watch-handlers.js';

/** What the controller reports; the metrics module implements it. */
export interface ControllerMetrics extends ReconcileObserver {
  reconcile(result: PassResult, seconds: number): void;
  setQueueDepth(depth: number): void;
  setBindings(readyCounts: { true: number; false: number; unknown: number }): void;
  setInstanceStates(counts: Record<InstanceState, number>): void;
}

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  customObjects: CustomObjectsApi;
  core: CoreV1Api;
  cloud: RoleCloud;
  /** Drops a cached RAM role check (when a user asks for an immediate reconcile). */
  forgetRole?: (roleName: string) => void;
  logger: Logger;
  /** Reconciles running at once (different keys). */
  concurrency: number;
  /** Drift-check period of bindings without spec.resyncPeriod. */
  defaultResyncMs: number;
  metrics?: ControllerMetrics;
}

const STATS_INTERVAL_MS = 5_000;
const PUBLISH_MIN_INTERVAL_MS = 1_000;

export class BindingController {
  readonly cache: BindingCache;
  private readonly queue = new WorkQueue();
  private readonly informer: BindingInformer;
  private readonly writer: StatusWriter;
  private readonly reconciler: BindingReconciler;
  private readonly loop: ReconcileLoop<Failure>;
  private statsTimer: NodeJS.Timeout | undefined;
  private publishTimer: NodeJS.Timeout | undefined;
  private lastPublished = 0;

  constructor(private readonly opts: ControllerOptions) {
    const cache = new BindingCache(opts.defaultResyncMs);
    this.cache = cache;
    this.writer = new StatusWriter(new KubeBindingApi(opts.customObjects));
    this.informer = new BindingInformer({
      kubeConfig: opts.kubeConfig,
      customObjects: opts.customObjects,
      logger: opts.logger,
      handlers: bindingWatchHandlers({ cache, enqueue: (key) => this.queue.add(key), forgetRole: (role) => opts.forgetRole?.(role) }),
    });
    this.reconciler = new BindingReconciler({
      cloud: opts.cloud,
      index: cache,
      writer: this.writer,
      events: new KubeEventRecorder(opts.core, opts.logger),
      ...(opts.metrics ? { observer: opts.metrics } : {}),
    });
    this.loop = new ReconcileLoop<Failure>({
      queue: this.queue,
      concurrency: opts.concurrency,
      reconcile: (key, signal, log) => this.reconcileKey(key, signal, log),
      errorPolicy: bindingErrorPolicy({ waitMs: DEFAULT_WAIT_REQUEUE_MS, resyncMsOf: (key) => this.resyncMsOf(key) }),
      passLogger: (key) => reconcileLogger(opts.logger, key),
      ...(opts.metrics
        ? {
            onPass: (result: PassResult, seconds: number) => {
              opts.metrics?.reconcile(result, seconds);
              this.publishSoon();
            },
          }
        : {}),
    });
  }

  /** Starts watching; resolves after the first list attempt (isSynced() tells whether it filled the cache). */
  startInformer(): Promise<void> {
    return this.informer.start();
  }

  /**
   * Starts the workers; call after startInformer (and after winning leader election). Passes in
   * flight are aborted when `signal` aborts.
   */
  startWorkers(signal?: AbortSignal): void {
    for (const key of this.cache.keys()) this.queue.add(key);
    this.loop.start(signal);
    this.statsTimer = setInterval(() => this.publishStats(), STATS_INTERVAL_MS);
    this.statsTimer.unref();
  }

  isSynced(): boolean {
    return this.informer.isSynced();
  }

  queueDepth(): number {
    return this.queue.len();
  }

  /** Stops taking new work, lets in-flight reconciles finish, then stops watching. */
  async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.publishTimer) clearTimeout(this.publishTimer);
    await this.loop.stop();
    await this.informer.stop();
  }

  /** Reconcile gets a key and re-reads the binding from the cache. */
  private reconcileKey(key: string, signal: AbortSignal, log: Logger): Promise<ReconcileResult> {
    const binding = this.cache.get(key);
    if (!binding) {
      this.writer.forget(key);
      return Promise.resolve({ kind: 'done', why: 'binding no longer exists' });
    }
    return this.reconciler.reconcile(binding, signal, log);
  }

  private resyncMsOf(key: string): number {
    const binding = this.cache.get(key);
    const viewed = binding ? this.cache.viewOf(binding) : undefined;
    return viewed && 'view' in viewed ? viewed.view.spec.resyncPeriodMs : this.cache.defaultResyncMs;
  }

  /**
   * The gauges follow the passes: published right after a pass, then at most once a second while
   * passes keep coming (and every STATS_INTERVAL_MS regardless).
   */
  private publishSoon(): void {
    if (this.publishTimer) return;
    const wait = Math.max(0, this.lastPublished + PUBLISH_MIN_INTERVAL_MS - Date.now());
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      this.publishStats();
    }, wait);
    this.publishTimer.unref();
  }

  private publishStats(): void {
    const metrics = this.opts.metrics;
    if (!metrics) return;
    this.lastPublished = Date.now();
    metrics.setQueueDepth(this.queue.len());
    const ready = { true: 0, false: 0, unknown: 0 };
    const states = Object.fromEntries(INSTANCE_STATES.map((state) => [state, 0])) as Record<InstanceState, number>;
    for (const b of this.cache.all()) {
      // The status this controller last wrote: the informer's copy lags its own writes.
      const status = this.writer.lastStatus(b);
      const cond = status?.conditions?.find((c) => c.type === 'Ready');
      if (cond?.status === 'True') ready.true++;
      else if (cond?.status === 'False') ready.false++;
      else ready.unknown++;
      for (const i of status?.instances ?? []) states[i.state]++;
    }
    metrics.setBindings(ready);
    metrics.setInstanceStates(states);
  }
}
