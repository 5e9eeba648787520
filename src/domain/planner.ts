/**
 * THE decision, as a pure function: one binding's desired state, the bindings competing with it,
 * and what the cloud shows → a state per targeted instance and the ordered actions that move the
 * world one step closer. No I/O, no clock, no randomness: the same input always gives the same plan.
 *
 * Per-instance rules of plan() (mode Enforce), checked in this order; the first that applies wins:
 *
 *  1. Not described (absent from `instances`)            → NotFound, no action.
 *  2. Classic network                                    → NotVpc, no action (only VPC instances can
 *                                                          carry a role; nothing here will change that).
 *  3. Role not observed (absent from `observedRoles`)    → Error with the observe error, no action.
 *  4. Claimants = this binding plus every non-deleting binding of the same region that targets the
 *     instance. The oldest claimant (compareAge) decides the instance's role; claimants that want
 *     that same role share it. If the oldest wants another role than this binding
 *                                                        → Conflict naming the winning binding, no action.
 *  5. Observed role == spec.roleName                     → Bound (this also adopts a role that was
 *                                                          already attached), no action.
 *  6. Observed role R != spec.roleName and none of:
 *       a. R is the role this binding put there before (previouslyOwned: a roleName change A→B),
 *       b. R is wanted on this instance by a claimant (every such claimant loses to this binding's
 *          role by rule 4, so its role is displaced),
 *       c. spec.takeover is true,
 *                                                        → Conflict: R is owned by nobody; the message
 *                                                          says `spec.takeover: true` would replace it.
 *  7. The RAM role check failed: role missing or not trusted by ecs.aliyuncs.com
 *                                                        → Error with the stall message (plan.stalled is
 *                                                          set), no action: nothing is detached for a
 *                                                          role that cannot be attached.
 *     The role check itself could not be done ('unknown') → Pending, no action.
 *  8. No role                                            → Attaching: [attach spec.roleName].
 *  9. Another role R (allowed by 6)                      → Detaching: [detach R, attach spec.roleName].
 *     The detach names R, so a role someone else put there meanwhile is never removed; a crash
 *     between the two calls leaves no role, which the next pass attaches by rule 8.
 *
 * Mode Observe: rules 1-3 as above, then every instance is Observed with its observedRole; never
 * any action and the role check is ignored. Suspended bindings are not planned: the reconciler
 * skips the planner when spec.suspend is true (computeStatus reports it). Should plan() be called
 * for one anyway it behaves as Observe (reports, never acts), and for a deleting binding it is
 * planDeletion().
 *
 * plan.stalled is set whenever (mode Enforce) the role is missing or not trusted, even if no
 * instance needs an attach right now: the spec itself is unusable and the user must know.
 */
import type { InstanceRoleBindingStatus, InstanceState } from '../api/instance-role-binding.js';
import type { BindingView } from './binding-view.js';
import { bindingTargets, compareAge } from './claims.js';
import { ECS_SERVICE_PRINCIPAL, type Observation, type RoleCheck } from './cloud-facts.js';
import { CONDITION_REASONS, asClause } from './reasons.js';

/** Everything one plan is computed from: the binding, its competitors, what the cloud showed. */
export interface PlanInput extends Observation {
  binding: BindingView;
  /** Every other known binding (any region; other regions and deleting bindings are ignored). */
  others: BindingView[];
  /** instanceId → role this binding put or kept there (see previouslyOwnedFrom). */
  previouslyOwned: ReadonlyMap<string, string>;
  /** RAM GetRole result for spec.roleName; 'unknown' when the check itself failed or was not made. */
  role: RoleCheck;
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
  if (planInput.binding.deleting) return planDeletion(planInput);
  const input = withRelevantOthers(planInput);
  const { binding } = input;
  const spec = binding.spec;
  const acting = spec.mode === 'Enforce' && !spec.suspend;
  const stalled = acting ? roleStall(spec.roleName, input.role) : undefined;
  const instances = uniqueSorted(input.targetIds).map((id) => {
    const unusable = describeUnusable(input, id);
    if (unusable) return unusable;
    const observed = input.observedRoles.get(id) ?? null;
    return acting ? planEnforced(input, id, observed, stalled) : planObserved(input, id, observed);
  });
  return assemble(instances, stalled);
}

