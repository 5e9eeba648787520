/**
 * THE decision, as a pure function: one binding's desired state, the bindings competing with it,
 * what tenancy permits, what the ownership ledger records and what the cloud shows → a state per
 * targeted instance, the ordered actions that move the world one step closer, and the ledger
 * changes that need no cloud call. No I/O, no clock, no randomness: the same input always gives
 * the same plan.
 *
 * Terms (arbitration.ts): a claimant of an instance targets it, is of its region, in mode Enforce,
 * neither suspended nor deleting, and permitted on it by tenancy. The ledger (ownership.ts) is the
 * only proof of what the operator attached or adopted for which binding; spec, annotations and
 * status never count. A ledger record counts only while the instance carries the recorded role.
 *
 * A binding tenancy does not permit at all (no InstanceRolePolicy selects its namespace and
 * permits its role) never reaches the planner: the reconciler stops before reading the cloud.
 *
 * Per-instance rules of plan() (mode Enforce), checked in this order; the first that applies wins:
 *
 *  T. Not permitted on this instance (permissions.instance, the binding's own grant)
 *       - named in spec.instanceIds                      → NotPermitted with notPermittedMessage and
 *                                                          nothing else (no role, tags, network; the
 *                                                          same whether or not it exists), no action;
 *       - matched by the selector only                   → dropped: not listed at all.
 *     The reconciler reads no role there either (DescribeInstanceRamRole is never called for it).
 *  1. Not described (absent from `instances`)            → NotFound, no action.
 *  2. Classic network                                    → NotVpc, no action (only VPC instances can
 *                                                          carry a role; nothing here will change that).
 *  3. Role not observed (absent from `observedRoles`)    → Error with the observe error, no action.
 *  4. Who competes (arbitration.ts). The owners of the role R the instance carries are the
 *     namespaces of its holders (ledger) and of the claimants that want R.
 *       a. Several owning namespaces: R is frozen there. This binding wants R → Bound (it shares
 *          it); otherwise → Conflict: R is held or claimed by bindings of other namespaces and is
 *          never replaced; no action.
 *       b. One owning namespace that is not this binding's → Conflict: the instance is held for (or
 *          its role claimed by) a binding of another namespace, never named; no action. However old
 *          this binding is, and whatever its edit, it never takes the instance.
 *       c. Otherwise the competitors are the claimants of the owning namespace, or every claimant
 *          when nobody owns R (or there is no role).
 *  5. The oldest competitor (compareAge) decides the role; competitors that want the same role share
 *     it. The oldest wants another role than this binding → Conflict, naming it when it is of this
 *     namespace ("an older binding of another namespace" otherwise), no action.
 *  6. Observed role == spec.roleName (sameRoleName)     → Bound, no action; the ledger records the
 *                                                          hold (adoption, or sharing).
 *  7. Observed role R != spec.roleName (this binding's namespace is the only owner, or nobody owns
 *     R). R may be replaced when:
 *       a. this namespace owns R and every binding the ledger says holds it is a claimant here (this
 *          binding itself in a roleName change A→B, or a binding of this namespace that now yields
 *          to the older claim); a holder that claims nothing now (suspended, mode Observe, not
 *          permitted) keeps it → Conflict naming that binding;
 *       b. nobody owns R, spec.takeover is true and a permitting policy that covers the instance sets
 *          allowTakeover (always, under --tenancy=disabled); otherwise → Conflict saying what
 *          takeover needs, no action.
 *  8. The RAM role check failed: role missing or not trusted by ecs.aliyuncs.com
 *                                                        → Error with the stall message (plan.stalled is
 *                                                          set), no action: nothing is detached for a
 *                                                          role that cannot be attached.
 *     The role check itself could not be done ('unknown') → Pending, no action.
 *  9. No role                                            → Attaching: [attach spec.roleName].
 * 10. Another role R (allowed by 7)                      → Detaching: [detach R, attach spec.roleName].
 *     The detach names R, so a role someone else put there meanwhile is never removed; a crash
 *     between the two calls leaves no role, which the next pass attaches by rule 9 (the ledger
 *     still records R for this binding until the detach is confirmed).
 *
 * Ledger changes without a cloud call: Bound records the hold (rule 6); a record this binding holds
 * whose role the instance no longer carries is forgotten. After the calls, ledger-changes.ts adds
 * hold for each attach and forget for each detach (or a detach that found the role gone).
 *
 * Mode Observe: rule T, rules 1-3, then every instance is Observed with its observedRole; never
 * any action or ledger change, and the role check is ignored. Observe-mode bindings claim nothing.
 * Suspended bindings are not planned (the reconciler skips the planner; computeStatus reports
 * it); called for one anyway, plan() behaves as Observe. A deleting binding is released with
 * planRelease, never planned: plan() treats it as Observe too.
 *
 * planRelease (the finalizer, and instances a binding no longer targets), per instance the
 * binding holds in the ledger (whatever its spec has become):
 *
 *  R1. Not described                                     → the instance is gone: forget.
 *  R2. Not permitted any more (the binding's grant for spec.roleName, or for the held role on the
 *      instance)                                         → release the hold, no action: losing
 *                                                          permission stops every action, and the
 *                                                          role attached is left as it is.
 *  R3. Classic network, or role not observed             → as rules 2-3 (an unobserved role keeps
 *                                                          the hold: the release is retried).
 *  R4. The instance no longer carries the held role      → forget (the recorded attachment is gone),
 *                                                          no action: a role someone else put there
 *                                                          is never removed.
 *  R5. Mode Observe or deletionPolicy Orphan             → release the hold, no action.
 *  R6. A sharer wants the held role there: another binding of the region, not deleting, in mode
 *      Enforce, that targets the instance, wants the role and is permitted on it by its own grant
 *      (a suspended one only when it holds the instance too)
 *                                                        → release this binding's hold only, no
 *                                                          action; the sharer keeps the role.
 *  R7. Otherwise                                         → Detaching: [detach the held role].
 *
 * plan.stalled is set whenever (mode Enforce) the role is missing or not trusted, even if no
 * instance needs an attach right now: the spec itself is unusable and the user must know.
 */
