/**
 * BindingApi and EventRecorder over @kubernetes/client-node. Explicit on the wire: status and
 * finalizer writes are merge patches with the merge-patch content type, and every write names the
 * operator as its field manager.
 */
import {
  type CoreV1Api,
  type CoreV1Event,
  type CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  API_GROUP,
  API_GROUP_VERSION,
  API_VERSION,
  KIND,
  PLURAL,
  type InstanceRoleBinding,
  type InstanceRoleBindingStatus,
} from '../api/instance-role-binding.js';
import type { BindingEvent } from '../domain/pass-events.js';
import { errorText } from '../util/error-text.js';
import type { BindingApi, EventRecorder } from './binding-api.js';
import { EVENT_SOURCE, FIELD_MANAGER } from './wire-identity.js';

const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class KubeBindingApi implements BindingApi {
  constructor(private readonly customObjects: CustomObjectsApi) {}

  async patchStatus(binding: InstanceRoleBinding, status: InstanceRoleBindingStatus): Promise<InstanceRoleBinding> {
    const updated: unknown = await this.customObjects.patchNamespacedCustomObjectStatus(
      {
        group: API_GROUP,
        version: API_VERSION,
        namespace: binding.metadata.namespace,
        plural: PLURAL,
        name: binding.metadata.name,
        body: { apiVersion: API_GROUP_VERSION, kind: KIND, status },
        fieldManager: FIELD_MANAGER,
      },
      mergePatch(),
    );
    return updated as InstanceRoleBinding;
  }

  async setFinalizers(binding: InstanceRoleBinding, finalizers: string[]): Promise<InstanceRoleBinding> {
    const updated: unknown = await this.customObjects.patchNamespacedCustomObject(
      {
        group: API_GROUP,
        version: API_VERSION,
        namespace: binding.metadata.namespace,
        plural: PLURAL,
        name: binding.metadata.name,
        body: { metadata: { finalizers, resourceVersion: binding.metadata.resourceVersion } },
        fieldManager: FIELD_MANAGER,
      },
      mergePatch(),
    );
    return updated as InstanceRoleBinding;
  }
}

interface RecentEvent {
  name: string;
  count: number;
  at: number;
}

/**
 * Records core/v1 Events. Identical events (same object, reason and message) within the
 * aggregation window bump the count of the existing Event instead of creating a new one.
 * Recording is best effort: a failure is logged, never thrown into a reconcile.
 */
export class KubeEventRecorder implements EventRecorder {
  private readonly recent = new Map<string, RecentEvent>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly logger: Logger,
    private readonly aggregateWindowMs = 10 * 60_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  record(binding: InstanceRoleBinding, event: BindingEvent): void {
    void this.write(binding, event).catch((err: unknown) => {
      this.logger.warn({ err: errorText(err), reason: event.reason }, 'could not record event');
    });
  }

  private async write(binding: InstanceRoleBinding, { type, reason, message }: BindingEvent): Promise<void> {
    const namespace = binding.metadata.namespace;
    const dedupKey = `${binding.metadata.uid ?? ''}|${namespace}/${binding.metadata.name}|${type}|${reason}|${message}`;
    const t = this.now();
    const timestamp = new Date(t);
    const previous = this.recent.get(dedupKey);
    if (previous && t - previous.at < this.aggregateWindowMs) {
      previous.count += 1;
      previous.at = t;
      await this.core.patchNamespacedEvent(
        { namespace, name: previous.name, body: { count: previous.count, lastTimestamp: timestamp } },
        mergePatch(),
      );
      return;
    }
    this.pruneOld(t);
    const event: CoreV1Event = {
      metadata: { generateName: `${binding.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: API_GROUP_VERSION,
        kind: KIND,
        name: binding.metadata.name,
        namespace,
        ...(binding.metadata.uid ? { uid: binding.metadata.uid } : {}),
        ...(binding.metadata.resourceVersion ? { resourceVersion: binding.metadata.resourceVersion } : {}),
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
    };
    const created = await this.core.createNamespacedEvent({ namespace, body: event });
    const name = created.metadata?.name;
    if (name) this.recent.set(dedupKey, { name, count: 1, at: t });
  }

  private pruneOld(t: number): void {
    if (this.recent.size < 10_000) return;
    for (const [k, v] of this.recent) if (t - v.at >= this.aggregateWindowMs) this.recent.delete(k);
  }
}
