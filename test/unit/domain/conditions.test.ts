import { describe, expect, it } from 'vitest';
import type { Condition, ConditionType, InstanceRoleBindingStatus, InstanceStatus } from '../../../src/api/instance-role-binding.js';
import { classifyCloudError } from '../../../src/cloud/error-policy.js';
import { type PassOutcome, computeStatus } from '../../../src/domain/conditions.js';
import { type ErrorClass, invalidSpecFailure } from '../../../src/domain/failures.js';
import type { Plan } from '../../../src/domain/planner.js';
import { REASONS } from '../../../src/domain/reasons.js';

const NOW = '2026-11-23T10:00:00.000Z';
const LATER = '2026-11-23T10:05:00.000Z';

function outcome(instanceResults: InstanceStatus[], extra: Partial<PassOutcome> = {}): PassOutcome {
  return { generation: 3, plan: { instances: [], actions: [] }, instanceResults, suspended: false, mode: 'Enforce', now: NOW, ...extra };
}
const bound = (id: string, role = 'RoleA'): InstanceStatus => ({ instanceId: id, state: 'Bound', observedRole: role });
const inState = (id: string, state: InstanceStatus['state'], message?: string): InstanceStatus => ({ instanceId: id, state, ...(message ? { message } : {}) });

/** A pass error as the reconciler hands it over: classified, with the error table's reason. */
function passError(cls: ErrorClass, code: string, message: string): NonNullable<PassOutcome['error']> {
  return { class: cls, code, message, reason: classifyCloudError(code).reason };
}

function cond(status: InstanceRoleBindingStatus, type: ConditionType): Condition {
  const c = status.conditions?.find((x) => x.type === type);
  expect(c, type).toBeDefined();
  return c as Condition;
}
/** [Ready, Reconciling, Stalled] as "Status/Reason". */
function verdict(status: InstanceRoleBindingStatus): string[] {
  return (['Ready', 'Reconciling', 'Stalled'] as const).map((t) => `${cond(status, t).status}/${cond(status, t).reason}`);
}

