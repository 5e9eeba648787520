import { describe, expect, it } from 'vitest';
import type { InstanceState } from '../../../src/api/instance-role-binding.js';
import type { BindingView } from '../../../src/domain/binding-view.js';
import { computeStatus } from '../../../src/domain/conditions.js';
import { type Plan, type PlanInput, type PlannedAction, plan, planDeletion, previouslyOwnedFrom } from '../../../src/domain/planner.js';
import { REGION, binding, classicInstance, planInput, vpcInstance } from './fixtures.js';
import { seededRandom } from '@ecs-role-operator/alicloud-sim';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-02T00:00:00Z';
const T2 = '2026-01-03T00:00:00Z';
const ID = 'i-target';

function only(p: Plan): Plan['instances'][number] {
  expect(p.instances).toHaveLength(1);
  return p.instances[0] as Plan['instances'][number];
}

describe('plan: the per-instance matrix', () => {
  // What is on the instance, relative to this binding (self, created at T1, wants RoleA):
  //   none          no role
  //   same          RoleA
  //   olderOwned    RoleX, wanted by an OLDER binding (which therefore wins the instance)
  //   youngerOwned  RoleY, wanted by a YOUNGER binding (which loses to self)
  //   unowned       RoleZ, wanted by no binding
  //   previous      RoleOld, which self put there before its roleName changed to RoleA
  type Observed = 'none' | 'same' | 'olderOwned' | 'youngerOwned' | 'unowned' | 'previous';
  type Check = 'ok' | 'missing' | 'untrusted' | 'unknown';
  type Expect = { state: InstanceState; actions: PlannedAction[] };

  const worlds: Record<Observed, { role: string | null; others: BindingView[]; previouslyOwned: Record<string, string> }> = {
    none: { role: null, others: [], previouslyOwned: {} },
    same: { role: 'RoleA', others: [], previouslyOwned: {} },
    olderOwned: { role: 'RoleX', others: [binding('ns/older', T0, { roleName: 'RoleX', instanceIds: [ID] })], previouslyOwned: {} },
    youngerOwned: { role: 'RoleY', others: [binding('ns/younger', T2, { roleName: 'RoleY', instanceIds: [ID] })], previouslyOwned: {} },
    unowned: { role: 'RoleZ', others: [], previouslyOwned: {} },
    previous: { role: 'RoleOld', others: [], previouslyOwned: { [ID]: 'RoleOld' } },
  };
  const checks: Record<Check, PlanInput['role']> = {
    ok: { exists: true, trustsEcs: true },
    missing: { exists: false, trustsEcs: false },
    untrusted: { exists: true, trustsEcs: false },
    unknown: 'unknown',
  };

  const attach: PlannedAction = { kind: 'attach', instanceId: ID, roleName: 'RoleA' };
  const detach = (roleName: string): PlannedAction => ({ kind: 'detach', instanceId: ID, roleName });
  const none = (state: InstanceState): Expect => ({ state, actions: [] });
  /** Replacing a role: only with a usable role; a stalled role check never detaches anything. */
  const replace = (old: string): Record<Check, Expect> => ({
    ok: { state: 'Detaching', actions: [detach(old), attach] },
    missing: none('Error'),
    untrusted: none('Error'),
    unknown: none('Pending'),
  });
  const everyCheck = (e: Expect): Record<Check, Expect> => ({ ok: e, missing: e, untrusted: e, unknown: e });

  // ENFORCE[observed][takeover] — the rules of planner.ts written out as a table.
  const ENFORCE: Record<Observed, Record<'false' | 'true', Record<Check, Expect>>> = {
    none: {
      false: { ok: { state: 'Attaching', actions: [attach] }, missing: none('Error'), untrusted: none('Error'), unknown: none('Pending') },
      true: { ok: { state: 'Attaching', actions: [attach] }, missing: none('Error'), untrusted: none('Error'), unknown: none('Pending') },
    },
    same: { false: everyCheck(none('Bound')), true: everyCheck(none('Bound')) },
    olderOwned: { false: everyCheck(none('Conflict')), true: everyCheck(none('Conflict')) },
    youngerOwned: { false: replace('RoleY'), true: replace('RoleY') },
    unowned: { false: everyCheck(none('Conflict')), true: replace('RoleZ') },
    previous: { false: replace('RoleOld'), true: replace('RoleOld') },
  };

  const cases: Array<[Observed, boolean, 'Enforce' | 'Observe', Check]> = [];
  for (const observed of Object.keys(worlds) as Observed[])
    for (const takeover of [false, true])
      for (const mode of ['Enforce', 'Observe'] as const)
        for (const check of Object.keys(checks) as Check[]) cases.push([observed, takeover, mode, check]);

  it('covers 6 observations x 2 takeover x 2 modes x 4 role checks', () => {
    expect(cases).toHaveLength(96);
  });

  it.each(cases)('observed %s, takeover %s, mode %s, role check %s', (observed, takeover, mode, check) => {
    const world = worlds[observed];
    const self = binding('ns/self', T1, { roleName: 'RoleA', instanceIds: [ID], takeover, mode });
    const result = plan(
      planInput(self, {
        others: world.others,
        instances: [vpcInstance(ID)],
        roles: { [ID]: world.role },
        previouslyOwned: world.previouslyOwned,
        role: checks[check],
      }),
    );
    const instance = only(result);
    const expected: Expect = mode === 'Observe' ? none('Observed') : ENFORCE[observed][takeover ? 'true' : 'false'][check];
    expect(instance.state).toBe(expected.state);
    expect(instance.actions).toEqual(expected.actions);
    expect(result.actions).toEqual(expected.actions);
    // The observed role is always reported as it is.
    expect(instance.observedRole).toBe(world.role ?? undefined);
    // Stalled exactly when enforcing with a role that is missing or untrusted.
    const stalls = mode === 'Enforce' && (check === 'missing' || check === 'untrusted');
    expect(result.stalled?.reason).toBe(stalls ? (check === 'missing' ? 'RoleNotFound' : 'RoleNotTrusted') : undefined);
    if (instance.state === 'Error') expect(instance.message).toBe(result.stalled?.message);
  });

  it('names the winning binding in a conflict with an older binding', () => {
    const w = worlds.olderOwned;
    const p = only(plan(planInput(binding('ns/self', T1, { instanceIds: [ID] }), { others: w.others, instances: [vpcInstance(ID)], roles: { [ID]: 'RoleX' } })));
    expect(p.message).toContain('ns/older');
    expect(p.message).toContain('RoleX');
  });

  it('says which role is there and that spec.takeover would replace it when nobody owns it', () => {
    const p = only(plan(planInput(binding('ns/self', T1, { instanceIds: [ID] }), { instances: [vpcInstance(ID)], roles: { [ID]: 'RoleZ' } })));
    expect(p.state).toBe('Conflict');
    expect(p.message).toContain('RoleZ');
    expect(p.message).toContain('spec.takeover: true');
  });

  it('explains the fix in the stall messages', () => {
    const self = binding('ns/self', T1, { roleName: 'MyRole', instanceIds: [ID] });
    const missing = plan(planInput(self, { instances: [vpcInstance(ID)], roles: { [ID]: null }, role: { exists: false, trustsEcs: false } }));
    expect(missing.stalled?.message).toMatch(/MyRole does not exist.*create it.*spec\.roleName/);
    const untrusted = plan(planInput(self, { instances: [vpcInstance(ID)], roles: { [ID]: null }, role: { exists: true, trustsEcs: false } }));
    expect(untrusted.stalled?.message).toContain('ecs.aliyuncs.com');
    expect(untrusted.stalled?.message).toContain('sts:AssumeRole');
  });
});

