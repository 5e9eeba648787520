/**
 * Watches one kind of object through @kubernetes/client-node's informer and hands each added,
 * updated and deleted object to the handlers; restarted with capped backoff on any error but 410
 * (which the informer handles by relisting), starting over once a watch stayed up for a while.
 * The tenancy watches (InstanceRolePolicies, Namespaces) use it.
 */
import type { Informer, KubeConfig, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff } from '../runtime/backoff.js';
import { errorText } from '../util/error-text.js';
import { type PagedList, continueTokenOf, makeTrimmedInformer } from './trimmed-informer.js';

export interface ObjectWatchHandlers<T> {
  upsert(object: T): void;
  remove(object: T): void;
  /** After a list (the first, and each relist after a restart). */
  listed?(): void;
}

export interface ObjectInformerOptions<T> {
  kubeConfig: KubeConfig;
  /** The watch path, e.g. /api/v1/namespaces. */
  path: string;
  /** One page of the list call for that path. */
  list: PagedList;
  /** What is kept of each object (trim.ts): the informer's cache and the handlers share that copy. */
  trim(object: KubernetesObject): KubernetesObject;
  /** What is watched, for the log ("InstanceRolePolicy"). */
  what: string;
  logger: Logger;
  handlers: ObjectWatchHandlers<T>;
}

/** A watch that lasted this long was healthy: its failure starts the backoff over. */
const HEALTHY_WATCH_MS = 30_000;
const RESTART_KEY = 'informer';

export class ObjectInformer<T> {
  private informer: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>) | undefined;
  private readonly backoff = new Backoff({ baseMs: 500, maxMs: 30_000 });
  private connectedAt: number | undefined;
  private listedOnce = false;
  private synced = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ObjectInformerOptions<T>) {}

  /** Starts watching; resolves after the first list attempt (isSynced() tells whether it succeeded). */
  async start(): Promise<void> {
    const { handlers } = this.opts;
    const list: PagedList = async (page) => {
      const listed = await this.opts.list(page);
      if (continueTokenOf(listed) === undefined) this.listedOnce = true;
      return listed;
    };
    const informer = makeTrimmedInformer(this.opts.kubeConfig, this.opts.path, list, this.opts.trim);
    informer.on('add', (o) => handlers.upsert(o as unknown as T));
    informer.on('update', (o) => handlers.upsert(o as unknown as T));
    informer.on('delete', (o) => handlers.remove(o as unknown as T));
    informer.on('connect', () => {
      this.connectedAt = Date.now();
    });
    informer.on('error', (err: unknown) => this.restart(err));
    this.informer = informer;
    await informer.start();
    this.markListed();
  }

  isSynced(): boolean {
    return this.synced;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.informer?.stop();
  }

  private markListed(): void {
    this.synced = this.listedOnce;
    if (this.synced) this.opts.handlers.listed?.();
  }

  private restart(err: unknown): void {
    if (this.stopping) return;
    if (this.connectedAt !== undefined && Date.now() - this.connectedAt >= HEALTHY_WATCH_MS) this.backoff.reset(RESTART_KEY);
    this.connectedAt = undefined;
    const delay = this.backoff.next(RESTART_KEY);
    this.opts.logger.warn({ err: errorText(err), retryInMs: delay, watching: this.opts.what }, 'watch failed; restarting');
    this.restartTimer = setTimeout(() => {
      this.informer
        ?.start()
        .then(() => this.markListed())
        .catch((e: unknown) => this.restart(e));
    }, delay);
  }
}
