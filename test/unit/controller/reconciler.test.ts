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
import type { BindingEvent } from '../../../src/domain/pass-events.js';
import type { BindingApi, EventRecorder } from '../../../src/kube/binding-api.js';
import { BindingCache } from '../../../src/kube/binding-cache.js';
import { deleting, irb } from '../fakes/bindings.js';
import { FakeCloud, vpc } from '../fakes/fake-cloud.js';

class FakeBindingApi implements BindingApi {
  statusWrites = 0;
  constructor(private readonly cache: BindingCache) {}
  async patchStatus(b: InstanceRoleBinding, status: InstanceRoleBindingStatus) {
    this.statusWrites++;
    const updated = { ...b, status };
    this.cache.upsert(updated);
    return updated;
  }
  async setFinalizers(b: InstanceRoleBinding, finalizers: string[]) {
    const updated = { ...b, metadata: { ...b.metadata, finalizers } };
    this.cache.upsert(updated);
    return updated;
  }
}

const events: BindingEvent[] = [];
const recorder: EventRecorder = { record: (_b, event) => void events.push(event) };
const log = pino({ level: 'silent' });
const errorPolicy = bindingErrorPolicy({ waitMs: 5_000, resyncMsOf: () => 60_000 });

function setup(instances: InstanceInfo[], ramRoles: Record<string, boolean> = { RoleA: true, RoleB: true }) {
  const cloud = new FakeCloud({ instances, ramRoles });
  const cache = new BindingCache(60_000);
  const api = new FakeBindingApi(cache);
  const reconciler = new BindingReconciler({
    cloud: createRoleCloud(cloud, { qps: 1000, batchWindowMs: 0 }),
    index: cache,
    writer: new StatusWriter(api),
    events: recorder,
  });
  /** One pass over the binding as the cache holds it now (the loop re-reads it the same way). */
  const reconcile = (key: string, signal: AbortSignal = new AbortController().signal): Promise<ReconcileResult> =>
    reconciler.reconcile(cache.get(key) as InstanceRoleBinding, signal, log);
  return { cloud, cache, api, reconcile };
}

/** ns/web bound to RoleA on i-a, then deleted (the finalizer still on). */
async function boundThenDeleted() {
  const world = setup([vpc('i-a')]);
  world.cache.upsert(irb('web', { instanceIds: ['i-a'] }));
  await world.reconcile('ns/web');
  world.cache.upsert(deleting(world.cache.get('ns/web') as InstanceRoleBinding));
  return world;
}

describe('BindingReconciler', () => {
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
    const { cloud, cache, reconcile } = setup([vpc('i-a')], { RoleA: true });
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
});
