/**
 * The reconciler against in-memory fakes of its two narrow interfaces (no network): proves the
 * observe -> plan -> act -> status sequence, that a second pass over a converged world makes no
 * cloud writes, and the deletion path.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FINALIZER, type InstanceRoleBinding, type InstanceRoleBindingStatus } from '../../../src/api/instance-role-binding.js';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import { createRoleCloud } from '../../../src/cloud/role-cloud-stack.js';
import { BindingReconciler, type ReconcileResult } from '../../../src/controller/reconciler.js';
import { bindingErrorPolicy } from '../../../src/controller/requeue-policy.js';
import { StatusWriter } from '../../../src/controller/status-writer.js';
import type { InstanceInfo } from '../../../src/domain/cloud-facts.js';
import { OwnershipLedger } from '../../../src/domain/ownership.js';
import { type Permissions, UNRESTRICTED } from '../../../src/domain/permissions.js';
import { examplePolicy } from '../../../src/domain/tenancy.js';
import { permissionsOf } from '../domain/fixtures.js';
import type { BindingEvent } from '../../../src/domain/pass-events.js';
import type { BindingApi, EventRecorder } from '../../../src/kube/binding-api.js';
import { BindingCache } from '../../../src/kube/binding-cache.js';
import { deleting, irb } from '../fakes/bindings.js';
import { FakeCloud, SlowListingCloud, vpc } from '../fakes/fake-cloud.js';

class FakeBindingApi implements BindingApi {
  statusWrites = 0;
  /** Set: setFinalizers rejects with it (e.g. a 409 from a stale resourceVersion). */
  refuseFinalizers: Error | undefined;
  constructor(private readonly cache: BindingCache) {}
  async patchStatus(b: InstanceRoleBinding, status: InstanceRoleBindingStatus) {
    this.statusWrites++;
    const updated = { ...b, status };
    this.cache.upsert(updated);
    return updated;
  }
  async setFinalizers(b: InstanceRoleBinding, finalizers: string[]) {
    await new Promise((r) => setTimeout(r, 5));
    if (this.refuseFinalizers) throw this.refuseFinalizers;
    const updated = { ...b, metadata: { ...b.metadata, finalizers } };
    this.cache.upsert(updated);
    return updated;
  }
}

const events: BindingEvent[] = [];
const recorder: EventRecorder = { record: (_b, event) => void events.push(event) };
const log = pino({ level: 'silent' });
const errorPolicy = bindingErrorPolicy({ waitMs: 5_000, resyncMsOf: () => 60_000 });

interface SetupOptions {
  ramRoles?: Record<string, boolean>;
  attached?: Record<string, string>;
  /** Default: tenancy disabled (everything permitted). */
  permissions?: Permissions;
  synced?: boolean;
  inFlightStatusDelayMs?: number;
  /** The cloud's tag listing tells its pages a macrotask apart (SlowListingCloud). */
  slowListing?: boolean;
}

function setup(instances: InstanceInfo[], opts: SetupOptions = {}) {
  const init = { instances, ramRoles: opts.ramRoles ?? { RoleA: true, RoleB: true }, ...(opts.attached ? { attached: opts.attached } : {}) };
  const cloud = opts.slowListing ? new SlowListingCloud(init) : new FakeCloud(init);
  const cache = new BindingCache(60_000);
  const api = new FakeBindingApi(cache);
  const ledger = new OwnershipLedger();
  const woken: Array<{ key: string; ids: readonly string[] }> = [];
  let permissions = opts.permissions ?? UNRESTRICTED;
  const tenancy = { synced: () => opts.synced ?? true, permissions: () => permissions };
  const setPermissions = (next: Permissions): void => {
    permissions = next;
  };
  const drift = { detected: 0, corrected: 0 };
  const reconciler = new BindingReconciler({
    cloud: createRoleCloud(cloud, { qps: 1000, batchWindowMs: 0 }),
    index: cache,
    writer: new StatusWriter(api),
    events: recorder,
    ledger,
    tenancy,
    holdingsChanged: (view, ids) => void woken.push({ key: view.key, ids }),
    observer: { driftDetected: (n) => void (drift.detected += n), driftCorrected: (n) => void (drift.corrected += n), rolelessInstances: () => undefined, rolelessWindow: () => undefined },
    ...(opts.inFlightStatusDelayMs !== undefined ? { inFlightStatusDelayMs: opts.inFlightStatusDelayMs } : {}),
  });
  /** One pass over the binding as the cache holds it now (the loop re-reads it the same way). */
  const reconcile = (key: string, signal: AbortSignal = new AbortController().signal): Promise<ReconcileResult> =>
    reconciler.reconcile(cache.get(key) as InstanceRoleBinding, signal, log);
  return { cloud, cache, api, ledger, woken, reconcile, setPermissions, drift };
}