import type { InstanceState } from '../api/instance-role-binding.js';
import { type Arbitration, arbitrate, validHolding } from './arbitration.js';
import type { BindingView } from './binding-view.js';
import { bindingTargets } from './claims.js';
import { ECS_SERVICE_PRINCIPAL, type InstanceInfo, type Observation, type RoleCheck } from './cloud-facts.js';
import { byInstanceId } from './instance-states.js';
import type { LedgerChange, OwnershipView } from './ownership.js';
import { type Permissions, holderIdentity, identityOf } from './permissions.js';
import { CONDITION_REASONS, asClause } from './reasons.js';
import { sameRoleName } from './role-names.js';
import { notPermittedMessage } from './tenancy.js';

/** Everything one plan is computed from: the binding, its competitors, tenancy, the ledger, the cloud. */
export interface PlanInput extends Observation {
  binding: BindingView;
  /** Every other known binding that may compete (any region; other regions and non-claimants are ignored). */
  others: BindingView[];
  /** What tenancy permits. */
  permissions: Permissions;
  /** The ownership ledger: who holds which instance with which role. */
  ownership: Pick<OwnershipView, 'holding'>;
  /** RAM GetRole result for spec.roleName; 'unknown' when the check itself failed or was not made. */
  role: RoleCheck;
}

/** What a release is computed from: PlanInput without the role check, plus what the binding holds. */
export interface ReleaseInput extends Omit<PlanInput, 'role'> {
  /** instanceId → role this binding holds there (ledger.heldBy), the instances to release. */
  held: ReadonlyMap<string, string>;
}

