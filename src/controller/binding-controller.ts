/**
 * The generic loop around the InstanceRoleBinding reconciler: an informer keeps the binding cache,
 * predicates turn watch events into keys, a work queue hands each key to one worker at a time,
 * and the reconciler's decision (or error) becomes a requeue. Mirrors controller-runtime's
 * manager + controller split, without the reconciler knowing any of it.
 */
import {
  type CoreV1Api,
  type CustomObjectsApi,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  makeInformer,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  API_GROUP,
  API_VERSION,
  type InstanceRoleBinding,
  type InstanceState,
  PLURAL,
  RECONCILE_REQUESTED_AT_ANNOTATION,
  bindingKey,
} from '../api/instance-role-binding.js';
import { reconcileLogger } from '../observability/logger.js';
import { Backoff } from '../runtime/backoff.js';
import { BindingCache } from '../kube/binding-cache.js';
import type { CloudGateway } from '../cloud/cloud-gateway.js';
import { KubeBindingApi, KubeEventRecorder, errorText } from '../kube/kube-binding-api.js';
import { BindingReconciler, type ReconcileObserver } from './reconciler.js';
import { WorkQueue } from '../runtime/work-queue.js';

/** What the controller reports; the metrics module implements it. */
export interface ControllerMetrics extends ReconcileObserver {
  reconcile(result: 'success' | 'error' | 'requeue', seconds: number): void;
  setQueueDepth(depth: number): void;
  setBindings(readyCounts: { true: number; false: number; unknown: number }): void;
  setInstanceStates(counts: Record<InstanceState, number>): void;
}

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  customObjects: CustomObjectsApi;
  core: CoreV1Api;
  cloud: CloudGateway;
  logger: Logger;
  /** Reconciles running at once (different keys). */
  concurrency: number;
  /** Drift-check period of bindings without spec.resyncPeriod. */
  defaultResyncMs: number;
  metrics?: ControllerMetrics;
}

/** A watch that lasted this long was healthy: its failure starts the backoff over. */
const HEALTHY_WATCH_MS = 30_000;