describe('plan: instances that cannot be worked on', () => {
  const self = binding('ns/self', T1, { instanceIds: ['i-gone', 'i-classic', 'i-blind', 'i-ok'] });
  const input = planInput(self, {
    instances: [classicInstance('i-classic'), vpcInstance('i-blind'), vpcInstance('i-ok')],
    targetIds: ['i-ok', 'i-gone', 'i-classic', 'i-blind', 'i-ok'],
    roles: { 'i-ok': 'RoleA' },
    observeErrors: { 'i-blind': 'Throttling: slow down' },
  });

  it.each(['Enforce', 'Observe'] as const)('reports NotFound, NotVpc and observe errors without actions (mode %s)', (mode) => {
    const p = plan({ ...input, binding: { ...self, spec: { ...self.spec, mode } } });
    expect(p.actions).toEqual([]);
    expect(p.instances.map((i) => [i.instanceId, i.state])).toEqual([
      ['i-blind', 'Error'],
      ['i-classic', 'NotVpc'],
      ['i-gone', 'NotFound'],
      ['i-ok', mode === 'Enforce' ? 'Bound' : 'Observed'],
    ]);
    const byId = new Map(p.instances.map((i) => [i.instanceId, i]));
    expect(byId.get('i-blind')?.message).toContain('Throttling: slow down');
    expect(byId.get('i-classic')?.message).toMatch(/classic.*VPC/);
    expect(byId.get('i-gone')?.message).toContain(REGION);
  });

  it('still reports unusable instances while the role is stalled', () => {
    const p = plan({ ...input, role: { exists: false, trustsEcs: false } });
    expect(p.stalled?.reason).toBe('RoleNotFound');
    expect(p.instances.map((i) => i.state)).toEqual(['Error', 'NotVpc', 'NotFound', 'Bound']);
  });

  it('has no instances and no actions when nothing is targeted', () => {
    expect(plan(planInput(self, {}))).toEqual({ instances: [], actions: [] });
  });
});