export type PlannedAction =
  | { kind: 'detach'; instanceId: string; roleName: string }
  | { kind: 'attach'; instanceId: string; roleName: string };

export interface InstancePlan {
  instanceId: string;
  state: InstanceState;
  observedRole?: string;
  message?: string;
  /** Ordered: detach before attach. */
  actions: PlannedAction[];
  /** A ledger change that needs no cloud call (adoption, a stale record, letting go). */
  ledger?: LedgerChange;
}

export interface PlanStall {
  reason: 'RoleNotFound' | 'RoleNotTrusted';
  message: string;
}

export interface Plan {
  /** Sorted by instanceId. */
  instances: InstancePlan[];
  /** Every action: all detaches first, then all attaches (each group sorted by instanceId). */
  actions: PlannedAction[];
  stalled?: PlanStall;
}

/** Why a role cannot be attached, or undefined when it can (or when we cannot tell yet). */
export function roleStall(roleName: string, role: RoleCheck): PlanStall | undefined {
  if (role === 'unknown') return undefined;
  if (!role.exists) {
    return { reason: 'RoleNotFound', message: `RAM role ${roleName} does not exist: ${asClause(CONDITION_REASONS.RoleNotFound.fix)}` };
  }
  if (!role.trustsEcs) {
    return {
      reason: 'RoleNotTrusted',
      message: `RAM role ${roleName} cannot be attached to ECS instances because its trust policy does not let ${ECS_SERVICE_PRINCIPAL} assume it: ${asClause(CONDITION_REASONS.RoleNotTrusted.fix)}`,
    };
  }
  return undefined;
}

/** Plans one pass of a live binding. See the rules at the top of this file. */
export function plan(planInput: PlanInput): Plan {
  const input = withRelevantOthers(planInput);
  const { binding } = input;
  const spec = binding.spec;
  const acting = spec.mode === 'Enforce' && !spec.suspend && !binding.deleting;
  const stalled = acting ? roleStall(spec.roleName, input.role) : undefined;
  const explicit = new Set(spec.instanceIds);
  const instances: InstancePlan[] = [];
  for (const id of uniqueSorted(input.targetIds)) {
    const instance = input.instances.get(id);
    if (!input.permissions.instance(identityOf(binding), instance).permitted) {
      // Rule T: an explicit ID is reported without a word about the instance; a selector match is not listed.
      if (explicit.has(id)) instances.push({ instanceId: id, state: 'NotPermitted', message: notPermittedMessage(binding.namespace, spec.regionId), actions: [] });
      continue;
    }
    const unusable = describeUnusable(input, id);
    if (unusable) {
      instances.push(unusable);
      continue;
    }
    const observed = input.observedRoles.get(id) ?? null;
    instances.push(acting ? withStaleRecord(input, id, observed, planEnforced(input, id, instance as InstanceInfo, observed, stalled)) : planObserved(input, id, observed));
  }
  return assemble(instances, stalled);
}

