/**
 * The reconciler against in-memory fakes of its two narrow interfaces (no network): proves the
 * observe -> plan -> act -> status sequence, that a second pass over a converged world makes no
 * cloud writes, and the deletion path.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FINALIZER, type InstanceRoleBinding, type InstanceRoleBindingStatus } from '../../../src/api/instance-role-binding.js';
import type { CloudApi, InstanceCallResult, InstanceFilter, InstanceInfo, RoleInfo } from '../../../src/cloud/cloud-api.js';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import type { BindingApi, EventRecorder } from '../../../src/kube/binding-api.js';
import { BindingCache } from '../../../src/kube/binding-cache.js';
import { CloudGateway } from '../../../src/cloud/cloud-gateway.js';
import { BindingReconciler } from '../../../src/controller/reconciler.js';

class FakeCloud implements CloudApi {
  readonly roles = new Map<string, string | null>();
  readonly calls: Array<{ action: string; roleName?: string; ids: string[] }> = [];
  constructor(
    readonly instances: InstanceInfo[],
    readonly ramRoles: Record<string, boolean>,
  ) {
    for (const i of instances) this.roles.set(i.instanceId, null);
  }
  async describeInstances(_r: string, f: InstanceFilter): Promise<InstanceInfo[]> {
    this.calls.push({ action: 'DescribeInstances', ids: f.instanceIds ?? [] });
    return this.instances.filter((i) => (f.instanceIds ? f.instanceIds.includes(i.instanceId) : Object.entries(f.tags ?? {}).every(([k, v]) => i.tags[k] === v)));
  }
  async describeInstanceRamRoles(_r: string, ids: string[]) {
    this.calls.push({ action: 'DescribeInstanceRamRole', ids });
    return new Map(ids.map((id) => [id, this.roles.get(id) ?? null]));
  }
  async listInstancesWithRole(_r: string, role: string) {
    return [...this.roles].filter(([, r]) => r === role).map(([id]) => id);
  }
  async attachInstanceRamRole(_r: string, roleName: string, ids: string[]): Promise<InstanceCallResult[]> {
    this.calls.push({ action: 'AttachInstanceRamRole', roleName, ids });
    if (!this.ramRoles[roleName]) throw new CloudError({ action: 'AttachInstanceRamRole', code: 'InvalidRamRole.NotFound', message: 'no role', statusCode: 404 });
    return ids.map((id) => {
      if (this.roles.get(id)) return { instanceId: id, success: false, code: 'InvalidRamRole.AlreadyAttached', message: 'has a role' };
      this.roles.set(id, roleName);
      return { instanceId: id, success: true, code: '200', message: 'success' };
    });
  }
  async detachInstanceRamRole(_r: string, roleName: string, ids: string[]): Promise<InstanceCallResult[]> {
    this.calls.push({ action: 'DetachInstanceRamRole', roleName, ids });
    return ids.map((id) => {
      if (this.roles.get(id) !== roleName) return { instanceId: id, success: false, code: 'InvalidRamRole.NotAttached', message: 'not attached' };
      this.roles.set(id, null);
      return { instanceId: id, success: true, code: '200', message: 'success' };
    });
  }
  async getRole(roleName: string): Promise<RoleInfo | null> {
    return roleName in this.ramRoles ? { roleName, arn: `acs:ram::1:role/${roleName}`, trustsEcs: this.ramRoles[roleName] === true } : null;
  }
  mutations() {
    return this.calls.filter((c) => c.action === 'AttachInstanceRamRole' || c.action === 'DetachInstanceRamRole');
  }
}

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

const events: Array<{ reason: string; message: string }> = [];
const recorder: EventRecorder = { record: (_b, _t, reason, message) => void events.push({ reason, message }) };
const log = pino({ level: 'silent' });

function vpc(id: string, tags: Record<string, string> = {}): InstanceInfo {
  return { instanceId: id, regionId: 'cn-hangzhou', networkType: 'vpc', vpcId: 'vpc-a', status: 'Running', tags };
}

function irb(name: string, spec: Partial<InstanceRoleBinding['spec']>, extra: Partial<InstanceRoleBinding['metadata']> = {}): InstanceRoleBinding {
  return {
    apiVersion: 'roles.ecs.dev/v1alpha1',
    kind: 'InstanceRoleBinding',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', ...extra },
    spec: { regionId: 'cn-hangzhou', roleName: 'RoleA', ...spec },
  };
}

function setup(instances: InstanceInfo[], ramRoles: Record<string, boolean> = { RoleA: true, RoleB: true }) {
  const cloud = new FakeCloud(instances, ramRoles);
  const cache = new BindingCache(60_000);
  const api = new FakeBindingApi(cache);
  const enqueued: string[] = [];
  const reconciler = new BindingReconciler({
    cache,
    api,
    events: recorder,
    cloud: new CloudGateway({ cloud, qps: 1000, batchWindowMs: 0 }),
    enqueue: (k) => void enqueued.push(k),
    random: () => 0.5,
  });
  return { cloud, cache, api, reconciler, enqueued };
}

describe('BindingReconciler', () => {
  it('adds the finalizer, attaches, reports Bound, and a second pass makes no cloud write', async () => {
    const { cloud, cache, reconciler } = setup([vpc('i-a'), vpc('i-b')]);
    cache.upsert(irb('web', { instanceIds: ['i-a', 'i-b'] }));
    const first = await reconciler.reconcile('ns/web', log);
    expect(first).toEqual({ kind: 'requeueAfter', ms: 60_000, why: 'resync' });
    expect(cache.get('ns/web')?.metadata.finalizers).toEqual([FINALIZER]);
    expect(cloud.roles.get('i-a')).toBe('RoleA');
    expect(cache.get('ns/web')?.status?.instances?.map((i) => i.state)).toEqual(['Bound', 'Bound']);
    expect(cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    cloud.calls.length = 0;
    await reconciler.reconcile('ns/web', log);
    expect(cloud.mutations()).toEqual([]);
    expect(cloud.calls.map((c) => c.action).sort()).toEqual(['DescribeInstanceRamRole', 'DescribeInstances']);
  });

  it('changes roles by detaching the old role by name, then attaching the new one', async () => {
    const { cloud, cache, reconciler } = setup([vpc('i-a')]);
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    await reconciler.reconcile('ns/web', log);
    const bound = cache.get('ns/web') as InstanceRoleBinding;
    cache.upsert({ ...bound, metadata: { ...bound.metadata, generation: 2 }, spec: { ...bound.spec, roleName: 'RoleB' } });
    cloud.calls.length = 0;
    await reconciler.reconcile('ns/web', log);
    expect(cloud.mutations()).toEqual([
      { action: 'DetachInstanceRamRole', roleName: 'RoleA', ids: ['i-a'] },
      { action: 'AttachInstanceRamRole', roleName: 'RoleB', ids: ['i-a'] },
    ]);
    expect(cloud.roles.get('i-a')).toBe('RoleB');
  });

  it('on delete with Detach, detaches its role, releases the finalizer and wakes competitors', async () => {
    const { cloud, cache, reconciler, enqueued } = setup([vpc('i-a')]);
    cache.upsert(irb('old', { instanceIds: ['i-a'] }, { creationTimestamp: '2026-01-01T00:00:00Z' }));
    cache.upsert(irb('young', { instanceIds: ['i-a'], roleName: 'RoleB' }, { creationTimestamp: '2026-02-01T00:00:00Z' }));
    await reconciler.reconcile('ns/old', log);
    await reconciler.reconcile('ns/young', log);
    expect(cache.get('ns/young')?.status?.instances?.[0]?.state).toBe('Conflict');
    const old = cache.get('ns/old') as InstanceRoleBinding;
    cache.upsert({ ...old, metadata: { ...old.metadata, deletionTimestamp: '2026-03-01T00:00:00Z' } });
    const decision = await reconciler.reconcile('ns/old', log);
    expect(decision.kind).toBe('done');
    expect(cloud.roles.get('i-a')).toBeNull();
    expect(cache.get('ns/old')?.metadata.finalizers).toEqual([]);
    expect(enqueued).toContain('ns/young');
  });

  it('stalls on a role that does not exist and never calls Attach', async () => {
    const { cloud, cache, reconciler } = setup([vpc('i-a')], { RoleA: true });
    cache.upsert(irb('ghost', { instanceIds: ['i-a'], roleName: 'NoSuchRole' }));
    const decision = await reconciler.reconcile('ns/ghost', log);
    expect(decision).toMatchObject({ kind: 'requeueAfter', ms: 60_000 });
    const stalled = cache.get('ns/ghost')?.status?.conditions?.find((c) => c.type === 'Stalled');
    expect(stalled).toMatchObject({ status: 'True', reason: 'RoleNotFound' });
    expect(cloud.mutations()).toEqual([]);
  });

  it('backs off on throttling and records the error in status', async () => {
    const { cloud, cache, reconciler } = setup([vpc('i-a')]);
    cloud.describeInstances = async () => {
      throw new CloudError({ action: 'DescribeInstances', code: 'Throttling', message: 'slow down', statusCode: 400 });
    };
    cache.upsert(irb('web', { instanceIds: ['i-a'] }));
    expect(await reconciler.reconcile('ns/web', log)).toEqual({ kind: 'backoff', why: 'Throttling' });
    const reconciling = cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Reconciling');
    expect(reconciling?.status).toBe('True');
    expect(reconciling?.message).toMatch(/Throttling/);
  });

  it('does not touch the cloud while suspended', async () => {
    const { cloud, cache, reconciler } = setup([vpc('i-a')]);
    cache.upsert(irb('web', { instanceIds: ['i-a'], suspend: true }));
    expect(await reconciler.reconcile('ns/web', log)).toEqual({ kind: 'done', why: 'suspended' });
    expect(cloud.calls).toEqual([]);
    expect(cache.get('ns/web')?.status?.conditions?.find((c) => c.type === 'Reconciling')?.reason).toBe('Suspended');
  });

  it('detaches the role from an instance removed from the binding (Detach), and leaves it with Orphan', async () => {
    const { cloud, cache, reconciler } = setup([vpc('i-a'), vpc('i-b'), vpc('i-c'), vpc('i-d')]);
    cache.upsert(irb('detach', { instanceIds: ['i-a', 'i-b'] }));
    cache.upsert(irb('orphan', { instanceIds: ['i-c', 'i-d'], deletionPolicy: 'Orphan' }));
    await reconciler.reconcile('ns/detach', log);
    await reconciler.reconcile('ns/orphan', log);
    for (const key of ['ns/detach', 'ns/orphan']) {
      const b = cache.get(key) as InstanceRoleBinding;
      const ids = b.spec.instanceIds?.slice(0, 1) ?? [];
      cache.upsert({ ...b, metadata: { ...b.metadata, generation: 2 }, spec: { ...b.spec, instanceIds: ids } });
    }
    cloud.calls.length = 0;
    await reconciler.reconcile('ns/detach', log);
    await reconciler.reconcile('ns/orphan', log);
    expect(cloud.mutations()).toEqual([{ action: 'DetachInstanceRamRole', roleName: 'RoleA', ids: ['i-b'] }]);
    expect([...cloud.roles]).toEqual([['i-a', 'RoleA'], ['i-b', null], ['i-c', 'RoleA'], ['i-d', 'RoleA']]);
    expect(cache.get('ns/detach')?.status?.instances?.map((i) => i.instanceId)).toEqual(['i-a']);
    cloud.calls.length = 0;
    await reconciler.reconcile('ns/detach', log);
    expect(cloud.mutations()).toEqual([]);
  });
});