describe('plan: conflicts among bindings', () => {
  const a = binding('ns/a', T0, { roleName: 'RoleX', instanceIds: [ID] });
  const b = binding('ns/b', T1, { roleName: 'RoleY', instanceIds: [ID] });
  const c = binding('ns/c', T2, { roleName: 'RoleY', instanceIds: [ID] });
  const all = [a, b, c];
  const states = (observed: string | null): Array<[string, InstanceState, PlannedAction[]]> =>
    all.map((self) => {
      const p = plan(planInput(self, { others: all.filter((o) => o !== self), instances: [vpcInstance(ID)], roles: { [ID]: observed } }));
      const i = only(p);
      return [self.key, i.state, i.actions];
    });

  it('the oldest of three wins; both younger bindings report Conflict naming it', () => {
    expect(states(null)).toEqual([
      ['ns/a', 'Attaching', [{ kind: 'attach', instanceId: ID, roleName: 'RoleX' }]],
      ['ns/b', 'Conflict', []],
      ['ns/c', 'Conflict', []],
    ]);
    const msg = only(plan(planInput(c, { others: [a, b], instances: [vpcInstance(ID)], roles: { [ID]: null } }))).message;
    expect(msg).toContain('ns/a');
  });

  it("the oldest replaces a younger binding's role; the younger ones do not fight back", () => {
    expect(states('RoleY')).toEqual([
      ['ns/a', 'Detaching', [{ kind: 'detach', instanceId: ID, roleName: 'RoleY' }, { kind: 'attach', instanceId: ID, roleName: 'RoleX' }]],
      ['ns/b', 'Conflict', []],
      ['ns/c', 'Conflict', []],
    ]);
    expect(states('RoleX').map(([, s]) => s)).toEqual(['Bound', 'Conflict', 'Conflict']);
  });

  it('bindings that want the oldest binding’s role share the instance', () => {
    const c2 = binding('ns/c', T2, { roleName: 'RoleX', instanceIds: [ID] });
    const world = [a, b, c2];
    const result = world.map((self) => only(plan(planInput(self, { others: world, instances: [vpcInstance(ID)], roles: { [ID]: 'RoleX' } }))).state);
    expect(result).toEqual(['Bound', 'Conflict', 'Bound']);
  });

  it('a younger binding sharing the winning role also displaces a losing role', () => {
    const c2 = binding('ns/c', T2, { roleName: 'RoleX', instanceIds: [ID] });
    const p = only(plan(planInput(c2, { others: [a, b], instances: [vpcInstance(ID)], roles: { [ID]: 'RoleY' } })));
    expect(p.state).toBe('Detaching');
    expect(p.actions[0]).toEqual({ kind: 'detach', instanceId: ID, roleName: 'RoleY' });
  });

  it('breaks timestamp ties by namespace, then name (not by the joined key)', () => {
    // As strings "team-b/x" < "team/z" ('-' sorts before '/'), but namespace "team" < "team-b".
    const first = binding('team/z', T0, { roleName: 'RoleX', instanceIds: [ID] });
    const second = binding('team-b/x', T0, { roleName: 'RoleY', instanceIds: [ID] });
    const third = binding('team/a', T0, { roleName: 'RoleW', instanceIds: [ID] });
    const world = [first, second, third];
    const verdict = (self: BindingView): InstanceState =>
      only(plan(planInput(self, { others: world, instances: [vpcInstance(ID)], roles: { [ID]: null } }))).state;
    expect(verdict(third)).toBe('Attaching'); // team/a: same namespace as team/z, smaller name
    expect(verdict(first)).toBe('Conflict');
    expect(verdict(second)).toBe('Conflict');
    expect(only(plan(planInput(first, { others: world, instances: [vpcInstance(ID)], roles: { [ID]: null } }))).message).toContain('team/a');
  });

  it('ignores deleting bindings and bindings of other regions', () => {
    const older = binding('ns/old', T0, { roleName: 'RoleX', instanceIds: [ID] }, true);
    const elsewhere = binding('ns/far', T0, { roleName: 'RoleX', instanceIds: [ID], regionId: 'cn-beijing' });
    const self = binding('ns/self', T1, { roleName: 'RoleA', instanceIds: [ID] });
    const p = only(plan(planInput(self, { others: [older, elsewhere], instances: [vpcInstance(ID)], roles: { [ID]: null } })));
    expect(p.state).toBe('Attaching');
    // A deleting binding's role still on the instance is nobody's: no takeover, no replacement.
    const q = only(plan(planInput(self, { others: [older], instances: [vpcInstance(ID)], roles: { [ID]: 'RoleX' } })));
    expect(q.state).toBe('Conflict');
  });

  it('counts selector bindings as claimants when their selector matches', () => {
    const tagged = vpcInstance(ID, { tags: { app: 'web' } });
    const olderSelector = binding('ns/sel', T0, { roleName: 'RoleX', selector: { tags: { app: 'web' } } });
    const otherSelector = binding('ns/db', T0, { roleName: 'RoleX', selector: { tags: { app: 'db' } } });
    const self = binding('ns/self', T1, { roleName: 'RoleA', instanceIds: [ID] });
    expect(only(plan(planInput(self, { others: [olderSelector], instances: [tagged], roles: { [ID]: null } }))).state).toBe('Conflict');
    expect(only(plan(planInput(self, { others: [otherSelector], instances: [tagged], roles: { [ID]: null } }))).state).toBe('Attaching');
  });
});

