/**
 * What a watch event means for the work queue. Keys, not events, are queued: a binding is queued
 * on create, on spec changes (generation), on deletion (and finalizer changes while deleting) and
 * when the reconcile-requested-at annotation changes; our own status and finalizer writes are
 * ignored. When a binding stops claiming its instances (it is gone, or it is deleting and our
 * finalizer is off), the bindings that compete for them are queued: one that lost a conflict to it
 * may now win. The same fan-out (wakeClaimants) runs after a pass changed who holds instances in
 * the ownership ledger, so a binding that lost an instance never keeps a stale Ready. Which
 * instances a binding held comes from the ledger, never from its status (which tenants can write).
 */
import {
  FINALIZER,
  type InstanceRoleBinding,
  RECONCILE_REQUESTED_AT_ANNOTATION,
  bindingKey,
} from '../api/instance-role-binding.js';
import type { BindingView } from '../domain/binding-view.js';
import type { BindingCache } from '../kube/binding-cache.js';
import type { BindingWatchHandlers } from '../kube/binding-informer.js';

export interface WatchHandlerDeps {
  cache: BindingCache;
  enqueue(key: string): void;
  /** An explicit reconcile request re-checks everything, the cached RAM role check included. */
  forgetRole(roleName: string): void;
  /** The instances the binding with this uid holds in the ownership ledger. */
  heldBy?(uid: string): Iterable<string>;
  /** A binding was created, changed its spec, or went: counts that depend on bindings may change. */
  bindingsChanged?(): void;
}

/** Queues the bindings other than `exceptKey` that want one of the instances (named, or by selector in the region). */
export function wakeClaimants(cache: BindingCache, enqueue: (key: string) => void, regionId: string, instanceIds: Iterable<string>, exceptKey: string): void {
  for (const other of cache.competitors(regionId, instanceIds, exceptKey)) enqueue(other.key);
}

export function bindingWatchHandlers({ cache, enqueue, forgetRole, heldBy, bindingsChanged }: WatchHandlerDeps): BindingWatchHandlers {
  /** The bindings that compete with `binding` for the instances it named or held. */
  const wakeCompetitors = (binding: InstanceRoleBinding): void => {
    const viewed = cache.viewOf(binding);
    if (!('view' in viewed)) return;
    const { view } = viewed;
    wakeClaimants(cache, enqueue, view.spec.regionId, [...view.spec.instanceIds, ...(heldBy?.(view.uid) ?? [])], view.key);
  };
  return {
    upsert(binding) {
      const key = bindingKey(binding.metadata);
      const old = cache.get(key);
      cache.upsert(binding);
      const requested = binding.metadata.annotations?.[RECONCILE_REQUESTED_AT_ANNOTATION];
      if (old && requested !== undefined && reconcileRequested(old, binding)) forgetRole(binding.spec.roleName);
      if (shouldReconcile(old, binding)) {
        enqueue(key);
        bindingsChanged?.();
      }
      if (old && releasedClaims(old, binding)) wakeCompetitors(binding);
    },
    remove(binding) {
      cache.remove(bindingKey(binding.metadata));
      wakeCompetitors(binding);
      bindingsChanged?.();
    },
  };
}

/** The fan-out after a pass changed who holds instances: the other claimants look again at once. */
export function holdingsChangedHandler(cache: BindingCache, enqueue: (key: string) => void): (view: BindingView, instanceIds: readonly string[]) => void {
  return (view, instanceIds) => wakeClaimants(cache, enqueue, view.spec.regionId, instanceIds, view.key);
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
