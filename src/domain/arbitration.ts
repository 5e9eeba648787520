/**
 * Who gets an instance when several bindings want it: the active claimants, the holding the
 * ledger records, and which namespaces compete. The planner (live passes and releases) and the
 * audit use it, so they agree. Pure; no I/O.
 *
 * - A claimant targets the instance (explicit ID or selector), is of its region, is in mode
 *   Enforce, is neither suspended nor deleting, and tenancy permits it on that instance by its own
 *   grant. Observe-mode, suspended and unpermitted bindings claim nothing.
 * - A ledger holding counts only while the instance still carries the held role; otherwise the
 *   recorded attachment is gone (stale) and protects nothing.
 * - The owners of the role the instance carries are the namespaces of its holders and of the
 *   claimants that want that role (so a role already there is theirs even when the ledger was lost).
 *   - No owner (no role, or a role nobody holds or wants): every claimant competes.
 *   - One owning namespace: only its claimants compete (a binding of another namespace never
 *     displaces it, however old); within it the oldest decides, as ever.
 *   - Several owning namespaces (the role is shared across namespaces): the role is frozen there;
 *     claimants wanting it share it, every other claimant is in conflict.
 *   Competitors are ordered oldest first; the first decides the instance's role.
 */
import type { BindingView } from './binding-view.js';
import { bindingTargets, compareAge } from './claims.js';
import type { InstanceInfo } from './cloud-facts.js';
import type { Holding } from './ownership.js';
import { type Permissions, identityOf } from './permissions.js';
import { sameRoleName } from './role-names.js';

export interface Arbitration {
  /** Every active claimant (the asking binding included when it is one), oldest first. */
  claimants: BindingView[];
  /** The ledger's holding when it is valid (the instance carries the held role). */
  holding: Holding | undefined;
  /** Namespaces owning the role the instance carries (holders' and wanting claimants'). */
  owners: ReadonlySet<string>;
  /** Several namespaces own the role there: it stays, shared by the claimants wanting it. */
  frozen: boolean;
  /** The claimants that compete, oldest first; [0] decides the instance's role (unless frozen). */
  competing: BindingView[];
  /** The role the instance should carry, or null when no claimant wants anything of it. */
  decided: string | null;
}

/** Whether `candidate` is an active claimant of the instance. */
export function isActiveClaimant(candidate: BindingView, instance: InstanceInfo | undefined, instanceId: string, permissions: Permissions): boolean {
  const spec = candidate.spec;
  if (candidate.deleting || spec.suspend || spec.mode !== 'Enforce') return false;
  if (!bindingTargets(candidate, instance, instanceId)) return false;
  return permissions.instance(identityOf(candidate), instance).permitted;
}

/** The holding when it still describes the instance (it carries the held role). */
export function validHolding(holding: Holding | undefined, observed: string | null): Holding | undefined {
  return holding && observed !== null && sameRoleName(holding.roleName, observed) && holding.holders.length > 0 ? holding : undefined;
}

/**
 * Arbitrates one instance among `candidates` (any bindings; the non-claimants and other regions
 * are dropped here). `self`, when given, is counted as a claimant whatever its state (the planner
 * asks only for an acting, permitted binding).
 */
export function arbitrate(
  self: BindingView | undefined,
  candidates: readonly BindingView[],
  instanceId: string,
  instance: InstanceInfo | undefined,
  observed: string | null,
  recorded: Holding | undefined,
  permissions: Permissions,
): Arbitration {
  const claimants = self ? [self] : [];
  for (const c of candidates) {
    if (c === self || (self && c.key === self.key)) continue;
    if (self && c.spec.regionId !== self.spec.regionId) continue;
    if (isActiveClaimant(c, instance, instanceId, permissions)) claimants.push(c);
  }
  claimants.sort(compareAge);
  const holding = validHolding(recorded, observed);
  const owners = new Set<string>();
  if (observed !== null) {
    for (const h of holding?.holders ?? []) owners.add(namespaceOfKey(h.key));
    for (const c of claimants) if (sameRoleName(c.spec.roleName, observed)) owners.add(c.namespace);
  }
  const frozen = owners.size > 1;
  const competing = owners.size === 0 ? claimants : claimants.filter((c) => owners.has(c.namespace));
  const decided = frozen ? observed : (competing[0]?.spec.roleName ?? (owners.size > 0 ? observed : null));
  return { claimants, holding, owners, frozen, competing, decided };
}

/** The namespace of a "namespace/name" key. */
export function namespaceOfKey(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}