describe('plan: role change and ordering', () => {
  it('detaches the previous role by name before attaching the new one, per instance and overall', () => {
    const self = binding('ns/self', T1, { roleName: 'RoleB', instanceIds: ['i-1', 'i-2', 'i-3'] });
    const p = plan(
      planInput(self, {
        instances: [vpcInstance('i-1'), vpcInstance('i-2'), vpcInstance('i-3')],
        roles: { 'i-1': 'RoleA', 'i-2': null, 'i-3': 'RoleA' },
        previouslyOwned: { 'i-1': 'RoleA', 'i-3': 'RoleA' },
      }),
    );
    expect(p.actions).toEqual([
      { kind: 'detach', instanceId: 'i-1', roleName: 'RoleA' },
      { kind: 'detach', instanceId: 'i-3', roleName: 'RoleA' },
      { kind: 'attach', instanceId: 'i-1', roleName: 'RoleB' },
      { kind: 'attach', instanceId: 'i-2', roleName: 'RoleB' },
      { kind: 'attach', instanceId: 'i-3', roleName: 'RoleB' },
    ]);
    expect(p.instances.map((i) => i.state)).toEqual(['Detaching', 'Attaching', 'Detaching']);
  });

  it('resumes a role change interrupted between detach and attach', () => {
    const self = binding('ns/self', T1, { roleName: 'RoleB', instanceIds: ['i-1'] });
    const p = plan(planInput(self, { instances: [vpcInstance('i-1')], roles: { 'i-1': null }, previouslyOwned: { 'i-1': 'RoleA' } }));
    expect(p.actions).toEqual([{ kind: 'attach', instanceId: 'i-1', roleName: 'RoleB' }]);
  });

  it('does not treat a role someone else put there after the change as the previous role', () => {
    const self = binding('ns/self', T1, { roleName: 'RoleB', instanceIds: ['i-1'] });
    const p = only(plan(planInput(self, { instances: [vpcInstance('i-1')], roles: { 'i-1': 'Intruder' }, previouslyOwned: { 'i-1': 'RoleA' } })));
    expect(p.state).toBe('Conflict');
    expect(p.actions).toEqual([]);
  });

  it('keeps the old role while the new one cannot be attached', () => {
    const self = binding('ns/self', T1, { roleName: 'RoleB', instanceIds: ['i-1'] });
    const p = plan(planInput(self, { instances: [vpcInstance('i-1')], roles: { 'i-1': 'RoleA' }, previouslyOwned: { 'i-1': 'RoleA' }, role: { exists: false, trustsEcs: false } }));
    expect(p.actions).toEqual([]);
    expect(only(p)).toMatchObject({ state: 'Error', observedRole: 'RoleA' });
  });

  it('makes no changes for a suspended binding if ever called for one', () => {
    const self = binding('ns/self', T1, { instanceIds: [ID], suspend: true });
    const p = plan(planInput(self, { instances: [vpcInstance(ID)], roles: { [ID]: null } }));
    expect(p.actions).toEqual([]);
    expect(only(p).state).toBe('Observed');
  });

  it('plans the deletion for a deleting binding', () => {
    const self = binding('ns/self', T1, { instanceIds: [ID] }, true);
    expect(plan(planInput(self, { instances: [vpcInstance(ID)], roles: { [ID]: 'RoleA' } })).actions).toEqual([
      { kind: 'detach', instanceId: ID, roleName: 'RoleA' },
    ]);
  });

  it('reports what Observe mode sees, including differences, with no actions', () => {
    const self = binding('ns/self', T1, { instanceIds: ['i-1', 'i-2', 'i-3'], mode: 'Observe' });
    const p = plan(planInput(self, { instances: [vpcInstance('i-1'), vpcInstance('i-2'), vpcInstance('i-3')], roles: { 'i-1': 'RoleA', 'i-2': null, 'i-3': 'Other' } }));
    expect(p.actions).toEqual([]);
    expect(p.instances.map((i) => [i.state, i.observedRole])).toEqual([
      ['Observed', 'RoleA'],
      ['Observed', undefined],
      ['Observed', 'Other'],
    ]);
    expect(p.instances[0]?.message).toBeUndefined();
    expect(p.instances[2]?.message).toContain('Other');
  });
});

