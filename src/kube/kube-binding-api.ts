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
import { Fifo } from '../util/fifo.js';
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
 * Recording is best effort: a failure is logged, never thrown into a reconcile. Events wait in a
 * queue of their own, written a few at a time (EVENT_WRITERS) in the order recorded, with the
 * time they were recorded at; at most MAX_PENDING_EVENTS wait (past that, new Events
 * are dropped and counted, as client-go's broadcaster drops when its queue is full).
 */
export const MAX_PENDING_EVENTS = 20_000;
const EVENT_WRITERS = 4;
/** Recent Events remembered for aggregation, at most (client-go's correlator keeps 4,096). */
const AGGREGATED_EVENTS = 4_096;

/** What an Event needs of its object (not the object: a queued Event keeps no binding alive). */
interface EventSubject {
  namespace: string;
  name: string;
  uid: string | undefined;
  resourceVersion: string | undefined;
}

interface QueuedEvent {
  subject: EventSubject;
  event: BindingEvent;
  at: number;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly recent = new Map<string, RecentEvent>();
  /** Events recorded and not taken by a writer yet: plain records, no promise or closure each. */
  private readonly waiting = new Fifo<QueuedEvent>();
  private writers = 0;
  private dropped = 0;

  constructor(
    private readonly core: CoreV1Api,
    private readonly logger: Logger,
    private readonly aggregateWindowMs = 10 * 60_000,
    private readonly now: () => number = () => Date.now(),
    private readonly maxPending = MAX_PENDING_EVENTS,
  ) {}

  record(binding: InstanceRoleBinding, event: BindingEvent): void {
    if (this.waiting.size >= this.maxPending) {
      if (this.dropped++ === 0) this.logger.warn({ pending: this.maxPending }, 'too many events waiting to be written: new events are dropped until they drain');
      return;
    }
    const { namespace, name, uid, resourceVersion } = binding.metadata;
    this.waiting.push({ subject: { namespace, name, uid, resourceVersion }, event, at: this.now() });
    if (this.writers < EVENT_WRITERS) {
      this.writers += 1;
      void this.writeWaiting();
    }
  }

  /** One writer: takes the oldest waiting Event until none waits. Never throws. */
  private async writeWaiting(): Promise<void> {
    for (let queued = this.waiting.shift(); queued; queued = this.waiting.shift()) {
      try {
        await this.write(queued);
      } catch (err) {
        this.logger.warn({ err: errorText(err), reason: queued.event.reason }, 'could not record event');
      }
    }
    this.writers -= 1;
    if (this.writers === 0 && this.dropped > 0) {
      this.logger.warn({ dropped: this.dropped }, 'events dropped while too many waited to be written');
      this.dropped = 0;
    }
  }

  private async write({ subject, event: { type, reason, message }, at: t }: QueuedEvent): Promise<void> {
    const namespace = subject.namespace;
    const dedupKey = `${subject.uid ?? `${namespace}/${subject.name}`}|${type}|${reason}|${message}`;
    const timestamp = new Date(t);
    const previous = this.recent.get(dedupKey);
    if (previous && t - previous.at < this.aggregateWindowMs) {
      previous.count += 1;
      previous.at = t;
      // Kept in the order of last use: pruning goes from the front.
      this.recent.delete(dedupKey);
      this.recent.set(dedupKey, previous);
      await this.core.patchNamespacedEvent(
        { namespace, name: previous.name, body: { count: previous.count, lastTimestamp: timestamp } },
        mergePatch(),
      );
      return;
    }
    this.pruneOld(t);
    const event: CoreV1Event = {
      metadata: { generateName: `${subject.name}.`, namespace },
      involvedObject: {
        apiVersion: API_GROUP_VERSION,
        kind: KIND,
        name: subject.name,
        namespace,
        ...(subject.uid ? { uid: subject.uid } : {}),
        ...(subject.resourceVersion ? { resourceVersion: subject.resourceVersion } : {}),
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

  /** Forgets Events older than the window, and the oldest ones past AGGREGATED_EVENTS (like client-go's LRU). */
  private pruneOld(t: number): void {
    for (const [k, v] of this.recent) {
      if (this.recent.size < AGGREGATED_EVENTS && t - v.at < this.aggregateWindowMs) break;
      this.recent.delete(k);
    }
  }
}
