/**
 * The InstanceRoleBinding controller, assembled: the informer fills the binding cache, the watch
 * handlers turn its events into keys on the work queue, the generic loop hands each key to the
 * reconciler (one pass per key at a time) and applies the error policy to failed passes. Mirrors
 * controller-runtime's manager + controller split, without the reconciler knowing any of it.
 *
 * Tenancy: InstanceRolePolicy and Namespace informers fill the tenancy cache (the reconciler's
 * TenancySource); their changes queue the bindings they concern; the policy status controller
 * writes each policy's status. Ownership: the ledger is loaded from its ConfigMaps by the leader
 * before any worker starts, written back as it changes, and flushed on stop.
 */
import type { CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type InstanceRoleBinding, type InstanceState, bindingKey } from '../api/instance-role-binding.js';
import type { InstanceRolePolicy } from '../api/instance-role-policy.js';
import type { Failure } from '../domain/failures.js';
import { OwnershipLedger } from '../domain/ownership.js';
import type { RoleCloud } from '../cloud/role-cloud.js';
import { BindingCache } from '../kube/binding-cache.js';
import { type BindingWatchHandlers, bindingInformer } from '../kube/binding-informer.js';
import { KubeBindingApi, KubeEventRecorder } from '../kube/kube-binding-api.js';
import { KubePolicyApi, POLICY_WATCH_PATH } from '../kube/kube-policy-api.js';
import { ObjectInformer } from '../kube/object-informer.js';
import { ConfigMapOwnershipStore } from '../kube/ownership-store.js';
import { trimNamespace, trimSpecStatusObject } from '../kube/trim.js';
import { type NamespaceObject, TenancyCache, type TenancyMode } from '../kube/tenancy-cache.js';
import { reconcileLogger } from '../observability/logger.js';
import { Backoff } from '../runtime/backoff.js';
import { type PassResult, ReconcileLoop } from '../runtime/reconcile-loop.js';
import { WorkQueue } from '../runtime/work-queue.js';
import { errorText } from '../util/error-text.js';
import { PolicyStatusController } from './policy-status-controller.js';
import { BindingReconciler, DEFAULT_WAIT_REQUEUE_MS, type ReconcileObserver, type ReconcileResult } from './reconciler.js';
import { bindingErrorPolicy } from './requeue-policy.js';
import { StatusWriter } from './status-writer.js';
import { namespaceWatchHandlers, policyWatchHandlers } from './tenancy-watch.js';
import { bindingWatchHandlers, holdingsChangedHandler } from './watch-handlers.js';

/** Lets the status writer drop its copy of a status once the informer delivers the object it wrote. */
function observedBy(writer: StatusWriter, handlers: BindingWatchHandlers): BindingWatchHandlers {
  return {
    upsert(binding) {
      handlers.upsert(binding);
      writer.observed(binding);
    },
    remove(binding) {
      handlers.remove(binding);
      writer.forget(bindingKey(binding.metadata));
    },
  };
}

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
  /** Client for Events (best effort; default `core`): one whose requests go after the others'. */
  eventsCore?: CoreV1Api;
  cloud: RoleCloud;
  /** Drops a cached RAM role check (when a user asks for an immediate reconcile). */
  forgetRole?: (roleName: string) => void;
  logger: Logger;
  /** Reconciles running at once (different keys). */
  concurrency: number;
  /** Drift-check period of bindings without spec.resyncPeriod. */
  defaultResyncMs: number;
  metrics?: ControllerMetrics;
  /** enforce (default): InstanceRolePolicies decide what bindings may do; disabled: single-tenant. */
  tenancy?: TenancyMode;
  /** The operator's own namespace, where the ownership ledger's ConfigMaps live (tenants have no access). */
  ownershipNamespace: string;
}

const STATS_INTERVAL_MS = 5_000;
const PUBLISH_MIN_INTERVAL_MS = 1_000;

/** Retry delays for loading the ownership ledger before the workers start. */
const LEDGER_LOAD_BACKOFF = { baseMs: 500, maxMs: 30_000 };

