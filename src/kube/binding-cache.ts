/**
 * The controller's view of every InstanceRoleBinding, fed by the informer. Besides lookups by key
 * it indexes which bindings could target an instance (explicit IDs per instance, selector bindings
 * per region), so a reconcile sees only the bindings that compete with it instead of all of them.
 */
import { type InstanceRoleBinding, bindingKey } from '../api/instance-role-binding.js';
import { DEFAULT_RESYNC_PERIOD_MS } from '../domain/binding-spec.js';
import { type BindingView, type ViewResult, toBindingView } from '../domain/binding-view.js';
import { type CompactSet, valuesOf, withValue, withoutValue } from '../util/compact-set.js';
import type { BindingIndex } from './binding-api.js';

interface Entry {
  binding: InstanceRoleBinding;
  view: BindingView | undefined;
}

export class BindingCache implements BindingIndex {
  /** @param defaultResyncMs drift-check period of bindings without spec.resyncPeriod */
  constructor(readonly defaultResyncMs = DEFAULT_RESYNC_PERIOD_MS) {}

  private readonly entries = new Map<string, Entry>();
  /** regionId -> instanceId -> keys naming the instance explicitly (nearly always one: a compact set) */
  private readonly byInstance = new Map<string, Map<string, CompactSet>>();
  /** regionId -> keys with an instanceSelector */
  private readonly selectorBindings = new Map<string, Set<string>>();

  upsert(binding: InstanceRoleBinding): void {
    const key = bindingKey(binding.metadata);
    this.remove(key);
    const view = this.toView(binding);
    this.entries.set(key, { binding, view });
    if (!view) return;
    const region = view.spec.regionId;
    for (const id of view.spec.instanceIds) {
      let ids = this.byInstance.get(region);
      if (!ids) this.byInstance.set(region, (ids = new Map()));
      ids.set(id, withValue(ids.get(id), key));
    }
    if (view.spec.selector) {
      let keys = this.selectorBindings.get(region);
      if (!keys) this.selectorBindings.set(region, (keys = new Set()));
      keys.add(key);
    }
  }

  remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const view = entry.view;
    if (!view) return;
    const ids = this.byInstance.get(view.spec.regionId);
    if (ids) {
      for (const id of view.spec.instanceIds) {
        const keys = ids.get(id);
        if (keys === undefined) continue;
        const rest = withoutValue(keys, key);
        if (rest) ids.set(id, rest);
        else ids.delete(id);
      }
    }
    this.selectorBindings.get(view.spec.regionId)?.delete(key);
  }

  get(key: string): InstanceRoleBinding | undefined {
    return this.entries.get(key)?.binding;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  size(): number {
    return this.entries.size;
  }

  all(): InstanceRoleBinding[] {
    return [...this.entries.values()].map((e) => e.binding);
  }

  /** The view of every binding whose spec is valid. */
  *views(): IterableIterator<BindingView> {
    for (const entry of this.entries.values()) if (entry.view) yield entry.view;
  }

  /** The planner's view of a binding, or why its spec cannot be used. */
  viewOf(binding: InstanceRoleBinding): ViewResult {
    return toBindingView(binding.metadata, binding.spec, { defaultResyncPeriodMs: this.defaultResyncMs });
  }

  /** The planner's view of a binding, or undefined when its spec is invalid. */
  private toView(binding: InstanceRoleBinding): BindingView | undefined {
    const v = this.viewOf(binding);
    return 'view' in v ? v.view : undefined;
  }

  /** Bindings other than `exceptKey` that name one of the instances or select in the region. */
  competitors(regionId: string, instanceIds: Iterable<string>, exceptKey: string): BindingView[] {
    const keys = new Set<string>(this.selectorBindings.get(regionId) ?? []);
    const ids = this.byInstance.get(regionId);
    if (ids) for (const id of instanceIds) for (const k of valuesOf(ids.get(id))) keys.add(k);
    keys.delete(exceptKey);
    const views: BindingView[] = [];
    for (const k of keys) {
      const view = this.entries.get(k)?.view;
      if (view) views.push(view);
    }
    return views;
  }
}
