import { describe, expect, it } from 'vitest';
import { ApiRoleCloud } from '../../../src/cloud/api-role-cloud.js';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import { coalesceCloudApi } from '../../../src/cloud/coalescing-cloud-api.js';
import { failureOf } from '../../../src/cloud/role-cloud.js';
import { FakeCloud, REGION, classic, vpc } from '../fakes/fake-cloud.js';

const signal = new AbortController().signal;

describe('ApiRoleCloud', () => {
  it('observes IDs and selector matches, and reads the roles of VPC instances only', async () => {
    const cloud = new FakeCloud({ instances: [vpc('i-a'), vpc('i-b', { app: 'web' }), classic('i-old')], attached: { 'i-b': 'R' } });
    const port = new ApiRoleCloud(cloud);
    const seen = await port.observe(REGION, { instanceIds: ['i-a', 'i-old', 'i-gone'], selector: { tags: { app: 'web' } } }, signal);
    expect(seen.targetIds).toEqual(['i-a', 'i-b', 'i-gone', 'i-old']);
    expect([...seen.instances.keys()].sort()).toEqual(['i-a', 'i-b', 'i-old']);
    expect(seen.observedRoles).toEqual(new Map([['i-a', null], ['i-b', 'R']]));
    // Each batch's roles are read as soon as it is described (the IDs', then the selector's), once each.
    expect(cloud.calls.filter((c) => c.action === 'DescribeInstanceRamRole').flatMap((c) => c.ids).sort()).toEqual(['i-a', 'i-b']);
  });

  it('over the coalescing decorator, the role reads of the IDs and of the selector go out as one call', async () => {
    const cloud = new FakeCloud({ instances: [vpc('i-a'), vpc('i-b', { app: 'web' }), classic('i-old')], attached: { 'i-b': 'R' } });
    const port = new ApiRoleCloud(coalesceCloudApi(cloud, { windowMs: 5 }));
    await port.observe(REGION, { instanceIds: ['i-a', 'i-old'], selector: { tags: { app: 'web' } } }, signal);
    expect(cloud.calls.filter((c) => c.action === 'DescribeInstanceRamRole').map((c) => c.ids)).toEqual([['i-a', 'i-b']]);
  });

  it('reads the roles of many instances in calls of at most 50', async () => {
    const many = Array.from({ length: 120 }, (_, i) => vpc(`i-${String(i).padStart(3, '0')}`));
    const cloud = new FakeCloud({ instances: many });
    const seen = await new ApiRoleCloud(cloud).observe(REGION, { instanceIds: many.map((i) => i.instanceId) }, signal);
    expect(seen.observedRoles.size).toBe(120);
    expect(cloud.calls.filter((c) => c.action === 'DescribeInstanceRamRole').map((c) => c.ids.length)).toEqual([50, 50, 20]);
  });

  it('checks a role: missing, untrusted, usable', async () => {
    const port = new ApiRoleCloud(new FakeCloud({ ramRoles: { Good: true, Fc: false } }));
    expect(await port.checkRole('Good', signal)).toEqual({ exists: true, trustsEcs: true });
    expect(await port.checkRole('Fc', signal)).toEqual({ exists: true, trustsEcs: false });
    expect(await port.checkRole('Ghost', signal)).toEqual({ exists: false, trustsEcs: false });
  });

  it('turns per-instance answers into typed outcomes: detached, notAttached, failed', async () => {
    const cloud = new FakeCloud({ instances: [vpc('i-a'), vpc('i-b'), vpc('i-c')], attached: { 'i-a': 'R', 'i-b': 'Other' }, ramRoles: { R: true } });
    const port = new ApiRoleCloud(cloud);
    const detached = await port.detach(REGION, [{ instanceId: 'i-a', roleName: 'R' }, { instanceId: 'i-b', roleName: 'R' }], signal);
    expect(detached.get('i-a')).toEqual({ kind: 'detached' });
    expect(detached.get('i-b')).toMatchObject({ kind: 'notAttached', failure: { code: 'InvalidRamRole.NotAttached', class: 'wait' } });
    const attached = await port.attach(REGION, [{ instanceId: 'i-a', roleName: 'R' }, { instanceId: 'i-b', roleName: 'R' }], signal);
    expect(attached.get('i-a')).toEqual({ kind: 'attached' });
    expect(attached.get('i-b')).toMatchObject({ kind: 'failed', failure: { code: 'InvalidRamRole.AlreadyAttached', reason: 'RoleChangedDuringReconcile' } });
  });

  it('makes a whole-call failure every instance\'s failure, classified with its HTTP status', async () => {
    const cloud = new FakeCloud({ instances: [vpc('i-a'), vpc('i-b')] });
    const port = new ApiRoleCloud(cloud);
    const outcomes = await port.attach(REGION, [{ instanceId: 'i-a', roleName: 'Ghost' }, { instanceId: 'i-b', roleName: 'Ghost' }], signal);
    for (const id of ['i-a', 'i-b']) expect(outcomes.get(id)).toMatchObject({ kind: 'failed', failure: { code: 'InvalidRamRole.NotFound', class: 'terminal' } });
    cloud.failures.set('AttachInstanceRamRole', [new CloudError({ action: 'AttachInstanceRamRole', code: 'Mystery', message: 'no', statusCode: 400 })]);
    const rejected = await port.attach(REGION, [{ instanceId: 'i-a', roleName: 'Ghost' }], signal);
    expect(rejected.get('i-a')).toMatchObject({ kind: 'failed', failure: { code: 'Mystery', class: 'terminal', reason: 'CloudRequestRejected' } });
  });

  it('splits changes by role and into batches of at most 100', async () => {
    const many = Array.from({ length: 150 }, (_, i) => vpc(`i-${String(i).padStart(3, '0')}`));
    const cloud = new FakeCloud({ instances: many, ramRoles: { A: true, B: true } });
    const changes = many.map((i, n) => ({ instanceId: i.instanceId, roleName: n < 120 ? 'A' : 'B' }));
    const outcomes = await new ApiRoleCloud(cloud).attach(REGION, changes, signal);
    expect([...outcomes.values()].every((o) => o.kind === 'attached')).toBe(true);
    expect(cloud.mutations().map((c) => [c.roleName, c.ids.length])).toEqual([['A', 100], ['A', 20], ['B', 30]]);
  });

  it('lets an abort propagate instead of reporting it as a failure', async () => {
    const cloud = new FakeCloud({ instances: [vpc('i-a')], ramRoles: { R: true } });
    const pass = new AbortController();
    cloud.attachInstanceRamRole = async () => {
      pass.abort(new Error('leadership lost'));
      throw new Error('leadership lost');
    };
    await expect(new ApiRoleCloud(cloud).attach(REGION, [{ instanceId: 'i-a', roleName: 'R' }], pass.signal)).rejects.toThrow('leadership lost');
  });
});

describe('failureOf', () => {
  it('classifies a CloudError and ignores anything else', () => {
    expect(failureOf(new CloudError({ action: 'GetRole', code: 'Throttling', message: 'slow' }))).toMatchObject({ class: 'recoverable', reason: 'Throttled' });
    expect(failureOf(new Error('bug'))).toBeUndefined();
  });
});