describe('previouslyOwnedFrom', () => {
  it('keeps roles of Bound and unfinished entries, never of Conflict or Observed ones', () => {
    const owned = previouslyOwnedFrom({
      instances: [
        { instanceId: 'i-bound', state: 'Bound', observedRole: 'A' },
        { instanceId: 'i-detaching', state: 'Detaching', observedRole: 'A' },
        { instanceId: 'i-error', state: 'Error', observedRole: 'A', message: 'throttled' },
        { instanceId: 'i-pending', state: 'Pending', observedRole: 'A' },
        { instanceId: 'i-conflict', state: 'Conflict', observedRole: 'Z' },
        { instanceId: 'i-observed', state: 'Observed', observedRole: 'Z' },
        { instanceId: 'i-attaching', state: 'Attaching' },
        { instanceId: 'i-gone', state: 'NotFound' },
      ],
    });
    expect([...owned].sort()).toEqual([
      ['i-bound', 'A'],
      ['i-detaching', 'A'],
      ['i-error', 'A'],
      ['i-pending', 'A'],
    ]);
    expect(previouslyOwnedFrom(undefined).size).toBe(0);
  });

  it('carries a role change A→B through a pass where B was missing, then swaps', () => {
    const at = (roleName: string) => binding('ns/self', T1, { roleName, instanceIds: [ID] });
    const world = { instances: [vpcInstance(ID)], roles: { [ID]: 'A' } };
    const pass = (roleName: string, previous: ReturnType<typeof computeStatus> | undefined, role: PlanInput['role']) => {
      const p = plan(planInput(at(roleName), { ...world, previouslyOwned: Object.fromEntries(previouslyOwnedFrom(previous)), role }));
      const status = computeStatus(previous, { generation: 1, plan: p, instanceResults: p.instances, suspended: false, mode: 'Enforce', now: T2 });
      return { p, status };
    };
    const first = pass('A', undefined, { exists: true, trustsEcs: true });
    expect(only(first.p).state).toBe('Bound');
    const missing = pass('B', first.status, { exists: false, trustsEcs: false });
    expect(only(missing.p).state).toBe('Error');
    const stillMissing = pass('B', missing.status, { exists: false, trustsEcs: false });
    expect(only(stillMissing.p).state).toBe('Error');
    const created = pass('B', stillMissing.status, { exists: true, trustsEcs: true });
    expect(created.p.actions).toEqual([
      { kind: 'detach', instanceId: ID, roleName: 'A' },
      { kind: 'attach', instanceId: ID, roleName: 'B' },
    ]);
  });
});

