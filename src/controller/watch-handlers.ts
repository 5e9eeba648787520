/**
 * What a watch event means for the work queue. Keys, not events, are queued: a binding is queued
 * on create, on spec changes (generation), on deletion (and finalizer changes while deleting) and
 * when the reconcile-requested-at annotation changes; our own status and finalizer writes are
 * ignored. When a binding stops claiming its instances (it is gone, or it is deleting and our
 * finalizer is off), the bindings that compete for them are queued: one that lost a conflict to it
 * may now win.
 */
import {
  FINALIZER,
  type InstanceRoleBinding,
  RECONCILE_REQUESTED_AT_ANNOTATION,
  bindingKey,
} from '../api/instance-role-binding.js';
import type { BindingCache } from '../kube/binding-cache.js';
import type { BindingWatchHandlers } from '../kube/binding-informer.js';

export interface WatchHandlerDeps {
  cache: BindingCache;
  enqueue(key: string): void;
  /** An explicit reconcile request re-checks everything, the cached RAM role check included. */
  forgetRole(roleName: string): void;
}

export function bindingWatchHandlers({ cache, enqueue, forgetRole }: WatchHandlerDeps): BindingWatchHandlers {
  /** The bindings that compete with `binding` for the instances it named or last targeted. */
  const wakeCompetitors = (binding: InstanceRoleBinding): void => {
    const viewed = cache.viewOf(binding);
    if (!('view' in viewed)) return;
    const { view } = viewed;
    const targeted = [...view.spec.instanceIds, ...(binding.status?.instances ?? []).map((i) => i.instanceId)];
    for (const other of cache.competitors(view.spec.regionId, targeted, view.key)) enqueue(other.key);
  };
  return {
    upsert(binding) {
      const key = bindingKey(binding.metadata);
      const old = cache.get(key);
      cache.upsert(binding);
      const requested = binding.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
      if (old && requested !== undefined && reconcileRequested(old, binding)) forgetRole(binding.spec.roleName);
      if (shouldReconcile(old, binding)) enqueue(key);
      if (old && releasedClaims(old, binding)) wakeCompetitors(binding);
    },
    remove(binding) {
      cache.remove(bindingKey(binding.metadata));
      wakeCompetitors(binding);
    },
  };
}

/** Predicate: does this change need a reconcile? */
export function shouldReconcile(old: InstanceRoleBinding | undefined, next: InstanceRoleBinding): boolean {
  if (!old) return true;
  if (old.metadata.uid !== next.metadata.uid) return true;
  if (old.metadata.generation !== next.metadata.generation) return true;
  if (Boolean(old.metadata.deletionTimestamp) !== Boolean(next.metadata.deletionTimestamp)) return true;
  if (next.metadata.deletionTimestamp && (old.metadata.finalizers ?? []).join(',') !== (next.metadata.finalizers ?? []).join(',')) {
    return true;
  }
  return reconcileRequested(old, next);
}

function reconcileRequested(old: InstanceRoleBinding, next: InstanceRoleBinding): boolean {
  const annotation = RECONCILE_REQUESTED_AT_ANNOTATION;
  return old.metadata.annotations?.[annotation] !== next.metadata.annotations?.[annotation];
}

/** A deleting binding whose cleanup is done (our finalizer came off) claims nothing any more. */
function releasedClaims(old: InstanceRoleBinding, next: InstanceRoleBinding): boolean {
  const hadOurs = (old.metadata.finalizers ?? []).includes(FINALIZER);
  const hasOurs = (next.metadata.finalizers ?? []).includes(FINALIZER);
  return Boolean(next.metadata.deletionTimestamp) && hadOurs && !hasOurs;
}
