/**
 * The ownership ledger: which bindings hold which instance, and with which role. It is the only
 * proof the operator accepts of what it attached (or adopted) for a binding: the role-change path
 * (detach A, attach B), the release of instances a binding no longer targets, and the finalizer
 * read it — never spec, annotations or status, which tenants can write. Only the operator writes
 * it (kube/ownership-store.ts keeps it in ConfigMaps of the operator's own namespace). Pure: no I/O.
 *
 * An instance carries at most one role, so its holders all hold the same role; holding another
 * role replaces them.
 */
import { type CompactSet, hasValue, valuesOf, withValue, withoutValue } from '../util/compact-set.js';
import { roleNameKey, sameRoleName } from './role-names.js';

export interface BindingRef {
  /** "namespace/name" */
  key: string;
  uid: string;
}

export interface Holding {
  roleName: string;
  holders: readonly BindingRef[];
}

/** What the reconciler reads. */
export interface OwnershipView {
  holding(instanceId: string): Holding | undefined;
  /** instanceId → role, for every instance the binding (by uid) holds. */
  heldBy(uid: string): ReadonlyMap<string, string>;
}

export type DirtyListener = (instanceIds: readonly string[]) => void;

/** One instance's holding: the role and the uids of its holders (nearly always one). */
interface Held {
  roleName: string;
  holders: CompactSet;
}

/** One binding's side: its key (a uid has one namespace/name) and the instances it holds. */
interface Holder {
  key: string;
  instances: CompactSet;
}

/**
 * Stored compactly (50,000 instances take one small object each, not a Map each): per instance its
 * role and holder uids, per binding uid its key and instance IDs. The role a binding holds an
 * instance with is the instance's role, so it is kept once. Every holder of an instance has the
 * instance among its instances, and the other way round.
 */
export class OwnershipLedger implements OwnershipView {
  private readonly byInstance = new Map<string, Held>();
  private readonly byBinding = new Map<string, Holder>();
  private readonly listeners = new Set<DirtyListener>();

  holding(instanceId: string): Holding | undefined {
    const held = this.byInstance.get(instanceId);
    if (!held) return undefined;
    return { roleName: held.roleName, holders: [...valuesOf(held.holders)].map((uid) => ({ key: this.keyOf(uid), uid })) };
  }

  /** A new map on each call (callers read it; changes of the ledger do not show in it). */
  heldBy(uid: string): ReadonlyMap<string, string> {
    const holder = this.byBinding.get(uid);
    if (!holder) return EMPTY;
    return new Map([...valuesOf(holder.instances)].map((id) => [id, this.roleOf(id)]));
  }

  /** The binding holds the instance with this role (after attaching it, or finding it there). */
  hold(instanceId: string, roleName: string, binding: BindingRef): void {
    const held = this.byInstance.get(instanceId);
    const sameRole = held !== undefined && sameRoleName(held.roleName, roleName);
    if (sameRole && hasValue(held.holders, binding.uid) && this.byBinding.get(binding.uid)?.key === binding.key) return;
    if (sameRole) held.holders = withValue(held.holders, binding.uid);
    else {
      if (held) this.unlinkAll(instanceId, held.holders);
      this.byInstance.set(instanceId, { roleName, holders: withValue(undefined, binding.uid) });
    }
    this.link(binding, instanceId);
    this.changed([instanceId]);
  }

  /** The binding no longer holds the instance (it let the role go, or the role was detached). */
  release(instanceId: string, uid: string): void {
    const held = this.byInstance.get(instanceId);
    if (!held || !hasValue(held.holders, uid)) return;
    const rest = withoutValue(held.holders, uid);
    if (rest === undefined) this.byInstance.delete(instanceId);
    else held.holders = rest;
    this.unlink(uid, instanceId);
    this.changed([instanceId]);
  }

  /** The role of the instance is gone (detached, or found missing): nobody holds it any more. */
  forget(instanceId: string): void {
    const held = this.byInstance.get(instanceId);
    if (!held) return;
    this.unlinkAll(instanceId, held.holders);
    this.byInstance.delete(instanceId);
    this.changed([instanceId]);
  }

