/**
 * An in-memory CloudApi for unit tests: instances, the role each carries and the RAM roles,
 * answering like the simulator does (per-instance results for Attach/Detach, InvalidInstanceId
 * for a released instance, the batch limits), recording every call and failing the calls a test
 * scripts.
 */
import {
  type CallOptions,
  type CloudAction,
  type CloudApi,
  CloudError,
  type InstanceCallResult,
  type InstanceFilter,
  type ListingOptions,
  MAX_DESCRIBE_ROLE_IDS,
  MAX_MUTATE_IDS,
} from '../../../src/cloud/cloud-api.js';
import type { InstanceInfo, RoleInfo } from '../../../src/domain/cloud-facts.js';

/** IDs per page of the fake's tag listing (ListTagResources answers 50 rows a page). */
export const FAKE_LISTING_PAGE = 50;

export interface CallRecord {
  action: CloudAction;
  regionId?: string;
  roleName?: string;
  ids: string[];
}

export interface FakeCloudInit {
  instances?: InstanceInfo[];
  /** instanceId → attached role. */
  attached?: Record<string, string>;
  /** RAM roles: name → whether its trust policy allows ECS. */
  ramRoles?: Record<string, boolean>;
}

export class FakeCloud implements CloudApi {
  instances: InstanceInfo[];
  readonly roles = new Map<string, string | null>();
  readonly ramRoles: Record<string, boolean>;
  readonly calls: CallRecord[] = [];
  /** Errors thrown by the next calls of an action, in order. */
  readonly failures = new Map<CloudAction, Error[]>();

  constructor(init: FakeCloudInit = {}) {
    this.instances = init.instances ?? [];
    this.ramRoles = init.ramRoles ?? {};
    for (const i of this.instances) if (i.networkType === 'vpc') this.roles.set(i.instanceId, init.attached?.[i.instanceId] ?? null);
  }

  /** The instance is gone (released). */
  release(instanceId: string): void {
    this.instances = this.instances.filter((i) => i.instanceId !== instanceId);
    this.roles.delete(instanceId);
  }

  actions(): CloudAction[] {
    return this.calls.map((c) => c.action);
  }

  mutations(): CallRecord[] {
    return this.calls.filter((c) => c.action === 'AttachInstanceRamRole' || c.action === 'DetachInstanceRamRole');
  }

  async describeInstances(regionId: string, filter: InstanceFilter, _options?: CallOptions): Promise<InstanceInfo[]> {
    this.record({ action: 'DescribeInstances', regionId, ids: filter.instanceIds ?? [] });
    return this.instances.filter(
      (i) =>
        i.regionId === regionId &&
        (!filter.instanceIds || filter.instanceIds.includes(i.instanceId)) &&
        (filter.vpcId === undefined || i.vpcId === filter.vpcId) &&
        Object.entries(filter.tags ?? {}).every(([k, v]) => i.tags[k] === v),
    );
  }

  /** Tells the IDs in pages of FAKE_LISTING_PAGE, as the API's listing does. */
  async listTaggedInstanceIds(regionId: string, tags: Record<string, string>, options?: ListingOptions): Promise<string[]> {
    this.record({ action: 'ListTagResources', regionId, ids: [] });
    const ids = this.instances
      .filter((i) => i.regionId === regionId && Object.keys(i.tags).length > 0 && Object.entries(tags).every(([k, v]) => i.tags[k] === v))
      .map((i) => i.instanceId);
    for (let i = 0; i < ids.length; i += FAKE_LISTING_PAGE) options?.onPage?.(ids.slice(i, i + FAKE_LISTING_PAGE));
    return ids;
  }

