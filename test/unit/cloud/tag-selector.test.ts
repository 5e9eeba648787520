import { describe, expect, it } from 'vitest';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import { TagSelectorResolver } from '../../../src/cloud/tag-selector.js';
import { FakeCloud, REGION, vpc } from '../fakes/fake-cloud.js';

const signal = new AbortController().signal;
const denied = () => new CloudError({ action: 'ListTagResources', code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource.', statusCode: 403 });

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
});