/** Writes a status as a tenant with access to instancerolebindings/status could. */
function forgeStatus(cache: BindingCache, key: string, status: InstanceRoleBindingStatus): void {
  const b = cache.get(key) as InstanceRoleBinding;
  cache.upsert({ ...b, status });
}

/** ns/web bound to RoleA on i-a, then deleted (the finalizer still on). */
async function boundThenDeleted() {
  const world = setup([vpc('i-a')]);
  world.cache.upsert(irb('web', { instanceIds: ['i-a'] }));
  await world.reconcile('ns/web');
  world.cache.upsert(deleting(world.cache.get('ns/web') as InstanceRoleBinding));
  return world;
}

/** `n` VPC instances tagged fleet=big. */
const bigFleet = (n: number) => Array.from({ length: n }, (_, i) => vpc(`i-${String(i).padStart(4, '0')}`, { fleet: 'big' }));

describe('BindingReconciler', () => {
  it('a large selector attaches its first instances while the rest is still listed, and reports all of them', async () => {
    const { cloud, cache, ledger, reconcile } = setup(bigFleet(250), { slowListing: true });
    cache.upsert(irb('big', { instanceSelector: { tags: { fleet: 'big' } } }));
    expect(await reconcile('ns/big')).toMatchObject({ kind: 'requeueAfter', why: 'resync' });
    const slow = cloud as SlowListingCloud;
    const firstAttach = cloud.calls.findIndex((c) => c.action === 'AttachInstanceRamRole');
    expect(firstAttach).toBeGreaterThan(-1);
    expect(firstAttach).toBeLessThan(slow.callsWhenListed);
    expect([...cloud.roles.values()].every((r) => r === 'RoleA')).toBe(true);
    expect(cloud.mutations().flatMap((m) => m.ids)).toHaveLength(250);
    const status = cache.get('ns/big')?.status;
    expect(status?.summary).toMatchObject({ desired: 250, bound: 250, errors: 0 });
    expect(status?.instances?.map((i) => i.instanceId)).toEqual(bigFleet(250).map((i) => i.instanceId));
    expect(ledger.heldBy('uid-big').size).toBe(250);
  });

  it('a listing that fails half-way fails the pass, but what its first parts attached is recorded as held; the next pass finishes', async () => {
    const { cloud, cache, ledger, reconcile } = setup(bigFleet(250), { slowListing: true });
    const slow = cloud as SlowListingCloud;
    slow.failAfterPages = 3;
    cache.upsert(irb('big', { instanceSelector: { tags: { fleet: 'big' } } }));
    expect(await reconcile('ns/big')).toMatchObject({ kind: 'failed', failure: { code: 'Throttling' } });
    const attachedFirst = cloud.mutations().flatMap((m) => m.ids);
    expect(attachedFirst).toHaveLength(100);
    expect(ledger.heldBy('uid-big').size).toBe(100);
    expect(events.at(-1)).toMatchObject({ type: 'Normal', reason: 'Attached', message: expect.stringContaining('attached role RoleA to i-0000') });
    slow.failAfterPages = undefined;
    cloud.calls.length = 0;
    await reconcile('ns/big');
    expect(cloud.mutations().flatMap((m) => m.ids)).toHaveLength(150);
    expect(cloud.mutations().flatMap((m) => m.ids).some((id) => attachedFirst.includes(id))).toBe(false);
    expect(ledger.heldBy('uid-big').size).toBe(250);
    expect(cache.get('ns/big')?.status?.summary).toMatchObject({ desired: 250, bound: 250 });
  });

  it('reads the cloud while the finalizer write is on its way, and writes nothing when it is refused', async () => {
    const { cloud, cache, api, reconcile } = setup([vpc('i-a')]);
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    api.refuseFinalizers = new Error('409 Conflict: the object has been modified');
    await expect(reconcile('ns/web')).rejects.toThrow('409 Conflict');
    expect(cloud.calls.map((c) => c.action).sort()).toEqual(['DescribeInstanceRamRole', 'DescribeInstances', 'GetRole']);
    expect(cloud.mutations()).toEqual([]);
    expect(api.statusWrites).toBe(0);
    expect(cache.get('ns/web')?.metadata.finalizers).toBeUndefined();

    api.refuseFinalizers = undefined;
    await reconcile('ns/web');
    expect(cache.get('ns/web')?.metadata.finalizers).toEqual([FINALIZER]);
    expect(cloud.roles.get('i-a')).toBe('RoleA');
  });

  it('adds the finalizer, attaches, reports Bound, and a second pass makes no cloud write', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a'), vpc('i-b')]);
    cache.upsert(irb('web', { instanceIds: ['i-a', 'i-b'] }));
    const first = await reconcile('ns/web');
    expect(first).toEqual({ kind: 'requeueAfter', ms: 60_000, why: 'resync' });
    expect(cache.get('ns/web')?.metadata.finalizers).toEqual([FINALIZER]);
    expect(cloud.roles.get('i-a')).toBe('RoleA');
    expect(cache.get('ns/web')?.status?.instances?.map((i) => i.state)).toEqual(['Bound', 'Bound']);
    expect(cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    cloud.calls.length = 0;
    await reconcile('ns/web');
    expect(cloud.mutations()).toEqual([]);
    expect(cloud.calls.map((c) => c.action).sort()).toEqual(['DescribeInstanceRamRole', 'DescribeInstances']);
  });

  it('writes one status when the cloud writes are quick, and an in-flight status first when they take a while', async () => {
    const quick = setup([vpc('i-a')]);
    quick.cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    await quick.reconcile('ns/web');
    expect(quick.api.statusWrites).toBe(1);

    const slow = setup([vpc('i-a')], { inFlightStatusDelayMs: 5 });
    const attach = slow.cloud.attachInstanceRamRole.bind(slow.cloud);
    const seen: Array<string | undefined> = [];
    slow.cloud.attachInstanceRamRole = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      // The in-flight status is written while the attach waits.
      seen.push(...(slow.cache.get('ns/web')?.status?.instances ?? []).map((i) => i.state));
      return attach(...args);
    };
    slow.cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    await slow.reconcile('ns/web');
    expect(seen).toEqual(['Attaching']);
    expect(slow.api.statusWrites).toBe(2);
    expect(slow.cache.get('ns/web')?.status?.instances?.map((i) => i.state)).toEqual(['Bound']);
    expect(slow.cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Reconciling')?.status).toBe('False');
  });

  it('changes roles by detaching the old role by name, then attaching the new one', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')]);
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    await reconcile('ns/web');
    const bound = cache.get('ns/web') as InstanceRoleBinding;
    cache.upsert({ ...bound, metadata: { ...bound.metadata, generation: 2 }, spec: { ...bound.spec, roleName: 'RoleB' } });
    cloud.calls.length = 0;
    await reconcile('ns/web');
    expect(cloud.mutations()).toEqual([
      { action: 'DetachInstanceRamRole', regionId: 'cn-hangzhou', roleName: 'RoleA', ids: ['i-a'] },
      { action: 'AttachInstanceRamRole', regionId: 'cn-hangzhou', roleName: 'RoleB', ids: ['i-a'] },
    ]);
    expect(cloud.roles.get('i-a')).toBe('RoleB');
  });

  it('on delete with Detach, detaches its role and releases the finalizer', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')]);
    cache.upsert(irb('old', { instanceIds: ['i-a'] }, { creationTimestamp: '2026-01-01T00:00:00Z' }));
    cache.upsert(irb('young', { instanceIds: ['i-a'], roleName: 'RoleB' }, { creationTimestamp: '2026-02-01T00:00:00Z' }));
    await reconcile('ns/old');
    await reconcile('ns/young');
    expect(cache.get('ns/young')?.status?.instances?.[0]?.state).toBe('Conflict');
    const old = cache.get('ns/old') as InstanceRoleBinding;
    cache.upsert(deleting(old));
    const decision = await reconcile('ns/old');
    expect(decision.kind).toBe('done');
    expect(cloud.roles.get('i-a')).toBeNull();
    expect(cache.get('ns/old')?.metadata.finalizers).toEqual([]);
    // Waking ns/young is the watch handlers' job (test/unit/controller/watch-handlers.test.ts).
  });

  it('stalls on a role that does not exist and never calls Attach', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')], { ramRoles: { RoleA: true } });
    cache.upsert(irb('ghost', { instanceIds: ['i-a'], roleName: 'NoSuchRole' }));
    const decision = await reconcile('ns/ghost');
    expect(decision).toMatchObject({ kind: 'requeueAfter', ms: 60_000 });
    const stalled = cache.get('ns/ghost')?.status?.conditions?.find((c) => c.type === 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', reason: 'RoleNotFound' });
    expect(cloud.mutations()).toEqual([]);
  });

  it('backs off on throttling and records the error in status', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')]);
    cloud.failures.set('DescribeInstances', [new CloudError({ action: 'DescribeInstances', code: 'Throttling', message: 'slow down', statusCode: 400 })]);
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    const result = await reconcile('ns/web');
    expect(result).toMatchObject({ kind: 'failed', why: 'Throttling', failure: { code: 'Throttling', class: 'recoverable', reason: 'Throttled' } });
    expect(result.kind === 'failed' && errorPolicy(result.failure, 'ns/web')).toEqual({ kind: 'backoff' });
    const reconciling = cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Reconciling');
    expect(reconciling?.status).toBe('True');
    expect(reconciling?.message).toMatch(/Throttling/);
  });

  it('does not touch the cloud while suspended', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')]);
    cache.upsert(irb('web', { instanceIds: ['i-a'], suspend: true }));
    expect(await reconcile('ns/web')).toEqual({ kind: 'done', why: 'suspended' });
    expect(cloud.calls).toEqual([]);
    expect(cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Reconciling')?.reason).toBe('Suspended');
  });

  it('detaches the role from an instance removed from the binding (Detach), and leaves it with Orphan', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a'), vpc('i-b'), vpc('i-c'), vpc('i-d')]);
    cache.upsert(irb('detach', { instanceIds: ['i-a', 'i-b'] }));
    cache.upsert(irb('orphan', { instanceIds: ['i-c', 'i-d'], deletionPolicy: 'Orphan' }));
    await reconcile('ns/detach');
    await reconcile('ns/orphan');
    for (const key of ['ns/detach', 'ns/orphan']) {
      const b = cache.get(key) as InstanceRoleBinding;
      const ids = b.spec.instanceIds?.slice(0, 1) ?? [];
      cache.upsert({ ...b, metadata: { ...b.metadata, generation: 2 }, spec: { ...b.spec, instanceIds: ids } });
    }
    cloud.calls.length = 0;
    await reconcile('ns/detach');
    await reconcile('ns/orphan');
    expect(cloud.mutations()).toEqual([{ action: 'DetachInstanceRamRole', regionId: 'cn-hangzhou', roleName: 'RoleA', ids: ['i-b'] }]);
    expect([...cloud.roles]).toEqual([['i-a', 'RoleA'], ['i-b', null], ['i-c', 'RoleA'], ['i-d', 'RoleA']]);
    expect(cache.get('ns/detach')?.status?.instances?.map((i) => i.instanceId)).toEqual(['i-a']);
    cloud.calls.length = 0;
    await reconcile('ns/detach');
    expect(cloud.mutations()).toEqual([]);
  });

  it('on delete, a detach that finds the role already gone counts as released', async () => {
    const { cloud, cache, reconcile } = await boundThenDeleted();
    // Someone detaches the role between the observation and the detach.
    const detach = cloud.detachInstanceRamRole.bind(cloud);
    cloud.detachInstanceRamRole = async (regionId, roleName, ids, options) => {
      cloud.roles.set('i-a', null);
      return detach(regionId, roleName, ids, options);
    };
    expect(await reconcile('ns/web')).toEqual({ kind: 'done', why: 'finalized' });
    expect(cache.get('ns/web')?.metadata.finalizers).toEqual([]);
  });

  it('on delete, a detach that fails keeps the finalizer and reports the failure', async () => {
    const { cloud, cache, reconcile } = await boundThenDeleted();
    cloud.failures.set('DetachInstanceRamRole', [new CloudError({ action: 'DetachInstanceRamRole', code: 'ServiceUnavailable', message: 'down', statusCode: 503 })]);
    const result = await reconcile('ns/web');
    expect(result).toMatchObject({ kind: 'failed', failure: { code: 'ServiceUnavailable', class: 'recoverable' } });
    expect(cache.get('ns/web')?.metadata.finalizers).toEqual([FINALIZER]);
    expect(cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Reconciling')?.reason).toBe('CloudServerError');
    expect(events.at(-1)).toMatchObject({ type: 'Warning', reason: 'DetachFailed' });
    expect(cloud.roles.get('i-a')).toBe('RoleA');
  });

  it('makes no cloud write once the pass is aborted', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')]);
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    const leadership = new AbortController();
    const describeRoles = cloud.describeInstanceRamRoles.bind(cloud);
    cloud.describeInstanceRamRoles = async (regionId, ids, options) => {
      leadership.abort(new Error('leadership lost'));
      return describeRoles(regionId, ids, options);
    };
    await expect(reconcile('ns/web', leadership.signal)).rejects.toThrow('leadership lost');
    expect(cloud.mutations()).toEqual([]);
    expect(cloud.roles.get('i-a')).toBeNull();
  });

  it('counts a drift corrected when the first re-attach failed and a later pass succeeds (DriftCorrected catches up)', async () => {
    const { cloud, cache, reconcile, drift } = setup([vpc('i-a')]);
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    await reconcile('ns/web');
    cloud.roles.set('i-a', null); // detached out of band
    cloud.failures.set('AttachInstanceRamRole', [new CloudError({ action: 'AttachInstanceRamRole', code: 'ServiceUnavailable', message: 'down', statusCode: 503 })]);
    events.length = 0;
    expect(await reconcile('ns/web')).toMatchObject({ kind: 'failed', failure: { code: 'ServiceUnavailable' } });
    expect(events.map((e) => e.reason)).toEqual(['DriftDetected', 'AttachFailed']);
    expect(drift).toEqual({ detected: 1, corrected: 0 });

    await reconcile('ns/web');
    expect(cloud.roles.get('i-a')).toBe('RoleA');
    expect(events.map((e) => e.reason)).toEqual(['DriftDetected', 'AttachFailed', 'DriftCorrected', 'Attached']);
    expect(drift).toEqual({ detected: 1, corrected: 1 });
  });
});