export class BindingController {
  readonly cache: BindingCache;
  private readonly queue: WorkQueue;
  private readonly reconciler: BindingReconciler;
  private informer: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>) | undefined;
  private readonly informerBackoff = new Backoff({ baseMs: 500, maxMs: 30_000 });
  private connectedAt: number | undefined;
  private synced = false;
  private listedOnce = false;
  private stopping = false;
  private workers: Promise<void>[] = [];
  private statsTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ControllerOptions) {
    this.cache = new BindingCache(opts.defaultResyncMs);
    this.queue = new WorkQueue();
    this.reconciler = new BindingReconciler({
      cache: this.cache,
      api: new KubeBindingApi(opts.customObjects),
      events: new KubeEventRecorder(opts.core, opts.logger),
      cloud: opts.cloud,
      enqueue: (key) => this.queue.add(key),
      ...(opts.metrics ? { observer: opts.metrics } : {}),
    });
  }

  /** Starts watching; resolves after the first list attempt (isSynced() tells whether it filled the cache). */
  async startInformer(): Promise<void> {
    const path = `/apis/${API_GROUP}/${API_VERSION}/${PLURAL}`;
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const listed = (await this.opts.customObjects.listClusterCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        plural: PLURAL,
      })) as KubernetesListObject<KubernetesObject>;
      this.listedOnce = true;
      return listed;
    };
    // Custom objects arrive as plain JSON (timestamps are strings): the API type describes them.
    const informer = makeInformer<KubernetesObject>(this.opts.kubeConfig, path, list);
    informer.on('add', (b) => this.onUpsert(b as unknown as InstanceRoleBinding));
    informer.on('update', (b) => this.onUpsert(b as unknown as InstanceRoleBinding));
    informer.on('delete', (b) => this.onDelete(b as unknown as InstanceRoleBinding));
    // 'connect' fires before every attempt, even one about to fail: a watch that stayed up for a
    // while resets the backoff (see restartInformer), a connection alone does not.
    informer.on('connect', () => {
      this.connectedAt = Date.now();
    });
    informer.on('error', (err: unknown) => this.restartInformer(err));
    this.informer = informer;
    // start() also resolves when the first list failed (e.g. 403): the informer then reports the
    // error and restarts, and the cache counts as synced only once a list has filled it.
    await informer.start();
    this.synced = this.listedOnce;
  }

  /** Starts the workers; call after startInformer (and after winning leader election). */
  startWorkers(): void {
    for (const key of this.cache.keys()) this.queue.add(key);
    for (let i = 0; i < this.opts.concurrency; i++) this.workers.push(this.work());
    this.statsTimer = setInterval(() => this.publishStats(), 5_000);
    this.statsTimer.unref();
  }

  isSynced(): boolean {
    return this.synced;
  }

  queueDepth(): number {
    return this.queue.len();
  }

  /** Stops taking new work, lets in-flight reconciles finish, then stops watching. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.shutDown();
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await Promise.all(this.workers);
    await this.informer?.stop();
  }

  private onUpsert(binding: InstanceRoleBinding): void {
    const key = bindingKey(binding.metadata);
    const old = this.cache.get(key);
    this.cache.upsert(binding);
    const requested = binding.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
    if (old && requested !== undefined && requested !== old.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION]) {
      // An explicit request re-checks everything, the RAM role (cached for a minute) included.
      this.opts.cloud.forgetRole(binding.spec.roleName);
    }
    if (shouldReconcile(old, binding)) this.queue.add(key);
  }

  private onDelete(binding: InstanceRoleBinding): void {
    const key = bindingKey(binding.metadata);
    this.cache.remove(key);
    // Bindings that lost a conflict to this one may now win: let them look again.
    const view = this.cache.toView(binding);
    if (view) for (const other of this.cache.competitors(view.spec.regionId, view.spec.instanceIds, key)) this.queue.add(other.key);
  }

  private restartInformer(err: unknown): void {
    if (this.stopping) return;
    if (this.connectedAt !== undefined && Date.now() - this.connectedAt >= HEALTHY_WATCH_MS) this.informerBackoff.reset('informer');
    this.connectedAt = undefined;
    const delay = this.informerBackoff.next('informer');
    this.opts.logger.warn({ err: errorText(err), retryInMs: delay }, 'binding watch failed; restarting');
    this.restartTimer = setTimeout(() => {
      this.informer
        ?.start()
        .then(() => {
          this.synced = this.listedOnce;
        })
        .catch((e: unknown) => this.restartInformer(e));
    }, delay);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const log = reconcileLogger(this.opts.logger, key);
      const started = performance.now();
      try {
        const decision = await this.reconciler.reconcile(key, log);
        const seconds = (performance.now() - started) / 1000;
        if (decision.kind === 'backoff') {
          this.queue.addRateLimited(key);
          this.opts.metrics?.reconcile('requeue', seconds);
          log.info({ why: decision.why }, 'reconcile will retry with backoff');
        } else {
          this.queue.forget(key);
          if (decision.kind === 'requeueAfter') this.queue.addAfter(key, decision.ms);
          this.opts.metrics?.reconcile('success', seconds);
          log.debug({ decision }, 'reconciled');
        }
      } catch (err) {
        this.queue.addRateLimited(key);
        this.opts.metrics?.reconcile('error', (performance.now() - started) / 1000);
        log.error({ err: errorText(err) }, 'reconcile failed');
      } finally {
        this.queue.done(key);
      }
    }
  }

  private publishStats(): void {
    const metrics = this.opts.metrics;
    if (!metrics) return;
    metrics.setQueueDepth(this.queue.len());
    const ready = { true: 0, false: 0, unknown: 0 };
    const states: Record<InstanceState, number> = {
      Bound: 0, Pending: 0, Detaching: 0, Attaching: 0, Conflict: 0, NotFound: 0, NotVpc: 0, Error: 0, Observed: 0,
    };
    for (const b of this.cache.all()) {
      const cond = b.status?.conditions?.find((c) => c.type === 'Ready');
      if (cond?.status === 'True') ready.true++;
      else if (cond?.status === 'False') ready.false++;
      else ready.unknown++;
      for (const i of b.status?.instances ?? []) states[i.state]++;
    }
    metrics.setBindings(ready);
    metrics.setInstanceStates(states);
  }
}

/**
 * Predicate: reconcile on create, spec changes (generation), deletion (and finalizer changes while
 * deleting) and the reconcile-requested-at annotation; ignore our own status and finalizer writes.
 */
export function shouldReconcile(old: InstanceRoleBinding | undefined, next: InstanceRoleBinding): boolean {
  if (!old) return true;
  if (old.metadata.uid !== next.metadata.uid) return true;
  if (old.metadata.generation !== next.metadata.generation) return true;
  if (Boolean(old.metadata.deletionTimestamp) !== Boolean(next.metadata.deletionTimestamp)) return true;
  if (next.metadata.deletionTimestamp && (old.metadata.finalizers ?? []).join(',') !== (next.metadata.finalizers ?? []).join(',')) {
    return true;
  }
  const annotation = RECONCILE_REQUESTED_AT_ANNOTATION;
  return old.metadata.annotations?.[annotation] !== next.metadata.annotations?.[annotation];
}
