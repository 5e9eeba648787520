/**
 * Reads what the audit needs from the cloud, batched like the controller: DescribeInstances for
 * each whole region (100 a page), DescribeInstanceRamRole for the VPC instances 50 at a time,
 * GetRole once per role that a binding names or an instance carries. A few calls run at once;
 * recoverable errors (throttling, 5xx, network; classified by the cloud adapter's error table) are
 * retried with capped, jittered backoff that honours the server's retry-after.
 */
import { type CloudApi, CloudError, MAX_DESCRIBE_ROLE_IDS } from '../cloud/cloud-api.js';
import { classifyCloudError } from '../cloud/error-policy.js';
import type { InstanceInfo, RoleInfo } from '../domain/cloud-facts.js';
import { REASONS } from '../domain/reasons.js';
import { Backoff } from '../runtime/backoff.js';
import { chunk } from '../util/chunk.js';
import type { RegionInventory } from './model.js';

export interface InventoryOptions {
  /** Cloud calls in flight at once. Default 4. */
  concurrency?: number;
  /** Attempts per call for recoverable errors. Default 6. */
  attempts?: number;
  /** First retry delay. Default 500 ms; the cap is 20 s. */
  retryBaseMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Inventory {
  regions: RegionInventory[];
  roles: Map<string, RoleInfo | null>;
}

const RETRY_CAP_MS = 20_000;

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs fn over items with at most `limit` in flight; results in input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

class CloudReader {
  private readonly backoff: Backoff;
  private readonly attempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private calls = 0;

  constructor(
    private readonly cloud: CloudApi,
    options: InventoryOptions,
  ) {
    this.backoff = new Backoff({ baseMs: options.retryBaseMs ?? 500, maxMs: RETRY_CAP_MS });
    this.attempts = options.attempts ?? 6;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Runs one logical call, retrying recoverable CloudErrors. */
  async withRetry<T>(fn: (cloud: CloudApi) => Promise<T>): Promise<T> {
    const key = String(this.calls++);
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(this.cloud);
      } catch (err) {
        if (!(err instanceof CloudError) || attempt >= this.attempts) throw err;
        if (classifyCloudError(err.code, err.statusCode).class !== 'recoverable') throw err;
        const askedMs = (err.retryAfterSeconds ?? 0) * 1000;
        await this.sleep(Math.min(RETRY_CAP_MS, Math.max(this.backoff.next(key), askedMs)));
      }
    }
  }
}

async function attachedRolesOf(reader: CloudReader, regionId: string, ids: string[]): Promise<Map<string, string | null>> {
  try {
    return await reader.withRetry((cloud) => cloud.describeInstanceRamRoles(regionId, ids));
  } catch (err) {
    // An instance released since DescribeInstances fails the whole batch: ask again without it.
    if (!(err instanceof CloudError) || classifyCloudError(err.code, err.statusCode).reason !== REASONS.InstanceVanished) throw err;
    const alive = await reader.withRetry((cloud) => cloud.describeInstances(regionId, { instanceIds: ids }));
    const aliveIds = alive.map((i) => i.instanceId);
    if (aliveIds.length === 0) return new Map();
    return reader.withRetry((cloud) => cloud.describeInstanceRamRoles(regionId, aliveIds));
  }
}

async function regionInventory(reader: CloudReader, regionId: string, concurrency: number): Promise<RegionInventory> {
  const described = await reader.withRetry((cloud) => cloud.describeInstances(regionId, {}));
  const vpcIds = described.filter((i) => i.networkType === 'vpc').map((i) => i.instanceId);
  const answers = await mapWithConcurrency(chunk(vpcIds, MAX_DESCRIBE_ROLE_IDS), concurrency, (ids) => attachedRolesOf(reader, regionId, ids));
  const attachedRoles = new Map<string, string | null>();
  for (const answer of answers) for (const [id, role] of answer) attachedRoles.set(id, role);
  // A VPC instance missing from every answer was released during the audit.
  const instances: InstanceInfo[] = described.filter((i) => i.networkType !== 'vpc' || attachedRoles.has(i.instanceId));
  return { regionId, instances, attachedRoles };
}

/**
 * The instances and attachments of every region, then the RAM roles named by `boundRoleNames` or
 * carried by any instance.
 */
export async function collectInventory(
  cloud: CloudApi,
  regionIds: readonly string[],
  boundRoleNames: Iterable<string>,
  options: InventoryOptions = {},
): Promise<Inventory> {
  const reader = new CloudReader(cloud, options);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const regions: RegionInventory[] = [];
  for (const regionId of regionIds) regions.push(await regionInventory(reader, regionId, concurrency));

  const roleNames = new Set(boundRoleNames);
  for (const region of regions) for (const role of region.attachedRoles.values()) if (role !== null) roleNames.add(role);
  const names = [...roleNames].sort();
  const infos = await mapWithConcurrency(names, concurrency, (name) => reader.withRetry((c) => c.getRole(name)));
  return { regions, roles: new Map(names.map((name, i) => [name, infos[i] ?? null])) };
}
