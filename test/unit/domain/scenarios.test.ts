/**
 * Multi-pass stories told with the pure parts only: plan → (cloud applies the actions) →
 * computeStatus → next pass reads previouslyOwned from that status. No I/O.
 */
import { describe, expect, it } from 'vitest';
import type { InstanceRoleBindingStatus } from '../../../src/api/instance-role-binding.js';
import type { BindingView } from '../../../src/domain/binding-view.js';
import { computeStatus } from '../../../src/domain/conditions.js';
import { type Plan, type PlannedAction, plan, planDeletion, previouslyOwnedFrom } from '../../../src/domain/planner.js';
import { binding, vpcInstance } from './fixtures.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-02T00:00:00Z';

class World {
  readonly roles = new Map<string, string | null>();
  readonly calls: string[] = [];
  constructor(initial: Record<string, string | null>) {
    for (const [id, role] of Object.entries(initial)) this.roles.set(id, role);
  }
  apply(actions: PlannedAction[], limit = actions.length): void {
    for (const a of actions.slice(0, limit)) {
      this.calls.push(`${a.kind} ${a.roleName} ${a.instanceId}`);
      const current = this.roles.get(a.instanceId);
      if (a.kind === 'detach' && current === a.roleName) this.roles.set(a.instanceId, null);
      if (a.kind === 'attach' && current === null) this.roles.set(a.instanceId, a.roleName);
    }
  }
}

function pass(self: BindingView, others: BindingView[], world: World, previous: InstanceRoleBindingStatus | undefined): { plan: Plan; status: InstanceRoleBindingStatus } {
  const ids = [...world.roles.keys()].filter((id) => self.spec.instanceIds.includes(id));
  const p = plan({
    binding: self,
    others,
    targetIds: ids,
    instances: new Map(ids.map((id) => [id, vpcInstance(id)])),
    observedRoles: new Map(ids.map((id) => [id, world.roles.get(id) ?? null])),
    observeErrors: new Map(),
    previouslyOwned: previouslyOwnedFrom(previous),
    role: { exists: true, trustsEcs: true },
  });
  world.apply(p.actions);
  // What the executor reports when every call succeeds: the instance now carries the role.
  const results = p.instances.map((i) => (i.actions.length > 0 ? { instanceId: i.instanceId, state: 'Bound' as const, observedRole: self.spec.roleName } : i));
  const status = computeStatus(previous, { generation: 1, plan: p, instanceResults: results, suspended: false, mode: self.spec.mode, now: T1 });
  return { plan: p, status };
}
const ready = (s: InstanceRoleBindingStatus) => s.conditions?.find((c) => c.type === 'Ready');

describe('stories', () => {
  it('adopts an attached role with no calls, then corrects drift, then a converged pass makes no calls', () => {
    const world = new World({ 'i-1': 'RoleA', 'i-2': 'RoleA' });
    const self = binding('ns/web', T0, { roleName: 'RoleA', instanceIds: ['i-1', 'i-2'] });
    const first = pass(self, [], world, undefined);
    expect(world.calls).toEqual([]);
    expect(ready(first.status)?.status).toBe('True');
    world.roles.set('i-2', null); // out-of-band detach
    const second = pass(self, [], world, first.status);
    expect(world.calls).toEqual(['attach RoleA i-2']);
    expect(ready(second.status)?.reason).toBe('AllInstancesBound');
    pass(self, [], world, second.status);
    expect(world.calls).toHaveLength(1);
  });

  it('changes role A→B by detach-then-attach and resumes after a crash between the two', () => {
    const world = new World({ 'i-1': null });
    const asA = binding('ns/web', T0, { roleName: 'RoleA', instanceIds: ['i-1'] });
    const bound = pass(asA, [], world, undefined).status;
    const asB = binding('ns/web', T0, { roleName: 'RoleB', instanceIds: ['i-1'] });
    // The pass plans the swap, but the process dies after the detach: no status is written.
    const swap = plan({
      binding: asB,
      others: [],
      targetIds: ['i-1'],
      instances: new Map([['i-1', vpcInstance('i-1')]]),
      observedRoles: new Map([['i-1', 'RoleA']]),
      observeErrors: new Map(),
      previouslyOwned: previouslyOwnedFrom(bound),
      role: { exists: true, trustsEcs: true },
    });
    world.apply(swap.actions, 1);
    const resumed = pass(asB, [], world, bound);
    expect(world.calls).toEqual(['attach RoleA i-1', 'detach RoleA i-1', 'attach RoleB i-1']);
    expect(resumed.plan.actions).toEqual([{ kind: 'attach', instanceId: 'i-1', roleName: 'RoleB' }]);
    expect(world.roles.get('i-1')).toBe('RoleB');
  });

  it('the younger binding takes the instance once the older one is deleted with Detach', () => {
    const world = new World({ 'i-1': null });
    const older = binding('ns/old', T0, { roleName: 'RoleX', instanceIds: ['i-1'] });
    const younger = binding('ns/new', T1, { roleName: 'RoleY', instanceIds: ['i-1'] });
    pass(older, [younger], world, undefined);
    const lost = pass(younger, [older], world, undefined);
    expect(ready(lost.status)?.reason).toBe('RoleConflict');
    const deleting = { ...older, deleting: true };
    const cleanup = planDeletion({
      binding: deleting,
      others: [younger],
      targetIds: ['i-1'],
      instances: new Map([['i-1', vpcInstance('i-1')]]),
      observedRoles: new Map([['i-1', world.roles.get('i-1') ?? null]]),
      observeErrors: new Map(),
      previouslyOwned: new Map(),
      role: 'unknown',
    });
    world.apply(cleanup.actions);
    const won = pass(younger, [], world, lost.status);
    expect(world.calls).toEqual(['attach RoleX i-1', 'detach RoleX i-1', 'attach RoleY i-1']);
    expect(ready(won.status)?.reason).toBe('AllInstancesBound');
  });

  it('an Orphan delete leaves the role, so the younger binding reports an unowned role until takeover', () => {
    const world = new World({ 'i-1': 'RoleX' });
    const younger = binding('ns/new', T1, { roleName: 'RoleY', instanceIds: ['i-1'] });
    const conflict = pass(younger, [], world, undefined);
    expect(conflict.status.instances?.[0]?.message).toContain('spec.takeover: true');
    expect(world.calls).toEqual([]);
    const takeover = { ...younger, spec: { ...younger.spec, takeover: true } };
    pass(takeover, [], world, conflict.status);
    expect(world.calls).toEqual(['detach RoleX i-1', 'attach RoleY i-1']);
  });
});
