/**
 * Fault tolerance end to end: throttling, 5xx, dropped watches and 410 Gone, slow cloud calls
 * during a role change, and an instance released between observe and act. Each test checks that
 * the operator converges once the faults stop and that it does not hot-loop while they last.
 * (kill -9 mid role-change is covered by crash-recovery.e2e.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { REASONS } from '../../src/domain/reasons.js';
import {
  allCarry,
  clearFaults,
  holdFaultWindow,
  idsOf,
  injectFault,
  isMutating,
  isReadyAndCurrent,
  listBindings,
  maxCallsPerPass,
  maxPassesAllFailing,
  maxPassesMixed,
  roleNameOf,
  rolesOf,
} from './chaos-helpers.js';
import { binding } from './fleet.js';
import { type CallRecord, type World, condition, eventually, instanceState, startWorld } from './world.js';
import { describeEachTarget } from '../support/kube-target.js';

const RESYNC_MS = 1_500;

const ids = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(4, '0')}`);

const THROTTLE_BY_ID_1 = ids('i-thr', 1, 10);
const THROTTLE_BY_ID_2 = ids('i-thr', 11, 20);
const THROTTLE_POOL_3 = ids('i-thr', 21, 30);
const THROTTLE_POOL_4 = ids('i-thr', 31, 40);
const THROTTLED = [...THROTTLE_BY_ID_1, ...THROTTLE_BY_ID_2, ...THROTTLE_POOL_3, ...THROTTLE_POOL_4];
const SERVER_ERROR = ids('i-5xx', 1, 3);
const SWAP = ids('i-swap', 1, 4);
const PARTIAL = ids('i-part', 1, 5);
const WATCH = ids('i-watch', 1, 6);
const MID_SWAP = ids('i-mid', 1, 3);
const DELETING = ids('i-del', 1, 2);

const FLEET = `
accessKeys:
  - id: LTAI5tOperator
    secret: operator-secret
    allow: ["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:ListRoles", "ram:PassRole"]
roles:
  - {name: RoleA, trustedServices: [ecs.aliyuncs.com]}
  - {name: RoleB, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: cn-hangzhou
    generate:
      - {count: 20, idPrefix: i-thr, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
      - {count: 10, idPrefix: i-thr, digits: 4, start: 21, network: vpc, vpcId: vpc-a, tags: {pool: p3}}
      - {count: 10, idPrefix: i-thr, digits: 4, start: 31, network: vpc, vpcId: vpc-a, tags: {pool: p4}}
      - {count: 3, idPrefix: i-5xx, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
      - {count: 4, idPrefix: i-swap, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
      - {count: 5, idPrefix: i-part, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
      - {count: 6, idPrefix: i-watch, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
      - {count: 3, idPrefix: i-mid, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
      - {count: 2, idPrefix: i-del, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
limits:
  qps: {AttachInstanceRamRole: 500, DetachInstanceRamRole: 500, DescribeInstanceRamRole: 500, DescribeInstances: 500, GetRole: 500}
`;

describeEachTarget('fault tolerance', (target) => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld(target, { fleetYaml: FLEET, defaultResyncMs: RESYNC_MS });
  });

  afterEach(async () => {
    // A failed test must not leave faults behind for the next one.
    await clearFaults(world);
  });

  afterAll(async () => {
    await world?.stop();
  });

  async function deleteBindings(names: string[]): Promise<void> {
    const r = await world.kubectl(['delete', 'irb', ...names, '--wait=true', '--timeout=30s']);
    if (r.code !== 0) throw new Error(`kubectl delete failed: ${r.stderr}`);
  }

  async function bindingNamed(name: string): Promise<InstanceRoleBinding | undefined> {
    return world.binding('default', name);
  }

  // Fault windows plus convergence under grown backoff outlast the default 30 s per test.
  describe('fault tolerance (official SDKs and kubectl against both simulators)', { timeout: 60_000 }, () => {
    it('throttling on every action: calls stay within the backoff bound, and 40 instances converge once it stops', async () => {
      const targets: Array<{ name: string; spec: Record<string, unknown>; owns: (c: CallRecord) => boolean }> = [
        { name: 'thr-ids-1', spec: { instanceIds: THROTTLE_BY_ID_1 }, owns: (c) => idsOf(c).some((id) => THROTTLE_BY_ID_1.includes(id)) },
        { name: 'thr-ids-2', spec: { instanceIds: THROTTLE_BY_ID_2 }, owns: (c) => idsOf(c).some((id) => THROTTLE_BY_ID_2.includes(id)) },
        { name: 'thr-pool-3', spec: { instanceSelector: { tags: { pool: 'p3' } } }, owns: (c) => c.params['Tag.1.Value'] === 'p3' || idsOf(c).some((id) => THROTTLE_POOL_3.includes(id)) },
        { name: 'thr-pool-4', spec: { instanceSelector: { tags: { pool: 'p4' } } }, owns: (c) => c.params['Tag.1.Value'] === 'p4' || idsOf(c).some((id) => THROTTLE_POOL_4.includes(id)) },
      ];
      const names = targets.map((t) => t.name);
      const mine = async (): Promise<InstanceRoleBinding[]> => (await listBindings(world)).filter((b) => names.includes(b.metadata.name));

      await injectFault(world, { action: '*', code: 'Throttling', rate: 1 });
      await world.clearCalls();
      const windowStart = Date.now();
      await world.apply(targets.map((t) => binding(t.name, { roleName: 'RoleA', ...t.spec })).join('\n'));
      // The throttling surfaces on every binding: Reconciling=True, reason Throttled.
      await eventually('every binding reports Throttled', async () => {
        const got = await mine();
        return got.length === names.length && got.every((b) => condition(b, 'Reconciling')?.reason === REASONS.Throttled);
      });
      for (const b of await mine()) {
        expect(condition(b, 'Reconciling')?.status).toBe('True');
        expect(condition(b, 'Ready')).toMatchObject({ status: 'False', reason: REASONS.CloudError });
        expect(condition(b, 'Stalled')?.status).toBe('False');
      }
      await holdFaultWindow(3_000);
      const allFailingEnd = Date.now();
      const allFailingMs = allFailingEnd - windowStart;

      // From now on half the calls fail.
      await clearFaults(world);
      await injectFault(world, { action: '*', code: 'Throttling', rate: 0.5 });
      const mixedStart = Date.now();
      await holdFaultWindow(3_000);
      await clearFaults(world);
      const mixedMs = Date.now() - mixedStart;
      const calls = await world.calls();

      // While every call fails, a pass stops at its first cloud call (one DescribeInstances per
      // binding), and the retries of a binding are spaced by the backoff policy. A retry loop
      // without delay makes a call every few milliseconds.
      const allFailing = calls.filter((c) => Date.parse(c.time) < allFailingEnd);
      expect(allFailing.length).toBeGreaterThan(0);
      expect(allFailing.filter((c) => c.code !== 'Throttling')).toEqual([]);
      expect(allFailing.filter((c) => !targets.some((t) => t.owns(c)))).toEqual([]);
      const perBindingBound = Math.ceil(1.5 * maxPassesAllFailing(allFailingMs));
      for (const t of targets) {
        expect(allFailing.filter(t.owns).length, `${t.name}: calls while every call was throttled`).toBeLessThanOrEqual(perBindingBound);
      }
      // While half of them fail, a pass may get further and succeed (which resets the backoff), but
      // passes of one binding are still never closer than the shortest backoff or resync delay.
      const mixed = calls.filter((c) => Date.parse(c.time) >= mixedStart);
      const mixedBound = names.length * maxPassesMixed(mixedMs, 0.9 * RESYNC_MS) * maxCallsPerPass(10);
      expect(mixed.length).toBeLessThanOrEqual(mixedBound);

      await eventually(
        'all 40 instances carry RoleA and every binding is Ready',
        async () => {
          if (!(await allCarry(world, THROTTLED, 'RoleA'))) return false;
          const got = await mine();
          return got.length === names.length && got.every(isReadyAndCurrent);
        },
        40_000,
      );
      for (const b of await mine()) expect(b.status?.summary).toEqual({ desired: 10, bound: 10, conflicts: 0, errors: 0 });
      await deleteBindings(names);
    });

    it('5xx on AttachInstanceRamRole: Reconciling shows the server error meanwhile, Ready afterwards', async () => {
      // Two 503s, then two 500s: the first four attach calls fail.
      await injectFault(world, { action: 'AttachInstanceRamRole', code: 'ServiceUnavailable', status: 503, count: 2 });
      await injectFault(world, { action: 'AttachInstanceRamRole', code: 'InternalError', status: 500, count: 2 });
      await world.clearCalls();
      await world.apply(binding('five-xx', { roleName: 'RoleA', instanceIds: SERVER_ERROR }));

      const seen = await eventually('Reconciling=True with reason CloudServerError', async () => {
        const b = await bindingNamed('five-xx');
        const reconciling = condition(b, 'Reconciling');
        return reconciling?.status === 'True' && reconciling.reason === REASONS.CloudServerError ? b : undefined;
      });
      expect(condition(seen, 'Reconciling')?.message).toMatch(/ServiceUnavailable|InternalError/);
      expect(condition(seen, 'Ready')).toMatchObject({ status: 'False', reason: REASONS.CloudError });
      expect(condition(seen, 'Stalled')?.status).toBe('False');
      expect(instanceState(seen, 'i-5xx0001')?.state).toBe('Error');

      const ready = await eventually('Ready after the faults are spent', async () => {
        const b = await bindingNamed('five-xx');
        return isReadyAndCurrent(b) ? b : undefined;
      }, 30_000);
      expect(condition(ready, 'Reconciling')).toMatchObject({ status: 'False', reason: REASONS.Converged });
      expect(ready.status?.summary).toEqual({ desired: 3, bound: 3, conflicts: 0, errors: 0 });
      expect(await allCarry(world, SERVER_ERROR, 'RoleA')).toBe(true);

      const attaches = (await world.calls()).filter((c) => c.action === 'AttachInstanceRamRole');
      expect(attaches.filter((c) => c.code !== '200').map((c) => [c.status, c.code])).toEqual([
        [503, 'ServiceUnavailable'],
        [503, 'ServiceUnavailable'],
        [500, 'InternalError'],
        [500, 'InternalError'],
      ]);
      // One retry per failure, then one successful call: no retry storm.
      expect(attaches.filter((c) => c.code === '200').length).toBe(1);
      const events = await world.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=five-xx', '-o', 'json']);
      const reasons = (JSON.parse(events.stdout) as { items: Array<{ reason: string }> }).items.map((e) => e.reason);
      expect(reasons).toContain('AttachFailed');
      expect(reasons).toContain('Attached');
    });

    it('slow DescribeInstanceRamRole during a role change: detach(A) before attach(B) per instance, none left without a role', async () => {
      await world.apply(binding('slow-swap', { roleName: 'RoleA', instanceIds: SWAP }));
      await eventually('bound to RoleA', async () => (await allCarry(world, SWAP, 'RoleA')) && isReadyAndCurrent(await bindingNamed('slow-swap')));

      await injectFault(world, { action: 'DescribeInstanceRamRole', latencyMs: 500 });
      await world.clearCalls();
      await world.apply(binding('slow-swap', { roleName: 'RoleB', instanceIds: SWAP }));
      // Ask for extra passes while the slow one runs: they must queue behind it, not overlap it.
      for (const at of ['one', 'two']) {
        const r = await world.kubectl(['annotate', 'irb', 'slow-swap', '--overwrite', `roles.ecs.dev/reconcile-requested-at=${at}`]);
        expect(r.code).toBe(0);
      }
      await eventually('swapped to RoleB and Ready', async () => (await allCarry(world, SWAP, 'RoleB')) && isReadyAndCurrent(await bindingNamed('slow-swap')), 30_000);
      const calls = await world.calls();
      await clearFaults(world);

      expect(calls.some((c) => c.action === 'DescribeInstanceRamRole' && (c.injectedLatencyMs ?? 0) >= 500)).toBe(true);
      const mutating = calls.filter(isMutating);
      expect(mutating.every((c) => c.code === '200')).toBe(true);
      for (const id of SWAP) {
        const mine = mutating.filter((c) => idsOf(c).includes(id));
        expect(mine.map((c) => [c.action, roleNameOf(c)]), id).toEqual([
          ['DetachInstanceRamRole', 'RoleA'],
          ['AttachInstanceRamRole', 'RoleB'],
        ]);
      }

      // Once the faults are gone, later resyncs keep RoleB everywhere and change nothing.
      await world.clearCalls();
      await eventually('two more resyncs of the swapped instances', async () => {
        const describes = (await world.calls()).filter((c) => c.action === 'DescribeInstanceRamRole' && SWAP.every((id) => idsOf(c).includes(id)));
        return describes.length >= 2;
      });
      expect((await world.calls()).filter((c) => isMutating(c) && idsOf(c).some((id) => SWAP.includes(id)))).toEqual([]);
      expect(await rolesOf(world, SWAP)).toEqual(new Map(SWAP.map((id) => [id, 'RoleB'])));
    });

    it('role change while every attach is throttled: detached once, and the new role lands once the throttling stops', async () => {
      await world.apply(binding('mid-swap', { roleName: 'RoleA', instanceIds: MID_SWAP }));
      await eventually('bound to RoleA', async () => (await allCarry(world, MID_SWAP, 'RoleA')) && isReadyAndCurrent(await bindingNamed('mid-swap')));

      await injectFault(world, { action: 'AttachInstanceRamRole', code: 'Throttling', rate: 1 });
      await world.clearCalls();
      await world.apply(binding('mid-swap', { roleName: 'RoleB', instanceIds: MID_SWAP }));
      const stuck = await eventually('RoleA detached, RoleB attach throttled', async () => {
        const b = await bindingNamed('mid-swap');
        const throttled = condition(b, 'Reconciling')?.reason === REASONS.Throttled && b?.status?.observedGeneration === b?.metadata.generation;
        return throttled && (await world.calls()).filter((c) => c.action === 'AttachInstanceRamRole').length >= 2 ? b : undefined;
      });
      expect(condition(stuck, 'Ready')).toMatchObject({ status: 'False', reason: REASONS.CloudError });
      // The in-between state the fault holds the instances in: old role gone, new one not yet there.
      expect(await rolesOf(world, MID_SWAP)).toEqual(new Map(MID_SWAP.map((id) => [id, null])));
      await clearFaults(world);

      await eventually('RoleB everywhere and Ready', async () => (await allCarry(world, MID_SWAP, 'RoleB')) && isReadyAndCurrent(await bindingNamed('mid-swap')), 30_000);
      const mutating = (await world.calls()).filter(isMutating);
      for (const id of MID_SWAP) {
        const mine = mutating.filter((c) => idsOf(c).includes(id));
        const succeeded = mine.filter((c) => c.code === '200').map((c) => [c.action, roleNameOf(c)]);
        expect(succeeded, id).toEqual([
          ['DetachInstanceRamRole', 'RoleA'],
          ['AttachInstanceRamRole', 'RoleB'],
        ]);
        // Retries only re-attempt the attach: nothing is detached twice, and only throttling failed.
        expect(mine.filter((c) => c.action === 'DetachInstanceRamRole').length, id).toBe(1);
        expect(mine.filter((c) => c.code !== '200').every((c) => c.action === 'AttachInstanceRamRole' && c.code === 'Throttling'), id).toBe(true);
      }
    });

    it('deletion while DetachInstanceRamRole answers 503: the finalizer holds until the role is detached', async () => {
      await world.apply(binding('deleting', { roleName: 'RoleA', instanceIds: DELETING }));
      await eventually('bound to RoleA', async () => (await allCarry(world, DELETING, 'RoleA')) && isReadyAndCurrent(await bindingNamed('deleting')));

      // Four failures in a row: the deleting-and-failing state lasts through several backoffs, long
      // enough for kubectl polling to see it on a busy machine and on the real server's slower writes.
      await injectFault(world, { action: 'DetachInstanceRamRole', code: 'ServiceUnavailable', status: 503, count: 4 });
      await world.clearCalls();
      const del = await world.kubectl(['delete', 'irb', 'deleting', '--wait=false']);
      expect(del.code).toBe(0);
      const failing = await eventually('the failed detach reported while the binding is deleting', async () => {
        const b = await bindingNamed('deleting');
        return b?.metadata.deletionTimestamp && condition(b, 'Reconciling')?.reason === REASONS.CloudServerError ? b : undefined;
      });
      expect(failing.metadata.finalizers).toContain('roles.ecs.dev/detach-on-delete');

      await eventually('binding gone and roles detached', async () => (await bindingNamed('deleting')) === undefined, 30_000);
      expect(await rolesOf(world, DELETING)).toEqual(new Map(DELETING.map((id) => [id, null])));
      const detaches = (await world.calls()).filter((c) => c.action === 'DetachInstanceRamRole');
      expect(detaches.map((c) => c.code)).toEqual(['ServiceUnavailable', 'ServiceUnavailable', 'ServiceUnavailable', 'ServiceUnavailable', '200']);
      expect(detaches.every((c) => roleNameOf(c) === 'RoleA' && [...idsOf(c)].sort().join() === DELETING.join())).toBe(true);
    });

    it('an instance released between observe and attach: the others converge, it is reported NotFound', async () => {
      const released = PARTIAL[2] as string;
      const kept = PARTIAL.filter((id) => id !== released);
      // Hold the first attach long enough to release an instance while it is in flight.
      await injectFault(world, { action: 'AttachInstanceRamRole', latencyMs: 2_000, count: 1 });
      await world.clearCalls();
      await world.apply(binding('partial', { roleName: 'RoleA', instanceIds: PARTIAL }));
      // The simulator spends a counted fault (and drops it) as the call arrives, before the delay:
      // once the fault list is empty, the attach is in flight, and its instance check is yet to come.
      await eventually('attach in flight', async () => ((await world.sim('GET', '/sim/faults')) as unknown[]).length === 0);
      await world.sim('DELETE', `/sim/instances/${released}`);

      const waiting = await eventually('the failed batch reported as an instance that vanished', async () => {
        const b = await bindingNamed('partial');
        return condition(b, 'Reconciling')?.reason === REASONS.InstanceVanished ? b : undefined;
      });
      expect(condition(waiting, 'Reconciling')?.status).toBe('True');
      expect(condition(waiting, 'Stalled')?.status).toBe('False');

      const settled = await eventually('the others bound, the released one NotFound', async () => {
        const b = await bindingNamed('partial');
        return instanceState(b, released)?.state === 'NotFound' && kept.every((id) => instanceState(b, id)?.state === 'Bound') ? b : undefined;
      }, 30_000);
      expect(await allCarry(world, kept, 'RoleA')).toBe(true);
      expect(settled.status?.summary).toEqual({ desired: 5, bound: 4, conflicts: 0, errors: 1 });
      expect(condition(settled, 'Ready')).toMatchObject({ status: 'False', reason: REASONS.InstancesNotFound });
      expect(condition(settled, 'Stalled')?.status).toBe('False');

      const attaches = (await world.calls()).filter((c) => c.action === 'AttachInstanceRamRole');
      const first = attaches[0] as CallRecord;
      expect([first.status, first.code]).toEqual([404, 'InvalidInstanceId.NotFound']);
      expect(idsOf(first).sort()).toEqual([...PARTIAL].sort());
      const later = attaches.slice(1);
      expect(later.map((c) => c.code)).toEqual(['200']);
      expect(idsOf(later[0] as CallRecord).sort()).toEqual([...kept].sort());

      // No hot loop on the missing instance afterwards.
      await world.clearCalls();
      await eventually('a resync after settling', async () =>
        (await world.calls()).filter((c) => c.action === 'DescribeInstances' && idsOf(c).includes(released)).length >= 2,
      );
      expect((await world.calls()).filter(isMutating)).toEqual([]);
    });

    it('dropped watches and 410 Gone while bindings are created, changed and deleted: every change is reconciled', async () => {
      const chaos = (): void => world.chaos();
      const [w1, w2, w3, w4, w5, w6] = WATCH as [string, string, string, string, string, string];

      // Creations, each right after the watch was cut and the history forgotten.
      for (const [name, id] of [['watch-1', w1], ['watch-2', w2], ['watch-3', w3]] as const) {
        chaos();
        await world.apply(binding(name, { roleName: 'RoleA', instanceIds: [id] }));
        chaos();
      }
      await eventually('the three created bindings bound', async () => allCarry(world, [w1, w2, w3], 'RoleA'), 30_000);

      // Spec changes, a deletion and a late creation, with the watch cut before and after each.
      chaos();
      await world.apply(binding('watch-1', { roleName: 'RoleB', instanceIds: [w1] }));
      chaos();
      chaos();
      await world.apply(binding('watch-2', { roleName: 'RoleA', instanceIds: [w2, w4] }));
      chaos();
      const del = await world.kubectl(['delete', 'irb', 'watch-3', '--wait=false']);
      expect(del.code).toBe(0);
      chaos();
      await world.apply(binding('watch-5', { roleName: 'RoleB', instanceIds: [w5, w6] }));
      world.cutWatches();
      await world.apply(binding('watch-5', { roleName: 'RoleA', instanceIds: [w5, w6] }));
      chaos();

      await eventually(
        'every change reconciled',
        async () => {
          const roles = await rolesOf(world, WATCH);
          if (roles.get(w1) !== 'RoleB' || roles.get(w2) !== 'RoleA' || roles.get(w4) !== 'RoleA') return false;
          if (roles.get(w3) !== null || roles.get(w5) !== 'RoleA' || roles.get(w6) !== 'RoleA') return false;
          const got = (await listBindings(world)).filter((b) => b.metadata.name.startsWith('watch-'));
          return got.map((b) => b.metadata.name).sort().join(',') === 'watch-1,watch-2,watch-5' && got.every(isReadyAndCurrent);
        },
        30_000,
      );
      const final = await rolesOf(world, WATCH);
      expect(Object.fromEntries(final)).toEqual({ [w1]: 'RoleB', [w2]: 'RoleA', [w3]: null, [w4]: 'RoleA', [w5]: 'RoleA', [w6]: 'RoleA' });
    });
  });
});