/** Plans the release of what the binding holds (see R1-R7 at the top of this file). */
export function planRelease(releaseInput: ReleaseInput): Plan {
  const input = withRelevantOthers(releaseInput);
  const { binding, held } = input;
  const spec = binding.spec;
  const bindingPermitted = input.permissions.binding(identityOf(binding)).permitted;
  const instances = [...held.keys()].sort().map((id): InstancePlan => {
    const heldRole = held.get(id) as string;
    const instance = input.instances.get(id);
    if (!instance) {
      return { instanceId: id, state: 'NotFound', message: `instance ${id} no longer exists in region ${spec.regionId}; nothing to detach`, actions: [], ledger: forget(id) };
    }
    if (!bindingPermitted || !input.permissions.instance(holderIdentity(binding, heldRole), instance).permitted) {
      return {
        instanceId: id,
        state: 'NotPermitted',
        message: `no longer permitted for namespace ${binding.namespace}: role ${heldRole} is left attached (a cluster admin can detach it, or permit the namespace again so that deleting the binding detaches it)`,
        actions: [],
        ledger: release(id),
      };
    }
    const unusable = describeUnusable(input, id);
    if (unusable) return instance.networkType === 'vpc' ? unusable : { ...unusable, ledger: forget(id) };
    const observed = input.observedRoles.get(id) ?? null;
    if (!sameRoleName(observed, heldRole)) {
      const message = observed === null ? `role ${heldRole} is not attached any more; nothing to detach` : `carries role ${observed}, not ${heldRole}; left as it is`;
      return withObserved({ instanceId: id, state: 'Pending', message, actions: [], ledger: forget(id) }, observed);
    }
    const carried = observed as string;
    if (spec.mode === 'Observe') {
      return { instanceId: id, state: 'Observed', observedRole: carried, message: 'mode Observe: left as it is', actions: [], ledger: release(id) };
    }
    if (spec.deletionPolicy === 'Orphan') {
      return { instanceId: id, state: 'Bound', observedRole: carried, message: `deletionPolicy Orphan: role ${carried} left attached`, actions: [], ledger: release(id) };
    }
    const sharer = sharerOf(input, id, instance, carried);
    if (sharer) {
      const who = sharer.namespace === binding.namespace ? `binding ${sharer.key}` : 'a binding of another namespace';
      return { instanceId: id, state: 'Bound', observedRole: carried, message: `role ${carried} kept: ${who} also wants it`, actions: [], ledger: release(id) };
    }
    return {
      instanceId: id,
      state: 'Detaching',
      observedRole: carried,
      message: `detaching role ${carried} (deletionPolicy Detach)`,
      actions: [{ kind: 'detach', instanceId: id, roleName: carried }],
    };
  });
  return assemble(instances, undefined);
}

/** Rules 1-3: instances nothing can be done with (or nothing is known about). */
function describeUnusable(input: Observation & { binding: BindingView }, id: string): InstancePlan | undefined {
  const instance = input.instances.get(id);
  if (!instance) {
    return {
      instanceId: id,
      state: 'NotFound',
      message: `instance ${id} was not found in region ${input.binding.spec.regionId}: remove it from spec.instanceIds or fix spec.regionId`,
      actions: [],
    };
  }
  if (instance.networkType !== 'vpc') {
    return {
      instanceId: id,
      state: 'NotVpc',
      message: `instance ${id} is on the ${instance.networkType} network; only VPC instances can carry a RAM role (remove it from the binding or migrate it to a VPC)`,
      actions: [],
    };
  }
  if (!input.observedRoles.has(id)) {
    const why = input.observeErrors.get(id) ?? 'the attached RAM role could not be read';
    return { instanceId: id, state: 'Error', message: `cannot observe instance ${id}: ${why}`, actions: [] };
  }
  return undefined;
}

function planObserved(input: PlanInput, id: string, observed: string | null): InstancePlan {
  const spec = input.binding.spec;
  const reason = spec.suspend ? 'suspended' : input.binding.deleting ? 'deleting' : 'mode Observe';
  const message = sameRoleName(observed, spec.roleName)
    ? undefined
    : observed === null
      ? `no role attached; spec.roleName is ${spec.roleName} (${reason}: no changes are made)`
      : `carries role ${observed}; spec.roleName is ${spec.roleName} (${reason}: no changes are made)`;
  return withObserved({ instanceId: id, state: 'Observed', ...(message ? { message } : {}), actions: [] }, observed);
}

