/**
 * The status of an InstanceRolePolicy, computed from the policy and what it permits now: Ready
 * (True PolicyValid; False InvalidPolicy with the message of normalizePolicy, or TenancyDisabled),
 * Stalled (True only for an invalid policy), Reconciling (always False: a policy has nothing in
 * flight), observedGeneration, and how many bindings it permits. Pure; no I/O.
 */
import type { Condition, ConditionStatus, ConditionType } from '../api/meta.js';
import type { InstanceRolePolicyStatus } from '../api/instance-role-policy.js';
import type { BindingView } from './binding-view.js';
import { type Permissions, identityOf } from './permissions.js';
import { POLICY_CONDITION_REASONS, type PolicyConditionReason, asClause } from './reasons.js';
import type { PolicyView } from './tenancy.js';
import { countOf } from './text.js';

export interface PolicyStatusInput {
  generation: number;
  checked: { view: PolicyView } | { invalid: string };
  /** How many bindings it permits (permittedBindingsOf). */
  permittedBindings: number;
  /** false under --tenancy=disabled. */
  enforced: boolean;
  previous: InstanceRolePolicyStatus | undefined;
  /** RFC 3339 time of the computation. */
  now: string;
}

/** Bindings (live, valid) for which the named policy is one of the permitting policies. */
export function permittedBindingsOf(policyName: string, bindings: Iterable<BindingView>, permissions: Permissions): number {
  let n = 0;
  for (const b of bindings) {
    if (b.deleting) continue;
    const grant = permissions.binding(identityOf(b));
    if (grant.permitted && grant.policies.some((p) => p.name === policyName)) n++;
  }
  return n;
}

export function computePolicyStatus(input: PolicyStatusInput): InstanceRolePolicyStatus {
  let ready: { status: ConditionStatus; reason: PolicyConditionReason; message: string };
  let stalled: { status: ConditionStatus; reason: PolicyConditionReason; message: string };
  if ('invalid' in input.checked) {
    const message = `the policy cannot be used and permits nothing: ${input.checked.invalid}`;
    ready = { status: 'False', reason: 'InvalidPolicy', message };
    stalled = { status: 'True', reason: 'InvalidPolicy', message };
  } else if (!input.enforced) {
    const message = `${POLICY_CONDITION_REASONS.TenancyDisabled.meaning} ${POLICY_CONDITION_REASONS.TenancyDisabled.fix}`;
    ready = { status: 'False', reason: 'TenancyDisabled', message };
    stalled = { status: 'False', reason: 'TenancyDisabled', message };
  } else {
    const message = `in force: permits ${countOf(input.permittedBindings, 'InstanceRoleBinding')} now`;
    ready = { status: 'True', reason: 'PolicyValid', message };
    stalled = { status: 'False', reason: 'PolicyValid', message: `nothing to fix: ${asClause(POLICY_CONDITION_REASONS.PolicyValid.fix)}` };
  }
  const reconciling = { status: 'False' as const, reason: ready.reason, message: 'nothing is in flight for a policy' };
  const verdicts: Record<ConditionType, typeof ready> = { Ready: ready, Reconciling: reconciling, Stalled: stalled };
  const conditions = (['Ready', 'Reconciling', 'Stalled'] as const).map((type): Condition => {
    const before = input.previous?.conditions?.find((c) => c.type === type);
    const v = verdicts[type];
    return {
      type,
      status: v.status,
      reason: v.reason,
      message: v.message,
      lastTransitionTime: before && before.status === v.status && before.lastTransitionTime ? before.lastTransitionTime : input.now,
      observedGeneration: input.generation,
    };
  });
  return { observedGeneration: input.generation, conditions, permittedBindings: input.enforced && 'view' in input.checked ? input.permittedBindings : 0 };
}

/** Whether two statuses say the same (lastTransitionTime aside, which only moves with a status change). */
export function samePolicyStatus(a: InstanceRolePolicyStatus | undefined, b: InstanceRolePolicyStatus): boolean {
  if (!a) return false;
  if (a.observedGeneration !== b.observedGeneration || a.permittedBindings !== b.permittedBindings) return false;
  const strip = (cs: Condition[] | undefined) => (cs ?? []).map((c) => `${c.type}|${c.status}|${c.reason}|${c.message}|${c.observedGeneration ?? ''}`).sort().join('\n');
  return strip(a.conditions) === strip(b.conditions);
}