export class BindingController {
  readonly cache: BindingCache;
  readonly tenancy: TenancyCache;
  readonly ledger = new OwnershipLedger();
  private readonly queue = new WorkQueue();
  private readonly informer: ObjectInformer<InstanceRoleBinding>;
  private readonly policyInformer: ObjectInformer<InstanceRolePolicy>;
  private readonly namespaceInformer: ObjectInformer<NamespaceObject> | undefined;
  private readonly policyStatus: PolicyStatusController;
  private readonly ledgerStore: ConfigMapOwnershipStore;
  private readonly writer: StatusWriter;
  private readonly reconciler: BindingReconciler;
  private readonly loop: ReconcileLoop<Failure>;
  private statsTimer: NodeJS.Timeout | undefined;
  private publishTimer: NodeJS.Timeout | undefined;
  private lastPublished = 0;
  private leading = false;
  private ledgerLoaded = false;
  private readonly stopping = new AbortController();
  private leadership: AbortSignal | undefined;

  constructor(private readonly opts: ControllerOptions) {
    const cache = new BindingCache(opts.defaultResyncMs);
    this.cache = cache;
    const enqueue = (key: string): void => this.queue.add(key);
    this.tenancy = new TenancyCache(opts.tenancy ?? 'enforce');
    const policyApi = new KubePolicyApi(opts.customObjects);
    this.policyStatus = new PolicyStatusController({ tenancy: this.tenancy, bindings: () => cache.views(), api: policyApi, logger: opts.logger });
    this.ledgerStore = new ConfigMapOwnershipStore({ core: opts.core, namespace: opts.ownershipNamespace, logger: opts.logger });
    this.writer = new StatusWriter(new KubeBindingApi(opts.customObjects), (key) => cache.get(key));
    this.informer = bindingInformer({
      kubeConfig: opts.kubeConfig,
      customObjects: opts.customObjects,
      logger: opts.logger,
      handlers: observedBy(
        this.writer,
        bindingWatchHandlers({
          cache,
          enqueue,
          forgetRole: (role) => opts.forgetRole?.(role),
          heldBy: (uid) => this.ledger.heldBy(uid).keys(),
          bindingsChanged: () => this.policyStatus.recount(),
        }),
      ),
    });
    const tenancyWatch = { tenancy: this.tenancy, bindingKeys: () => cache.keys(), enqueue, policies: this.policyStatus };
    this.policyInformer = new ObjectInformer<InstanceRolePolicy>({
      kubeConfig: opts.kubeConfig,
      path: POLICY_WATCH_PATH,
      list: (page) => policyApi.list(page),
      trim: trimSpecStatusObject,
      what: 'InstanceRolePolicy',
      logger: opts.logger,
      handlers: policyWatchHandlers(tenancyWatch),
    });
    this.namespaceInformer = this.tenancy.enforced
      ? new ObjectInformer<NamespaceObject>({
          kubeConfig: opts.kubeConfig,
          path: '/api/v1/namespaces',
          list: async ({ limit, continueToken }) =>
            (await opts.core.listNamespace({ limit, ...(continueToken ? { _continue: continueToken } : {}) })) as unknown as KubernetesListObject<KubernetesObject>,
          trim: trimNamespace,
          what: 'Namespace',
          logger: opts.logger,
          handlers: namespaceWatchHandlers(tenancyWatch),
        })
      : undefined;
    this.reconciler = new BindingReconciler({
      cloud: opts.cloud,
      index: cache,
      writer: this.writer,
      events: new KubeEventRecorder(opts.eventsCore ?? opts.core, opts.logger),
      ledger: this.ledger,
      tenancy: this.tenancy,
      holdingsChanged: holdingsChangedHandler(cache, enqueue),
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

  /**
   * Starts watching bindings, policies and namespaces; resolves after the first list attempt of
   * each (isSynced() tells whether they filled the caches).
   */
  async startInformer(): Promise<void> {
    await Promise.all([this.informer.start(), this.policyInformer.start(), this.namespaceInformer?.start()]);
  }

  /**
   * Starts the workers; call after startInformer (and after winning leader election). The
   * ownership ledger is loaded first: no pass runs without it. Resolves after the first attempt;
   * when that fails, loading is retried with backoff in the background and the workers start once
   * it succeeds. The holds of bindings that no longer exist are dropped. Passes in flight are
   * aborted when `signal` aborts, and the ledger is no longer written.
   */
  async startWorkers(signal?: AbortSignal): Promise<void> {
    this.leading = true;
    this.leadership = signal;
    if (await this.tryLoadLedger(undefined)) {
      this.runWorkers(signal);
      return;
    }
    void this.loadLedger(signal).then((loaded) => {
      if (loaded) this.runWorkers(signal);
    });
  }

  private runWorkers(signal: AbortSignal | undefined): void {
    if (signal?.aborted || this.stopping.signal.aborted) return;
    // Only the leader writes the ledger: once leadership ends, nothing more is written.
    signal?.addEventListener('abort', () => this.ledgerStore.stop(), { once: true });
    this.sweepLedger();
    for (const key of this.cache.keys()) this.queue.add(key);
    this.loop.start(signal);
    this.policyStatus.start();
    this.statsTimer = setInterval(() => this.publishStats(), STATS_INTERVAL_MS);
    this.statsTimer.unref();
  }

  /** Informers synced; for the leader, the ownership ledger loaded too. */
  isSynced(): boolean {
    return this.informer.isSynced() && this.tenancy.synced() && (!this.leading || this.ledgerLoaded);
  }

  queueDepth(): number {
    return this.queue.len();
  }

  /** Stops taking new work, lets in-flight reconciles finish, writes the ledger, then stops watching. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.publishTimer) clearTimeout(this.publishTimer);
    await this.loop.stop();
    await this.policyStatus.stop();
    if (this.ledgerLoaded && !this.leadership?.aborted) {
      await this.ledgerStore.flush(this.ledger).catch((err: unknown) => this.opts.logger.warn({ err: errorText(err) }, 'ownership ledger: last write failed'));
    }
    this.ledgerStore.stop();
    await Promise.all([this.informer.stop(), this.policyInformer.stop(), this.namespaceInformer?.stop()]);
  }

  /**
   * Drops the holds of bindings that no longer exist (deleted while their finalizer was removed by
   * hand). Only from a complete list of bindings: a cache that never synced would look like "no
   * binding exists" and wipe every hold.
   */
  private sweepLedger(): void {
    if (!this.informer.isSynced()) {
      this.opts.logger.warn('ownership ledger: the binding list is incomplete; holds of deleted bindings are kept until the next start');
      return;
    }
    const live = new Set(this.cache.all().flatMap((b) => (b.metadata.uid ? [b.metadata.uid] : [])));
    const dropped = this.ledger.retainOnly(live);
    if (dropped.length > 0) this.opts.logger.info({ bindings: dropped.length }, 'ownership ledger: dropped the holds of bindings that no longer exist');
  }

  /** One attempt to load the ledger; logs why it failed (with the retry delay, when given). */
  private async tryLoadLedger(retryInMs: number | undefined): Promise<boolean> {
    try {
      await this.ledgerStore.loadInto(this.ledger);
      this.ledgerLoaded = true;
      this.opts.logger.info({ instances: this.ledger.size, namespace: this.opts.ownershipNamespace }, 'ownership ledger loaded');
      return true;
    } catch (err) {
      this.opts.logger.warn({ err: errorText(err), retryInMs, namespace: this.opts.ownershipNamespace }, 'ownership ledger: cannot load; no binding is reconciled until it loads');
      return false;
    }
  }

  private async loadLedger(signal: AbortSignal | undefined): Promise<boolean> {
    const backoff = new Backoff(LEDGER_LOAD_BACKOFF);
    for (;;) {
      if (signal?.aborted || this.stopping.signal.aborted) return false;
      const delay = backoff.next('ledger');
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', wake);
          this.stopping.signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = setTimeout(wake, delay);
        signal?.addEventListener('abort', wake, { once: true });
        this.stopping.signal.addEventListener('abort', wake, { once: true });
      });
      if (signal?.aborted || this.stopping.signal.aborted) return false;
      if (await this.tryLoadLedger(delay)) return true;
    }
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
    metrics.setBindings(this.writer.tally.readyCounts());
    metrics.setInstanceStates(this.writer.tally.instanceStates());
  }
}