/** Rules 4-10. */
function planEnforced(input: PlanInput, id: string, instance: InstanceInfo, observed: string | null, stalled: PlanStall | undefined): InstancePlan {
  const { binding } = input;
  const roleName = binding.spec.roleName;
  const arbitration = arbitrate(binding, input.others, id, instance, observed, input.ownership.holding(id), input.permissions);

  // Rule 4a: a role several namespaces own stays; only its wanters are served.
  if (arbitration.frozen) {
    if (observed !== null && sameRoleName(observed, roleName)) return bound(id, observed);
    return withObserved(
      { instanceId: id, state: 'Conflict', message: `carries role ${observed ?? ''}, which bindings of several namespaces hold or claim here; it is never replaced for this binding's role ${roleName}`, actions: [] },
      observed,
    );
  }
  // Rule 4b: another namespace owns the instance's role.
  if (!arbitration.competing.includes(binding)) {
    const whose = arbitration.holding ? 'it is held for a binding of another namespace' : `its role ${observed ?? ''} is claimed by a binding of another namespace`;
    return withObserved({ instanceId: id, state: 'Conflict', message: `${whose}; this binding's role ${roleName} is not applied`, actions: [] }, observed);
  }

  // Rule 5: the oldest competitor decides; a different role than ours means we lose here.
  const winner = arbitration.competing[0] as BindingView;
  if (!sameRoleName(winner.spec.roleName, roleName)) {
    const message =
      winner.namespace === binding.namespace
        ? `older binding ${winner.key} wants role ${winner.spec.roleName} on this instance (the oldest binding wins); this binding's role ${roleName} is not applied`
        : `an older binding of another namespace claims this instance; this binding's role ${roleName} is not applied`;
    return withObserved({ instanceId: id, state: 'Conflict', message, actions: [] }, observed);
  }

  // Rule 6: desired role already there (adoption and sharing included): the ledger records it.
  if (observed !== null && sameRoleName(observed, roleName)) return bound(id, observed);

  // Rule 7: may another role be replaced?
  let replaceWhy: string | undefined;
  if (observed !== null) {
    const verdict = replacement(input, arbitration, observed, instance);
    if ('conflict' in verdict) return { instanceId: id, state: 'Conflict', observedRole: observed, message: verdict.conflict, actions: [] };
    replaceWhy = verdict.why;
  }

  // Rule 8: never detach or attach for a role that cannot be attached.
  if (stalled) return withObserved({ instanceId: id, state: 'Error', message: stalled.message, actions: [] }, observed);
  if (input.role === 'unknown') {
    return withObserved({ instanceId: id, state: 'Pending', message: `waiting for the check of RAM role ${roleName}`, actions: [] }, observed);
  }

  // Rule 9.
  if (observed === null) {
    return { instanceId: id, state: 'Attaching', message: `attaching role ${roleName}`, actions: [{ kind: 'attach', instanceId: id, roleName }] };
  }
  // Rule 10.
  return {
    instanceId: id,
    state: 'Detaching',
    observedRole: observed,
    message: `${replaceWhy}: detaching ${observed}, then attaching ${roleName}`,
    actions: [
      { kind: 'detach', instanceId: id, roleName: observed },
      { kind: 'attach', instanceId: id, roleName },
    ],
  };
}

/** A record this binding holds for a role the instance no longer carries: the attachment is gone, forget it. */
function withStaleRecord(input: PlanInput, id: string, observed: string | null, p: InstancePlan): InstancePlan {
  if (p.ledger) return p;
  const recorded = input.ownership.holding(id);
  if (!recorded || validHolding(recorded, observed) || !recorded.holders.some((h) => h.uid === input.binding.uid)) return p;
  return { ...p, ledger: forget(id) };
}

