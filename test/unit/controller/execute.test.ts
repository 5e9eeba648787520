/**
 * executePlan's scheduling of role changes: each detach batch is followed at once by the urgent
 * attach of the same instances (not after every other detach), the roleless guard pauses new
 * detaches while a re-attach is owed, a failed re-attach reports Attaching, and every write is
 * logged at info with the binding, instances, role and RequestId.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CallOptions, CloudApi, InstanceCallResult } from '../../../src/cloud/cloud-api.js';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import { ApiRoleCloud } from '../../../src/cloud/api-role-cloud.js';
import { CLOUD_WRITE_LOG_MESSAGE, executePlan } from '../../../src/controller/execute.js';
import type { Plan, PlannedAction } from '../../../src/domain/planner.js';
import { RolelessGuard } from '../../../src/controller/roleless-guard.js';
import { FakeCloud, REGION, vpc } from '../fakes/fake-cloud.js';

const silent = pino({ level: 'silent' });
const ids = (n: number, prefix = 'i-') => Array.from({ length: n }, (_, k) => `${prefix}${String(k).padStart(3, '0')}`);

function swapPlan(instanceIds: string[], from = 'RoleA', to = 'RoleB'): Plan {
  return {
    instances: instanceIds.map((instanceId) => ({
      instanceId,
      state: 'Detaching',
      observedRole: from,
      actions: [
        { kind: 'detach', instanceId, roleName: from },
        { kind: 'attach', instanceId, roleName: to },
      ] satisfies PlannedAction[],
    })),
    actions: instanceIds.flatMap((instanceId): PlannedAction[] => [
      { kind: 'detach', instanceId, roleName: from },
      { kind: 'attach', instanceId, roleName: to },
    ]),
  };
}

function attachPlan(instanceIds: string[], to = 'RoleB'): Plan {
  return {
    instances: instanceIds.map((instanceId) => ({ instanceId, state: 'Attaching', actions: [{ kind: 'attach', instanceId, roleName: to }] })),
    actions: instanceIds.map((instanceId): PlannedAction => ({ kind: 'attach', instanceId, roleName: to })),
  };
}

/** A CloudApi whose detach calls each wait until the test releases them; records what was sent, with urgency. */
class HeldDetaches implements CloudApi {
  readonly sent: Array<{ action: string; ids: string[]; urgent: boolean }> = [];
  private readonly held: Array<() => void> = [];
  constructor(private readonly inner: FakeCloud) {}
  describeInstances: CloudApi['describeInstances'] = (r, f, o) => this.inner.describeInstances(r, f, o);
  listTaggedInstanceIds: CloudApi['listTaggedInstanceIds'] = (r, t, o) => this.inner.listTaggedInstanceIds(r, t, o);
  describeInstanceRamRoles: CloudApi['describeInstanceRamRoles'] = (r, i, o) => this.inner.describeInstanceRamRoles(r, i, o);
  getRole: CloudApi['getRole'] = (n, o) => this.inner.getRole(n, o);
  async attachInstanceRamRole(regionId: string, roleName: string, instanceIds: string[], options?: CallOptions): Promise<InstanceCallResult[]> {
    this.sent.push({ action: 'Attach', ids: [...instanceIds], urgent: options?.urgent === true });
    return (await this.inner.attachInstanceRamRole(regionId, roleName, instanceIds, options)).map((r) => ({ ...r, requestId: `req-attach-${this.sent.length}` }));
  }
  async detachInstanceRamRole(regionId: string, roleName: string, instanceIds: string[], options?: CallOptions): Promise<InstanceCallResult[]> {
    this.sent.push({ action: 'Detach', ids: [...instanceIds], urgent: options?.urgent === true });
    await new Promise<void>((resolve) => this.held.push(resolve));
    return this.inner.detachInstanceRamRole(regionId, roleName, instanceIds, options);
  }
  /** Answers the oldest held detach. */
  async releaseOne(): Promise<void> {
    this.held.shift()?.();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
  get heldCount(): number {
    return this.held.length;
  }
}

describe('executePlan: role changes in paired batches', () => {
  it('attaches the instances of a detach call as soon as that call is answered, urgently, before the other detaches are answered', async () => {
    const instanceIds = ids(250);
    const fake = new FakeCloud({ instances: instanceIds.map((id) => vpc(id)), ramRoles: { RoleA: true, RoleB: true }, attached: Object.fromEntries(instanceIds.map((id) => [id, 'RoleA'])) });
    const api = new HeldDetaches(fake);
    const running = executePlan(new ApiRoleCloud(api), REGION, swapPlan(instanceIds), new AbortController().signal, silent);
    await new Promise((r) => setImmediate(r));
    expect(api.sent.map((c) => [c.action, c.ids.length])).toEqual([['Detach', 100], ['Detach', 100], ['Detach', 50]]);

    await api.releaseOne();
    // The first batch is re-attached while two detaches are still unanswered: its window does not include them.
    expect(api.heldCount).toBe(2);
    expect(api.sent.slice(3)).toEqual([{ action: 'Attach', ids: instanceIds.slice(0, 100), urgent: true }]);
    await api.releaseOne();
    await api.releaseOne();
    const execution = await running;
    expect(api.sent.filter((c) => c.action === 'Attach').map((c) => c.ids)).toEqual([instanceIds.slice(0, 100), instanceIds.slice(100, 200), instanceIds.slice(200)]);
    expect(execution.statuses.every((s) => s.state === 'Bound' && s.observedRole === 'RoleB')).toBe(true);
    expect(execution.detached).toHaveLength(250);
  });

  it('a detach whose attach fails leaves the instances Attaching with the reason; new detaches pause until that attach is retried and succeeds', async () => {
    const first = ids(3, 'i-a');
    const second = ids(2, 'i-b');
    const fake = new FakeCloud({ instances: [...first, ...second].map((id) => vpc(id)), ramRoles: { RoleA: true, RoleB: true }, attached: Object.fromEntries([...first, ...second].map((id) => [id, 'RoleA'])) });
    const gauge: number[] = [];
    const windows: number[] = [];
    const guard = new RolelessGuard({ observer: { rolelessInstances: (n) => void gauge.push(n), rolelessWindow: (s) => void windows.push(s) } });
    const cloud = new ApiRoleCloud(fake);
    const signal = new AbortController().signal;
    fake.failures.set('AttachInstanceRamRole', [new CloudError({ action: 'AttachInstanceRamRole', code: 'Throttling', message: 'Request was denied due to request throttling.', statusCode: 400 })]);

    const failed = await executePlan(cloud, REGION, swapPlan(first), signal, silent, { guard });
    expect(failed.statuses.map((s) => s.state)).toEqual(['Attaching', 'Attaching', 'Attaching']);
    expect(failed.statuses[0]?.message).toMatch(/attaching role RoleB on i-a000 failed: Throttling/);
    expect(failed.statuses[0]?.observedRole).toBeUndefined();
    expect(guard.rolelessCount).toBe(3);
    expect(gauge.at(-1)).toBe(3);

    const mutationsBefore = fake.mutations().length;
    const paused = await executePlan(cloud, REGION, swapPlan(second), signal, silent, { guard });
    expect(fake.mutations().length).toBe(mutationsBefore);
    expect(paused.statuses.map((s) => [s.state, s.observedRole])).toEqual([['Pending', 'RoleA'], ['Pending', 'RoleA']]);
    expect(paused.failures.every((f) => f.failure.code === 'RoleChangePaused' && f.failure.class === 'wait')).toBe(true);
    expect(paused.statuses[0]?.message).toMatch(/retried before any new detach/);

    const retried = await executePlan(cloud, REGION, attachPlan(first), signal, silent, { guard });
    expect(retried.statuses.every((s) => s.state === 'Bound')).toBe(true);
    expect(guard.rolelessCount).toBe(0);
    expect(gauge.at(-1)).toBe(0);
    expect(windows).toHaveLength(3);

    const resumed = await executePlan(cloud, REGION, swapPlan(second), signal, silent, { guard });
    expect(resumed.statuses.every((s) => s.state === 'Bound' && s.observedRole === 'RoleB')).toBe(true);
  });

  it('retries the attach of instances a role change left roleless as an urgent call', async () => {
    const fake = new FakeCloud({ instances: [vpc('i-1'), vpc('i-2')], ramRoles: { RoleB: true } });
    const api = new HeldDetaches(fake);
    const guard = new RolelessGuard();
    guard.detached(['i-1'], 'RoleB');
    await executePlan(new ApiRoleCloud(api), REGION, attachPlan(['i-1', 'i-2']), new AbortController().signal, silent, { guard });
    expect(api.sent.map((c) => [c.ids, c.urgent]).sort()).toEqual([[['i-1'], true], [['i-2'], false]]);
  });
});

describe('executePlan: every cloud write is logged at info', () => {
  it('names the binding (from the pass logger), the action, the instances, the role and the RequestId; no secret', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => { for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>); done(); } });
    const log = pino({ level: 'info' }, sink).child({ binding: 'default/web' });
    const instanceIds = ids(2);
    const fake = new FakeCloud({ instances: instanceIds.map((id) => vpc(id)), ramRoles: { RoleA: true, RoleB: true }, attached: Object.fromEntries(instanceIds.map((id) => [id, 'RoleA'])) });
    const api = new HeldDetaches(fake);
    const running = executePlan(new ApiRoleCloud(api), REGION, swapPlan(instanceIds), new AbortController().signal, log);
    await new Promise((r) => setImmediate(r));
    await api.releaseOne();
    await running;
    await new Promise((r) => setImmediate(r));
    const writes = lines.filter((l) => l.msg === CLOUD_WRITE_LOG_MESSAGE);
    expect(writes.map((l) => ({ level: l.level, binding: l.binding, action: l.action, roleName: l.roleName, instanceIds: l.instanceIds }))).toEqual([
      { level: 30, binding: 'default/web', action: 'DetachInstanceRamRole', roleName: 'RoleA', instanceIds },
      { level: 30, binding: 'default/web', action: 'AttachInstanceRamRole', roleName: 'RoleB', instanceIds },
    ]);
    expect(writes[1]?.requestId).toBe('req-attach-2');
    expect(JSON.stringify(lines)).not.toMatch(/secret|AccessKey/i);
  });
});
