import { describe, expect, it } from 'vitest';
import { coalesceCloudApi } from '../../../src/cloud/coalescing-cloud-api.js';
import { FakeCloud, REGION, vpc } from '../fakes/fake-cloud.js';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('coalesceCloudApi', () => {
  it('merges concurrent ID calls of one region into calls as full as the batch limits allow', async () => {
    const fleet = ids('i-', 120).map((id) => vpc(id));
    const cloud = new FakeCloud({ instances: fleet });
    const api = coalesceCloudApi(cloud, { windowMs: 5 });
    const asked = ids('i-', 120);
    const answers = await Promise.all([
      api.describeInstances(REGION, { instanceIds: asked.slice(0, 70) }),
      api.describeInstances(REGION, { instanceIds: [...asked.slice(60), 'i-gone'] }),
      api.describeInstanceRamRoles(REGION, asked.slice(0, 30)),
      api.describeInstanceRamRoles(REGION, asked.slice(30, 60)),
    ]);
    expect(answers[0].map((i) => i.instanceId)).toEqual(asked.slice(0, 70));
    expect(answers[1].map((i) => i.instanceId)).toEqual(asked.slice(60));
    expect([...answers[2].keys()]).toEqual(asked.slice(0, 30));
    expect(answers[3].size).toBe(30);
    expect(cloud.calls.filter((c) => c.action === 'DescribeInstances').map((c) => c.ids.length)).toEqual([100, 21]);
    expect(cloud.calls.filter((c) => c.action === 'DescribeInstanceRamRole').map((c) => c.ids.length)).toEqual([50, 10]);
  });

  it('merges attaches per region and role, and gives each caller its own results', async () => {
    const cloud = new FakeCloud({ instances: ['i-a', 'i-b', 'i-c'].map((id) => vpc(id)), ramRoles: { A: true, B: true } });
    const api = coalesceCloudApi(cloud, { windowMs: 5 });
    const [first, second, other] = await Promise.all([
      api.attachInstanceRamRole(REGION, 'A', ['i-a']),
      api.attachInstanceRamRole(REGION, 'A', ['i-b']),
      api.attachInstanceRamRole(REGION, 'B', ['i-c']),
    ]);
    expect(first.map((r) => r.instanceId)).toEqual(['i-a']);
    expect(second.map((r) => [r.instanceId, r.success])).toEqual([['i-b', true]]);
    expect(other.map((r) => r.instanceId)).toEqual(['i-c']);
    expect(cloud.mutations()).toEqual([
      { action: 'AttachInstanceRamRole', regionId: REGION, roleName: 'A', ids: ['i-a', 'i-b'] },
      { action: 'AttachInstanceRamRole', regionId: REGION, roleName: 'B', ids: ['i-c'] },
    ]);
  });

  it('passes listings by tag or VPC and GetRole through', async () => {
    const cloud = new FakeCloud({ instances: [vpc('i-a', { app: 'web' })], ramRoles: { A: true } });
    const api = coalesceCloudApi(cloud, { windowMs: 1_000 });
    expect((await api.describeInstances(REGION, { tags: { app: 'web' } })).map((i) => i.instanceId)).toEqual(['i-a']);
    expect(await api.getRole('A')).toMatchObject({ roleName: 'A' });
  });

  it('seals a waiting batch only when `ready` says a call could go out', async () => {
    const cloud = new FakeCloud({ instances: ids('i-', 5).map((id) => vpc(id)) });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const api = coalesceCloudApi(cloud, { windowMs: 1, ready: () => gate });
    const early = api.describeInstanceRamRoles(REGION, ['i-000']);
    await new Promise((r) => setTimeout(r, 20));
    const late = api.describeInstanceRamRoles(REGION, ['i-001', 'i-002']);
    open();
    await Promise.all([early, late]);
    expect(cloud.calls.map((c) => c.ids)).toEqual([['i-000', 'i-001', 'i-002']]);
  });

  it('a caller that aborts leaves a batch not yet sent', async () => {
    const cloud = new FakeCloud({ instances: ids('i-', 3).map((id) => vpc(id)) });
    const api = coalesceCloudApi(cloud, { windowMs: 10 });
    const pass = new AbortController();
    const aborted = api.describeInstanceRamRoles(REGION, ['i-000'], { signal: pass.signal });
    const kept = api.describeInstanceRamRoles(REGION, ['i-001']);
    pass.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect([...(await kept).keys()]).toEqual(['i-001']);
    expect(cloud.calls.map((c) => c.ids)).toEqual([['i-001']]);
  });
});
