/**
 * Watches every InstanceRoleBinding of the cluster through @kubernetes/client-node's informer and
 * hands each added, updated and deleted object to the handlers. The informer relists by itself on
 * 410 Gone but stops on any other error: this restarts it with capped backoff, starting over once a
 * watch stayed up for a while.
 */
import type { CustomObjectsApi, Informer, KubeConfig, KubernetesListObject, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { API_GROUP, API_VERSION, type InstanceRoleBinding, PLURAL } from '../api/instance-role-binding.js';
import { Backoff } from '../runtime/backoff.js';
import { errorText } from '../util/error-text.js';
import { trimSpecStatusObject } from './trim.js';
import { type PagedList, makeTrimmedInformer } from './trimmed-informer.js';

export interface BindingWatchHandlers {
  upsert(binding: InstanceRoleBinding): void;
  remove(binding: InstanceRoleBinding): void;
}

export interface BindingInformerOptions {
  kubeConfig: KubeConfig;
  customObjects: CustomObjectsApi;
  logger: Logger;
  handlers: BindingWatchHandlers;
}

/** A watch that lasted this long was healthy: its failure starts the backoff over. */
const HEALTHY_WATCH_MS = 30_000;
const RESTART_KEY = 'informer';

export class BindingInformer {
  private informer: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>) | undefined;
  private readonly backoff = new Backoff({ baseMs: 500, maxMs: 30_000 });
  private connectedAt: number | undefined;
  private listedOnce = false;
  private synced = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BindingInformerOptions) {}

  /** Starts watching; resolves after the first list attempt (isSynced() tells whether it filled the cache). */
  async start(): Promise<void> {
    const { customObjects, handlers } = this.opts;
    const list: PagedList = async ({ limit, continueToken }) => {
      const listed = (await customObjects.listClusterCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        plural: PLURAL,
        limit,
        ...(continueToken ? { _continue: continueToken } : {}),
      })) as KubernetesListObject<KubernetesObject>;
      if (!listed.metadata?._continue) this.listedOnce = true;
      return listed;
    };
    // Custom objects arrive as plain JSON (timestamps are strings): the API type describes them.
    // Each is trimmed to what the controller reads before the informer caches it.
    const informer = makeTrimmedInformer(this.opts.kubeConfig, `/apis/${API_GROUP}/${API_VERSION}/${PLURAL}`, list, trimSpecStatusObject);
    informer.on('add', (b) => handlers.upsert(b as unknown as InstanceRoleBinding));
    informer.on('update', (b) => handlers.upsert(b as unknown as InstanceRoleBinding));
    informer.on('delete', (b) => handlers.remove(b as unknown as InstanceRoleBinding));
    // 'connect' fires before every attempt, even one about to fail: a watch that stayed up for a
    // while resets the backoff (see restart), a connection alone does not.
    informer.on('connect', () => {
      this.connectedAt = Date.now();
    });
    informer.on('error', (err: unknown) => this.restart(err));
    this.informer = informer;
    // start() also resolves when the first list failed (e.g. 403): the informer then reports the
    // error and restarts, and the cache counts as synced only once a list has filled it.
    await informer.start();
    this.synced = this.listedOnce;
  }

  isSynced(): boolean {
    return this.synced;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.informer?.stop();
  }

  private restart(err: unknown): void {
    if (this.stopping) return;
    if (this.connectedAt !== undefined && Date.now() - this.connectedAt >= HEALTHY_WATCH_MS) this.backoff.reset(RESTART_KEY);
    this.connectedAt = undefined;
    const delay = this.backoff.next(RESTART_KEY);
    this.opts.logger.warn({ err: errorText(err), retryInMs: delay }, 'binding watch failed; restarting');
    this.restartTimer = setTimeout(() => {
      this.informer
        ?.start()
        .then(() => {
          this.synced = this.listedOnce;
        })
        .catch((e: unknown) => this.restart(e));
    }, delay);
  }
}
