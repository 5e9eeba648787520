import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FUZZY_FILTER_RESOURCE_CAP, LIST_TAG_RESOURCES_PAGE_ROWS, TAG_FILTER_RESOURCE_CAP, type CloudSimulator } from '../src/index.js';
import { $Ecs, AUDITOR, ecsClient, expectApiError, startSample, type Ecs } from './helpers.js';

/**
 * Issue 11 item 3 (simulator side): the DescribeInstances tag-filter cap, and ListTagResources
 * (ECS 2014-05-26) with its paging and limits, through the SDK's own request and response models.
 */

const TAGGED = 5000;
const tagged = (n: number): string => `i-tag${String(n).padStart(4, '0')}`;

let sim: CloudSimulator;
let ecs: Ecs;

beforeAll(async () => {
  sim = await startSample((fleet) => {
    fleet.regions[0]!.generate = [
      { count: TAGGED, idPrefix: 'i-tag', network: 'vpc', vpcId: 'vpc-bp1tag', tags: { fleet: 'big', tier: 'web' } },
      { count: TAG_FILTER_RESOURCE_CAP, idPrefix: 'i-cap', network: 'vpc', vpcId: 'vpc-bp1cap', tags: { pool: 'cap' } },
      { count: TAG_FILTER_RESOURCE_CAP + 1, idPrefix: 'i-over', network: 'vpc', vpcId: 'vpc-bp1cap', tags: { pool: 'over' } },
      { count: 3, idPrefix: 'i-bare', network: 'vpc', vpcId: 'vpc-bp1cap' },
      { count: 17, idPrefix: 'i-odd', digits: 2, network: 'vpc', vpcId: 'vpc-bp1cap', tags: { odd: 'yes', shape: 'three', size: 's' } },
    ];
  });
  ecs = ecsClient(sim);
});
afterAll(async () => {
  await sim.close();
});

type ListReq = ConstructorParameters<typeof $Ecs.ListTagResourcesRequest>[0];

async function listOnce(req: ListReq): Promise<$Ecs.ListTagResourcesResponseBody> {
  const res = await ecs.listTagResources(new $Ecs.ListTagResourcesRequest({ regionId: 'cn-hangzhou', resourceType: 'instance', ...req }));
  return res.body!;
}

async function listAll(req: ListReq): Promise<{ rows: $Ecs.ListTagResourcesResponseBodyTagResourcesTagResource[]; pages: number }> {
  const rows: $Ecs.ListTagResourcesResponseBodyTagResourcesTagResource[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const body = await listOnce({ ...req, nextToken: token });
    pages++;
    rows.push(...body.tagResources!.tagResource!);
    token = body.nextToken || undefined;
  } while (token);
  return { rows, pages };
}

const resourceIds = (rows: Array<{ resourceId?: string }>): string[] => [...new Set(rows.map((r) => r.resourceId!))];

describe('DescribeInstances tag filters cover at most 1,000 resources', () => {
  // SDK DescribeInstancesRequestTag.key: "If you use a single tag to filter resources, the number of
  // resources with this tag cannot exceed 1,000. If you use multiple tags ..., the number of resources
  // that are attached to all specified tags cannot exceed 1,000. If the resource count exceeds
  // 1,000, use the ListTagResources operation." The simulator refuses rather than truncates.
  test('exactly 1,000 tagged resources are listed in full', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const body = (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 100, tag: [{ key: 'pool', value: 'cap' }], nextToken: token }))).body!;
      for (const i of body.instances!.instance!) seen.push(i.instanceId!);
      token = body.nextToken || undefined;
    } while (token);
    expect(seen).toHaveLength(TAG_FILTER_RESOURCE_CAP);
  });

  test('1,001 resources with the tag, or 5,000 with all of several tags, are refused with a pointer to ListTagResources', async () => {
    const over = await expectApiError(
      ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 100, tag: [{ key: 'pool', value: 'over' }] })),
      'InvalidTag.ResourceCountExceeded',
      400,
    );
    expect(over.message).toContain('ListTagResources');
    await expectApiError(
      ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', tag: [{ key: 'fleet', value: 'big' }, { key: 'tier', value: 'web' }] })),
      'InvalidTag.ResourceCountExceeded',
      400,
    );
    // The cap counts the resources carrying the tags, whatever the other filters narrow it to.
    await expectApiError(
      ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', tag: [{ key: 'pool' }], vpcId: 'vpc-bp1cap', instanceIds: JSON.stringify(['i-cap0001']) })),
      'InvalidTag.ResourceCountExceeded',
      400,
    );
  });
});

