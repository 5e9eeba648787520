import { describe, expect, it } from 'vitest';
import { collectInventory, mapWithConcurrency } from '../../../src/audit/inventory.js';
import {
  type CloudApi,
  CloudError,
  type InstanceCallResult,
  type InstanceFilter,
  type InstanceInfo,
  MAX_DESCRIBE_ROLE_IDS,
  type RoleInfo,
} from '../../../src/cloud/cloud-api.js';

/** An in-memory CloudApi that records calls and can fail scripted calls. */
class FakeCloud implements CloudApi {
  readonly calls: string[] = [];
  /** Errors thrown by the next calls of an action, in order. */
  readonly failures = new Map<string, CloudError[]>();

  constructor(
    private instances: InstanceInfo[],
    private readonly roles: Map<string, string>,
    private readonly ramRoles: Map<string, RoleInfo>,
  ) {}

  release(instanceId: string): void {
    this.instances = this.instances.filter((i) => i.instanceId !== instanceId);
  }

  private maybeFail(action: string): void {
    this.calls.push(action);
    const next = this.failures.get(action)?.shift();
    if (next) throw next;
  }

  async describeInstances(regionId: string, filter: InstanceFilter): Promise<InstanceInfo[]> {
    this.maybeFail('DescribeInstances');
    return this.instances.filter((i) => i.regionId === regionId && (!filter.instanceIds || filter.instanceIds.includes(i.instanceId)));
  }

  async describeInstanceRamRoles(_regionId: string, instanceIds: string[]): Promise<Map<string, string | null>> {
    this.maybeFail('DescribeInstanceRamRole');
    expect(instanceIds.length).toBeLessThanOrEqual(MAX_DESCRIBE_ROLE_IDS);
    const gone = instanceIds.filter((id) => !this.instances.some((i) => i.instanceId === id));
    if (gone.length > 0) throw new CloudError({ action: 'DescribeInstanceRamRole', code: 'InvalidInstanceId.NotFound', message: gone.join(','), statusCode: 404 });
    return new Map(instanceIds.map((id) => [id, this.roles.get(id) ?? null]));
  }

  async listInstancesWithRole(): Promise<string[]> {
    throw new Error('the audit does not list by role');
  }

  async attachInstanceRamRole(): Promise<InstanceCallResult[]> {
    throw new Error('the audit never mutates');
  }

  async detachInstanceRamRole(): Promise<InstanceCallResult[]> {
    throw new Error('the audit never mutates');
  }

  async getRole(roleName: string): Promise<RoleInfo | null> {
    this.maybeFail('GetRole');
    return this.ramRoles.get(roleName) ?? null;
  }
}

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
    const cloud = new FakeCloud(instances, new Map([['i-0000', 'Web'], ['i-0001', 'Stray']]), new Map([['Web', { roleName: 'Web', arn: 'a', trustsEcs: true }]]));
    const inventory = await collectInventory(cloud, ['cn-hangzhou'], ['Web', 'Bound'], { sleep: noSleep });
    expect(cloud.calls.filter((c) => c === 'DescribeInstances')).toHaveLength(1);
    expect(cloud.calls.filter((c) => c === 'DescribeInstanceRamRole')).toHaveLength(3); // ceil(108 / 50)
    expect(cloud.calls.filter((c) => c === 'GetRole')).toHaveLength(3); // Bound, Stray, Web
    const region = inventory.regions[0]!;
    expect(region.instances).toHaveLength(120);
    expect(region.attachedRoles.size).toBe(108);
    expect(region.attachedRoles.get('i-0000')).toBe('Web');
    expect(region.attachedRoles.has('i-0009')).toBe(false); // classic
    expect([...inventory.roles]).toEqual([
      ['Bound', null],
      ['Stray', null],
      ['Web', { roleName: 'Web', arn: 'a', trustsEcs: true }],
    ]);
  });

  it('retries recoverable errors (throttling, 5xx, network) and honours retry-after', async () => {
    const cloud = new FakeCloud(fleet(3), new Map(), new Map());
    cloud.failures.set('DescribeInstances', [throttled(), new CloudError({ action: 'x', code: 'ECONNRESET', message: 'reset' })]);
    cloud.failures.set('DescribeInstanceRamRole', [new CloudError({ action: 'x', code: 'ServiceUnavailable', message: 'down', statusCode: 503 })]);
    const waits: number[] = [];
    const inventory = await collectInventory(cloud, ['cn-hangzhou'], [], { sleep: async (ms) => void waits.push(ms), retryBaseMs: 5 });
    expect(inventory.regions[0]!.instances).toHaveLength(3);
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(10); // retry-after 0.01 s beats the 5 ms base
  });

  it('gives up after the configured attempts and does not retry terminal errors', async () => {
    const cloud = new FakeCloud(fleet(3), new Map(), new Map());
    cloud.failures.set('DescribeInstances', [throttled(), throttled(), throttled()]);
    await expect(collectInventory(cloud, ['cn-hangzhou'], [], { sleep: noSleep, attempts: 3 })).rejects.toMatchObject({ code: 'Throttling' });
    const terminal = new FakeCloud(fleet(3), new Map(), new Map());
    terminal.failures.set('DescribeInstances', [new CloudError({ action: 'x', code: 'InvalidRegionId.NotFound', message: 'no', statusCode: 404 })]);
    await expect(collectInventory(terminal, ['cn-hangzhou'], [], { sleep: noSleep })).rejects.toMatchObject({ code: 'InvalidRegionId.NotFound' });
    expect(terminal.calls).toEqual(['DescribeInstances']);
  });

  it('drops an instance released between DescribeInstances and DescribeInstanceRamRole', async () => {
    const cloud = new FakeCloud(fleet(4), new Map([['i-0001', 'Web']]), new Map());
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