  /** The binding holds nothing any more (its finalizer is done). */
  releaseAll(uid: string): void {
    const holder = this.byBinding.get(uid);
    if (holder) for (const instanceId of [...valuesOf(holder.instances)]) this.release(instanceId, uid);
  }

  /** Drops the holdings of bindings that no longer exist (their finalizer was removed by hand). */
  retainOnly(liveUids: ReadonlySet<string>): string[] {
    const gone = [...this.byBinding.keys()].filter((uid) => !liveUids.has(uid));
    for (const uid of gone) this.releaseAll(uid);
    return gone;
  }

  /** Replaces the whole content (loading from storage); notifies no listener. */
  load(entries: Iterable<readonly [string, Holding]>): void {
    this.byInstance.clear();
    this.byBinding.clear();
    for (const [instanceId, holding] of entries) {
      if (holding.holders.length === 0) continue;
      const before = this.byInstance.get(instanceId);
      if (before) this.unlinkAll(instanceId, before.holders);
      let holders: CompactSet | undefined;
      for (const binding of holding.holders) {
        holders = withValue(holders, binding.uid);
        this.link(binding, instanceId);
      }
      this.byInstance.set(instanceId, { roleName: holding.roleName, holders: holders as CompactSet });
    }
  }

  /** Every instance with its holding (for persistence). */
  *entries(): IterableIterator<[string, Holding]> {
    for (const instanceId of this.byInstance.keys()) yield [instanceId, this.holding(instanceId) as Holding];
  }

  get size(): number {
    return this.byInstance.size;
  }

  onDirty(listener: DirtyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private keyOf(uid: string): string {
    return (this.byBinding.get(uid) as Holder).key;
  }

  private roleOf(instanceId: string): string {
    return (this.byInstance.get(instanceId) as Held).roleName;
  }

  /** Records the instance among the binding's; the binding's key is the one last given. */
  private link(binding: BindingRef, instanceId: string): void {
    const holder = this.byBinding.get(binding.uid);
    if (!holder) this.byBinding.set(binding.uid, { key: binding.key, instances: withValue(undefined, instanceId) });
    else {
      holder.key = binding.key;
      holder.instances = withValue(holder.instances, instanceId);
    }
  }

  /** Removes the instance from the binding's; a binding left with none is dropped. */
  private unlink(uid: string, instanceId: string): void {
    const holder = this.byBinding.get(uid);
    if (!holder) return;
    const rest = withoutValue(holder.instances, instanceId);
    if (rest === undefined) this.byBinding.delete(uid);
    else holder.instances = rest;
  }

  private unlinkAll(instanceId: string, holders: CompactSet): void {
    for (const uid of valuesOf(holders)) this.unlink(uid, instanceId);
  }

  private changed(instanceIds: readonly string[]): void {
    for (const listener of this.listeners) listener(instanceIds);
  }
}

const EMPTY: ReadonlyMap<string, string> = new Map();

/** Whether a holding's role is this role (by the one comparison of role names). */
export function holdsRole(holding: Holding | undefined, roleName: string): boolean {
  return holding !== undefined && roleNameKey(holding.roleName) === roleNameKey(roleName);
}

/**
 * A change of the ledger a pass decides for the binding it plans (domain/ledger-changes.ts says
 * which): hold (it attached the role, or found it there and adopts or shares it), release (only this
 * binding lets go; others keep holding), forget (the recorded role is gone from the instance).
 */
export type LedgerChange =
  | { kind: 'hold'; instanceId: string; roleName: string }
  | { kind: 'release'; instanceId: string }
  | { kind: 'forget'; instanceId: string };

/** Applies a pass's changes for one binding; returns the instances whose holding changed. */
export function applyLedgerChanges(ledger: OwnershipLedger, binding: BindingRef, changes: readonly LedgerChange[]): string[] {
  const changed = new Set<string>();
  const unsubscribe = ledger.onDirty((ids) => {
    for (const id of ids) changed.add(id);
  });
  try {
    for (const change of changes) {
      if (change.kind === 'hold') ledger.hold(change.instanceId, change.roleName, binding);
      else if (change.kind === 'release') ledger.release(change.instanceId, binding.uid);
      else ledger.forget(change.instanceId);
    }
  } finally {
    unsubscribe();
  }
  return [...changed].sort();
}
