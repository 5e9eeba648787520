/**
 * The controller's way to the cloud: batches reads and coalesces writes across bindings, keeps
 * every call under a per-action token bucket, and caches RAM role checks for a short time.
 * Reconcilers ask per instance; the gateway decides how calls are grouped.
 */
import {
  type CloudApi,
  type InstanceCallResult,
  type InstanceInfo,
  type RoleInfo,
  MAX_DESCRIBE_INSTANCE_IDS,
  MAX_DESCRIBE_ROLE_IDS,
  MAX_MUTATE_IDS,
} from './cloud-api.js';
import { Coalescer } from '../runtime/coalescer.js';
import { TokenBucket } from '../runtime/token-bucket.js';

export interface CloudGatewayOptions {
  cloud: CloudApi;
  /** Default calls per second for each API action. */
  qps: number;
  /** Per-action overrides of qps, keyed by API action name. */
  qpsPerAction?: Record<string, number>;
  /** How long a batch waits for more items before it is sent. */
  batchWindowMs?: number;
  /** How long a GetRole answer is trusted. */
  roleCacheTtlMs?: number;
  now?: () => number;
}

export interface InstanceSelectorFilter {
  tags: Record<string, string>;
  vpcId?: string;
}

const GROUP_SEPARATOR = '\u0000';

export class CloudGateway {
  private readonly cloud: CloudApi;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly instancesById: Coalescer<string, InstanceInfo | null>;
  private readonly roles: Coalescer<string, string | null>;
  private readonly attaches: Coalescer<string, InstanceCallResult>;
  private readonly detaches: Coalescer<string, InstanceCallResult>;
  private readonly roleCache = new Map<string, { at: number; value: Promise<RoleInfo | null> }>();
  private readonly now: () => number;

  constructor(private readonly opts: CloudGatewayOptions) {
    this.cloud = opts.cloud;
    this.now = opts.now ?? (() => Date.now());
    const windowMs = opts.batchWindowMs ?? 10;
    this.instancesById = new Coalescer({
      maxBatch: MAX_DESCRIBE_INSTANCE_IDS,
      windowMs,
      gate: () => this.throttle('DescribeInstances'),
      run: async (regionId, ids) => {
        const found = await this.cloud.describeInstances(regionId, { instanceIds: ids });
        const byId = new Map<string, InstanceInfo | null>(ids.map((id) => [id, null]));
        for (const instance of found) byId.set(instance.instanceId, instance);
        return byId;
      },
    });
    this.roles = new Coalescer({
      maxBatch: MAX_DESCRIBE_ROLE_IDS,
      windowMs,
      gate: () => this.throttle('DescribeInstanceRamRole'),
      run: async (regionId, ids) => {
        return this.cloud.describeInstanceRamRoles(regionId, ids);
      },
    });
    const mutation = (action: string, call: (regionId: string, roleName: string, ids: string[]) => Promise<InstanceCallResult[]>) =>
      new Coalescer<string, InstanceCallResult>({
        maxBatch: MAX_MUTATE_IDS,
        windowMs,
        gate: () => this.throttle(action),
        run: async (group, ids) => {
          const [regionId, roleName] = splitGroup(group);
          return byInstance(await call(regionId, roleName, ids));
        },
      });
    this.attaches = mutation('AttachInstanceRamRole', (r, role, ids) => this.cloud.attachInstanceRamRole(r, role, ids));
    this.detaches = mutation('DetachInstanceRamRole', (r, role, ids) => this.cloud.detachInstanceRamRole(r, role, ids));
  }

  /** Instances by ID; IDs the cloud does not know are absent from the result. */
  async describeInstancesById(regionId: string, ids: string[]): Promise<Map<string, InstanceInfo>> {
    const answers = await this.instancesById.requestMany(regionId, ids);
    const found = new Map<string, InstanceInfo>();
    for (const [id, info] of answers) if (info) found.set(id, info);
    return found;
  }

  /** Every instance of the region matching the selector. */
  async describeInstancesBySelector(regionId: string, selector: InstanceSelectorFilter): Promise<InstanceInfo[]> {
    await this.throttle('DescribeInstances');
    return this.cloud.describeInstances(regionId, {
      tags: selector.tags,
      ...(selector.vpcId ? { vpcId: selector.vpcId } : {}),
    });
  }

  /** Attached role (or null) of each VPC instance. */
  observeRoles(regionId: string, ids: string[]): Promise<Map<string, string | null>> {
    return this.roles.requestMany(regionId, ids);
  }

  attach(regionId: string, roleName: string, ids: string[]): Promise<Map<string, InstanceCallResult>> {
    return this.attaches.requestMany(joinGroup(regionId, roleName), ids);
  }

  detach(regionId: string, roleName: string, ids: string[]): Promise<Map<string, InstanceCallResult>> {
    return this.detaches.requestMany(joinGroup(regionId, roleName), ids);
  }

  /** GetRole, cached for roleCacheTtlMs; failures are not cached. */
  checkRole(roleName: string): Promise<RoleInfo | null> {
    const ttl = this.opts.roleCacheTtlMs ?? 60_000;
    const cached = this.roleCache.get(roleName);
    if (cached && this.now() - cached.at < ttl) return cached.value;
    const value = (async () => {
      await this.throttle('GetRole');
      return this.cloud.getRole(roleName);
    })();
    this.roleCache.set(roleName, { at: this.now(), value });
    value.catch(() => {
      if (this.roleCache.get(roleName)?.value === value) this.roleCache.delete(roleName);
    });
    return value;
  }

  /** Forget cached role checks, e.g. when a user asks for an immediate reconcile. */
  forgetRole(roleName: string): void {
    this.roleCache.delete(roleName);
  }

  private throttle(action: string): Promise<void> {
    let bucket = this.buckets.get(action);
    if (!bucket) {
      bucket = new TokenBucket(this.opts.qpsPerAction?.[action] ?? this.opts.qps);
      this.buckets.set(action, bucket);
    }
    return bucket.acquire();
  }
}

function joinGroup(regionId: string, roleName: string): string {
  return `${regionId}${GROUP_SEPARATOR}${roleName}`;
}

function splitGroup(group: string): [string, string] {
  const at = group.indexOf(GROUP_SEPARATOR);
  return [group.slice(0, at), group.slice(at + 1)];
}

function byInstance(results: InstanceCallResult[]): Map<string, InstanceCallResult> {
  return new Map(results.map((r) => [r.instanceId, r]));
}