/**
 * Plans the finalizer's cleanup. deletionPolicy Detach: detach spec.roleName where it is still
 * attached and no other non-deleting binding of the region that targets the instance wants the
 * same role (the role is shared: it stays). Orphan, or mode Observe: no actions. Instances that do
 * not carry spec.roleName are left as they are (a role someone else put there is never removed).
 */
export function planDeletion(planInput: PlanInput): Plan {
  const input = withRelevantOthers(planInput);
  const spec = input.binding.spec;
  const instances = uniqueSorted(input.targetIds).map((id): InstancePlan => {
    const unusable = describeUnusable(input, id);
    if (unusable) return unusable;
    const observed = input.observedRoles.get(id) ?? null;
    if (observed !== spec.roleName) {
      const message =
        observed === null
          ? `role ${spec.roleName} is not attached; nothing to detach`
          : `carries role ${observed}, not ${spec.roleName}; left as it is`;
      return withObserved({ instanceId: id, state: 'Pending', message, actions: [] }, observed);
    }
    if (spec.mode === 'Observe') {
      return { instanceId: id, state: 'Observed', observedRole: observed, message: 'mode Observe: left as it is', actions: [] };
    }
    if (spec.deletionPolicy === 'Orphan') {
      return { instanceId: id, state: 'Bound', observedRole: observed, message: `deletionPolicy Orphan: role ${observed} left attached`, actions: [] };
    }
    const sharer = claimantsOf(input, id).find((c) => c !== input.binding && c.spec.roleName === spec.roleName);
    if (sharer) {
      return { instanceId: id, state: 'Bound', observedRole: observed, message: `role ${observed} kept: binding ${sharer.key} also wants it`, actions: [] };
    }
    return {
      instanceId: id,
      state: 'Detaching',
      observedRole: observed,
      message: `detaching role ${observed} (deletionPolicy Detach)`,
      actions: [{ kind: 'detach', instanceId: id, roleName: observed }],
    };
  });
  return assemble(instances, undefined);
}

