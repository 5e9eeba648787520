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

export class OwnershipLedger implements OwnershipView {
  private readonly byInstance = new Map<string, { roleName: string; holders: Map<string, string> }>();
  private readonly byBinding = new Map<string, Map<string, string>>();
  private readonly listeners = new Set<DirtyListener>();

  holding(instanceId: string): Holding | undefined {
    const entry = this.byInstance.get(instanceId);
    if (!entry) return undefined;
    return { roleName: entry.roleName, holders: [...entry.holders].map(([uid, key]) => ({ key, uid })) };
  }

  heldBy(uid: string): ReadonlyMap<string, string> {
    return this.byBinding.get(uid) ?? EMPTY;
  }

  /** The binding holds the instance with this role (after attaching it, or finding it there). */
  hold(instanceId: string, roleName: string, binding: BindingRef): void {
    const entry = this.byInstance.get(instanceId);
    if (entry && sameRoleName(entry.roleName, roleName) && entry.holders.get(binding.uid) === binding.key) return;
    if (entry && !sameRoleName(entry.roleName, roleName)) {
      for (const uid of entry.holders.keys()) this.byBinding.get(uid)?.delete(instanceId);
      entry.holders.clear();
      entry.roleName = roleName;
    }
    const target = entry ?? { roleName, holders: new Map<string, string>() };
    target.holders.set(binding.uid, binding.key);
    this.byInstance.set(instanceId, target);
    let held = this.byBinding.get(binding.uid);
    if (!held) {
      held = new Map();
      this.byBinding.set(binding.uid, held);
    }
    held.set(instanceId, target.roleName);
    this.changed([instanceId]);
  }

  /** The binding no longer holds the instance (it let the role go, or the role was detached). */
  release(instanceId: string, uid: string): void {
    const entry = this.byInstance.get(instanceId);
    if (!entry?.holders.delete(uid)) return;
    if (entry.holders.size === 0) this.byInstance.delete(instanceId);
    const held = this.byBinding.get(uid);
    held?.delete(instanceId);
    if (held?.size === 0) this.byBinding.delete(uid);
    this.changed([instanceId]);
  }

  /** The role of the instance is gone (detached, or found missing): nobody holds it any more. */
  forget(instanceId: string): void {
    const entry = this.byInstance.get(instanceId);
    if (!entry) return;
    for (const uid of entry.holders.keys()) {
      const held = this.byBinding.get(uid);
      held?.delete(instanceId);
      if (held?.size === 0) this.byBinding.delete(uid);
    }
    this.byInstance.delete(instanceId);
    this.changed([instanceId]);
  }

  /** Replaces the whole content (loading from storage); notifies no listener. */
  load(entries: Iterable<readonly [string, Holding]>): void {
    this.byInstance.clear();
    this.byBinding.clear();
    for (const [instanceId, holding] of entries) {
      if (holding.holders.length === 0) continue;
      const holders = new Map(holding.holders.map((h) => [h.uid, h.key]));
      this.byInstance.set(instanceId, { roleName: holding.roleName, holders });
      for (const uid of holders.keys()) {
        let held = this.byBinding.get(uid);
        if (!held) {
          held = new Map();
          this.byBinding.set(uid, held);
        }
        held.set(instanceId, holding.roleName);
      }
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

  private changed(instanceIds: readonly string[]): void {
    for (const listener of this.listeners) listener(instanceIds);
  }
}

const EMPTY: ReadonlyMap<string, string> = new Map();

/** Whether a holding's role is this role (by the one comparison of role names). */
export function holdsRole(holding: Holding | undefined, roleName: string): boolean {
  return holding !== undefined && roleNameKey(holding.roleName) === roleNameKey(roleName);
}