  async describeInstanceRamRoles(regionId: string, ids: string[], _options?: CallOptions): Promise<Map<string, string | null>> {
    this.record({ action: 'DescribeInstanceRamRole', regionId, ids });
    if (ids.length > MAX_DESCRIBE_ROLE_IDS) throw new Error(`describeInstanceRamRoles takes at most ${MAX_DESCRIBE_ROLE_IDS} IDs, got ${ids.length}`);
    const gone = ids.filter((id) => !this.roles.has(id));
    if (gone.length > 0) throw new CloudError({ action: 'DescribeInstanceRamRole', code: 'InvalidInstanceId.NotFound', message: gone.join(','), statusCode: 404 });
    return new Map(ids.map((id) => [id, this.roles.get(id) ?? null]));
  }

  async attachInstanceRamRole(regionId: string, roleName: string, ids: string[], _options?: CallOptions): Promise<InstanceCallResult[]> {
    this.record({ action: 'AttachInstanceRamRole', regionId, roleName, ids });
    if (ids.length > MAX_MUTATE_IDS) throw new Error(`attach takes at most ${MAX_MUTATE_IDS} IDs`);
    if (!(roleName in this.ramRoles)) throw new CloudError({ action: 'AttachInstanceRamRole', code: 'InvalidRamRole.NotFound', message: 'no role', statusCode: 404 });
    return ids.map((id) => {
      if (this.roles.get(id)) return { instanceId: id, success: false, code: 'InvalidRamRole.AlreadyAttached', message: 'has a role' };
      this.roles.set(id, roleName);
      return { instanceId: id, success: true, code: '200', message: 'success' };
    });
  }

  async detachInstanceRamRole(regionId: string, roleName: string, ids: string[], _options?: CallOptions): Promise<InstanceCallResult[]> {
    this.record({ action: 'DetachInstanceRamRole', regionId, roleName, ids });
    if (ids.length > MAX_MUTATE_IDS) throw new Error(`detach takes at most ${MAX_MUTATE_IDS} IDs`);
    return ids.map((id) => {
      if (this.roles.get(id) !== roleName) return { instanceId: id, success: false, code: 'InvalidRamRole.NotAttached', message: 'not attached' };
      this.roles.set(id, null);
      return { instanceId: id, success: true, code: '200', message: 'success' };
    });
  }

  async getRole(roleName: string, _options?: CallOptions): Promise<RoleInfo | null> {
    this.record({ action: 'GetRole', roleName, ids: [] });
    return roleName in this.ramRoles ? { roleName, arn: `acs:ram::1:role/${roleName}`, trustsEcs: this.ramRoles[roleName] === true } : null;
  }

  private record(call: CallRecord): void {
    this.calls.push(call);
    const next = this.failures.get(call.action)?.shift();
    if (next) throw next;
  }
}

/** A listing that tells its pages one at a time, a macrotask apart, as the API's pages arrive. */
export class SlowListingCloud extends FakeCloud {
  /** Set: the listing fails with Throttling instead of telling this page (0-based). */
  failAfterPages: number | undefined;
  /** How many calls had been made when the listing answered. */
  callsWhenListed = 0;
  /** Pages told so far. */
  pagesTold = 0;

  override async listTaggedInstanceIds(regionId: string, tags: Record<string, string>, options?: ListingOptions): Promise<string[]> {
    const pages: string[][] = [];
    const ids = await super.listTaggedInstanceIds(regionId, tags, { onPage: (page) => void pages.push([...page]) });
    for (const [n, page] of pages.entries()) {
      await new Promise((r) => setTimeout(r, 2));
      if (options?.signal?.aborted) throw options.signal.reason;
      if (n === this.failAfterPages) throw new CloudError({ action: 'ListTagResources', code: 'Throttling', message: 'throttled', statusCode: 400 });
      options?.onPage?.(page);
      this.pagesTold++;
    }
    this.callsWhenListed = this.calls.length;
    return ids;
  }
}

export const REGION = 'cn-hangzhou';

export function vpc(id: string, tags: Record<string, string> = {}, vpcId = 'vpc-a'): InstanceInfo {
  return { instanceId: id, regionId: REGION, networkType: 'vpc', vpcId, status: 'Running', tags };
}

export function classic(id: string): InstanceInfo {
  return { instanceId: id, regionId: REGION, networkType: 'classic', status: 'Running', tags: {} };
}
