/**
 * The emulator's storage: objects per resource (indexed by namespace, then name), one
 * cluster-wide increasing resourceVersion, a bounded per-resource history of changes for watches
 * (older resourceVersions answer 410 Gone), and change listeners.
 */
import type { FieldOwnership } from './field-manager.js';
import type { JsonObject } from './json.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredObject {
  /** Never mutated once stored; clone before changing. */
  readonly object: JsonObject;
  readonly rv: number;
  /** Which field manager owns which fields (server-side apply). */
  readonly owners: FieldOwnership;
}

export interface ChangeEvent {
  rv: number;
  type: ChangeType;
  namespace: string;
  object: JsonObject;
  /** The object before the change (MODIFIED, DELETED). */
  previous?: JsonObject;
}

interface History {
  events: ChangeEvent[];
  /** Every change with rv > startRv is in events. */
  startRv: number;
}

type Listener = (event: ChangeEvent) => void;

export const DEFAULT_HISTORY_LIMIT = 10_000;

export class ObjectStore {
  private rv = 1000;
  private compactedRv = 0;
  private readonly tables = new Map<string, Map<string, Map<string, StoredObject>>>();
  private readonly histories = new Map<string, History>();
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly historyLimit = DEFAULT_HISTORY_LIMIT) {}

  get currentRv(): number {
    return this.rv;
  }

  nextRv(): number {
    this.rv += 1;
    return this.rv;
  }

  get(storageKey: string, namespace: string, name: string): StoredObject | undefined {
    return this.tables.get(storageKey)?.get(namespace)?.get(name);
  }

  /** Objects of one namespace, or of all namespaces when namespace is undefined. */
  *list(storageKey: string, namespace?: string): Generator<StoredObject> {
    const table = this.tables.get(storageKey);
    if (!table) return;
    if (namespace !== undefined) {
      const byName = table.get(namespace);
      if (byName) yield* byName.values();
      return;
    }
    for (const byName of table.values()) yield* byName.values();
  }

  count(storageKey: string, namespace?: string): number {
    const table = this.tables.get(storageKey);
    if (!table) return 0;
    if (namespace !== undefined) return table.get(namespace)?.size ?? 0;
    let n = 0;
    for (const byName of table.values()) n += byName.size;
    return n;
  }

  /** Stores the object at its (already assigned) resourceVersion and tells watchers. */
  put(storageKey: string, namespace: string, name: string, stored: StoredObject, previous: JsonObject | undefined): void {
    let table = this.tables.get(storageKey);
    if (!table) {
      table = new Map();
      this.tables.set(storageKey, table);
    }
    let byName = table.get(namespace);
    if (!byName) {
      byName = new Map();
      table.set(namespace, byName);
    }
    byName.set(name, stored);
    this.record(storageKey, {
      rv: stored.rv,
      type: previous ? 'MODIFIED' : 'ADDED',
      namespace,
      object: stored.object,
      ...(previous ? { previous } : {}),
    });
  }

  /** Removes the object; `finalState` (with the deletion's resourceVersion) goes to watchers. */
  remove(storageKey: string, namespace: string, name: string, finalState: JsonObject, rv: number): void {
    const table = this.tables.get(storageKey);
    const byName = table?.get(namespace);
    const existing = byName?.get(name);
    if (!byName || !existing) return;
    byName.delete(name);
    if (byName.size === 0) table?.delete(namespace);
    this.record(storageKey, { rv, type: 'DELETED', namespace, object: finalState, previous: existing.object });
  }

  /** Drops every object of a resource (its CRD went away), telling watchers. */
  removeAll(storageKey: string, finalState: (obj: JsonObject, rv: number) => JsonObject): void {
    const table = this.tables.get(storageKey);
    if (!table) return;
    for (const [namespace, byName] of [...table.entries()]) {
      for (const [name, stored] of [...byName.entries()]) {
        const rv = this.nextRv();
        this.remove(storageKey, namespace, name, finalState(stored.object, rv), rv);
      }
    }
  }

  /** Changes after `rv`, or 'expired' when the history no longer reaches back that far. */
  changesSince(storageKey: string, rv: number): ChangeEvent[] | 'expired' {
    const history = this.histories.get(storageKey);
    const startRv = Math.max(history?.startRv ?? 0, this.compactedRv);
    if (rv < startRv) return 'expired';
    if (!history) return [];
    const events = history.events;
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((events[mid]?.rv ?? 0) <= rv) lo = mid + 1;
      else hi = mid;
    }
    return events.slice(lo);
  }

  /** The oldest resourceVersion a watch of this resource may still start from. */
  oldestWatchableRv(storageKey: string): number {
    return Math.max(this.histories.get(storageKey)?.startRv ?? 0, this.compactedRv);
  }

  subscribe(storageKey: string, listener: Listener): () => void {
    let set = this.listeners.get(storageKey);
    if (!set) {
      set = new Set();
      this.listeners.set(storageKey, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Starts (or restarts) a resource's watch window at the current resourceVersion, as kube-apiserver's
   * watch cache starts when it begins serving the resource: older resourceVersions get 410 Gone.
   */
  startWatchWindow(storageKey: string): void {
    const history = this.histories.get(storageKey);
    if (history) {
      history.events = history.events.filter((e) => e.rv > this.rv);
      history.startRv = this.rv;
    } else {
      this.histories.set(storageKey, { events: [], startRv: this.rv });
    }
  }

  /** Forgets all history: watches and continue tokens from before now get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    for (const history of this.histories.values()) {
      history.events = [];
      history.startRv = this.rv;
    }
  }

  private record(storageKey: string, event: ChangeEvent): void {
    let history = this.histories.get(storageKey);
    if (!history) {
      history = { events: [], startRv: Math.max(this.compactedRv, event.rv - 1) };
      this.histories.set(storageKey, history);
    }
    history.events.push(event);
    if (history.events.length > this.historyLimit) {
      const dropped = history.events.splice(0, Math.ceil(this.historyLimit / 4));
      history.startRv = dropped[dropped.length - 1]?.rv ?? history.startRv;
    }
    const set = this.listeners.get(storageKey);
    if (set) for (const listener of [...set]) listener(event);
  }
}
