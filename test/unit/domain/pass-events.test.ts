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
      'Warning DriftDetected: i-a no longer carries role R',
      'Normal DriftCorrected: re-attached role R to i-a',
      'Normal Attached: attached role R to i-a',
    ]);
    expect(drift).toEqual({ detected: 1, corrected: 1, unrepaired: new Set() });
  });

  it('says "carry" for several drifted instances', () => {
    const plan: Plan = { instances: ['i-a', 'i-b'].map((instanceId) => ({ instanceId, state: 'Attaching' as const, actions: [] })), actions: [] };
    const { events } = passEvents({ roleName: 'R', previous: { instances: [bound('i-a'), bound('i-b')] }, status: { instances: [] }, plan, actions: none });
    expect(events.map((e) => e.message)).toEqual(['i-a, i-b no longer carry role R']);
  });

  it('corrects drift in a later pass when the first re-attach failed, so corrected catches up with detected', () => {
    const drifting: Plan = { instances: [{ instanceId: 'i-a', state: 'Attaching', actions: [] }], actions: [] };
    // Pass 1: drift found, the re-attach answered 503.
    const first = passEvents({ roleName: 'R', previous: { instances: [bound('i-a')] }, status: { instances: [] }, plan: drifting, actions: none });
    expect(first.drift).toEqual({ detected: 1, corrected: 0, unrepaired: new Set(['i-a']) });
    // Pass 2: the previous status says Error, not Bound; the retry succeeds.
    const failedStatus: InstanceStatus = { instanceId: 'i-a', state: 'Error', message: 'ServiceUnavailable' };
    const second = passEvents({
      roleName: 'R',
      previous: { instances: [failedStatus] },
      status: { instances: [bound('i-a')] },
      plan: drifting,
      actions: { ...none, attached: ['i-a'] },
      unrepaired: first.drift.unrepaired,
    });
    expect(second.events.map((e) => `${e.reason}: ${e.message}`)).toEqual(['DriftCorrected: re-attached role R to i-a', 'Attached: attached role R to i-a']);
    expect(second.drift).toEqual({ detected: 0, corrected: 1, unrepaired: new Set() });
  });

  it('forgets unrepaired drift once the instance is gone, untargeted or carries the role again by other means', () => {
    const plan: Plan = {
      instances: [
        { instanceId: 'i-gone', state: 'NotFound', actions: [] },
        { instanceId: 'i-back', state: 'Bound', observedRole: 'R', actions: [] },
        { instanceId: 'i-still', state: 'Attaching', actions: [] },
      ],
      actions: [],
    };
    const { drift } = passEvents({ roleName: 'R', previous: undefined, status: { instances: [] }, plan, actions: none, unrepaired: new Set(['i-gone', 'i-back', 'i-still', 'i-untargeted']) });
    expect(drift.unrepaired).toEqual(new Set(['i-still']));
  });

  it('says "carry" for several drifted instances and "carries" for one (10.11)', () => {
    const plan: Plan = { instances: ['i-a', 'i-b'].map((id) => ({ instanceId: id, state: 'Attaching' as const, actions: [] })), actions: [] };
    const { events } = passEvents({ roleName: 'R', previous: { instances: [bound('i-a'), bound('i-b')] }, status: { instances: [] }, plan, actions: none });
    expect(events[0]?.message).toBe('i-a, i-b no longer carry role R');
  });

  it('compares role names the one way: an observed role in another case is no drift (10.3)', () => {
    const plan: Plan = { instances: [{ instanceId: 'i-a', state: 'Bound', observedRole: 'r', actions: [] }], actions: [] };
    expect(passEvents({ roleName: 'R', previous: { instances: [bound('i-a')] }, status: { instances: [bound('i-a')] }, plan, actions: none }).drift).toMatchObject({ detected: 0, corrected: 0 });
  });

  it('records at most five new conflicts one by one, then how many more', () => {
    const conflicts = Array.from({ length: 7 }, (_, i): InstanceStatus => ({ instanceId: `i-${i}`, state: 'Conflict', message: 'taken' }));
    const eight = [...conflicts, { instanceId: 'i-7', state: 'Conflict' as const, message: 'taken' }];
    expect(passEvents({ roleName: 'R', previous: undefined, status: { instances: eight }, plan: { instances: [], actions: [] }, actions: none }).events.at(-1)?.message).toBe('3 more instances are in conflict');
    const { events } = passEvents({ roleName: 'R', previous: { instances: [conflicts[0] as InstanceStatus] }, status: { instances: conflicts }, plan: { instances: [], actions: [] }, actions: none });
    expect(events.map((e) => e.message)).toEqual(['i-1: taken', 'i-2: taken', 'i-3: taken', 'i-4: taken', 'i-5: taken', '1 more instance is in conflict']);
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
