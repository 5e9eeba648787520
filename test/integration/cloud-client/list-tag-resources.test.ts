/**
 * ListTagResources through the unmodified SDK against the cloud simulator: every page (50 rows a
 * page, one row per resource and tag, so a resource's rows span pages), each instance once, the
 * tags ANDed; past the 1,000-resource cap the DescribeInstances tag filter refuses, the listing
 * does not. No ecs:ListTagResources: Forbidden.RAM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlibabaCloudApi } from '../../../src/cloud/alibaba-cloud-api.js';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import { createAccessKeyCredential } from '../../../src/cloud/credentials.js';
import { CloudRateLimits, rateLimitCloudApi } from '../../../src/cloud/rate-limited-cloud-api.js';
import { type CloudSimulator, LIST_TAG_RESOURCES_PAGE_ROWS, TAG_FILTER_RESOURCE_CAP, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';

const REGION = 'cn-hangzhou';
const TAGGED = 1_234;
const READER = { id: 'LTAI5tTagReader', secret: 'tag-reader-secret' };
const NO_LISTING = { id: 'LTAI5tNoListing', secret: 'no-listing-secret' };

let sim: CloudSimulator;
beforeAll(async () => {
  sim = await startCloudSimulator({
    port: 0,
    fleet: parseFleet(`
accessKeys:
  - {id: ${READER.id}, secret: ${READER.secret}, allow: ["ecs:DescribeInstances", "ecs:ListTagResources"]}
  - {id: ${NO_LISTING.id}, secret: ${NO_LISTING.secret}, allow: ["ecs:DescribeInstances"]}
regions:
  - id: ${REGION}
    generate:
      - {count: ${TAGGED}, idPrefix: i-tag, digits: 5, start: 1, network: vpc, vpcId: vpc-a, tags: {fleet: big, team: a}}
      - {count: 30, idPrefix: i-teamb, digits: 4, start: 1, network: vpc, vpcId: vpc-a, tags: {fleet: big, team: b}}
      - {count: 10, idPrefix: i-plain, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
limits:
  qps: {ListTagResources: 10000, DescribeInstances: 10000}
`),
  });
});
afterAll(async () => {
  await sim?.close();
});

const api = (key: { id: string; secret: string }) =>
  createAlibabaCloudApi({ ecsEndpoint: sim.endpoint, ramEndpoint: sim.endpoint, protocol: 'http', credential: createAccessKeyCredential(key.id, key.secret) });

describe('listTaggedInstanceIds (ListTagResources)', () => {
  it(`lists all ${TAGGED} instances carrying both tags, each once, following NextToken to the end`, async () => {
    await fetch(`${sim.url}/sim/calls`, { method: 'DELETE' });
    const ids = await api(READER).listTaggedInstanceIds(REGION, { fleet: 'big', team: 'a' });
    expect(ids).toHaveLength(TAGGED);
    expect(new Set(ids).size).toBe(TAGGED);
    expect(ids.every((id) => id.startsWith('i-tag'))).toBe(true);
    const calls = (await (await fetch(`${sim.url}/sim/calls?action=ListTagResources`)).json()) as Array<{ params: Record<string, string>; code: string }>;
    // Two rows per instance (two tags), 50 rows a page.
    expect(calls).toHaveLength(Math.ceil((TAGGED * 2) / LIST_TAG_RESOURCES_PAGE_ROWS));
    expect(calls.every((c) => c.code === '200' && c.params.ResourceType === 'instance' && c.params.RegionId === REGION)).toBe(true);
    expect(calls[0]?.params.NextToken).toBeUndefined();
    expect(calls.slice(1).every((c) => typeof c.params.NextToken === 'string' && c.params.NextToken.length > 0)).toBe(true);
  });

  it('past the cap the DescribeInstances tag filter refuses, which is why selectors use the listing', async () => {
    expect(TAGGED).toBeGreaterThan(TAG_FILTER_RESOURCE_CAP);
    await expect(api(READER).describeInstances(REGION, { tags: { fleet: 'big' } })).rejects.toMatchObject({ code: 'InvalidTag.ResourceCountExceeded' });
    expect(await api(READER).listTaggedInstanceIds(REGION, { fleet: 'big' })).toHaveLength(TAGGED + 30);
  });

  it('answers no IDs for tags nobody carries, and Forbidden.RAM without ecs:ListTagResources', async () => {
    expect(await api(READER).listTaggedInstanceIds(REGION, { fleet: 'none' })).toEqual([]);
    const denied = await api(NO_LISTING).listTaggedInstanceIds(REGION, { fleet: 'big' }).catch((err: unknown) => err);
    expect(denied).toBeInstanceOf(CloudError);
    expect(denied).toMatchObject({ code: 'Forbidden.RAM', statusCode: 403 });
  });

  it('through the rate limiter, a listing longer than the quota takes a token a page, and a throttled page is asked again instead of the listing starting over', async () => {
    const quota = 20;
    const limited = await startCloudSimulator({
      port: 0,
      fleet: parseFleet(`
accessKeys:
  - {id: ${READER.id}, secret: ${READER.secret}, allow: ["ecs:ListTagResources"]}
regions:
  - id: ${REGION}
    generate:
      - {count: ${TAGGED}, idPrefix: i-tag, digits: 5, start: 1, network: vpc, vpcId: vpc-a, tags: {fleet: big, team: a}}
limits:
  qps: {ListTagResources: ${quota}}
`),
    });
    try {
      const cloud = rateLimitCloudApi(
        createAlibabaCloudApi({ ecsEndpoint: limited.endpoint, ramEndpoint: limited.endpoint, protocol: 'http', credential: createAccessKeyCredential(READER.id, READER.secret) }),
        new CloudRateLimits({ qps: quota }),
      );
      const ids = await cloud.listTaggedInstanceIds(REGION, { fleet: 'big', team: 'a' });
      expect(new Set(ids).size).toBe(TAGGED);
      const calls = (await (await fetch(`${limited.url}/sim/calls?action=ListTagResources`)).json()) as Array<{ code: string }>;
      const pages = Math.ceil((TAGGED * 2) / LIST_TAG_RESOURCES_PAGE_ROWS);
      expect(pages).toBeGreaterThan(quota);
      // Each page answered once: never started over. The client's bucket and the cloud's do not
      // start at the same instant, so a page may meet a throttle now and then; it is asked again.
      expect(calls.filter((c) => c.code === '200')).toHaveLength(pages);
      const throttled = calls.filter((c) => c.code !== '200');
      expect(throttled.every((c) => c.code === 'Throttling')).toBe(true);
      expect(throttled.length).toBeLessThan(pages / 4);
    } finally {
      await limited.close();
    }
  });
});