describe('planDeletion', () => {
  const self = binding('ns/self', T1, { roleName: 'RoleA', instanceIds: ['i-mine', 'i-none', 'i-other', 'i-shared'] }, true);
  const sharer = binding('ns/sharer', T2, { roleName: 'RoleA', instanceIds: ['i-shared'] });
  const world = {
    instances: [vpcInstance('i-mine'), vpcInstance('i-none'), vpcInstance('i-other'), vpcInstance('i-shared')],
    roles: { 'i-mine': 'RoleA', 'i-none': null, 'i-other': 'RoleX', 'i-shared': 'RoleA' },
  };

  it('Detach: detaches its role only where attached and not wanted by another live binding', () => {
    const p = planDeletion(planInput(self, { ...world, others: [sharer] }));
    expect(p.actions).toEqual([{ kind: 'detach', instanceId: 'i-mine', roleName: 'RoleA' }]);
    expect(p.instances.map((i) => [i.instanceId, i.state])).toEqual([
      ['i-mine', 'Detaching'],
      ['i-none', 'Pending'],
      ['i-other', 'Pending'],
      ['i-shared', 'Bound'],
    ]);
    expect(p.instances[3]?.message).toContain('ns/sharer');
  });

  it('Detach: a shared role is detached when the other binding is deleting too, or elsewhere', () => {
    const deletingSharer = { ...sharer, deleting: true };
    expect(planDeletion(planInput(self, { ...world, others: [deletingSharer] })).actions.map((a) => a.instanceId)).toEqual(['i-mine', 'i-shared']);
    const farSharer = binding('ns/sharer', T2, { roleName: 'RoleA', instanceIds: ['i-shared'], regionId: 'cn-beijing' });
    expect(planDeletion(planInput(self, { ...world, others: [farSharer] })).actions.map((a) => a.instanceId)).toEqual(['i-mine', 'i-shared']);
  });

  it('Detach: a binding wanting another role does not keep this role', () => {
    const rival = binding('ns/rival', T0, { roleName: 'RoleX', instanceIds: ['i-shared'] });
    expect(planDeletion(planInput(self, { ...world, others: [rival] })).actions.map((a) => a.instanceId)).toEqual(['i-mine', 'i-shared']);
  });

  it('Orphan: leaves every instance as it is', () => {
    const orphan = { ...self, spec: { ...self.spec, deletionPolicy: 'Orphan' as const } };
    const p = planDeletion(planInput(orphan, { ...world, others: [sharer] }));
    expect(p.actions).toEqual([]);
    expect(p.instances.find((i) => i.instanceId === 'i-mine')?.message).toContain('Orphan');
  });

  it('Observe mode never detaches', () => {
    const observer = { ...self, spec: { ...self.spec, mode: 'Observe' as const } };
    expect(planDeletion(planInput(observer, world)).actions).toEqual([]);
  });

  it('reports unusable instances without actions', () => {
    const p = planDeletion(planInput(self, { instances: [classicInstance('i-mine')], targetIds: ['i-mine', 'i-gone'] }));
    expect(p.actions).toEqual([]);
    expect(p.instances.map((i) => [i.instanceId, i.state])).toEqual([
      ['i-gone', 'NotFound'],
      ['i-mine', 'NotVpc'],
    ]);
  });
});