describe('computeStatus: conditions per outcome', () => {
  it('all bound: Ready True AllInstancesBound, not reconciling, not stalled', () => {
    const s = computeStatus(undefined, outcome([bound('i-b'), bound('i-a')]));
    expect(verdict(s)).toEqual(['True/AllInstancesBound', 'False/Converged', 'False/NotStalled']);
    expect(s.observedGeneration).toBe(3);
    expect(s.lastSyncTime).toBe(NOW);
    expect(s.summary).toEqual({ desired: 2, bound: 2, conflicts: 0, errors: 0 });
    expect(s.instances?.map((i) => i.instanceId)).toEqual(['i-a', 'i-b']);
    for (const c of s.conditions ?? []) {
      expect(c.observedGeneration).toBe(3);
      expect(c.lastTransitionTime).toBe(NOW);
      expect(c.message.length).toBeGreaterThan(0);
    }
  });

  it('nothing targeted: Ready True NoInstancesMatched', () => {
    expect(verdict(computeStatus(undefined, outcome([])))).toEqual(['True/NoInstancesMatched', 'False/Converged', 'False/NotStalled']);
  });

  it('Observe mode: Ready True Observing, counting instances that carry the role as bound', () => {
    const s = computeStatus(
      undefined,
      outcome([{ instanceId: 'i-a', state: 'Observed', observedRole: 'RoleA' }, { instanceId: 'i-b', state: 'Observed' }], { mode: 'Observe', roleName: 'RoleA', plan: undefined }),
    );
    expect(verdict(s)).toEqual(['True/Observing', 'False/Converged', 'False/NotStalled']);
    expect(s.summary).toEqual({ desired: 2, bound: 1, conflicts: 0, errors: 0 });
    expect(cond(s, 'Ready').message).toContain('1 carry role RoleA');
  });

  it('Observe mode with a missing instance is not Ready', () => {
    const s = computeStatus(undefined, outcome([{ instanceId: 'i-a', state: 'Observed' }, inState('i-x', 'NotFound')], { mode: 'Observe' }));
    expect(verdict(s)[0]).toBe('False/InstancesNotFound');
  });

  it('conflict: Ready False RoleConflict naming count, instance and why', () => {
    const s = computeStatus(undefined, outcome([bound('i-a'), inState('i-c', 'Conflict', 'older binding ns/a wants role RoleX')]));
    expect(verdict(s)).toEqual(['False/RoleConflict', 'False/WaitingForChange', 'False/NotStalled']);
    expect(cond(s, 'Ready').message).toContain('1 of 2 instances in conflict (i-c: older binding ns/a wants role RoleX)');
    expect(s.summary).toEqual({ desired: 2, bound: 1, conflicts: 1, errors: 0 });
  });

  it('not found: Ready False InstancesNotFound with example IDs', () => {
    const ids = ['i-1', 'i-2', 'i-3', 'i-4', 'i-5'];
    const s = computeStatus(undefined, outcome([bound('i-a'), ...ids.map((id) => inState(id, 'NotFound'))]));
    expect(verdict(s)).toEqual(['False/InstancesNotFound', 'False/WaitingForChange', 'False/NotStalled']);
    expect(cond(s, 'Ready').message).toContain('5 of 6 instances not found (i-1, i-2, i-3 and 2 more)');
    expect(s.summary?.errors).toBe(5);
  });

  it('some classic instances: Ready False InstancesNotVpc, not stalled', () => {
    const s = computeStatus(undefined, outcome([bound('i-a'), inState('i-old', 'NotVpc')]));
    expect(verdict(s)).toEqual(['False/InstancesNotVpc', 'False/WaitingForChange', 'False/NotStalled']);
  });

  it('every instance classic: Stalled InstancesNotVpc', () => {
    const s = computeStatus(undefined, outcome([inState('i-old', 'NotVpc'), inState('i-old2', 'NotVpc')]));
    expect(verdict(s)).toEqual(['False/InstancesNotVpc', 'False/WaitingForChange', 'True/InstancesNotVpc']);
    expect(cond(s, 'Stalled').message).toMatch(/all 2 targeted instances .*i-old, i-old2.*VPC/);
  });

  it('one classic instance: "the 1 targeted instance is", not "all 1 ... are" (10.11)', () => {
    const s = computeStatus(undefined, outcome([inState('i-old', 'NotVpc')]));
    expect(cond(s, 'Stalled').message).toBe('the 1 targeted instance is not on a VPC network (i-old); only VPC instances can carry a RAM role: target VPC instances or migrate it');
  });

  it('a missing instance names spec.instanceIds and the fix (10.9)', () => {
    const s = computeStatus(undefined, outcome([inState('i-nosuch0001', 'NotFound', 'instance i-nosuch0001 was not found in region cn-hangzhou')]));
    expect(cond(s, 'Ready')).toMatchObject({ reason: 'InstancesNotFound', message: '1 of 1 instance not found (i-nosuch0001): fix spec.instanceIds or spec.regionId; released instances should be removed from the binding' });
  });

  it('NotPermitted: every named instance → Stalled NotPermitted; some → Ready False NotPermitted; counted as errors', () => {
    const all = computeStatus(undefined, outcome([inState('i-b1', 'NotPermitted'), inState('i-b2', 'NotPermitted')]));
    expect(verdict(all)).toEqual(['False/NotPermitted', 'False/WaitingForChange', 'True/NotPermitted']);
    expect(cond(all, 'Stalled').message).toMatch(/^all 2 targeted instances are not permitted to this namespace \(i-b1, i-b2\): ask a cluster admin/);
    const some = computeStatus(undefined, outcome([bound('i-a1'), inState('i-b1', 'NotPermitted')]));
    expect(verdict(some)).toEqual(['False/NotPermitted', 'False/WaitingForChange', 'False/NotStalled']);
    expect(cond(some, 'Ready').message).toMatch(/^1 of 2 instances not permitted \(i-b1\): ask a cluster admin for an InstanceRolePolicy/);
    expect(some.summary).toEqual({ desired: 2, bound: 1, conflicts: 0, errors: 1 });
  });

  it('a binding tenancy does not permit: Stalled NotPermitted with the policy message', () => {
    const error = { class: 'terminal' as const, code: 'NotPermitted', reason: 'NotPermitted' as const, message: 'team-a/x: no InstanceRolePolicy selects namespace team-a' };
    const s = computeStatus(undefined, outcome([], { plan: undefined, error }));
    expect(verdict(s)).toEqual(['False/NotPermitted', 'False/WaitingForChange', 'True/NotPermitted']);
    expect(cond(s, 'Stalled').message).toBe('team-a/x: no InstanceRolePolicy selects namespace team-a');
  });

  it('an action failure says its code once (10.11)', () => {
    const error = passError('recoverable', 'ServiceUnavailable', 'attaching role RoleA on i-a failed: ServiceUnavailable: The server is down. None needed: retried with exponential backoff.');
    const s = computeStatus(undefined, outcome([inState('i-a', 'Error', error.message)], { error }));
    expect(cond(s, 'Ready').message.match(/ServiceUnavailable/g)).toHaveLength(1);
    expect(cond(s, 'Reconciling').message).toBe(`retrying with backoff: ${error.message}`);
    expect(cond(s, 'Ready').message).not.toContain('..');
  });

  it('Observe mode counts an instance carrying the role in another case as bound (10.3)', () => {
    const s = computeStatus(undefined, outcome([{ instanceId: 'i-a', state: 'Observed', observedRole: 'TeamAWorker' }], { mode: 'Observe', roleName: 'teamaworker' }));
    expect(s.summary?.bound).toBe(1);
    expect(cond(s, 'Ready').message).toContain('1 carry role teamaworker');
  });

  it.each(['RoleNotFound', 'RoleNotTrusted'] as const)('role check %s: Stalled with the planner message', (reason) => {
    const plan: Plan = { instances: [], actions: [], stalled: { reason, message: 'create the role or fix spec.roleName' } };
    const s = computeStatus(undefined, outcome([inState('i-a', 'Error', 'create the role or fix spec.roleName')], { plan }));
    expect(verdict(s)).toEqual([`False/${reason}`, 'False/WaitingForChange', `True/${reason}`]);
    expect(cond(s, 'Stalled').message).toBe('create the role or fix spec.roleName');
  });

  it('terminal error (PassRoleForbidden): Stalled with the hint-bearing message', () => {
    const error = passError('terminal', 'InvalidUser.PassRoleForbidden', 'attaching failed. Grant ram:PassRole');
    const s = computeStatus(undefined, outcome([inState('i-a', 'Error', error.message)], { error }));
    expect(verdict(s)).toEqual(['False/PassRoleForbidden', 'False/WaitingForChange', 'True/PassRoleForbidden']);
    expect(cond(s, 'Stalled').message).toContain('ram:PassRole');
  });

  it('invalid spec: Stalled InvalidSpec', () => {
    const error = invalidSpecFailure('ns/b: invalid spec: spec.roleName ...');
    const s = computeStatus(undefined, outcome([], { plan: undefined, error }));
    expect(verdict(s)).toEqual(['False/InvalidSpec', 'False/WaitingForChange', 'True/InvalidSpec']);
  });

  it('recoverable error: Ready False CloudError, Reconciling True with the error reason', () => {
    const error = passError('recoverable', 'Throttling.User', 'Request was denied due to user flow control.');
    const s = computeStatus(undefined, outcome([bound('i-a')], { plan: undefined, error }));
    expect(verdict(s)).toEqual(['False/CloudError', 'True/Throttled', 'False/NotStalled']);
    expect(cond(s, 'Reconciling').message).toContain('retrying with backoff');
  });

  it('wait error: Ready False Progressing, Reconciling True', () => {
    const error = passError('wait', 'InvalidRamRole.AlreadyAttached', 'attaching role RoleA on i-a failed');
    const s = computeStatus(undefined, outcome([inState('i-a', 'Pending', error.message)], { error }));
    expect(verdict(s)).toEqual(['False/Progressing', 'True/RoleChangedDuringReconcile', 'False/NotStalled']);
  });

  it('work left in flight: Reconciling True Progressing', () => {
    const s = computeStatus(undefined, outcome([bound('i-a'), inState('i-b', 'Attaching'), inState('i-c', 'Pending', 'waiting for the check')]));
    expect(verdict(s)).toEqual(['False/Progressing', 'True/Progressing', 'False/NotStalled']);
    expect(cond(s, 'Reconciling').message).toContain('2 instances in progress (i-b, i-c)');
  });

  it('instance errors without a pass error: Ready False CloudError', () => {
    const s = computeStatus(undefined, outcome([bound('i-a'), inState('i-b', 'Error', 'cannot observe instance i-b')]));
    expect(verdict(s)[0]).toBe('False/CloudError');
    expect(cond(s, 'Ready').message).toContain('cannot observe instance i-b');
  });

  it('a conflict dominates a missing instance in the reason; the message lists both', () => {
    const s = computeStatus(undefined, outcome([inState('i-x', 'NotFound'), inState('i-c', 'Conflict', 'taken')]));
    expect(cond(s, 'Ready').reason).toBe('RoleConflict');
    expect(cond(s, 'Ready').message).toMatch(/in conflict.*not found/);
  });

  it('a terminal error dominates per-instance problems', () => {
    const error = passError('terminal', 'Forbidden.RAM', 'not allowed');
    const s = computeStatus(undefined, outcome([inState('i-c', 'Conflict', 'taken')], { error }));
    expect(verdict(s)).toEqual(['False/AccessDenied', 'False/WaitingForChange', 'True/AccessDenied']);
  });
});