describe('BindingReconciler: ownership comes from the ledger, never from status', () => {
  it('a forged status claiming an unowned role as Bound does not make the operator replace it without takeover', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')], { attached: { 'i-a': 'HandMade' } });
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    forgeStatus(cache, 'ns/web', { instances: [{ instanceId: 'i-a', state: 'Bound', observedRole: 'HandMade' }] });
    await reconcile('ns/web');
    expect(cloud.mutations()).toEqual([]);
    expect(cloud.roles.get('i-a')).toBe('HandMade');
    expect(cache.get('ns/web')?.status?.instances?.[0]).toMatchObject({ state: 'Conflict', observedRole: 'HandMade' });
  });

  it('a forged status listing an instance no spec names makes the operator detach nothing there', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a'), vpc('i-other')], { attached: { 'i-other': 'RoleA' } });
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    forgeStatus(cache, 'ns/web', { instances: [{ instanceId: 'i-other', state: 'Bound', observedRole: 'RoleA' }] });
    await reconcile('ns/web');
    expect(cloud.mutations()).toEqual([{ action: 'AttachInstanceRamRole', regionId: 'cn-hangzhou', roleName: 'RoleA', ids: ['i-a'] }]);
    expect(cloud.roles.get('i-other')).toBe('RoleA');
    // Nor on delete.
    cache.upsert(deleting(cache.get('ns/web') as InstanceRoleBinding));
    forgeStatus(cache, 'ns/web', { instances: [{ instanceId: 'i-other', state: 'Bound', observedRole: 'RoleA' }] });
    await reconcile('ns/web');
    expect(cloud.roles.get('i-other')).toBe('RoleA');
    expect(cloud.roles.get('i-a')).toBeNull();
  });

  it('records attaches and adoptions, forgets detaches, and tells who else to look again', async () => {
    const { cache, ledger, woken, reconcile } = setup([vpc('i-a'), vpc('i-b')], { attached: { 'i-b': 'RoleA' } });
    cache.upsert(irb('web', { instanceIds: ['i-a', 'i-b'] }));
    await reconcile('ns/web');
    expect([...ledger.heldBy('uid-web')]).toEqual([['i-a', 'RoleA'], ['i-b', 'RoleA']]);
    expect(woken).toEqual([{ key: 'ns/web', ids: ['i-a', 'i-b'] }]);
    woken.length = 0;
    await reconcile('ns/web');
    expect(woken).toEqual([]);
    cache.upsert(deleting(cache.get('ns/web') as InstanceRoleBinding));
    await reconcile('ns/web');
    expect(ledger.size).toBe(0);
    expect(woken.map((w) => w.ids)).toContainEqual(['i-a', 'i-b']);
  });

  it('emptying the targets, then deleting, still detaches what it attached (10.2)', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')]);
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    await reconcile('ns/web');
    const b = cache.get('ns/web') as InstanceRoleBinding;
    cache.upsert({ ...b, metadata: { ...b.metadata, generation: 2 }, spec: { ...b.spec, instanceIds: [] } });
    await reconcile('ns/web');
    expect(cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Stalled')?.reason).toBe('InvalidSpec');
    expect(cloud.roles.get('i-a')).toBe('RoleA');
    cache.upsert(deleting(cache.get('ns/web') as InstanceRoleBinding));
    expect(await reconcile('ns/web')).toEqual({ kind: 'done', why: 'finalized' });
    expect(cloud.roles.get('i-a')).toBeNull();
  });

  it('a spec naming the role in another case is Bound, and deleting it detaches the role (10.3)', async () => {
    const { cloud, cache, reconcile } = setup([vpc('i-a')], { ramRoles: { TeamAWorker: true } });
    // The cloud answers with the role's own spelling, whatever case the attach used.
    const describe = cloud.describeInstanceRamRoles.bind(cloud);
    cloud.describeInstanceRamRoles = async (regionId, ids, options) => new Map([...(await describe(regionId, ids, options))].map(([id, r]) => [id, r === null ? null : 'TeamAWorker']));
    const detach = cloud.detachInstanceRamRole.bind(cloud);
    cloud.detachInstanceRamRole = async (regionId, roleName, ids, options) => {
      for (const id of ids) if (cloud.roles.get(id)?.toLowerCase() === roleName.toLowerCase()) cloud.roles.set(id, roleName);
      return detach(regionId, roleName, ids, options);
    };
    cloud.ramRoles['teamaworker'] = true;
    cache.upsert(irb('web', { instanceIds: ['i-a'], roleName: 'teamaworker' }));
    await reconcile('ns/web');
    await reconcile('ns/web');
    expect(cache.get('ns/web')?.status?.instances?.[0]).toMatchObject({ state: 'Bound', observedRole: 'TeamAWorker' });
    expect(cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    cache.upsert(deleting(cache.get('ns/web') as InstanceRoleBinding));
    await reconcile('ns/web');
    expect(cloud.roles.get('i-a')).toBeNull();
  });
});

