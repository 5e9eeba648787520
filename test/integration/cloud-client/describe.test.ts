import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudError, MAX_DESCRIBE_ROLE_IDS } from '../../../src/cloud/cloud-api.js';
import type { CloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { GENERATED, REGION, WITH_ROLE, apiFor, clearCalls, loggedCalls, startTestCloud } from './helpers.js';

let sim: CloudSimulator;
beforeAll(async () => {
  sim = await startTestCloud();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await clearCalls(sim);
});

describe('describeInstances', () => {
  it('lists the whole region over every page of 100, following NextToken', async () => {
    const { api, events } = apiFor(sim);
    const instances = await api.describeInstances(REGION, {});
    expect(instances).toHaveLength(4 + GENERATED.length + WITH_ROLE.length);
    expect(new Set(instances.map((i) => i.instanceId)).size).toBe(instances.length);
    const calls = await loggedCalls(sim, 'DescribeInstances');
    expect(calls).toHaveLength(Math.ceil(instances.length / 100));
    expect(calls.every((c) => c.params.MaxResults === '100')).toBe(true);
    expect(calls[0]!.params.NextToken).toBeUndefined();
    expect(calls.slice(1).every((c) => typeof c.params.NextToken === 'string' && c.params.NextToken !== '')).toBe(true);
    expect(calls.every((c) => c.params.RegionId === REGION && c.code === '200')).toBe(true);
    // The instrumentation times the listing as one call, whatever its pages.
    expect(events).toEqual([{ action: 'DescribeInstances', code: 'OK', seconds: expect.any(Number) }]);
  });

  it('maps network type, VPC, status, tags and name', async () => {
    const { api } = apiFor(sim);
    const [web1, web2, old1] = await Promise.all(
      ['i-web1', 'i-web2', 'i-old1'].map(async (id) => (await api.describeInstances(REGION, { instanceIds: [id] }))[0]),
    );
    expect(web1).toEqual({
      instanceId: 'i-web1',
      regionId: REGION,
      networkType: 'vpc',
      vpcId: 'vpc-main',
      status: 'Running',
      tags: { app: 'web', env: 'prod' },
      name: 'web-1',
    });
    expect(web2).toMatchObject({ networkType: 'vpc', status: 'Stopped', tags: { app: 'web', env: 'staging' } });
    expect(old1).toMatchObject({ instanceId: 'i-old1', networkType: 'classic', tags: { app: 'legacy' } });
    expect(old1?.vpcId).toBeUndefined();
  });

  it('filters by tags (AND, as Tag.N.Key / Tag.N.Value) and by VpcId', async () => {
    const { api } = apiFor(sim);
    const prodWeb = await api.describeInstances(REGION, { tags: { app: 'web', env: 'prod' } });
    expect(prodWeb.map((i) => i.instanceId)).toEqual(['i-web1']);
    const [call] = await loggedCalls(sim, 'DescribeInstances');
    expect(call!.params).toMatchObject({ 'Tag.1.Key': 'app', 'Tag.1.Value': 'web', 'Tag.2.Key': 'env', 'Tag.2.Value': 'prod' });

    const big = await api.describeInstances(REGION, { vpcId: 'vpc-big', tags: { fleet: 'big' } });
    expect(big.map((i) => i.instanceId).sort()).toEqual(GENERATED);
  });

  it('splits more than 100 instance IDs into several calls and leaves unknown IDs out', async () => {
    const { api } = apiFor(sim);
    const wanted = [...GENERATED.slice(0, 230), 'i-nothere1', 'i-nothere2'];
    const found = await api.describeInstances(REGION, { instanceIds: wanted });
    expect(found.map((i) => i.instanceId).sort()).toEqual(GENERATED.slice(0, 230));
    const calls = await loggedCalls(sim, 'DescribeInstances');
    expect(calls.map((c) => (c.params.InstanceIds as string[]).length)).toEqual([100, 100, 32]);
  });

  it('asks nothing for an empty ID list (an empty InstanceIds would mean every instance)', async () => {
    const { api } = apiFor(sim);
    expect(await api.describeInstances(REGION, { instanceIds: [] })).toEqual([]);
    expect(await loggedCalls(sim)).toEqual([]);
  });

  it('uses one client per region', async () => {
    const { api, events } = apiFor(sim);
    const shanghai = await api.describeInstances('cn-shanghai', {});
    expect(shanghai.map((i) => [i.instanceId, i.regionId])).toEqual([['i-sh1', 'cn-shanghai']]);
    expect(events.at(-1)).toMatchObject({ action: 'DescribeInstances', code: 'OK' });
    expect((await loggedCalls(sim, 'DescribeInstances')).at(-1)?.params.RegionId).toBe('cn-shanghai');
  });
});

describe('describeInstanceRamRoles', () => {
  it('answers for every requested ID with null for no role, in one call of PageSize 50', async () => {
    const { api } = apiFor(sim);
    const ids = ['i-web1', 'i-api1', 'i-web2', ...GENERATED.slice(0, 47)];
    const roles = await api.describeInstanceRamRoles(REGION, ids);
    expect(roles.size).toBe(50);
    expect(roles.get('i-web1')).toBe('WebRole');
    expect(roles.get('i-api1')).toBe('OtherRole');
    expect(roles.get('i-web2')).toBeNull();
    expect(GENERATED.slice(0, 47).every((id) => roles.get(id) === null)).toBe(true);
    const calls = await loggedCalls(sim, 'DescribeInstanceRamRole');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params).toMatchObject({ PageSize: '50', PageNumber: '1', RegionId: REGION });
    expect(calls[0]!.params.InstanceIds).toEqual(ids);
  });

  it('refuses more than 50 IDs as a programming error, before any call', async () => {
    const { api } = apiFor(sim);
    const err = await api.describeInstanceRamRoles(REGION, GENERATED.slice(0, MAX_DESCRIBE_ROLE_IDS + 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(CloudError);
    expect((err as Error).message).toContain('at most 50');
    expect(await loggedCalls(sim)).toEqual([]);
  });

  it('an unknown ID fails the whole request with InvalidInstanceId.NotFound (404)', async () => {
    const { api } = apiFor(sim);
    const err = await api.describeInstanceRamRoles(REGION, ['i-web1', 'i-nothere']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ action: 'DescribeInstanceRamRole', code: 'InvalidInstanceId.NotFound', statusCode: 404 });
    expect((err as CloudError).requestId).toMatch(/\S/);
  });

  it('a classic instance fails the whole request with InvalidNetworkType.MismatchRamRole (403)', async () => {
    const { api } = apiFor(sim);
    await expect(api.describeInstanceRamRoles(REGION, ['i-old1'])).rejects.toMatchObject({
      code: 'InvalidNetworkType.MismatchRamRole',
      statusCode: 403,
    });
  });
});