describe('computeStatus: suspend', () => {
  it('keeps the previous Ready status with reason Suspended, and its lastTransitionTime', () => {
    const before = computeStatus(undefined, outcome([bound('i-a')]));
    const s = computeStatus(before, outcome(before.instances ?? [], { suspended: true, now: LATER, plan: undefined }));
    expect(verdict(s)).toEqual(['True/Suspended', 'False/Suspended', 'False/Suspended']);
    expect(cond(s, 'Ready').lastTransitionTime).toBe(NOW);
    expect(cond(s, 'Ready').message).toContain('spec.suspend');
    expect(s.instances).toEqual([bound('i-a')]);
    expect(s.lastSyncTime).toBe(LATER);
  });

  it('carries a cut list over with the summary and unlisted count it had (a restart reads the cut status back)', () => {
    const cut: InstanceRoleBindingStatus = { ...computeStatus(undefined, outcome([bound('i-a'), bound('i-b')])), summary: { desired: 1_002, bound: 1_002, conflicts: 0, errors: 0 }, unlistedInstances: 1_000 };
    const s = computeStatus(cut, outcome(cut.instances ?? [], { suspended: true, now: LATER, plan: undefined }));
    expect(s.summary).toEqual(cut.summary);
    expect(s.unlistedInstances).toBe(1_000);
    // A pass that observed the instances counts what it saw.
    const observed = computeStatus(cut, outcome([bound('i-a')], { now: LATER }));
    expect(observed.summary?.desired).toBe(1);
    expect(observed.unlistedInstances).toBeUndefined();
  });

  it('is Ready Unknown when suspended before the first reconcile', () => {
    expect(verdict(computeStatus(undefined, outcome([], { suspended: true, plan: undefined })))).toEqual(['Unknown/Suspended', 'False/Suspended', 'False/Suspended']);
  });
});

