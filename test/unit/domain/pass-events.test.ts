import { describe, expect, it } from 'vitest';
import type { InstanceRoleBindingStatus, InstanceStatus } from '../../../src/api/instance-role-binding.js';
import { detachedEvent, passEvents } from '../../../src/domain/pass-events.js';
import type { Plan } from '../../../src/domain/planner.js';

const bound = (id: string): InstanceStatus => ({ instanceId: id, state: 'Bound', observedRole: 'R' });
const none = { attached: [], detached: [], failures: [] };
const stalled = (reason: string): InstanceRoleBindingStatus => ({
  conditions: [{ type: 'Stalled', status: 'True', reason, message: `${reason}: fix it`, lastTransitionTime: 't' }],
});

describe('passEvents', () => {
  it('reports drift, its correction and the attach, and counts them', () => {
    const plan: Plan = { instances: [{ instanceId: 'i-a', state: 'Attaching', actions: [] }, { instanceId: 'i-b', state: 'Bound', observedRole: 'R', actions: [] }], actions: [] };
    const { events, drift } = passEvents({
      roleName: 'R',
      previous: { instances: [bound('i-a'), bound('i-b')] },
      status: { instances: [bound('i-a'), bound('i-b')] },
      plan,
      actions: { ...none, attached: ['i-a'] },
    });
    expect(events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual([
      'Warning DriftDetected: i-a no longer carry role R',
      'Normal DriftCorrected: re-attached role R to i-a',
      'Normal Attached: attached role R to i-a',
    ]);
    expect(drift).toEqual({ detected: 1, corrected: 1 });
  });

  it('records at most five new conflicts one by one, then how many more', () => {
    const conflicts = Array.from({ length: 7 }, (_, i): InstanceStatus => ({ instanceId: `i-${i}`, state: 'Conflict', message: 'taken' }));
    const { events } = passEvents({ roleName: 'R', previous: { instances: [conflicts[0] as InstanceStatus] }, status: { instances: conflicts }, plan: { instances: [], actions: [] }, actions: none });
    expect(events.map((e) => e.message)).toEqual(['i-1: taken', 'i-2: taken', 'i-3: taken', 'i-4: taken', 'i-5: taken', '1 more instances in conflict']);
  });

  it('records a stall when it starts or its reason changes, not on every pass', () => {
    const plan: Plan = { instances: [], actions: [] };
    const first = passEvents({ roleName: 'R', previous: undefined, status: stalled('RoleNotFound'), plan, actions: none });
    expect(first.events).toEqual([{ type: 'Warning', reason: 'RoleNotFound', message: 'RoleNotFound: fix it' }]);
    expect(passEvents({ roleName: 'R', previous: stalled('RoleNotFound'), status: stalled('RoleNotFound'), plan, actions: none }).events).toEqual([]);
    expect(passEvents({ roleName: 'R', previous: stalled('RoleNotFound'), status: stalled('PassRoleForbidden'), plan, actions: none }).events).toHaveLength(1);
  });
});

describe('detachedEvent', () => {
  it('groups the detached instances by role', () => {
    expect(detachedEvent([{ instanceId: 'i-a', roleName: 'A' }, { instanceId: 'i-b', roleName: 'B' }, { instanceId: 'i-c', roleName: 'A' }])).toEqual({
      type: 'Normal',
      reason: 'Detached',
      message: 'detached role A from i-a, i-c; detached role B from i-b',
    });
  });
});
