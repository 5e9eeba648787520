import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type World, condition, eventually, instanceState, startWorld } from './world.js';
import { describeEachTarget } from '../support/kube-target.js';
import { E2E_FLEET, binding } from './fleet.js';

describeEachTarget('InstanceRoleBinding end to end', (target) => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld(target, { fleetYaml: E2E_FLEET, defaultResyncMs: 1_500 });
  });

  afterAll(async () => {
    await world?.stop();
  });

  const mutating = (action: string) => action === 'AttachInstanceRamRole' || action === 'DetachInstanceRamRole';
  const idsOf = (params: Record<string, unknown>): string[] => {
    const v = params.InstanceIds;
    return Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? (JSON.parse(v) as string[]) : [];
  };

  describe('InstanceRoleBinding end to end (kubectl + official SDKs against both simulators)', () => {
    it('attaches the role, reports Ready, and kubectl wait returns', async () => {
      await world.apply(binding('web', { roleName: 'RoleA', instanceSelector: { tags: { app: 'web' } } }));
      const wait = await world.kubectl(['wait', '--for=condition=Ready', 'irb/web', '--timeout=30s']);
      expect(wait.stderr).toBe('');
      expect(wait.code).toBe(0);
      expect(await world.roleOf('i-ready0001')).toBe('RoleA');
      expect(await world.roleOf('i-ready0002')).toBe('RoleA');
      const b = await world.binding('default', 'web');
      expect(b?.status?.observedGeneration).toBe(b?.metadata.generation);
      expect(b?.status?.summary).toEqual({ desired: 2, bound: 2, conflicts: 0, errors: 0 });
      expect(condition(b, 'Ready')).toMatchObject({ status: 'True', reason: 'AllInstancesBound' });
      expect(b?.metadata.finalizers).toContain('roles.ecs.dev/detach-on-delete');
      const table = await world.kubectl(['get', 'irb', 'web']);
      expect(table.stdout).toMatch(/RoleA\s+cn-hangzhou\s+2\s+2\s+True\s+AllInstancesBound/);
    });

    it('makes no Attach or Detach call on a converged world', async () => {
      await world.clearCalls();
      await world.kubectl(['annotate', 'irb', 'web', '--overwrite', 'roles.ecs.dev/reconcile-requested-at=converged-check']);
      await eventually('a describe after the requested reconcile', async () =>
        (await world.calls()).some((c) => c.action === 'DescribeInstanceRamRole'),
      );
      // wait past another resync as well
      await new Promise((r) => setTimeout(r, 2_000));
      const calls = await world.calls();
      expect(calls.filter((c) => mutating(c.action))).toEqual([]);
    });

    it('re-attaches a role detached out of band within the resync period', async () => {
      await world.apply(binding('drift', { roleName: 'RoleA', instanceIds: ['i-drift0001'] }));
      await eventually('drift target bound', async () => (await world.roleOf('i-drift0001')) === 'RoleA');
      await world.setRole('i-drift0001', null);
      await eventually('role re-attached', async () => (await world.roleOf('i-drift0001')) === 'RoleA', 15_000);
      const events = await world.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=drift', '-o', 'json']);
      const reasons = (JSON.parse(events.stdout) as { items: Array<{ reason: string }> }).items.map((e) => e.reason);
      expect(reasons).toContain('DriftDetected');
      expect(reasons).toContain('DriftCorrected');
    });

    it('reports Conflict for a role nobody owns, and replaces it with takeover', async () => {
      await world.apply(binding('foreign', { roleName: 'RoleA', instanceIds: ['i-foreign0001'] }));
      const b = await eventually('conflict reported', async () => {
        const got = await world.binding('default', 'foreign');
        return instanceState(got, 'i-foreign0001')?.state === 'Conflict' ? got : undefined;
      });
      expect(instanceState(b, 'i-foreign0001')?.observedRole).toBe('ForeignRole');
      expect(instanceState(b, 'i-foreign0001')?.message).toMatch(/takeover/);
      expect(condition(b, 'Ready')?.status).toBe('False');
      expect(await world.roleOf('i-foreign0001')).toBe('ForeignRole');

      await world.apply(binding('foreign-takeover', { roleName: 'RoleB', instanceIds: ['i-foreign0002'], takeover: true }));
      await eventually('foreign role replaced', async () => (await world.roleOf('i-foreign0002')) === 'RoleB');
    });

    it('changes roles by detaching the old role (by name) and then attaching the new one', async () => {
      await world.apply(binding('swap', { roleName: 'RoleA', instanceIds: ['i-swap0001', 'i-swap0002'] }));
      await eventually('swap bound to A', async () => (await world.roleOf('i-swap0001')) === 'RoleA' && (await world.roleOf('i-swap0002')) === 'RoleA');
      await world.clearCalls();
      await world.apply(binding('swap', { roleName: 'RoleB', instanceIds: ['i-swap0001', 'i-swap0002'] }));
      await eventually('swap bound to B', async () => (await world.roleOf('i-swap0001')) === 'RoleB' && (await world.roleOf('i-swap0002')) === 'RoleB');
      const calls = (await world.calls()).filter((c) => mutating(c.action));
      for (const id of ['i-swap0001', 'i-swap0002']) {
        const mine = calls.filter((c) => idsOf(c.params).includes(id));
        expect(mine.map((c) => [c.action, c.params.RamRoleName])).toEqual([
          ['DetachInstanceRamRole', 'RoleA'],
          ['AttachInstanceRamRole', 'RoleB'],
        ]);
      }
      await eventually('swap Ready again', async () => condition(await world.binding('default', 'swap'), 'Ready')?.status === 'True');
    });

    it('reports classic-network and missing instances per instance without hot-looping', async () => {
      await world.apply(binding('bad-targets', { roleName: 'RoleA', instanceIds: ['i-classic0001', 'i-missing0001'] }));
      const b = await eventually('per-instance states', async () => {
        const got = await world.binding('default', 'bad-targets');
        return got?.status?.instances?.length === 2 ? got : undefined;
      });
      expect(instanceState(b, 'i-classic0001')?.state).toBe('NotVpc');
      expect(instanceState(b, 'i-missing0001')?.state).toBe('NotFound');
      expect(condition(b, 'Ready')?.status).toBe('False');
      await world.clearCalls();
      await new Promise((r) => setTimeout(r, 3_000));
      const mutatingCalls = (await world.calls()).filter((c) => mutating(c.action) && idsOf(c.params).some((id) => id === 'i-classic0001' || id === 'i-missing0001'));
      expect(mutatingCalls).toEqual([]);
    });

    it('stalls with a clear message when the role is missing or not trusted by ECS', async () => {
      await world.apply(binding('missing-role', { roleName: 'NoSuchRole', instanceIds: ['i-stall0001'] }));
      await world.apply(binding('untrusted-role', { roleName: 'FcOnly', instanceIds: ['i-untrust0001'] }));
      const missing = await eventually('missing role stalled', async () => {
        const got = await world.binding('default', 'missing-role');
        return condition(got, 'Stalled')?.status === 'True' ? got : undefined;
      });
      expect(condition(missing, 'Stalled')).toMatchObject({ reason: 'RoleNotFound' });
      expect(condition(missing, 'Stalled')?.message).toMatch(/NoSuchRole/);
      const untrusted = await eventually('untrusted role stalled', async () => {
        const got = await world.binding('default', 'untrusted-role');
        return condition(got, 'Stalled')?.status === 'True' ? got : undefined;
      });
      expect(condition(untrusted, 'Stalled')).toMatchObject({ reason: 'RoleNotTrusted' });
      expect(condition(untrusted, 'Stalled')?.message).toMatch(/ecs\.aliyuncs\.com/);
      expect(await world.roleOf('i-stall0001')).toBeNull();
      expect(await world.roleOf('i-untrust0001')).toBeNull();
    });

    it('the older binding wins an instance; the younger reports Conflict; same role is shared', async () => {
      await world.apply(binding('contest-old', { roleName: 'RoleA', instanceIds: ['i-contest0001'] }));
      await eventually('old bound', async () => (await world.roleOf('i-contest0001')) === 'RoleA');
      await world.apply(binding('contest-young', { roleName: 'RoleB', instanceIds: ['i-contest0001'] }));
      const young = await eventually('young in conflict', async () => {
        const got = await world.binding('default', 'contest-young');
        return instanceState(got, 'i-contest0001')?.state === 'Conflict' ? got : undefined;
      });
      expect(instanceState(young, 'i-contest0001')?.message).toMatch(/contest-old/);
      expect(await world.roleOf('i-contest0001')).toBe('RoleA');

      await world.apply(binding('share-1', { roleName: 'RoleA', instanceIds: ['i-shared0001'] }));
      await world.apply(binding('share-2', { roleName: 'RoleA', instanceIds: ['i-shared0001'] }));
      await eventually('both sharing bindings Ready', async () =>
        condition(await world.binding('default', 'share-1'), 'Ready')?.status === 'True' &&
        condition(await world.binding('default', 'share-2'), 'Ready')?.status === 'True',
      );
      // deleting one sharer keeps the role for the other
      const del = await world.kubectl(['delete', 'irb', 'share-1', '--wait=true', '--timeout=20s']);
      expect(del.code).toBe(0);
      expect(await world.roleOf('i-shared0001')).toBe('RoleA');
    });

    it('detaches on delete with deletionPolicy Detach and leaves instances with Orphan', async () => {
      await world.apply(binding('del-detach', { roleName: 'RoleA', instanceIds: ['i-del0001'] }));
      await world.apply(binding('del-orphan', { roleName: 'RoleA', instanceIds: ['i-orphan0001'], deletionPolicy: 'Orphan' }));
      await eventually('both bound', async () => (await world.roleOf('i-del0001')) === 'RoleA' && (await world.roleOf('i-orphan0001')) === 'RoleA');
      const d1 = await world.kubectl(['delete', 'irb', 'del-detach', '--timeout=20s']);
      expect(d1.code).toBe(0);
      const d2 = await world.kubectl(['delete', 'irb', 'del-orphan', '--timeout=20s']);
      expect(d2.code).toBe(0);
      expect(await world.binding('default', 'del-detach')).toBeUndefined();
      expect(await world.roleOf('i-del0001')).toBeNull();
      expect(await world.roleOf('i-orphan0001')).toBe('RoleA');
    });

    it('Observe mode reports what is attached and never mutates', async () => {
      await world.clearCalls();
      await world.apply(binding('observer', { roleName: 'RoleA', instanceIds: ['i-observe0001'], mode: 'Observe' }));
      const b = await eventually('observed', async () => {
        const got = await world.binding('default', 'observer');
        return instanceState(got, 'i-observe0001')?.state === 'Observed' ? got : undefined;
      });
      expect(instanceState(b, 'i-observe0001')?.observedRole).toBe('ForeignRole');
      expect((await world.calls()).filter((c) => mutating(c.action) && idsOf(c.params).includes('i-observe0001'))).toEqual([]);
      expect(await world.roleOf('i-observe0001')).toBe('ForeignRole');
    });

    it('a roleName in another case than the role is Bound, and deleting the binding detaches the role (10.3)', async () => {
      await world.apply(binding('lower', { roleName: 'rolea', instanceIds: ['i-case0001'] }));
      const wait = await world.kubectl(['wait', '--for=condition=Ready', 'irb/lower', '--timeout=30s']);
      expect(wait.code).toBe(0);
      expect((await world.roleOf('i-case0001'))?.toLowerCase()).toBe('rolea');
      const b = await world.binding('default', 'lower');
      expect(instanceState(b, 'i-case0001')?.state).toBe('Bound');
      const del = await world.kubectl(['delete', 'irb', 'lower', '--timeout=20s']);
      expect(del.code).toBe(0);
      expect(await world.roleOf('i-case0001')).toBeNull();
    });

    it('detaches the role from an instance taken out of the binding', async () => {
      await world.apply(binding('release', { roleName: 'RoleA', instanceIds: ['i-rel0001', 'i-rel0002'] }));
      await eventually('both bound', async () => (await world.roleOf('i-rel0001')) === 'RoleA' && (await world.roleOf('i-rel0002')) === 'RoleA');
      await world.apply(binding('release', { roleName: 'RoleA', instanceIds: ['i-rel0001'] }));
      await eventually('released instance detached', async () => (await world.roleOf('i-rel0002')) === null);
      expect(await world.roleOf('i-rel0001')).toBe('RoleA');
      const b = await eventually('status without the released instance', async () => {
        const got = await world.binding('default', 'release');
        return got?.status?.instances?.length === 1 && got.status.observedGeneration === got.metadata.generation ? got : undefined;
      });
      expect(condition(b, 'Ready')?.status).toBe('True');
    });
  });
});