describe('plan is idempotent (property)', () => {
  const rng = seededRandom;
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

  function randomWorld(seed: number) {
    const r = rng(seed);
    const roles = ['RoleA', 'RoleB', 'RoleC'];
    const ids = Array.from({ length: 8 }, (_, i) => `i-${i}`);
    const instances = ids.map((id) =>
      r() < 0.1 ? classicInstance(id) : vpcInstance(id, { tags: { app: pick(r, ['web', 'db']) } }),
    ).filter(() => r() > 0.05);
    const bindings = Array.from({ length: 4 }, (_, n) => {
      const explicit = ids.filter(() => r() < 0.4);
      const selector = r() < 0.4 ? { tags: { app: pick(r, ['web', 'db']) } } : undefined;
      return binding(`ns${Math.floor(r() * 2)}/b${n}`, pick(r, [T0, T1, T2]), {
        roleName: pick(r, roles),
        instanceIds: explicit.length > 0 || !selector ? explicit : [],
        ...(selector ? { selector } : {}),
        takeover: r() < 0.5,
      });
    });
    const observed = new Map<string, string | null>();
    for (const i of instances) if (i.networkType === 'vpc') observed.set(i.instanceId, pick(r, [null, ...roles, 'Unowned']));
    return { instances, bindings, observed };
  }

  function inputFor(self: BindingView, world: ReturnType<typeof randomWorld>): PlanInput {
    const byId = new Map(world.instances.map((i) => [i.instanceId, i]));
    const selected = self.spec.selector ? world.instances.filter((i) => i.tags['app'] === self.spec.selector?.tags['app']).map((i) => i.instanceId) : [];
    return {
      binding: self,
      others: world.bindings.filter((b) => b !== self),
      targetIds: [...new Set([...self.spec.instanceIds, ...selected])].sort(),
      instances: byId,
      observedRoles: world.observed,
      observeErrors: new Map(),
      previouslyOwned: new Map(),
      role: { exists: true, trustsEcs: true },
    };
  }

  /** What the cloud does with the plan's actions (detach names the role; attach needs no role). */
  function apply(observed: Map<string, string | null>, actions: PlannedAction[]): void {
    for (const a of actions) {
      if (a.kind === 'detach' && observed.get(a.instanceId) === a.roleName) observed.set(a.instanceId, null);
      if (a.kind === 'attach' && observed.get(a.instanceId) === null) observed.set(a.instanceId, a.roleName);
    }
  }

  const seeds = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

  it('a second plan over the world the first produced has no actions (200 random worlds)', () => {
    let planned = 0;
    for (const seed of seeds(0, 200)) planned += checkTwice(seed);
    // The worlds are varied enough that the first plans really act.
    expect(planned).toBeGreaterThan(100);
  });

  function checkTwice(seed: number): number {
    const world = randomWorld(seed);
    let planned = 0;
    for (const self of world.bindings) {
      const first = plan(inputFor(self, world));
      planned += first.actions.length;
      // Detaches precede attaches, and every detach names the role observed on the instance.
      const firstAttach = first.actions.findIndex((a) => a.kind === 'attach');
      if (firstAttach >= 0) expect(first.actions.slice(firstAttach).every((a) => a.kind === 'attach')).toBe(true);
      for (const a of first.actions) if (a.kind === 'detach') expect(world.observed.get(a.instanceId)).toBe(a.roleName);
      apply(world.observed, first.actions);
      const second = plan(inputFor(self, world));
      expect(second.actions, `seed ${seed}, binding ${self.key}`).toEqual([]);
      for (const p of first.instances) {
        if (p.actions.length > 0) expect(second.instances.find((i) => i.instanceId === p.instanceId)?.state, `seed ${seed}`).toBe('Bound');
      }
    }
    return planned;
  }

  it('all bindings together converge in two rounds and never fight (100 random worlds)', () => {
    for (const seed of seeds(1000, 100)) checkConverges(seed);
  });

  function checkConverges(seed: number): void {
    const world = randomWorld(seed);
    const round = (): number => {
      let actions = 0;
      for (const self of world.bindings) {
        const p = plan(inputFor(self, world));
        actions += p.actions.length;
        apply(world.observed, p.actions);
      }
      return actions;
    };
    round();
    round();
    expect(round(), `seed ${seed}`).toBe(0);
    // Every instance is claimed by at most one role, and no binding reports Bound for a role that is not there.
    for (const self of world.bindings) {
      for (const p of plan(inputFor(self, world)).instances) {
        if (p.state === 'Bound') expect(world.observed.get(p.instanceId), `seed ${seed}`).toBe(self.spec.roleName);
      }
    }
  }
});