describe('computeStatus: lastTransitionTime', () => {
  it('is kept while the status stays the same, even if the reason changes', () => {
    const first = computeStatus(undefined, outcome([inState('i-a', 'NotFound')]));
    const second = computeStatus(first, outcome([inState('i-a', 'Conflict', 'x')], { now: LATER, generation: 4 }));
    expect(cond(second, 'Ready').reason).toBe('RoleConflict');
    expect(cond(second, 'Ready').lastTransitionTime).toBe(NOW);
    expect(cond(second, 'Ready').observedGeneration).toBe(4);
    expect(second.observedGeneration).toBe(4);
  });

  it('moves when the status changes', () => {
    const first = computeStatus(undefined, outcome([inState('i-a', 'Attaching')]));
    const second = computeStatus(first, outcome([bound('i-a')], { now: LATER }));
    expect(cond(second, 'Ready').lastTransitionTime).toBe(LATER);
    expect(cond(second, 'Reconciling').lastTransitionTime).toBe(LATER);
    expect(cond(second, 'Stalled').lastTransitionTime).toBe(NOW);
  });
});

describe('computeStatus: instances', () => {
  it('drops empty fields and sorts by instance ID', () => {
    const s = computeStatus(undefined, outcome([{ instanceId: 'i-b', state: 'Attaching', message: '' }, { instanceId: 'i-a', state: 'Bound', observedRole: 'R' }]));
    expect(s.instances).toEqual([
      { instanceId: 'i-a', state: 'Bound', observedRole: 'R' },
      { instanceId: 'i-b', state: 'Attaching' },
    ]);
  });
});

describe('computeStatus: reasons', () => {
  it('cover every reason computeStatus produced across these outcomes', () => {
    const known = new Set<string>(Object.values(REASONS));
    const samples: PassOutcome[] = [
      outcome([bound('i-a')]),
      outcome([]),
      outcome([inState('i-a', 'Observed')], { mode: 'Observe' }),
      outcome([inState('i-a', 'Conflict')]),
      outcome([inState('i-a', 'NotVpc')]),
      outcome([inState('i-a', 'Attaching')]),
      outcome([], { error: passError('recoverable', 'ECONNRESET', 'x') }),
      outcome([], { error: passError('terminal', 'SomethingNew', 'x') }),
    ];
    for (const o of samples) for (const c of computeStatus(undefined, o).conditions ?? []) expect(known.has(c.reason), c.reason).toBe(true);
  });
});