/** Rules 1-3: instances nothing can be done with (or nothing is known about). */
function describeUnusable(input: PlanInput, id: string): InstancePlan | undefined {
  const instance = input.instances.get(id);
  if (!instance) {
    return { instanceId: id, state: 'NotFound', message: `instance ${id} was not found in region ${input.binding.spec.regionId}`, actions: [] };
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
  const roleName = input.binding.spec.roleName;
  const reason = input.binding.spec.suspend ? 'suspended' : 'mode Observe';
  const message =
    observed === roleName
      ? undefined
      : observed === null
        ? `no role attached; spec.roleName is ${roleName} (${reason}: no changes are made)`
        : `carries role ${observed}; spec.roleName is ${roleName} (${reason}: no changes are made)`;
  return withObserved({ instanceId: id, state: 'Observed', ...(message ? { message } : {}), actions: [] }, observed);
}

/** Rules 4-9. */
function planEnforced(input: PlanInput, id: string, observed: string | null, stalled: PlanStall | undefined): InstancePlan {
  const { binding } = input;
  const roleName = binding.spec.roleName;
  const claimants = claimantsOf(input, id);
  const winner = claimants[0] as BindingView;

  // Rule 4: the oldest claimant decides; a different role than ours means we lose here.
  if (winner.spec.roleName !== roleName) {
    return withObserved(
      {
        instanceId: id,
        state: 'Conflict',
        message: `older binding ${winner.key} wants role ${winner.spec.roleName} on this instance (the oldest binding wins); this binding's role ${roleName} is not applied`,
        actions: [],
      },
      observed,
    );
  }

  // Rule 5: desired role already there (adoption included).
  if (observed === roleName) return { instanceId: id, state: 'Bound', observedRole: observed, actions: [] };

  // Rule 6: may another role be replaced?
  let replaceWhy: string | undefined;
  if (observed !== null) {
    const displaced = claimants.find((c) => c.spec.roleName === observed);
    if (input.previouslyOwned.get(id) === observed) replaceWhy = `role change: ${observed} was this binding's previous role`;
    else if (displaced) replaceWhy = `role ${observed} of younger binding ${displaced.key} yields to the older claim`;
    else if (binding.spec.takeover) replaceWhy = `spec.takeover: replacing role ${observed}, which no binding claims`;
    else {
      return {
        instanceId: id,
        state: 'Conflict',
        observedRole: observed,
        message: `carries role ${observed}, which no InstanceRoleBinding claims for it; set spec.takeover: true to replace it with ${roleName}`,
        actions: [],
      };
    }
  }

  // Rule 7: never detach or attach for a role that cannot be attached.
  if (stalled) return withObserved({ instanceId: id, state: 'Error', message: stalled.message, actions: [] }, observed);
  if (input.role === 'unknown') {
    return withObserved({ instanceId: id, state: 'Pending', message: `waiting for the check of RAM role ${roleName}`, actions: [] }, observed);
  }

  // Rule 8.
  if (observed === null) {
    return {
      instanceId: id,
      state: 'Attaching',
      message: `attaching role ${roleName}`,
      actions: [{ kind: 'attach', instanceId: id, roleName }],
    };
  }
  // Rule 9.
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

/**
 * This binding plus every other non-deleting binding of its region that targets the instance,
 * oldest first (so index 0 is the winner).
 */
function claimantsOf(input: PlanInput, id: string): BindingView[] {
  const instance = input.instances.get(id);
  const claimants = [input.binding];
  for (const other of input.others) if (bindingTargets(other, instance, id)) claimants.push(other);
  return claimants.sort(compareAge);
}

/** Drops, once per plan, the other bindings that can never claim: itself, deleting, other regions. */
function withRelevantOthers(input: PlanInput): PlanInput {
  const { binding } = input;
  const others = input.others.filter(
    (o) => o !== binding && o.key !== binding.key && !o.deleting && o.spec.regionId === binding.spec.regionId,
  );
  return { ...input, others };
}

/**
 * PlanInput.previouslyOwned from the binding's last written status: instance → the role this
 * binding held or was replacing there. Entries count when they carry an observedRole and their
 * state is one the planner only gives to a role it may act on: Bound (the role is ours), and
 * Detaching / Attaching / Pending / Error (a role change or replacement that has not finished;
 * carrying these forward keeps an interrupted A→B change from turning into a Conflict over A
 * when, say, role B was missing or a detach was throttled). Conflict, Observed, NotFound and NotVpc
 * entries never count: a role seen there was not this binding's to remove.
 */
export function previouslyOwnedFrom(status: InstanceRoleBindingStatus | undefined): Map<string, string> {
  const owned = new Map<string, string>();
  for (const entry of status?.instances ?? []) {
    if (!entry.observedRole) continue;
    if (OWNING_STATES.has(entry.state)) owned.set(entry.instanceId, entry.observedRole);
  }
  return owned;
}

const OWNING_STATES: ReadonlySet<InstanceState> = new Set(['Bound', 'Detaching', 'Attaching', 'Pending', 'Error']);

function withObserved(plan: InstancePlan, observed: string | null): InstancePlan {
  return observed === null ? plan : { ...plan, observedRole: observed };
}

function assemble(instances: InstancePlan[], stalled: PlanStall | undefined): Plan {
  const actions = instances.flatMap((p) => p.actions);
  const ordered = [...actions.filter((a) => a.kind === 'detach'), ...actions.filter((a) => a.kind === 'attach')];
  return { instances, actions: ordered, ...(stalled ? { stalled } : {}) };
}

function uniqueSorted(ids: string[]): string[] {
  return [...new Set(ids)].sort();
}