/** Rule 7: whether the role R the instance carries may be replaced, and why (or why not). */
function replacement(input: PlanInput, arbitration: Arbitration, observed: string, instance: InstanceInfo): { why: string } | { conflict: string } {
  const { binding } = input;
  const roleName = binding.spec.roleName;
  const { holding, claimants, owners } = arbitration;
  if (owners.size > 0) {
    // 7a: this namespace alone owns R.
    const claiming = new Set(claimants.map((c) => c.uid));
    const idle = (holding?.holders ?? []).filter((h) => !claiming.has(h.uid));
    if (idle.length > 0) {
      return {
        conflict: `carries role ${observed}, held for binding ${idle.map((h) => h.key).join(', ')}, which does not claim it now (suspended, mode Observe or not permitted here); resolve that binding first`,
      };
    }
    if (holding?.holders.some((h) => h.uid === binding.uid)) return { why: `role change: ${observed} was this binding's previous role` };
    const yielding = holding?.holders[0]?.key ?? claimants.find((c) => c !== binding && sameRoleName(c.spec.roleName, observed))?.key ?? 'another binding';
    return { why: `role ${observed} of binding ${yielding} yields to the older claim` };
  }
  // 7b: nobody owns R.
  const grant = input.permissions.instance(identityOf(binding), instance);
  const takeoverAllowed = grant.permitted && grant.allowTakeover;
  if (binding.spec.takeover && takeoverAllowed) return { why: `spec.takeover: replacing role ${observed}, which no binding claims` };
  if (binding.spec.takeover) {
    const policy = grant.permitted && grant.policy !== null ? `InstanceRolePolicy ${grant.policy}` : 'the permitting InstanceRolePolicy';
    return {
      conflict: `carries role ${observed}, which no InstanceRoleBinding claims for it; spec.takeover is true but ${policy} does not allow takeover (a cluster admin can set spec.allowTakeover: true)`,
    };
  }
  return { conflict: `carries role ${observed}, which no InstanceRoleBinding claims for it; set spec.takeover: true to replace it with ${roleName}` };
}

function bound(instanceId: string, observed: string): InstancePlan {
  return { instanceId, state: 'Bound', observedRole: observed, actions: [], ledger: { kind: 'hold', instanceId, roleName: observed } };
}

/** R6: a binding that keeps the held role on the instance when this one lets go. */
function sharerOf(input: ReleaseInput, id: string, instance: InstanceInfo, roleName: string): BindingView | undefined {
  const holding = validHolding(input.ownership.holding(id), roleName);
  const holders = new Set(holding?.holders.map((h) => h.uid) ?? []);
  return input.others.find(
    (c) =>
      c.spec.mode === 'Enforce' &&
      (!c.spec.suspend || holders.has(c.uid)) &&
      sameRoleName(c.spec.roleName, roleName) &&
      bindingTargets(c, instance, id) &&
      input.permissions.instance(identityOf(c), instance).permitted,
  );
}

/** Drops, once per plan, the other bindings that can never claim: itself, deleting, other regions. */
function withRelevantOthers<I extends { binding: BindingView; others: BindingView[] }>(input: I): I {
  const { binding } = input;
  const others = input.others.filter((o) => o !== binding && o.key !== binding.key && !o.deleting && o.spec.regionId === binding.spec.regionId);
  return { ...input, others };
}

function forget(instanceId: string): LedgerChange {
  return { kind: 'forget', instanceId };
}

function release(instanceId: string): LedgerChange {
  return { kind: 'release', instanceId };
}

function withObserved(plan: InstancePlan, observed: string | null): InstancePlan {
  return observed === null ? plan : { ...plan, observedRole: observed };
}

/**
 * One plan from the plans of disjoint parts of one observation (a pass plans each part as it is
 * observed): as if planned at once, since each instance's plan depends on its own facts only.
 */
export function mergePlans(plans: readonly Plan[]): Plan {
  if (plans.length === 1) return plans[0] as Plan;
  const instances = plans.flatMap((p) => p.instances).sort(byInstanceId);
  return assemble(instances, plans.find((p) => p.stalled)?.stalled);
}

function assemble(instances: InstancePlan[], stalled: PlanStall | undefined): Plan {
  const actions = instances.flatMap((p) => p.actions);
  const ordered = [...actions.filter((a) => a.kind === 'detach'), ...actions.filter((a) => a.kind === 'attach')];
  return { instances, actions: ordered, ...(stalled ? { stalled } : {}) };
}

function uniqueSorted(ids: string[]): string[] {
  return [...new Set(ids)].sort();
}

