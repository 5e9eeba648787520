import { describe, expect, it } from 'vitest';
import { collectInventory, mapWithConcurrency } from '../../../src/audit/inventory.js';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import type { InstanceInfo } from '../../../src/domain/cloud-facts.js';
import { FakeCloud } from '../fakes/fake-cloud.js';

function fleet(count: number): InstanceInfo[] {
  return Array.from({ length: count }, (_, n) => ({
    instanceId: `i-${String(n).padStart(4, '0')}`,
    regionId: 'cn-hangzhou',
    networkType: n % 10 === 9 ? ('classic' as const) : ('vpc' as const),
    status: 'Running',
    tags: {},
  }));
}

const noSleep = async () => {};
const throttled = () => new CloudError({ action: 'x', code: 'Throttling', message: 'slow down', statusCode: 400, retryAfterSeconds: 0.01 });

describe('collectInventory', () => {
  it('describes the region once, roles of VPC instances 50 at a time, and each role once', async () => {
    const instances = fleet(120); // 108 VPC, 12 classic
    const cloud = new FakeCloud({ instances, attached: { 'i-0000': 'Web', 'i-0001': 'Stray' }, ramRoles: { Web: true } });
    const inventory = await collectInventory(cloud, ['cn-hangzhou'], ['Web', 'Bound'], { sleep: noSleep });
    expect(cloud.actions().filter((c) => c === 'DescribeInstances')).toHaveLength(1);
    expect(cloud.actions().filter((c) => c === 'DescribeInstanceRamRole')).toHaveLength(3); // ceil(108 / 50)
    expect(cloud.actions().filter((c) => c === 'GetRole')).toHaveLength(3); // Bound, Stray, Web
    const region = inventory.regions[0]!;
    expect(region.instances).toHaveLength(120);
    expect(region.attachedRoles.size).toBe(108);
    expect(region.attachedRoles.get('i-0000')).toBe('Web');
    expect(region.attachedRoles.has('i-0009')).toBe(false); // classic
    expect([...inventory.roles]).toEqual([
      ['Bound', null],
      ['Stray', null],
      ['Web', { roleName: 'Web', arn: 'acs:ram::1:role/Web', trustsEcs: true }],
    ]);
  });

  it('retries recoverable errors (throttling, 5xx, network) and honours retry-after', async () => {
    const cloud = new FakeCloud({ instances: fleet(3) });
    cloud.failures.set('DescribeInstances', [throttled(), new CloudError({ action: 'x', code: 'ECONNRESET', message: 'reset' })]);
    cloud.failures.set('DescribeInstanceRamRole', [new CloudError({ action: 'x', code: 'ServiceUnavailable', message: 'down', statusCode: 503 })]);
    const waits: number[] = [];
    const inventory = await collectInventory(cloud, ['cn-hangzhou'], [], { sleep: async (ms) => void waits.push(ms), retryBaseMs: 5 });
    expect(inventory.regions[0]!.instances).toHaveLength(3);
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(10); // retry-after 0.01 s beats the 5 ms base
  });

  it('gives up after the configured attempts and does not retry terminal errors', async () => {
    const cloud = new FakeCloud({ instances: fleet(3) });
    cloud.failures.set('DescribeInstances', [throttled(), throttled(), throttled()]);
    await expect(collectInventory(cloud, ['cn-hangzhou'], [], { sleep: noSleep, attempts: 3 })).rejects.toMatchObject({ code: 'Throttling' });
    const terminal = new FakeCloud({ instances: fleet(3) });
    terminal.failures.set('DescribeInstances', [new CloudError({ action: 'x', code: 'InvalidRegionId.NotFound', message: 'no', statusCode: 404 })]);
    await expect(collectInventory(terminal, ['cn-hangzhou'], [], { sleep: noSleep })).rejects.toMatchObject({ code: 'InvalidRegionId.NotFound' });
    expect(terminal.actions()).toEqual(['DescribeInstances']);
  });

  it('drops an instance released between DescribeInstances and DescribeInstanceRamRole', async () => {
    const cloud = new FakeCloud({ instances: fleet(4), attached: { 'i-0001': 'Web' } });
    const original = cloud.describeInstances.bind(cloud);
    let first = true;
    cloud.describeInstances = async (regionId, filter) => {
      const answer = await original(regionId, filter);
      if (first) {
        first = false;
        cloud.release('i-0002');
      }
      return answer;
    };
    const inventory = await collectInventory(cloud, ['cn-hangzhou'], [], { sleep: noSleep });
    expect(inventory.regions[0]!.instances.map((i) => i.instanceId)).toEqual(['i-0000', 'i-0001', 'i-0003']);
    expect(inventory.regions[0]!.attachedRoles.get('i-0001')).toBe('Web');
  });
});

describe('mapWithConcurrency', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
