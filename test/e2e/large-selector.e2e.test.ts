/**
 * A tag selector over 5,000 instances, against the cloud simulator's documented cap: a
 * DescribeInstances query filtered by tags covers at most 1,000 tagged resources (the simulator
 * refuses more with InvalidTag.ResourceCountExceeded). The operator resolves the selector with
 * ListTagResources (ResourceType instance, paged with NextToken, 50 rows a page), describes the
 * IDs it got, and so targets all 5,000; instances with the tag but outside the selector's VPC,
 * and instances without it, are not touched.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TAG_FILTER_RESOURCE_CAP } from '@ecs-role-operator/alicloud-sim';
import { MAX_LISTED_INSTANCES } from '../../src/api/instance-role-binding.js';
import { binding } from './fleet.js';
import { instanceIdsOf } from './process-helpers.js';
import { type World, condition, eventually, startWorld } from './world.js';
import { describeEachTarget } from '../support/kube-target.js';

const SELECTED = 5_000;

const FLEET = `
accessKeys:
  - {id: LTAI5tOperator, secret: operator-secret, allow: ["ecs:Describe*", "ecs:ListTagResources", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:PassRole"]}
roles:
  - {name: RoleA, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: cn-hangzhou
    generate:
      - {count: ${SELECTED}, idPrefix: i-big, digits: 5, start: 1, network: vpc, vpcId: vpc-big, tags: {fleet: big}}
      - {count: 20, idPrefix: i-othervpc, digits: 4, start: 1, network: vpc, vpcId: vpc-other, tags: {fleet: big}}
      - {count: 20, idPrefix: i-untagged, digits: 4, start: 1, network: vpc, vpcId: vpc-big}
limits:
  qps: {AttachInstanceRamRole: 1000, DetachInstanceRamRole: 1000, DescribeInstanceRamRole: 1000, DescribeInstances: 1000, ListTagResources: 1000, GetRole: 1000}
`;

interface SimState {
  regions: Array<{ instances: Array<{ id: string; ramRole?: string | null }> }>;
}

describeEachTarget('a tag selector past the 1,000-resource tag-filter cap', (target) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(target, { fleetYaml: FLEET });
  }, 120_000);
  afterAll(async () => {
    await world?.stop();
  });

  it(`targets all ${SELECTED} tagged instances of the VPC, through ListTagResources`, { timeout: 240_000 }, async () => {
    expect(SELECTED).toBeGreaterThan(TAG_FILTER_RESOURCE_CAP);
    await world.apply(binding('big', { roleName: 'RoleA', instanceSelector: { tags: { fleet: 'big' }, vpcId: 'vpc-big' } }));
    const rolesNow = async () => ((await world.sim('GET', '/sim/state')) as SimState).regions.flatMap((r) => r.instances);
    await eventually(`RoleA on all ${SELECTED}`, async () => (await rolesNow()).filter((i) => i.ramRole === 'RoleA').length === SELECTED, 180_000);
    const b = await eventually('big Ready', async () => {
      const got = await world.binding('default', 'big');
      return condition(got, 'Ready')?.status === 'True' ? got : undefined;
    }, 60_000);
    expect(b.status?.summary).toMatchObject({ desired: SELECTED, bound: SELECTED });
    // The status the API server holds lists the first MAX_LISTED_INSTANCES by ID (all Bound) and counts the rest.
    expect(b.status?.instances).toHaveLength(MAX_LISTED_INSTANCES);
    expect(b.status?.instances?.[0]?.instanceId).toBe('i-big00001');
    expect(b.status?.instances?.every((i) => i.state === 'Bound')).toBe(true);
    expect(b.status?.unlistedInstances).toBe(SELECTED - MAX_LISTED_INSTANCES);

    const all = await rolesNow();
    expect(all.filter((i) => i.id.startsWith('i-big')).every((i) => i.ramRole === 'RoleA')).toBe(true);
    expect(all.filter((i) => !i.id.startsWith('i-big')).every((i) => (i.ramRole ?? null) === null)).toBe(true);

    const calls = await world.calls();
    // Resolved by ListTagResources, never by a DescribeInstances tag filter (which the cap refuses).
    expect(calls.filter((c) => c.action === 'DescribeInstances' && Object.keys(c.params).some((p) => p.startsWith('Tag.')))).toEqual([]);
    expect(calls.filter((c) => c.code === 'InvalidTag.ResourceCountExceeded')).toEqual([]);
    const listings = calls.filter((c) => c.action === 'ListTagResources');
    expect(listings.length).toBeGreaterThanOrEqual(SELECTED / 50);
    expect(listings.every((c) => c.params.ResourceType === 'instance' && c.params['Tag.1.Key'] === 'fleet' && c.params['Tag.1.Value'] === 'big')).toBe(true);
    // The IDs were described 100 a call, and attached 100 a call.
    const attaches = calls.filter((c) => c.action === 'AttachInstanceRamRole' && c.code === '200');
    expect(attaches.flatMap((c) => instanceIdsOf(c.params)).length).toBe(SELECTED);
    expect(attaches.length).toBe(SELECTED / 100);
  });
});
