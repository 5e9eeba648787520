import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CloudSimulator } from '../src/index.js';
import { $Ecs, ecsClient, expectApiError, ids, startSample, type Ecs } from './helpers.js';

let sim: CloudSimulator;
let ecs: Ecs;

beforeAll(async () => {
  sim = await startSample((fleet) => {
    fleet.accessKeys.push({ id: 'LTAI5tNoDescribe', secret: 'no-describe', allow: ['ram:GetRole'] });
    fleet.regions[0]!.generate = [
      { count: 230, idPrefix: 'i-bp1gen', network: 'vpc', vpcId: 'vpc-bp1gen', tags: { fleet: 'gen', app: 'web' } },
      { count: 5, idPrefix: 'i-bp1cls', network: 'classic', status: 'Stopped', tags: { fleet: 'gen' } },
    ];
    // These tests page through listings many calls a second; throttling is tested elsewhere
    // (throttle.test.ts), not the sample fleet's 50 a second here.
    fleet.limits = { ...fleet.limits, qps: { ...fleet.limits?.qps, DescribeInstances: 10_000 } };
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

const describe1 = async (req: Req): Promise<$Ecs.DescribeInstancesResponseBody> =>
  (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', ...req }))).body!;

test('pages through the whole region with MaxResults 100 and NextToken, each instance once', async () => {
  const { ids: seen, pages } = await describeAll({ maxResults: 100 });
  expect(seen).toHaveLength(7 + 230 + 5);
  expect(new Set(seen).size).toBe(seen.length);
  expect(pages).toBe(3);
});

// Issue 13 item 15. SDK DescribeInstancesResponseBody.totalCount: "When you use the MaxResults and
// NextToken parameters for paging query, the returned TotalCount parameter value is meaningless."
test('TotalCount is not the total when paging by MaxResults / NextToken; it is with PageNumber / PageSize or no paging parameter', async () => {
  const paged = await describeAll({ maxResults: 100 });
  expect(paged.ids).toHaveLength(242);
  expect([...paged.totals]).not.toContain(242);
  const byToken = await describe1({ maxResults: 10, vpcId: 'vpc-bp1gen' });
  expect(byToken.totalCount).not.toBe(230);
  expect((await describe1({ pageNumber: 1, pageSize: 10, vpcId: 'vpc-bp1gen' })).totalCount).toBe(230);
  expect((await describe1({ vpcId: 'vpc-bp1gen' })).totalCount).toBe(230);
});

// Issue 13 item 8. SDK DescribeInstancesRequest.maxResults: "If you do not set this parameter or set
// it to a value less than 10, the default value is 10. If you set this parameter to a value greater
// than 100, the default value is 100."
test('MaxResults defaults to 10; below 10 counts as 10 and above 100 as 100', async () => {
  const res = await describe1({});
  expect(res.instances!.instance).toHaveLength(10);
  expect(res.nextToken).not.toBe('');
  expect((await describe1({ maxResults: 5 })).instances!.instance).toHaveLength(10);
  expect((await describe1({ maxResults: 0 })).instances!.instance).toHaveLength(10);
  expect((await describe1({ maxResults: 500 })).instances!.instance).toHaveLength(100);
  expect((await describe1({ maxResults: 101 })).instances!.instance).toHaveLength(100);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', nextToken: 'bogus' })), 'InvalidParameter.NextToken', 400);
});

// Issue 13 item 2. Reference (DescribeInstances): InstanceIds="[]" is a valid filter with an empty result.
test('InstanceIds "[]" is a filter that matches nothing, not "every instance"', async () => {
  const body = await describe1({ instanceIds: '[]', maxResults: 100 });
  expect(body.instances!.instance).toEqual([]);
  expect(body.nextToken).toBe('');
  expect((await describe1({ instanceIds: '[]', pageNumber: 1, pageSize: 10 })).totalCount).toBe(0);
});

// Issue 13 item 3. SDK DescribeInstancesRequest.zoneId: "The zone ID" (a filter).
test('ZoneId filters by zone', async () => {
  expect((await describeAll({ maxResults: 100, zoneId: 'cn-hangzhou-j' })).ids).toEqual(['i-bp1web0003', 'i-bp1web0004']);
  expect((await describeAll({ maxResults: 100, zoneId: 'cn-hangzhou-k', vpcId: 'vpc-bp1batch' })).ids).toEqual(['i-bp1bat0001']);
  expect((await describeAll({ maxResults: 100, zoneId: 'cn-hangzhou-z' })).ids).toEqual([]);
});

// Issue 13 item 4. SDK DescribeInstancesRequest.instanceName: "The name of the instance. Fuzzy search
// with the asterisk (*) wildcard is supported."
test('InstanceName filters by exact name or with * wildcards', async () => {
  expect((await describeAll({ maxResults: 100, instanceName: 'web-2' })).ids).toEqual(['i-bp1web0002']);
  expect((await describeAll({ maxResults: 100, instanceName: 'web-*' })).ids).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003', 'i-bp1web0004']);
  expect((await describeAll({ maxResults: 100, instanceName: '*-1' })).ids).toEqual(['i-bp1web0001', 'i-bp1api0001', 'i-bp1bat0001', 'i-bp1old0001']);
  expect((await describeAll({ maxResults: 100, instanceName: '*atc*' })).ids).toEqual(['i-bp1bat0001']);
  expect((await describeAll({ maxResults: 100, instanceName: 'web' })).ids).toEqual([]);
  // Case-sensitive (unconfirmed in the docs; the stricter choice).
  expect((await describeAll({ maxResults: 100, instanceName: 'WEB-*' })).ids).toEqual([]);
});

// Issue 13 item 9. SDK DescribeInstancesRequest.dryRun: "If the request passes the dry run, the
// DryRunOperation error code is returned." A dry run still checks parameters and permissions.
test('DryRun=true answers DryRunOperation after checking the request, and lists nothing', async () => {
  const err = await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', dryRun: true })), 'DryRunOperation', 400);
  expect(err.message).toContain('DryRun');
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', dryRun: true, status: 'Sleeping' })), 'InvalidStatus.NotFound', 404);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ dryRun: true })), 'MissingParameter.RegionId', 400);
  const noKey = ecsClient(sim, { accessKeyId: 'LTAI5tNoDescribe', accessKeySecret: 'no-describe' });
  await expectApiError(noKey.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', dryRun: true })), 'Forbidden.RAM', 403);
  expect((await describe1({ dryRun: false, maxResults: 10 })).instances!.instance).toHaveLength(10);
});

// Issue 13 item 7. Reference (DescribeInstances): 400 InvalidTagCount for more than 20 tags.
test('more than 20 tag filters (or N past 20) are 400 InvalidTagCount; a Value without a Key is InvalidParameter.TagValue', async () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', tag: tags(21) })), 'InvalidTagCount', 400);
  expect((await describe1({ tag: tags(20) })).instances!.instance).toEqual([]);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', tag: [{ value: 'web' }] })), 'InvalidParameter.TagValue', 400);
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
});

// Issue 13 items 5 and 6. Reference (DescribeInstances): documented codes for bad filters are
// 404 InvalidStatus.NotFound and 404 InvalidNetworkType.NotFound.
test('an unknown Status is 404 InvalidStatus.NotFound; an unknown InstanceNetworkType 404 InvalidNetworkType.NotFound', async () => {
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', status: 'Sleeping' })), 'InvalidStatus.NotFound', 404);
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceNetworkType: 'ipv6' })), 'InvalidNetworkType.NotFound', 404);
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

// Deliberately not modelled (docs/cloud-simulator.md): documented filters the simulator does not
// implement are refused, never silently ignored.
test('an unmodelled filter (ResourceGroupId, PrivateIpAddresses) is 400 InvalidParameter.NotSimulated; account parameters are accepted', async () => {
  const err = await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', resourceGroupId: 'rg-1' })), 'InvalidParameter.NotSimulated', 400);
  expect(err.message).toContain('ResourceGroupId');
  await expectApiError(ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', privateIpAddresses: '["10.0.0.1"]' })), 'InvalidParameter.NotSimulated', 400);
  expect((await describe1({ ownerId: 1234567890123456, maxResults: 10 })).instances!.instance).toHaveLength(10);
});