describe('BindingReconciler: the tenancy gate', () => {
  const permissions = permissionsOf({ 'team-a': { namespaces: ['team-a'], roles: ['TeamA*'], instances: { tags: { team: 'a' } } } });
  const teamA = (name: string, spec: Partial<InstanceRoleBinding['spec']>) => irb(name, { roleName: 'TeamAWorker', ...spec }, { namespace: 'team-a' });
  const instances = [vpc('i-a1', { team: 'a' }), vpc('i-b1', { team: 'b' }, 'vpc-b'), vpc('i-b2', { team: 'b' }, 'vpc-b')];

  it('a binding no policy permits: Stalled NotPermitted naming namespace, role and an example policy; no finalizer, no cloud call', async () => {
    const { cloud, cache, reconcile } = setup(instances, { permissions, ramRoles: { AdminRole: true } });
    cache.upsert(teamA('admin', { roleName: 'AdminRole', instanceIds: ['i-a1'] }));
    const result = await reconcile('team-a/admin');
    expect(result).toMatchObject({ kind: 'failed', failure: { code: 'NotPermitted', class: 'terminal' } });
    expect(cloud.calls).toEqual([]);
    const b = cache.get('team-a/admin');
    expect(b?.metadata.finalizers ?? []).toEqual([]);
    const stalled = b?.status?.conditions?.find((c) => c.type === 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', reason: 'NotPermitted' });
    expect(stalled?.message).toContain('namespace team-a');
    expect(stalled?.message).toContain('role AdminRole');
    expect(stalled?.message).toContain(examplePolicy('team-a', 'AdminRole'));
    expect(b?.status?.instances).toEqual([{ instanceId: 'i-a1', state: 'NotPermitted', message: expect.stringContaining('not permitted') }]);
    expect(events.at(-1)).toMatchObject({ type: 'Warning', reason: 'NotPermitted' });
  });

  it('explicit IDs outside the grant are NotPermitted and their role is never read; selector matches outside it are not listed', async () => {
    const { cloud, cache, reconcile } = setup(instances, { permissions, ramRoles: { TeamAWorker: true }, attached: { 'i-b1': 'TeamBWorker', 'i-b2': 'TeamBWorker' } });
    cache.upsert(teamA('web', { instanceIds: ['i-a1', 'i-b1'] }));
    cache.upsert(teamA('peek', { mode: 'Observe', instanceSelector: { vpcId: 'vpc-b' } }));
    await reconcile('team-a/web');
    await reconcile('team-a/peek');
    const described = cloud.calls.filter((c) => c.action === 'DescribeInstanceRamRole').flatMap((c) => c.ids);
    expect(described).toEqual(['i-a1']);
    expect(cloud.mutations()).toEqual([{ action: 'AttachInstanceRamRole', regionId: 'cn-hangzhou', roleName: 'TeamAWorker', ids: ['i-a1'] }]);
    expect(cache.get('team-a/web')?.status?.instances?.find((i) => i.instanceId === 'i-b1')).toEqual({ instanceId: 'i-b1', state: 'NotPermitted', message: expect.stringMatching(/^not permitted/) });
    expect(cache.get('team-a/peek')?.status?.instances).toEqual([]);
    expect(JSON.stringify(cache.get('team-a/peek')?.status)).not.toContain('TeamBWorker');
  });

  it('losing permission stops every action; the roles stay attached; deleting then detaches nothing and lets go of the holds', async () => {
    const { cloud, cache, ledger, reconcile, setPermissions } = setup(instances, { permissions, ramRoles: { TeamAWorker: true } });
    cache.upsert(teamA('web', { instanceIds: ['i-a1'] }));
    await reconcile('team-a/web');
    expect(cloud.roles.get('i-a1')).toBe('TeamAWorker');
    expect(cache.get('team-a/web')?.metadata.finalizers).toEqual([FINALIZER]);
    setPermissions(permissionsOf({}));
    cloud.calls.length = 0;
    await reconcile('team-a/web');
    expect(cloud.calls).toEqual([]);
    expect(cache.get('team-a/web')?.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NotPermitted' });
    cache.upsert(deleting(cache.get('team-a/web') as InstanceRoleBinding));
    expect(await reconcile('team-a/web')).toEqual({ kind: 'done', why: 'finalized' });
    expect(cloud.mutations()).toEqual([]);
    expect(cloud.roles.get('i-a1')).toBe('TeamAWorker');
    expect(ledger.size).toBe(0);
  });

  it('an instance that leaves the grant stays held and untouched, even when it also leaves the targets', async () => {
    const { cloud, cache, ledger, reconcile, setPermissions } = setup(instances, { permissions, ramRoles: { TeamAWorker: true } });
    cache.upsert(teamA('web', { instanceIds: ['i-a1'] }));
    await reconcile('team-a/web');
    // The admin narrows the policy to another tag: i-a1 is no longer covered.
    setPermissions(permissionsOf({ 'team-a': { namespaces: ['team-a'], roles: ['TeamA*'], instances: { tags: { team: 'a2' } } } }));
    await reconcile('team-a/web');
    expect(cache.get('team-a/web')?.status?.instances?.[0]).toMatchObject({ instanceId: 'i-a1', state: 'NotPermitted' });
    expect(ledger.heldBy('uid-web').size).toBe(1);
    const b = cache.get('team-a/web') as InstanceRoleBinding;
    cache.upsert({ ...b, metadata: { ...b.metadata, generation: 2 }, spec: { ...b.spec, instanceIds: ['i-a2'] } });
    await reconcile('team-a/web');
    expect(cloud.mutations().filter((c) => c.action === 'DetachInstanceRamRole')).toEqual([]);
    expect(cloud.roles.get('i-a1')).toBe('TeamAWorker');
    expect(ledger.heldBy('uid-web').size).toBe(0);
  });

  it('waits for the policies and namespaces to be listed before deciding anything', async () => {
    const { cloud, cache, reconcile } = setup(instances, { permissions, synced: false });
    cache.upsert(teamA('web', { instanceIds: ['i-a1'] }));
    expect(await reconcile('team-a/web')).toMatchObject({ kind: 'requeueAfter', ms: 5_000 });
    expect(cloud.calls).toEqual([]);
    expect(cache.get('team-a/web')?.status).toBeUndefined();
  });
});