describe('ListTagResources', () => {
  test('pages fully through 5,000 tagged instances: one row per resource and tag, 50 rows a page', async () => {
    const { rows, pages } = await listAll({ tag: [new $Ecs.ListTagResourcesRequestTag({ key: 'fleet', value: 'big' })] });
    expect(rows).toHaveLength(TAGGED * 2);
    expect(pages).toBe((TAGGED * 2) / LIST_TAG_RESOURCES_PAGE_ROWS);
    const ids = resourceIds(rows);
    expect(ids).toHaveLength(TAGGED);
    expect(ids[0]).toBe(tagged(1));
    expect(ids.at(-1)).toBe(tagged(TAGGED));
    for (const row of rows) {
      expect(row).toBeInstanceOf($Ecs.ListTagResourcesResponseBodyTagResourcesTagResource);
      expect(row.resourceType).toBe('instance');
    }
    const byResource = new Map<string, Record<string, string>>();
    for (const r of rows) byResource.set(r.resourceId!, { ...byResource.get(r.resourceId!), [r.tagKey!]: r.tagValue! });
    expect(byResource.get(tagged(4321))).toEqual({ fleet: 'big', tier: 'web' });
    // The SDK flattens the Tag list the documented way.
    const [call] = sim.calls.entries('ListTagResources').slice(-1);
    expect(call!.params).toMatchObject({ RegionId: 'cn-hangzhou', ResourceType: 'instance', 'Tag.1.Key': 'fleet', 'Tag.1.Value': 'big' });
  });

  test('a page may end inside one resource\'s rows; the next page carries on with its remaining tags', async () => {
    // 17 instances x 3 tags = 51 rows: the first page ends after two of i-odd17's three tags.
    const first = await listOnce({ tag: [{ key: 'odd', value: 'yes' }] });
    const rows = first.tagResources!.tagResource!;
    expect(rows).toHaveLength(LIST_TAG_RESOURCES_PAGE_ROWS);
    expect(rows.slice(-2).map((r) => [r.resourceId, r.tagKey])).toEqual([['i-odd17', 'odd'], ['i-odd17', 'shape']]);
    expect(first.nextToken).not.toBe('');
    const second = await listOnce({ tag: [{ key: 'odd', value: 'yes' }], nextToken: first.nextToken });
    expect(second.tagResources!.tagResource!.map((r) => [r.resourceId, r.tagKey, r.tagValue])).toEqual([['i-odd17', 'size', 's']]);
    expect(second.nextToken).toBe('');
    const odd = await listOnce({ resourceId: ['i-bp1web0001', tagged(1)] });
    expect(odd.tagResources!.tagResource!.map((r) => [r.resourceId, r.tagKey])).toEqual([
      ['i-bp1web0001', 'app'],
      ['i-bp1web0001', 'env'],
      [tagged(1), 'fleet'],
      [tagged(1), 'tier'],
    ]);
  });

  test('ResourceId.N (1-50) lists the tags of those resources; unknown and untagged ones are absent; Tag.N narrows them', async () => {
    const ids = [tagged(7), 'i-bare1', 'i-nope', 'i-cap0002', 'i-uf6web0001'];
    const { rows } = await listAll({ resourceId: ids });
    expect(resourceIds(rows)).toEqual([tagged(7), 'i-cap0002']);
    const narrowed = await listAll({ resourceId: ids, tag: [{ key: 'pool' }] });
    expect(resourceIds(narrowed.rows)).toEqual(['i-cap0002']);
    const fifty = Array.from({ length: 50 }, (_, i) => tagged(i + 1));
    expect(resourceIds((await listAll({ resourceId: fifty })).rows)).toEqual(fifty);
    await expectApiError(listOnce({ resourceId: [...fifty, tagged(51)] }), 'InvalidParameter.ResourceId', 400);
  });

  test('Tag.N is exact and ANDed; a Key alone matches any value; a Value without a Key is InvalidParameter.TagValue; 21 tags InvalidTagCount', async () => {
    expect(resourceIds((await listAll({ tag: [{ key: 'app', value: 'web' }, { key: 'env', value: 'prod' }] })).rows)).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003']);
    expect(resourceIds((await listAll({ tag: [{ key: 'env' }] })).rows)).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003', 'i-bp1web0004']);
    expect((await listAll({ tag: [{ key: 'app', value: 'we' }] })).rows).toEqual([]);
    await expectApiError(listOnce({ tag: [{ value: 'web' }] }), 'InvalidParameter.TagValue', 400);
    await expectApiError(listOnce({ tag: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}` })) }), 'InvalidTagCount', 400);
  });

  // SDK ListTagResourcesRequestTagFilter.tagKey: fuzzy key (`env*`, `*env*`, `env`) with empty values,
  // or an exact key with fuzzy values (ORed); keys ANDed; at most 5,000 resources after filtering;
  // TagFilter.N and Tag.N cannot be used together.
  test('TagFilter.N: fuzzy keys, or an exact key with fuzzy values; at most 5,000 matching resources', async () => {
    const byKey = await listAll({ tagFilter: [new $Ecs.ListTagResourcesRequestTagFilter({ tagKey: 'po*' })] });
    expect(resourceIds(byKey.rows)).toHaveLength(TAG_FILTER_RESOURCE_CAP * 2 + 1);
    const infix = await listAll({ tagFilter: [{ tagKey: '*nv*' }] });
    expect(resourceIds(infix.rows)).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003', 'i-bp1web0004']);
    const values = await listAll({ tagFilter: [{ tagKey: 'app', tagValues: ['we*', '*tch'] }] });
    expect(resourceIds(values.rows)).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003', 'i-bp1web0004', 'i-bp1bat0001']);
    const anded = await listAll({ tagFilter: [{ tagKey: 'app', tagValues: ['*'] }, { tagKey: 'env', tagValues: ['stag*'] }] });
    expect(resourceIds(anded.rows)).toEqual(['i-bp1web0004']);
    const [call] = sim.calls.entries('ListTagResources').slice(-1);
    expect(call!.params).toMatchObject({ 'TagFilter.1.TagKey': 'app', 'TagFilter.1.TagValues.1': '*', 'TagFilter.2.TagValues.1': 'stag*' });

    expect(resourceIds((await listAll({ tagFilter: [{ tagKey: 'fleet' }] })).rows)).toHaveLength(FUZZY_FILTER_RESOURCE_CAP);
    sim.state.launchInstance('cn-hangzhou', { id: 'i-tag9999', network: 'vpc', vpcId: 'vpc-bp1tag', tags: { fleet: 'extra' } });
    try {
      await expectApiError(listOnce({ tagFilter: [{ tagKey: 'fleet' }] }), 'InvalidParameter.TagFilter', 400);
    } finally {
      sim.state.releaseInstance('i-tag9999');
    }
    await expectApiError(listOnce({ tagFilter: [{ tagKey: 'ap*', tagValues: ['web'] }] }), 'InvalidParameter.TagFilter', 400);
    await expectApiError(listOnce({ tag: [{ key: 'app' }], tagFilter: [{ tagKey: 'app' }] }), 'InvalidParameter.TagFilter', 400);
  });

  test('request errors: no selector, no or unknown ResourceType, a foreign NextToken; other resource types list nothing', async () => {
    await expectApiError(listOnce({}), 'MissingParameter', 400);
    await expectApiError(ecs.listTagResources(new $Ecs.ListTagResourcesRequest({ regionId: 'cn-hangzhou', tag: [{ key: 'app' }] })), 'MissingParameter.ResourceType', 400);
    await expectApiError(listOnce({ resourceType: 'bucket', tag: [{ key: 'app' }] }), 'InvalidResourceType.NotSupported', 400);
    expect((await listOnce({ resourceType: 'disk', tag: [{ key: 'app' }] })).tagResources!.tagResource).toEqual([]);
    const describeToken = (await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 10 }))).body!.nextToken!;
    await expectApiError(listOnce({ tag: [{ key: 'app' }], nextToken: describeToken }), 'InvalidParameter.NextToken', 400);
    await expectApiError(ecs.listTagResources(new $Ecs.ListTagResourcesRequest({ resourceType: 'instance', tag: [{ key: 'app' }] })), 'MissingParameter.RegionId', 400);
  });

  test('needs ecs:ListTagResources: ecs:Describe* does not cover it', async () => {
    const auditor = ecsClient(sim, AUDITOR);
    await expectApiError(
      auditor.listTagResources(new $Ecs.ListTagResourcesRequest({ regionId: 'cn-hangzhou', resourceType: 'instance', tag: [{ key: 'app' }] })),
      'Forbidden.RAM',
      403,
    );
  });
});
