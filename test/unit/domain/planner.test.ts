import { describe, expect, it } from 'vitest';
import type { InstanceState } from '../../../src/api/instance-role-binding.js';
import type { BindingView } from '../../../src/domain/binding-view.js';
import { type Plan, type PlanInput, type PlannedAction, plan, planRelease } from '../../../src/domain/planner.js';
import { type Holdings, REGION, binding, classicInstance, permissionsOf, planInput, releaseInput, vpcInstance } from './fixtures.js';
import { seededRandom } from '@ecs-role-operator/alicloud-sim';
import { isActiveClaimant } from '../../../src/domain/arbitration.js';
import type { InstanceInfo } from '../../../src/domain/cloud-facts.js';
import { ledgerChangesOf } from '../../../src/domain/ledger-changes.js';
import { OwnershipLedger, applyLedgerChanges } from '../../../src/domain/ownership.js';
import { type Permissions, UNRESTRICTED, identityOf } from '../../../src/domain/permissions.js';
import { sameRoleName } from '../../../src/domain/role-names.js';
import { notPermittedMessage } from '../../../src/domain/tenancy.js';

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
  //   previous      RoleOld, which self put there before its roleName changed to RoleA (the ledger says so)
  type Observed = 'none' | 'same' | 'olderOwned' | 'youngerOwned' | 'unowned' | 'previous';
  type Check = 'ok' | 'missing' | 'untrusted' | 'unknown';
  type Expect = { state: InstanceState; actions: PlannedAction[] };

  const self = (takeover: boolean, mode: 'Enforce' | 'Observe') => binding('ns/self', T1, { roleName: 'RoleA', instanceIds: [ID], takeover, mode });
  const worlds: Record<Observed, { role: string | null; others: BindingView[]; held: Holdings }> = {
    none: { role: null, others: [], held: {} },
    same: { role: 'RoleA', others: [], held: {} },
    olderOwned: { role: 'RoleX', others: [binding('ns/older', T0, { roleName: 'RoleX', instanceIds: [ID] })], held: {} },
    youngerOwned: { role: 'RoleY', others: [binding('ns/younger', T2, { roleName: 'RoleY', instanceIds: [ID] })], held: {} },
    unowned: { role: 'RoleZ', others: [], held: {} },
    previous: { role: 'RoleOld', others: [], held: { [ID]: { role: 'RoleOld', holders: [self(false, 'Enforce')] } } },
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
    const result = plan(
      planInput(self(takeover, mode), {
        others: world.others,
        instances: [vpcInstance(ID)],
        roles: { [ID]: world.role },
        held: world.held,
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
        held: { 'i-1': { role: 'RoleA', holders: [self] }, 'i-3': { role: 'RoleA', holders: [self] } },
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
    const p = plan(planInput(self, { instances: [vpcInstance('i-1')], roles: { 'i-1': null }, held: { 'i-1': { role: 'RoleA', holders: [self] } } }));
    expect(p.actions).toEqual([{ kind: 'attach', instanceId: 'i-1', roleName: 'RoleB' }]);
    // The ledger's record of RoleA is stale (the detach went through before the crash): forgotten.
    expect(only(p).ledger).toEqual({ kind: 'forget', instanceId: 'i-1' });
  });

  it('does not treat a role someone else put there after the change as the previous role', () => {
    const self = binding('ns/self', T1, { roleName: 'RoleB', instanceIds: ['i-1'] });
    const p = only(plan(planInput(self, { instances: [vpcInstance('i-1')], roles: { 'i-1': 'Intruder' }, held: { 'i-1': { role: 'RoleA', holders: [self] } } })));
    expect(p.state).toBe('Conflict');
    expect(p.actions).toEqual([]);
    expect(p.ledger).toEqual({ kind: 'forget', instanceId: 'i-1' });
  });

  it('keeps the old role while the new one cannot be attached', () => {
    const self = binding('ns/self', T1, { roleName: 'RoleB', instanceIds: ['i-1'] });
    const p = plan(planInput(self, { instances: [vpcInstance('i-1')], roles: { 'i-1': 'RoleA' }, held: { 'i-1': { role: 'RoleA', holders: [self] } }, role: { exists: false, trustsEcs: false } }));
    expect(p.actions).toEqual([]);
    expect(only(p)).toMatchObject({ state: 'Error', observedRole: 'RoleA' });
  });

  it('makes no changes for a suspended binding if ever called for one', () => {
    const self = binding('ns/self', T1, { instanceIds: [ID], suspend: true });
    const p = plan(planInput(self, { instances: [vpcInstance(ID)], roles: { [ID]: null } }));
    expect(p.actions).toEqual([]);
    expect(only(p).state).toBe('Observed');
  });

  it('never acts for a deleting binding (planRelease does its cleanup)', () => {
    const self = binding('ns/self', T1, { instanceIds: [ID] }, true);
    const p = plan(planInput(self, { instances: [vpcInstance(ID)], roles: { [ID]: 'RoleA' }, held: { [ID]: { role: 'RoleA', holders: [self] } } }));
    expect(p.actions).toEqual([]);
    expect(only(p).state).toBe('Observed');
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

describe('plan: tenancy (rule T) and namespaces (rules 4-7)', () => {
  // team-a may bind TeamA* to its own instances (tag team=a) and, with takeover, to the pool (vpc-pool);
  // team-b may bind TeamB* to its own instances and to the pool (no takeover).
  const permissions = permissionsOf({
    'team-a': { namespaces: ['team-a'], roles: ['TeamA*'], instances: { tags: { team: 'a' } } },
    'team-a-pool': { namespaces: ['team-a'], roles: ['TeamA*'], instances: { vpcIds: ['vpc-pool'] }, allowTakeover: true },
    'team-b': { namespaces: ['team-b'], roles: ['TeamB*'], instances: { tags: { team: 'b' } } },
    'team-b-pool': { namespaces: ['team-b'], roles: ['TeamB*', 'Shared*'], instances: { vpcIds: ['vpc-pool'] } },
    'shared-a': { namespaces: ['team-a'], roles: ['Shared*'], instances: { vpcIds: ['vpc-pool'] } },
  });
  const aInstance = vpcInstance('i-a1', { tags: { team: 'a' } });
  const bInstance = vpcInstance('i-b1', { tags: { team: 'b' }, vpcId: 'vpc-b' });
  const pool = vpcInstance('i-pool1', { vpcId: 'vpc-pool' });
  const a = (name: string, at: string, spec: Parameters<typeof binding>[2]) => binding(`team-a/${name}`, at, { roleName: 'TeamAWorker', ...spec });
  const b = (name: string, at: string, spec: Parameters<typeof binding>[2]) => binding(`team-b/${name}`, at, { roleName: 'TeamBWorker', ...spec });

  it('T: an explicit ID it may not act on is NotPermitted with nothing about the instance; a selector match is not listed', () => {
    const self = a('web', T1, { instanceIds: ['i-b1', 'i-a1'], selector: { tags: { app: 'web' } } });
    const other = vpcInstance('i-b2', { tags: { team: 'b', app: 'web' }, vpcId: 'vpc-b' });
    const p = plan(planInput(self, { permissions, instances: [aInstance, bInstance, other], roles: { 'i-a1': null, 'i-b1': 'TeamBWorker', 'i-b2': 'TeamBWorker' }, targetIds: ['i-a1', 'i-b1', 'i-b2'] }));
    expect(p.instances.map((i) => i.instanceId)).toEqual(['i-a1', 'i-b1']);
    expect(p.instances[1]).toEqual({ instanceId: 'i-b1', state: 'NotPermitted', message: notPermittedMessage('team-a', REGION), actions: [] });
    expect(p.actions).toEqual([{ kind: 'attach', instanceId: 'i-a1', roleName: 'TeamAWorker' }]);
  });

  it('T: NotPermitted reads the same for an ID that does not exist when the policies constrain VPCs or tags; NotFound otherwise', () => {
    const self = a('web', T1, { instanceIds: ['i-nosuch'] });
    expect(only(plan(planInput(self, { permissions, targetIds: ['i-nosuch'] })))).toEqual({ instanceId: 'i-nosuch', state: 'NotPermitted', message: notPermittedMessage('team-a', REGION), actions: [] });
    const regionOnly = permissionsOf({ 'team-a': { namespaces: ['team-a'], roles: ['TeamA*'], instances: { regionIds: [REGION] } } });
    const p = only(plan(planInput(self, { permissions: regionOnly, targetIds: ['i-nosuch'] })));
    expect(p.state).toBe('NotFound');
    expect(p.message).toBe(`instance i-nosuch was not found in region ${REGION}: remove it from spec.instanceIds or fix spec.regionId`);
  });

  it('T: Observe mode reports nothing of an instance it is not permitted on either', () => {
    const self = a('peek', T1, { mode: 'Observe', selector: { tags: {}, vpcId: 'vpc-b' }, instanceIds: [] });
    expect(plan(planInput(self, { permissions, instances: [bInstance], roles: { 'i-b1': 'TeamBWorker' } }))).toEqual({ instances: [], actions: [] });
  });

  it('4b: an instance held for another namespace is never taken, however old the newcomer and whatever its takeover', () => {
    const holder = b('api', T2, { instanceIds: ['i-pool1'] });
    const older = a('web', T0, { instanceIds: ['i-pool1'], takeover: true });
    const p = only(plan(planInput(older, { permissions, others: [holder], instances: [pool], roles: { 'i-pool1': 'TeamBWorker' }, held: { 'i-pool1': { role: 'TeamBWorker', holders: [holder] } } })));
    expect(p).toMatchObject({ state: 'Conflict', actions: [] });
    expect(p.message).toBe("it is held for a binding of another namespace; this binding's role TeamAWorker is not applied");
    expect(p.message).not.toContain('team-b');
    // The holder keeps saying Bound.
    expect(only(plan(planInput(holder, { permissions, others: [older], instances: [pool], roles: { 'i-pool1': 'TeamBWorker' }, held: { 'i-pool1': { role: 'TeamBWorker', holders: [holder] } } }))).state).toBe('Bound');
  });

  it('4b: with the ledger lost, a role another namespace claims is still theirs', () => {
    const claimant = b('api', T2, { instanceIds: ['i-pool1'] });
    const older = a('web', T0, { instanceIds: ['i-pool1'] });
    const p = only(plan(planInput(older, { permissions, others: [claimant], instances: [pool], roles: { 'i-pool1': 'TeamBWorker' } })));
    expect(p).toMatchObject({ state: 'Conflict', actions: [] });
    expect(p.message).toContain('claimed by a binding of another namespace');
  });

  it('4a: a role shared across namespaces is frozen: each sharer is Bound, nobody replaces it', () => {
    const sa = a('shared', T0, { roleName: 'SharedReader', instanceIds: ['i-pool1'] });
    const sb = b('shared', T1, { roleName: 'SharedReader', instanceIds: ['i-pool1'] });
    const changer = { ...sa, spec: { ...sa.spec, roleName: 'TeamAWorker' } };
    const held: Holdings = { 'i-pool1': { role: 'SharedReader', holders: [sa, sb] } };
    const world = { permissions, instances: [pool], roles: { 'i-pool1': 'SharedReader' }, held };
    expect(only(plan(planInput(sb, { ...world, others: [sa] }))).state).toBe('Bound');
    // team-a changes its role: its own hold is no licence to remove a role team-b holds too.
    const p = only(plan(planInput(changer, { ...world, others: [sb] })));
    expect(p).toMatchObject({ state: 'Conflict', actions: [] });
    expect(p.message).toContain('several namespaces');
  });

  it('5: across namespaces with nobody owning the instance, the oldest claimant wins and the loser is not told its name', () => {
    const older = b('api', T0, { instanceIds: ['i-pool1'] });
    const self = a('web', T1, { instanceIds: ['i-pool1'] });
    const p = only(plan(planInput(self, { permissions, others: [older], instances: [pool], roles: { 'i-pool1': null } })));
    expect(p.state).toBe('Conflict');
    expect(p.message).toBe("an older binding of another namespace claims this instance; this binding's role TeamAWorker is not applied");
  });

  it('claimants are only Enforce-mode, unsuspended, permitted bindings: Observe, suspended and unpermitted ones claim nothing', () => {
    const self = b('api', T2, { instanceIds: ['i-pool1'] });
    const observer = a('peek', T0, { instanceIds: ['i-pool1'], mode: 'Observe' });
    const suspended = a('paused', T0, { instanceIds: ['i-pool1'], suspend: true });
    const unpermitted = a('admin', T0, { instanceIds: ['i-pool1'], roleName: 'AdminRole' });
    const p = only(plan(planInput(self, { permissions, others: [observer, suspended, unpermitted], instances: [pool], roles: { 'i-pool1': null } })));
    expect(p.actions).toEqual([{ kind: 'attach', instanceId: 'i-pool1', roleName: 'TeamBWorker' }]);
  });

  it('7a: a holder of this namespace that claims nothing now keeps its role; one that yields does not', () => {
    const idle = a('old', T0, { instanceIds: ['i-a1'], suspend: true });
    const self = a('new', T1, { instanceIds: ['i-a1'], roleName: 'TeamAReader' });
    const held: Holdings = { 'i-a1': { role: 'TeamAWorker', holders: [idle] } };
    const p = only(plan(planInput(self, { permissions, others: [idle], instances: [aInstance], roles: { 'i-a1': 'TeamAWorker' }, held })));
    expect(p).toMatchObject({ state: 'Conflict', actions: [] });
    expect(p.message).toContain('team-a/old');
    const younger = a('young', T2, { instanceIds: ['i-a1'] });
    const q = only(plan(planInput(self, { permissions, others: [younger], instances: [aInstance], roles: { 'i-a1': 'TeamAWorker' }, held: { 'i-a1': { role: 'TeamAWorker', holders: [younger] } } })));
    expect(q.actions).toEqual([
      { kind: 'detach', instanceId: 'i-a1', roleName: 'TeamAWorker' },
      { kind: 'attach', instanceId: 'i-a1', roleName: 'TeamAReader' },
    ]);
  });

  it('7b: takeover needs spec.takeover, a policy that allows it, and nobody holding the instance', () => {
    const world = { permissions, instances: [pool, aInstance], roles: { 'i-pool1': 'Manual', 'i-a1': 'Manual' } };
    const withTakeover = a('web', T1, { instanceIds: ['i-pool1', 'i-a1'], takeover: true });
    const p = plan(planInput(withTakeover, world));
    // team-a-pool allows takeover on the pool; team-a does not on team-a's own instances.
    expect(p.actions).toEqual([
      { kind: 'detach', instanceId: 'i-pool1', roleName: 'Manual' },
      { kind: 'attach', instanceId: 'i-pool1', roleName: 'TeamAWorker' },
    ]);
    expect(p.instances.find((i) => i.instanceId === 'i-a1')?.message).toBe(
      'carries role Manual, which no InstanceRoleBinding claims for it; spec.takeover is true but InstanceRolePolicy team-a does not allow takeover (a cluster admin can set spec.allowTakeover: true)',
    );
    // A suspended binding of another namespace holding it: not the takeover's to replace.
    const holder = b('paused', T0, { instanceIds: ['i-pool1'], roleName: 'TeamBWorker', suspend: true });
    const held: Holdings = { 'i-pool1': { role: 'Manual', holders: [holder] } };
    expect(only(plan(planInput(withTakeover, { ...world, instances: [pool], held, others: [holder] })))).toMatchObject({ state: 'Conflict', actions: [] });
  });

  it('compares role names the one way: a spec naming the role in another case is Bound and holds it (10.3)', () => {
    const self = a('web', T1, { roleName: 'teamaworker', instanceIds: ['i-a1'] });
    const p = only(plan(planInput(self, { permissions, instances: [aInstance], roles: { 'i-a1': 'TeamAWorker' } })));
    expect(p).toEqual({ instanceId: 'i-a1', state: 'Bound', observedRole: 'TeamAWorker', actions: [], ledger: { kind: 'hold', instanceId: 'i-a1', roleName: 'TeamAWorker' } });
  });
});

describe('ledgerChangesOf', () => {
  it('the plan’s own changes, then hold per confirmed attach and forget per confirmed detach; a failed call changes nothing', () => {
    const p: Plan = {
      instances: [
        { instanceId: 'i-adopt', state: 'Bound', observedRole: 'R', actions: [], ledger: { kind: 'hold', instanceId: 'i-adopt', roleName: 'R' } },
        { instanceId: 'i-new', state: 'Attaching', actions: [{ kind: 'attach', instanceId: 'i-new', roleName: 'R' }] },
        { instanceId: 'i-swap', state: 'Detaching', actions: [{ kind: 'detach', instanceId: 'i-swap', roleName: 'Old' }, { kind: 'attach', instanceId: 'i-swap', roleName: 'R' }] },
        { instanceId: 'i-fail', state: 'Attaching', actions: [{ kind: 'attach', instanceId: 'i-fail', roleName: 'R' }] },
        { instanceId: 'i-half', state: 'Detaching', actions: [{ kind: 'detach', instanceId: 'i-half', roleName: 'Old' }, { kind: 'attach', instanceId: 'i-half', roleName: 'R' }] },
      ],
      actions: [],
    };
    expect(ledgerChangesOf(p, { attached: ['i-new', 'i-swap'], detached: ['i-swap', 'i-half'] })).toEqual([
      { kind: 'hold', instanceId: 'i-adopt', roleName: 'R' },
      { kind: 'hold', instanceId: 'i-new', roleName: 'R' },
      { kind: 'forget', instanceId: 'i-swap' },
      { kind: 'hold', instanceId: 'i-swap', roleName: 'R' },
      { kind: 'forget', instanceId: 'i-half' },
    ]);
  });
});

describe('role change proof comes from the ledger only', () => {
  it('carries a role change A→B through passes where B was missing, then swaps', () => {
    const at = (roleName: string) => binding('ns/self', T1, { roleName, instanceIds: [ID] });
    const held: Holdings = { [ID]: { role: 'A', holders: [at('A')] } };
    const world = { instances: [vpcInstance(ID)], roles: { [ID]: 'A' }, held };
    const missing = plan(planInput(at('B'), { ...world, role: { exists: false, trustsEcs: false } }));
    expect(only(missing)).toMatchObject({ state: 'Error', observedRole: 'A', actions: [] });
    const created = plan(planInput(at('B'), { ...world, role: { exists: true, trustsEcs: true } }));
    expect(created.actions).toEqual([
      { kind: 'detach', instanceId: ID, roleName: 'A' },
      { kind: 'attach', instanceId: ID, roleName: 'B' },
    ]);
  });

  it('without a ledger record, a role change detaches nothing (spec and status are no proof)', () => {
    const self = binding('ns/self', T1, { roleName: 'B', instanceIds: [ID] });
    const p = only(plan(planInput(self, { instances: [vpcInstance(ID)], roles: { [ID]: 'A' } })));
    expect(p).toMatchObject({ state: 'Conflict', actions: [] });
    expect(p.message).toContain('set spec.takeover: true');
  });

  it('a record held by another binding of the same namespace is no proof for this one', () => {
    const self = binding('ns/self', T1, { roleName: 'B', instanceIds: [ID] });
    const sibling = binding('ns/sibling', T0, { roleName: 'A', instanceIds: [ID], suspend: true });
    const p = only(plan(planInput(self, { others: [sibling], instances: [vpcInstance(ID)], roles: { [ID]: 'A' }, held: { [ID]: { role: 'A', holders: [sibling] } } })));
    expect(p).toMatchObject({ state: 'Conflict', actions: [] });
    expect(p.message).toContain('ns/sibling');
  });
});

describe('planRelease', () => {
  const self = binding('ns/self', T1, { roleName: 'RoleA', instanceIds: ['i-mine', 'i-none', 'i-other', 'i-shared'] }, true);
  const sharer = binding('ns/sharer', T2, { roleName: 'RoleA', instanceIds: ['i-shared'] });
  const ids = ['i-mine', 'i-none', 'i-other', 'i-shared'];
  const heldBySelf: Holdings = Object.fromEntries(ids.map((id) => [id, { role: 'RoleA', holders: [self] }]));
  const world = {
    instances: ids.map((id) => vpcInstance(id)),
    roles: { 'i-mine': 'RoleA', 'i-none': null, 'i-other': 'RoleX', 'i-shared': 'RoleA' },
    held: heldBySelf,
  };

  it('Detach: detaches the held role only where still attached and not wanted by another live binding', () => {
    const p = planRelease(releaseInput(self, { ...world, others: [sharer] }));
    expect(p.actions).toEqual([{ kind: 'detach', instanceId: 'i-mine', roleName: 'RoleA' }]);
    expect(p.instances.map((i) => [i.instanceId, i.state, i.ledger?.kind])).toEqual([
      ['i-mine', 'Detaching', undefined],
      ['i-none', 'Pending', 'forget'],
      ['i-other', 'Pending', 'forget'],
      ['i-shared', 'Bound', 'release'],
    ]);
    expect(p.instances[3]?.message).toContain('ns/sharer');
  });

  it('releases what the ledger says the binding holds, whatever its spec says now', () => {
    const emptied = binding('ns/self', T1, { roleName: 'RoleA', instanceIds: [] }, true);
    const p = planRelease(releaseInput(emptied, { instances: [vpcInstance('i-mine')], roles: { 'i-mine': 'RoleA' }, held: { 'i-mine': { role: 'RoleA', holders: [emptied] } } }));
    expect(p.actions).toEqual([{ kind: 'detach', instanceId: 'i-mine', roleName: 'RoleA' }]);
    // Instances the binding never held are not its to detach, even if its spec names them.
    const named = binding('ns/self', T1, { roleName: 'RoleA', instanceIds: ['i-mine'] }, true);
    expect(planRelease(releaseInput(named, { instances: [vpcInstance('i-mine')], roles: { 'i-mine': 'RoleA' } })).actions).toEqual([]);
  });

  it('Detach: a shared role is detached when the other binding is deleting, in Observe mode, suspended without a hold, or elsewhere', () => {
    const variants = [
      { ...sharer, deleting: true },
      { ...sharer, spec: { ...sharer.spec, mode: 'Observe' as const } },
      { ...sharer, spec: { ...sharer.spec, suspend: true } },
      binding('ns/sharer', T2, { roleName: 'RoleA', instanceIds: ['i-shared'], regionId: 'cn-beijing' }),
    ];
    for (const other of variants) expect(planRelease(releaseInput(self, { ...world, others: [other] })).actions.map((a) => a.instanceId)).toEqual(['i-mine', 'i-shared']);
  });

  it('keeps the role for a suspended sharer that holds it too', () => {
    const suspended = { ...sharer, spec: { ...sharer.spec, suspend: true } };
    const held: Holdings = { ...heldBySelf, 'i-shared': { role: 'RoleA', holders: [self, suspended] } };
    expect(planRelease(releaseInput(self, { ...world, held, others: [suspended] })).actions.map((a) => a.instanceId)).toEqual(['i-mine']);
  });

  it('compares role names the one way: a sharer naming the role in another case keeps it, the held role is detached by its observed name', () => {
    const lower = binding('ns/sharer', T2, { roleName: 'rolea', instanceIds: ['i-shared'] });
    expect(planRelease(releaseInput(self, { ...world, others: [lower] })).actions.map((a) => a.instanceId)).toEqual(['i-mine']);
    const p = planRelease(releaseInput(self, { instances: [vpcInstance('i-mine')], roles: { 'i-mine': 'ROLEA' }, held: { 'i-mine': { role: 'RoleA', holders: [self] } } }));
    expect(p.actions).toEqual([{ kind: 'detach', instanceId: 'i-mine', roleName: 'ROLEA' }]);
  });

  it('Detach: a binding wanting another role does not keep this role', () => {
    const rival = binding('ns/rival', T0, { roleName: 'RoleX', instanceIds: ['i-shared'] });
    expect(planRelease(releaseInput(self, { ...world, others: [rival] })).actions.map((a) => a.instanceId)).toEqual(['i-mine', 'i-shared']);
  });

  it('Orphan and Observe: let go of every hold, detach nothing', () => {
    for (const spec of [{ deletionPolicy: 'Orphan' as const }, { mode: 'Observe' as const }]) {
      const other = { ...self, spec: { ...self.spec, ...spec } };
      const p = planRelease(releaseInput(other, { ...world, held: Object.fromEntries(ids.map((id) => [id, { role: 'RoleA', holders: [other] }])) }));
      expect(p.actions).toEqual([]);
      expect(p.instances.find((i) => i.instanceId === 'i-mine')).toMatchObject({ ledger: { kind: 'release', instanceId: 'i-mine' } });
    }
  });

  it('forgets instances that are gone or classic; keeps the hold of one whose role cannot be read', () => {
    const held: Holdings = { 'i-gone': { role: 'RoleA', holders: [self] }, 'i-blind': { role: 'RoleA', holders: [self] } };
    const p = planRelease(releaseInput(self, { instances: [vpcInstance('i-blind')], held, observeErrors: { 'i-blind': 'Throttling' } }));
    expect(p.actions).toEqual([]);
    expect(p.instances.map((i) => [i.instanceId, i.state, i.ledger?.kind])).toEqual([
      ['i-blind', 'Error', undefined],
      ['i-gone', 'NotFound', 'forget'],
    ]);
  });
});

describe('plan over random worlds (properties)', () => {
  const rng = seededRandom;
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const ROLES = ['RoleA', 'RoleB', 'RoleC'];

  interface RandomWorld {
    instances: InstanceInfo[];
    bindings: BindingView[];
    observed: Map<string, string | null>;
    ledger: OwnershipLedger;
    permissions: Permissions;
  }

  function randomWorld(seed: number, tenancy: 'disabled' | 'enforced' = 'disabled'): RandomWorld {
    const r = rng(seed);
    const ids = Array.from({ length: 8 }, (_, i) => `i-${i}`);
    const instances = ids
      .map((id) => (r() < 0.1 ? classicInstance(id) : vpcInstance(id, { tags: { app: pick(r, ['web', 'db']), team: pick(r, ['0', '1']) } })))
      .filter(() => r() > 0.05);
    const bindings = Array.from({ length: 4 }, (_, n) => {
      const explicit = ids.filter(() => r() < 0.4);
      const selector = r() < 0.4 ? { tags: { app: pick(r, ['web', 'db']) } } : undefined;
      return binding(`ns${Math.floor(r() * 2)}/b${n}`, pick(r, [T0, T1, T2]), {
        roleName: pick(r, ROLES),
        instanceIds: explicit.length > 0 || !selector ? explicit : [],
        ...(selector ? { selector } : {}),
        takeover: r() < 0.5,
        mode: r() < 0.15 ? 'Observe' : 'Enforce',
      });
    });
    const observed = new Map<string, string | null>();
    for (const i of instances) if (i.networkType === 'vpc') observed.set(i.instanceId, pick(r, [null, ...ROLES, 'Unowned']));
    // Some instances start held (as if attached earlier) by a binding that wants the role there.
    const ledger = new OwnershipLedger();
    for (const [id, role] of observed) {
      const holder = bindings.find((b) => b.spec.roleName === role && b.spec.instanceIds.includes(id));
      if (holder && r() < 0.7) ledger.hold(id, role as string, { key: holder.key, uid: holder.uid });
    }
    const permissions =
      tenancy === 'disabled'
        ? UNRESTRICTED
        : permissionsOf({
            // Each namespace may bind two of the three roles, on its own team's instances; a shared pool for RoleA.
            ns0: { namespaces: ['ns0'], roles: ['RoleA', 'RoleB'], instances: { tags: { team: '0' } }, allowTakeover: r() < 0.5 },
            ns1: { namespaces: ['ns1'], roles: ['RoleB', 'RoleC'], instances: { tags: { team: '1' } }, allowTakeover: r() < 0.5 },
            pool: { namespaces: ['ns0', 'ns1'], roles: ['RoleA'], instances: { tags: { app: 'db' } } },
          });
    return { instances, bindings, observed, ledger, permissions };
  }

  function inputFor(self: BindingView, world: RandomWorld): PlanInput {
    const byId = new Map(world.instances.map((i) => [i.instanceId, i]));
    const selected = self.spec.selector ? world.instances.filter((i) => i.tags['app'] === self.spec.selector?.tags['app']).map((i) => i.instanceId) : [];
    return {
      binding: self,
      others: world.bindings.filter((b) => b !== self),
      targetIds: [...new Set([...self.spec.instanceIds, ...selected])].sort(),
      instances: byId,
      observedRoles: world.observed,
      observeErrors: new Map(),
      permissions: world.permissions,
      ownership: world.ledger,
      role: { exists: true, trustsEcs: true },
    };
  }

  /** What the cloud does with the plan's actions (detach names the role; attach needs no role), and the ledger after it. */
  function apply(world: RandomWorld, self: BindingView, p: Plan): void {
    const attached: string[] = [];
    const detached: string[] = [];
    for (const a of p.actions) {
      if (a.kind === 'detach' && sameRoleName(world.observed.get(a.instanceId), a.roleName)) {
        world.observed.set(a.instanceId, null);
        detached.push(a.instanceId);
      }
      if (a.kind === 'attach' && world.observed.get(a.instanceId) === null) {
        world.observed.set(a.instanceId, a.roleName);
        attached.push(a.instanceId);
      }
    }
    applyLedgerChanges(world.ledger, { key: self.key, uid: self.uid }, ledgerChangesOf(p, { attached, detached }));
  }

  const seeds = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

  it.each(['disabled', 'enforced'] as const)('tenancy %s: a second plan over the world the first produced has no actions (200 random worlds)', (tenancy) => {
    let planned = 0;
    for (const seed of seeds(0, 200)) planned += checkTwice(seed, tenancy);
    // The worlds are varied enough that the first plans really act.
    expect(planned).toBeGreaterThan(tenancy === 'disabled' ? 100 : 30);
  });

  function checkTwice(seed: number, tenancy: 'disabled' | 'enforced'): number {
    const world = randomWorld(seed, tenancy);
    let planned = 0;
    for (const self of world.bindings) {
      const first = plan(inputFor(self, world));
      planned += first.actions.length;
      // Detaches precede attaches, and every detach names the role observed on the instance.
      const firstAttach = first.actions.findIndex((a) => a.kind === 'attach');
      if (firstAttach >= 0) expect(first.actions.slice(firstAttach).every((a) => a.kind === 'attach')).toBe(true);
      for (const a of first.actions) if (a.kind === 'detach') expect(world.observed.get(a.instanceId)).toBe(a.roleName);
      apply(world, self, first);
      const second = plan(inputFor(self, world));
      expect(second.actions, `seed ${seed}, binding ${self.key}`).toEqual([]);
      for (const p of first.instances) {
        if (p.actions.length > 0) expect(second.instances.find((i) => i.instanceId === p.instanceId)?.state, `seed ${seed}`).toBe('Bound');
      }
    }
    return planned;
  }

  it.each(['disabled', 'enforced'] as const)('tenancy %s: all bindings together converge in two rounds and never fight (100 random worlds)', (tenancy) => {
    for (const seed of seeds(1000, 100)) checkConverges(seed, tenancy);
  });

  function checkConverges(seed: number, tenancy: 'disabled' | 'enforced'): void {
    const world = randomWorld(seed, tenancy);
    const round = (): number => {
      let actions = 0;
      for (const self of world.bindings) {
        const p = plan(inputFor(self, world));
        actions += p.actions.length;
        apply(world, self, p);
      }
      return actions;
    };
    round();
    round();
    expect(round(), `seed ${seed}`).toBe(0);
    // No binding reports Bound for a role that is not there, and what it reports Bound it holds.
    for (const self of world.bindings) {
      for (const p of plan(inputFor(self, world)).instances) {
        if (p.state !== 'Bound') continue;
        expect(world.observed.get(p.instanceId), `seed ${seed}`).toBe(self.spec.roleName);
        expect(world.ledger.holding(p.instanceId)?.holders.map((h) => h.uid), `seed ${seed}`).toContain(self.uid);
      }
    }
  }

  it('tenancy enforced: no action ever touches an instance the binding is not permitted on, or displaces a role another namespace holds or claims (300 random worlds)', () => {
    let checked = 0;
    for (const seed of seeds(5000, 300)) {
      const world = randomWorld(seed, 'enforced');
      for (let round = 0; round < 3; round++) {
        for (const self of world.bindings) {
          const p = plan(inputFor(self, world));
          for (const a of p.actions) {
            checked++;
            const instance = world.instances.find((i) => i.instanceId === a.instanceId);
            expect(world.permissions.instance(identityOf(self), instance).permitted, `seed ${seed}: ${self.key} ${a.kind} on ${a.instanceId}`).toBe(true);
            if (a.kind !== 'detach') continue;
            const holders = world.ledger.holding(a.instanceId)?.holders ?? [];
            expect(holders.every((h) => h.key.startsWith(`${self.namespace}/`)), `seed ${seed}: ${self.key} detaches a role held for another namespace`).toBe(true);
            const foreignClaimant = world.bindings.some(
              (b) => b.namespace !== self.namespace && isActiveClaimant(b, instance, a.instanceId, world.permissions) && sameRoleName(b.spec.roleName, a.roleName),
            );
            expect(foreignClaimant, `seed ${seed}: ${self.key} displaces the role of another namespace's claimant`).toBe(false);
          }
          // NotPermitted entries say nothing about the instance.
          for (const i of p.instances) if (i.state === 'NotPermitted') expect(i.observedRole).toBeUndefined();
          apply(world, self, p);
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
