import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CloudSimulator } from '../src/index.js';
import { $Ecs, ecsClient, expectApiError, ids, startSample, type Ecs } from './helpers.js';

let sim: CloudSimulator;
let ecs: Ecs;

beforeAll(async () => {
  sim = await startSample((fleet) => {
    fleet.regions[0]!.generate = [
      { count: 230, idPrefix: 'i-bp1gen', network: 'vpc', vpcId: 'vpc-bp1gen', tags: { fleet: 'gen', app: 'web' } },
      { count: 5, idPrefix: 'i-bp1cls', network: 'classic', status: 'Stopped', tags: { fleet: 'gen' } },
    ];
  });
  ecs = ecsClient(sim);
});
afterAll(async () => {
  await sim.close();
});

type Req = ConstructorParameters<typeof $Ecs.DescribeInstancesRequest>[0];

async function describeAll(req: Req): Promise<{ ids: string[]; pages: number; totals: Set<number> }> {
  const seen: string[] = [];
  const totals = new Set<number>();
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', ...req, nextToken: token }));
    const body = res.body!;
    pages++;
    totals.add(body.totalCount!);
    for (const inst of body.instances!.instance!) seen.push(inst.instanceId!);
    token = body.nextToken || undefined;
  } while (token);
  return { ids: seen, pages, totals };
}

test('pages through the whole region with MaxResults 100 and NextToken, each instance once', async () => {
  const { ids: seen, pages, totals } = await describeAll({ maxResults: 100 });
  expect(seen).toHaveLength(7 + 230 + 5);
  expect(new Set(seen).size).toBe(seen.length);
  expect(pages).toBe(3);
  expect([...totals]).toEqual([242]);
});

test('MaxResults defaults to 10 and must be 10-100', async () => {
  const res = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }));
  expect(res.body!.instances!.instance).toHaveLength(10);
  expect(res.body!.nextToken).not.toBe('');
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 101 })), 'InvalidParameter.MaxResults', 400);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 5 })), 'InvalidParameter.MaxResults', 400);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', nextToken: 'bogus' })), 'InvalidParameter.NextToken', 400);
});

test('returns the documented shape: network type, VPC, status, tags as arrays', async () => {
  const res = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: ids('i-bp1web0004', 'i-bp1old0001') }));
  const [web, old] = res.body!.instances!.instance!;
  expect(web).toMatchObject({ instanceId: 'i-bp1web0004', regionId: 'cn-hangzhou', zoneId: 'cn-hangzhou-j', status: 'Stopped', instanceNetworkType: 'vpc', instanceName: 'web-4' });
  expect(web!.vpcAttributes!.vpcId).toBe('vpc-bp1main');
  expect(web!.tags!.tag).toEqual([
    expect.objectContaining({ tagKey: 'app', tagValue: 'web' }),
    expect.objectContaining({ tagKey: 'env', tagValue: 'staging' }),
  ]);
  expect(old).toMatchObject({ instanceId: 'i-bp1old0001', instanceNetworkType: 'classic' });
});

test('InstanceIds: unknown IDs are simply absent; at most 100', async () => {
  const res = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: ids('i-bp1web0001', 'i-nope', 'i-uf6web0001') }));
  expect(res.body!.instances!.instance!.map((i) => i.instanceId)).toEqual(['i-bp1web0001']);
  expect(res.body!.totalCount).toBe(1);
  const many = Array.from({ length: 101 }, (_, i) => `i-bp1gen${String(i + 1).padStart(3, '0')}`);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: JSON.stringify(many) })), 'InvalidInstanceIds.Malformed', 400);
  const hundred = await describeAll({ instanceIds: JSON.stringify(many.slice(0, 100)), maxResults: 30 });
  expect(hundred.ids).toEqual(many.slice(0, 100));
});

test('tag filters are ANDed; a key alone matches any value', async () => {
  const web = await describeAll({ maxResults: 100, tag: [{ key: 'app', value: 'web' }] });
  expect(web.ids).toHaveLength(4 + 230);
  const prodWeb = await describeAll({ maxResults: 100, tag: [{ key: 'app', value: 'web' }, { key: 'env', value: 'prod' }] });
  expect(prodWeb.ids).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003']);
  const anyEnv = await describeAll({ maxResults: 100, tag: [{ key: 'env' }] });
  expect(anyEnv.ids).toHaveLength(4);
});

test('VpcId, Status and InstanceNetworkType filters, alone and combined with pagination', async () => {
  const vpc = await describeAll({ maxResults: 10, vpcId: 'vpc-bp1main' });
  expect(vpc.ids).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003', 'i-bp1web0004', 'i-bp1api0001']);
  const stopped = await describeAll({ maxResults: 100, status: 'Stopped' });
  expect(stopped.ids).toHaveLength(1 + 5);
  const classic = await describeAll({ maxResults: 10, instanceNetworkType: 'classic' });
  expect(classic.ids).toEqual(['i-bp1old0001', 'i-bp1cls1', 'i-bp1cls2', 'i-bp1cls3', 'i-bp1cls4', 'i-bp1cls5']);
  expect([...classic.totals]).toEqual([6]);
  const gen = await describeAll({ maxResults: 100, vpcId: 'vpc-bp1gen', status: 'Running', tag: [{ key: 'fleet', value: 'gen' }] });
  expect(gen.ids).toHaveLength(230);
  expect(gen.pages).toBe(3);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', status: 'Sleeping' })), 'InvalidParameter.Status', 400);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceNetworkType: 'ipv6' })), 'InvalidParameter.InstanceNetworkType', 400);
});

test('the older PageNumber/PageSize form pages too', async () => {
  const res = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', pageNumber: 2, pageSize: 5, vpcId: 'vpc-bp1main' }));
  expect(res.body!.instances!.instance!.map((i) => i.instanceId)).toEqual([]);
  const first = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', pageNumber: 1, pageSize: 3, vpcId: 'vpc-bp1main' }));
  expect(first.body!.instances!.instance!.map((i) => i.instanceId)).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003']);
  expect(first.body!.totalCount).toBe(5);
});

test('a launch between pages does not disturb pagination; a released instance disappears', async () => {
  const page1 = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-shanghai', maxResults: 10 }));
  expect(page1.body!.instances!.instance!.map((i) => i.instanceId)).toEqual(['i-uf6web0001', 'i-uf6web0002']);
  sim.state.launchInstance('cn-shanghai', { id: 'i-uf6new0001', network: 'vpc', vpcId: 'vpc-uf6main' });
  const after = await describeAll({ regionId: 'cn-shanghai', maxResults: 10 });
  expect(after.ids).toEqual(['i-uf6web0001', 'i-uf6web0002', 'i-uf6new0001']);
  sim.state.releaseInstance('i-uf6new0001');
  expect((await describeAll({ regionId: 'cn-shanghai', maxResults: 10 })).ids).toEqual(['i-uf6web0001', 'i-uf6web0002']);
});
