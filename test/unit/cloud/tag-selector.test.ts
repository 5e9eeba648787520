import { describe, expect, it } from 'vitest';
import { CloudError, MAX_DESCRIBE_INSTANCE_IDS } from '../../../src/cloud/cloud-api.js';
import { TagSelectorResolver } from '../../../src/cloud/tag-selector.js';
import type { InstanceInfo } from '../../../src/domain/cloud-facts.js';
import { FAKE_LISTING_PAGE, FakeCloud, REGION, SlowListingCloud, vpc } from '../fakes/fake-cloud.js';

const signal = new AbortController().signal;
const denied = () => new CloudError({ action: 'ListTagResources', code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.', statusCode: 403 });

/** `n` instances tagged fleet=big, i-0000 onwards. */
function bigFleet(n: number) {
  return new FakeCloud({ instances: Array.from({ length: n }, (_, i) => vpc(`i-${String(i).padStart(4, '0')}`, { fleet: 'big' })) });
}

function fleet() {
  return new FakeCloud({ instances: [vpc('i-1', { app: 'web' }, 'vpc-a'), vpc('i-2', { app: 'web' }, 'vpc-b'), vpc('i-3', { app: 'db' }, 'vpc-a'), vpc('i-4', {}, 'vpc-a')] });
}

describe('TagSelectorResolver', () => {
  it('resolves tags with ListTagResources, then describes those IDs and keeps the selector VPC', async () => {
    const cloud = fleet();
    const found = await new TagSelectorResolver(cloud).resolve(REGION, { tags: { app: 'web' }, vpcId: 'vpc-a' }, signal);
    expect(found.map((i) => i.instanceId)).toEqual(['i-1']);
    expect(cloud.calls.map((c) => [c.action, c.ids])).toEqual([['ListTagResources', []], ['DescribeInstances', ['i-1', 'i-2']]]);
  });

  it('lists by VPC alone with DescribeInstances, and asks nothing more when no instance has the tags', async () => {
    const cloud = fleet();
    const resolver = new TagSelectorResolver(cloud);
    expect((await resolver.resolve(REGION, { tags: {}, vpcId: 'vpc-a' }, signal)).map((i) => i.instanceId)).toEqual(['i-1', 'i-3', 'i-4']);
    expect(await resolver.resolve(REGION, { tags: { app: 'none' } }, signal)).toEqual([]);
    expect(cloud.actions()).toEqual(['DescribeInstances', 'ListTagResources']);
  });

  it('falls back to the DescribeInstances tag filter when ListTagResources is denied, says so once, and asks again later', async () => {
    let now = 0;
    const warnings: string[] = [];
    const cloud = fleet();
    cloud.failures.set('ListTagResources', [denied()]);
    const resolver = new TagSelectorResolver(cloud, { onListingDenied: (m) => void warnings.push(m), retryListingAfterMs: 1_000, now: () => now });
    expect((await resolver.resolve(REGION, { tags: { app: 'web' } }, signal)).map((i) => i.instanceId)).toEqual(['i-1', 'i-2']);
    await resolver.resolve(REGION, { tags: { app: 'web' } }, signal);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Forbidden\.RAM.*at most 1000.*ecs:ListTagResources/);
    expect(cloud.actions()).toEqual(['ListTagResources', 'DescribeInstances', 'DescribeInstances']);
    now = 1_000;
    await resolver.resolve(REGION, { tags: { app: 'web' } }, signal);
    expect(cloud.actions().slice(3)).toEqual(['ListTagResources', 'DescribeInstances']);
  });

  it('passes any other failure of ListTagResources on', async () => {
    const cloud = fleet();
    cloud.failures.set('ListTagResources', [new CloudError({ action: 'ListTagResources', code: 'Throttling', message: 'throttled', statusCode: 400 })]);
    await expect(new TagSelectorResolver(cloud).resolve(REGION, { tags: { app: 'web' } }, signal)).rejects.toThrow(/Throttling/);
  });

  it('describes each 100 IDs listed while the listing goes on, and tells each described batch before the answer', async () => {
    const cloud = new SlowListingCloud({ instances: bigFleet(250).instances });
    const batches: InstanceInfo[][] = [];
    const found = await new TagSelectorResolver(cloud).resolve(REGION, { tags: { fleet: 'big' } }, signal, (b) => void batches.push([...b]));
    expect(found).toHaveLength(250);
    const described = cloud.calls.filter((c) => c.action === 'DescribeInstances').map((c) => c.ids.length);
    expect(described).toEqual([MAX_DESCRIBE_INSTANCE_IDS, MAX_DESCRIBE_INSTANCE_IDS, 50]);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(new Set(batches.flat().map((i) => i.instanceId)).size).toBe(250);
    // Pages of 50: the first two describes went out while the listing went on, the last 50 after it.
    expect(FAKE_LISTING_PAGE).toBe(50);
    expect(cloud.callsWhenListed).toBe(3);
    expect(cloud.calls[1]?.ids[0]).toBe('i-0000');
  });

  it('describes what the answer holds when the listing told no pages', async () => {
    const cloud = bigFleet(120);
    const quiet = { ...cloud, calls: cloud.calls, listTaggedInstanceIds: (r: string, t: Record<string, string>) => cloud.listTaggedInstanceIds(r, t), describeInstances: cloud.describeInstances.bind(cloud) };
    const found = await new TagSelectorResolver(quiet as unknown as FakeCloud).resolve(REGION, { tags: { fleet: 'big' } }, signal);
    expect(found).toHaveLength(120);
    expect(cloud.calls.filter((c) => c.action === 'DescribeInstances').map((c) => c.ids.length)).toEqual([100, 20]);
  });

  it('a listing that fails half-way rejects with its failure once the describes it started have ended', async () => {
    const cloud = new SlowListingCloud({ instances: bigFleet(250).instances });
    cloud.failAfterPages = 3;
    const batches: number[] = [];
    const warnings: string[] = [];
    const resolver = new TagSelectorResolver(cloud, { onListingDenied: (m) => void warnings.push(m) });
    await expect(resolver.resolve(REGION, { tags: { fleet: 'big' } }, signal, (b) => void batches.push(b.length))).rejects.toThrow(/Throttling/);
    expect(cloud.calls.filter((c) => c.action === 'DescribeInstances')).toHaveLength(1);
    expect(batches).toEqual([100]);
    expect(warnings).toEqual([]);
  });

  it('a describe that fails stops the listing, and the pass fails with the describe failure', async () => {
    const cloud = new SlowListingCloud({ instances: bigFleet(500).instances });
    cloud.failures.set('DescribeInstances', [new CloudError({ action: 'DescribeInstances', code: 'ServiceUnavailable', message: 'try later', statusCode: 503 })]);
    await expect(new TagSelectorResolver(cloud).resolve(REGION, { tags: { fleet: 'big' } }, signal)).rejects.toThrow(/ServiceUnavailable/);
    // The first describe went out after page 2 of 10 and failed at once: the listing stopped well short of its end.
    expect(cloud.pagesTold).toBeLessThan(10);
    expect(cloud.callsWhenListed).toBe(0);
  });

  it('a describe denied after the listing is not taken for a denied listing: no fallback, the failure passes on', async () => {
    const cloud = fleet();
    cloud.failures.set('DescribeInstances', [new CloudError({ action: 'DescribeInstances', code: 'Forbidden.RAM', message: 'not authorized', statusCode: 403 })]);
    const warnings: string[] = [];
    await expect(new TagSelectorResolver(cloud, { onListingDenied: (m) => void warnings.push(m) }).resolve(REGION, { tags: { app: 'web' } }, signal)).rejects.toThrow(/Forbidden\.RAM/);
    expect(warnings).toEqual([]);
    expect(cloud.actions()).toEqual(['ListTagResources', 'DescribeInstances']);
  });
});
