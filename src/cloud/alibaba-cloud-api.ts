/**
 * CloudApi over the official SDKs: @alicloud/ecs20140526 (one client per region) and
 * @alicloud/ram20150501 (one central client). Every SDK error becomes a CloudError; no SDK type
 * leaves this module. Limits and wire shapes: reference/alibaba-cloud-api.md.
 *
 * An aborted signal stops a call before each request it would send (every page of a listing);
 * a request already sent cannot be cancelled by the SDK, so its answer is abandoned instead.
 */
import type { InstanceInfo, RoleInfo } from '../domain/cloud-facts.js';
import { abortable } from '../runtime/abort.js';
import { chunk } from '../util/chunk.js';
import {
  type CallOptions,
  type CloudAction,
  type CloudApi,
  CloudError,
  type InstanceCallResult,
  type InstanceFilter,
  type ListingOptions,
  MAX_DESCRIBE_INSTANCE_IDS,
  MAX_DESCRIBE_ROLE_IDS,
  MAX_MUTATE_IDS,
  MAX_TAG_FILTERS,
} from './cloud-api.js';
import { type CloudCredential, createDefaultCredential } from './credentials.js';
import { INVALID_RESPONSE_CODE, toCloudError } from './sdk-errors.js';
import { Ecs as EcsModule, OpenApiCore, Ram as RamModule } from './sdk-modules.js';
import { trustPolicyAllowsEcs } from './trust-policy.js';
import { retryThrottled } from './throttle-retry.js';

type EcsClient = InstanceType<typeof EcsModule.default>;
type RamClient = InstanceType<typeof RamModule.default>;

export interface AlibabaCloudApiOptions {
  /** "host:port"; overrides the regional endpoint ecs.<region>.aliyuncs.com for every region. */
  ecsEndpoint?: string;
  /** "host:port"; overrides the central endpoint ram.aliyuncs.com. */
  ramEndpoint?: string;
  /** Default https. */
  protocol?: 'http' | 'https';
  /** Default: the @alicloud/credentials default chain (see credentials.ts). */
  credential?: CloudCredential;
  readTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** DescribeInstances page size (MaxResults 10-100). */
const DESCRIBE_INSTANCES_PAGE_SIZE = 100;
/** DescribeInstanceRamRole page size (PageSize 1-50, default 10: always set). */
const DESCRIBE_ROLE_PAGE_SIZE = 50;
/** Guard against a server that never ends a listing. */
const MAX_PAGES = 100_000;

const DEFAULT_RAM_ENDPOINT = 'ram.aliyuncs.com';
const ROLE_NOT_FOUND_CODE = 'EntityNotExist.Role';
const RESULT_OK_CODE = '200';

export function ecsRegionalEndpoint(regionId: string): string {
  return `ecs.${regionId}.aliyuncs.com`;
}

function checkBatch(method: string, instanceIds: readonly string[], max: number): void {
  if (instanceIds.length > max) {
    throw new Error(`${method} takes at most ${max} instance IDs per call, got ${instanceIds.length}: split the list into batches`);
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** What an Attach/DetachInstanceRamRole answer says, per instance. */
interface RoleChangeAnswer {
  results: readonly SdkInstanceResult[];
  failCount: number | undefined;
  requestId: string | undefined;
}

interface SdkInstanceResult {
  instanceId?: string;
  success?: boolean;
  code?: string;
  message?: string;
}

/**
 * Per-instance outcome of Attach/Detach. The 200 body lists each instance; an instance missing
 * from the list counts as done only when FailCount is 0.
 */
function instanceResults(
  requested: readonly string[],
  results: readonly SdkInstanceResult[],
  failCount: number | undefined,
  requestId: string | undefined,
): InstanceCallResult[] {
  const withRequest = requestId ? { requestId } : {};
  const byId = new Map<string, SdkInstanceResult>();
  for (const r of results) if (r.instanceId) byId.set(r.instanceId, r);
  return requested.map((instanceId) => {
    const r = byId.get(instanceId);
    if (r) {
      const success = r.success === true;
      return {
        instanceId,
        success,
        code: r.code ?? (success ? RESULT_OK_CODE : 'Unknown'),
        message: r.message ?? '',
        ...withRequest,
      };
    }
    const success = (failCount ?? 0) === 0;
    return success
      ? { instanceId, success, code: RESULT_OK_CODE, message: 'success (no per-instance result returned)', ...withRequest }
      : { instanceId, success, code: 'ResultMissing', message: `the call reported ${failCount} failures but no result for this instance`, ...withRequest };
  });
}

function toInstanceInfo(regionId: string, raw: InstanceType<typeof EcsModule.DescribeInstancesResponseBodyInstancesInstance>): InstanceInfo | undefined {
  if (!raw.instanceId) return undefined;
  const vpcId = raw.vpcAttributes?.vpcId || undefined;
  const network = raw.instanceNetworkType?.toLowerCase();
  const tags: Record<string, string> = {};
  for (const tag of raw.tags?.tag ?? []) if (tag.tagKey) tags[tag.tagKey] = tag.tagValue ?? '';
  return {
    instanceId: raw.instanceId,
    regionId: raw.regionId || regionId,
    networkType: network === 'vpc' || (network === undefined && vpcId !== undefined) ? 'vpc' : 'classic',
    ...(vpcId !== undefined ? { vpcId } : {}),
    status: raw.status ?? 'Unknown',
    tags,
    ...(raw.instanceName ? { name: raw.instanceName } : {}),
  };
}

export class AlibabaCloudApi implements CloudApi {
  private readonly ecsClients = new Map<string, EcsClient>();
  private ramClient: RamClient | undefined;
  private readonly credential: CloudCredential;

  constructor(private readonly options: AlibabaCloudApiOptions = {}) {
    this.credential = options.credential ?? createDefaultCredential();
  }

  async describeInstances(regionId: string, filter: InstanceFilter, options: CallOptions = {}): Promise<InstanceInfo[]> {
    const tagEntries = Object.entries(filter.tags ?? {});
    if (tagEntries.length > MAX_TAG_FILTERS) {
      throw new Error(`describeInstances takes at most ${MAX_TAG_FILTERS} tag filters, got ${tagEntries.length}`);
    }
    const base = {
      regionId,
      maxResults: DESCRIBE_INSTANCES_PAGE_SIZE,
      ...(tagEntries.length > 0
        ? { tag: tagEntries.map(([key, value]) => new EcsModule.DescribeInstancesRequestTag({ key, value })) }
        : {}),
      ...(filter.vpcId !== undefined ? { vpcId: filter.vpcId } : {}),
    };
    if (filter.instanceIds === undefined) return this.describeInstancePages(regionId, base, options);
    // An empty InstanceIds would mean "every instance": asking for no IDs answers nothing.
    const out: InstanceInfo[] = [];
    for (const ids of chunk(unique(filter.instanceIds), MAX_DESCRIBE_INSTANCE_IDS)) {
      out.push(...(await this.describeInstancePages(regionId, { ...base, instanceIds: JSON.stringify(ids) }, options)));
    }
    return out;
  }

  async listTaggedInstanceIds(regionId: string, tags: Record<string, string>, options: ListingOptions = {}): Promise<string[]> {
    const entries = Object.entries(tags);
    if (entries.length === 0) throw new Error('listTaggedInstanceIds needs at least one tag');
    if (entries.length > MAX_TAG_FILTERS) throw new Error(`listTaggedInstanceIds takes at most ${MAX_TAG_FILTERS} tags, got ${entries.length}`);
    const client = this.ecs(regionId);
    const base = { regionId, resourceType: 'instance', tag: entries.map(([key, value]) => new EcsModule.ListTagResourcesRequestTag({ key, value })) };
    // One row per resource and tag: a resource's rows may span pages, so IDs are kept once.
    const ids = new Set<string>();
    const seenTokens = new Set<string>();
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const request = new EcsModule.ListTagResourcesRequest({ ...base, ...(nextToken ? { nextToken } : {}) });
      const body = await this.callPage('ListTagResources', page, options, async () => (await client.listTagResources(request)).body);
      const fresh: string[] = [];
      for (const row of body?.tagResources?.tagResource ?? []) {
        if (row.resourceId && !ids.has(row.resourceId)) {
          ids.add(row.resourceId);
          fresh.push(row.resourceId);
        }
      }
      if (fresh.length > 0) options.onPage?.(fresh);
      // Paging ends on an empty NextToken, never on a count.
      nextToken = body?.nextToken || undefined;
      if (!nextToken) return [...ids];
      if (seenTokens.has(nextToken)) {
        throw new CloudError({ action: 'ListTagResources', code: INVALID_RESPONSE_CODE, message: `the server returned NextToken "${nextToken}" twice` });
      }
      seenTokens.add(nextToken);
    }
    throw new CloudError({ action: 'ListTagResources', code: INVALID_RESPONSE_CODE, message: `the listing did not end after ${MAX_PAGES} pages` });
  }

  private async describeInstancePages(
    regionId: string,
    base: ConstructorParameters<typeof EcsModule.DescribeInstancesRequest>[0],
    options: CallOptions,
  ): Promise<InstanceInfo[]> {
    const client = this.ecs(regionId);
    const out: InstanceInfo[] = [];
    const seenTokens = new Set<string>();
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const request = new EcsModule.DescribeInstancesRequest({ ...base, ...(nextToken ? { nextToken } : {}) });
      const body = await this.callPage('DescribeInstances', page, options, async () => (await client.describeInstances(request)).body);
      for (const raw of body?.instances?.instance ?? []) {
        const info = toInstanceInfo(regionId, raw);
        if (info) out.push(info);
      }
      nextToken = body?.nextToken || undefined;
      if (!nextToken) return out;
      if (seenTokens.has(nextToken)) {
        throw new CloudError({ action: 'DescribeInstances', code: INVALID_RESPONSE_CODE, message: `the server returned NextToken "${nextToken}" twice` });
      }
      seenTokens.add(nextToken);
    }
    throw new CloudError({ action: 'DescribeInstances', code: INVALID_RESPONSE_CODE, message: `the listing did not end after ${MAX_PAGES} pages` });
  }

  async describeInstanceRamRoles(regionId: string, instanceIds: string[], options: CallOptions = {}): Promise<Map<string, string | null>> {
    checkBatch('describeInstanceRamRoles', instanceIds, MAX_DESCRIBE_ROLE_IDS);
    const ids = unique(instanceIds);
    const roles = new Map<string, string | null>(ids.map((id) => [id, null]));
    if (ids.length === 0) return roles;
    const client = this.ecs(regionId);
    const filter = { regionId, instanceIds: JSON.stringify(ids), pageSize: DESCRIBE_ROLE_PAGE_SIZE };
    // 50 IDs fit one page of 50; the loop only guards a server that pages anyway.
    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
      const request = new EcsModule.DescribeInstanceRamRoleRequest({ ...filter, pageNumber });
      const body = await this.call('DescribeInstanceRamRole', options, async () => (await client.describeInstanceRamRole(request)).body);
      const page = body?.instanceRamRoleSets?.instanceRamRoleSet ?? [];
      for (const set of page) {
        if (set.instanceId && roles.has(set.instanceId)) roles.set(set.instanceId, set.ramRoleName || null);
      }
      const total = body?.totalCount;
      const done = typeof total === 'number' ? pageNumber * DESCRIBE_ROLE_PAGE_SIZE >= total : page.length < DESCRIBE_ROLE_PAGE_SIZE;
      if (done || page.length === 0) return roles;
    }
    throw new CloudError({ action: 'DescribeInstanceRamRole', code: INVALID_RESPONSE_CODE, message: `the listing did not end after ${MAX_PAGES} pages` });
  }

  attachInstanceRamRole(regionId: string, roleName: string, instanceIds: string[], options: CallOptions = {}): Promise<InstanceCallResult[]> {
    return this.changeRole('AttachInstanceRamRole', regionId, roleName, instanceIds, options, async (client, params) => {
      const body = (await client.attachInstanceRamRole(new EcsModule.AttachInstanceRamRoleRequest(params))).body;
      return { results: body?.attachInstanceRamRoleResults?.attachInstanceRamRoleResult ?? [], failCount: body?.failCount, requestId: body?.requestId };
    });
  }

  detachInstanceRamRole(regionId: string, roleName: string, instanceIds: string[], options: CallOptions = {}): Promise<InstanceCallResult[]> {
    return this.changeRole('DetachInstanceRamRole', regionId, roleName, instanceIds, options, async (client, params) => {
      const body = (await client.detachInstanceRamRole(new EcsModule.DetachInstanceRamRoleRequest(params))).body;
      return { results: body?.detachInstanceRamRoleResults?.detachInstanceRamRoleResult ?? [], failCount: body?.failCount, requestId: body?.requestId };
    });
  }

  /** One Attach/DetachInstanceRamRole call; a result for every requested ID. */
  private async changeRole(
    action: 'AttachInstanceRamRole' | 'DetachInstanceRamRole',
    regionId: string,
    roleName: string,
    instanceIds: string[],
    options: CallOptions,
    send: (client: EcsClient, params: { regionId: string; ramRoleName: string; instanceIds: string }) => Promise<RoleChangeAnswer>,
  ): Promise<InstanceCallResult[]> {
    checkBatch(action === 'AttachInstanceRamRole' ? 'attachInstanceRamRole' : 'detachInstanceRamRole', instanceIds, MAX_MUTATE_IDS);
    const ids = unique(instanceIds);
    if (ids.length === 0) return [];
    const client = this.ecs(regionId);
    const params = { regionId, ramRoleName: roleName, instanceIds: JSON.stringify(ids) };
    const answer = await this.call(action, options, () => send(client, params));
    return instanceResults(ids, answer.results, answer.failCount, answer.requestId);
  }

  async getRole(roleName: string, options: CallOptions = {}): Promise<RoleInfo | null> {
    const client = this.ram();
    const request = new RamModule.GetRoleRequest({ roleName });
    let body;
    try {
      body = await this.call('GetRole', options, async () => (await client.getRole(request)).body);
    } catch (err) {
      if (err instanceof CloudError && err.code === ROLE_NOT_FOUND_CODE) return null;
      throw err;
    }
    const role = body?.role;
    if (!role) {
      throw new CloudError({ action: 'GetRole', code: INVALID_RESPONSE_CODE, message: `the answer for role "${roleName}" has no Role` });
    }
    return {
      roleName: role.roleName ?? roleName,
      arn: role.arn ?? '',
      trustsEcs: trustPolicyAllowsEcs(role.assumeRolePolicyDocument),
    };
  }

  /**
   * One page of a listing. A throttled page after the first is asked again (throttle-retry.ts),
   * so a listing of thousands of instances is not thrown away, and started over, for one
   * throttled page; each retry takes a token again (beforeRequest). A throttled first page fails
   * the call, as any single call does (the reconcile's error policy retries it).
   */
  private callPage<T>(action: CloudAction, page: number, options: CallOptions, send: () => Promise<T>): Promise<T> {
    const once = (): Promise<T> => this.call(action, options, send);
    return page === 0 ? once() : retryThrottled(once, options.signal);
  }

  /**
   * Sends one SDK request (after options.beforeRequest: a rate limiter's token for each page and
   * each chunk) unless the signal has aborted; its error becomes a CloudError.
   */
  private async call<T>(action: CloudAction, options: CallOptions, send: () => Promise<T>): Promise<T> {
    const { signal } = options;
    signal?.throwIfAborted();
    await options.beforeRequest?.();
    signal?.throwIfAborted();
    const answer = send().catch((err: unknown) => {
      throw toCloudError(action, err);
    });
    return abortable(answer, signal);
  }

  private config(endpoint: string, regionId: string | undefined): InstanceType<typeof OpenApiCore.$OpenApiUtil.Config> {
    return new OpenApiCore.$OpenApiUtil.Config({
      endpoint,
      protocol: this.options.protocol ?? 'https',
      ...(regionId !== undefined ? { regionId } : {}),
      credential: this.credential,
      ...(this.options.readTimeoutMs !== undefined ? { readTimeout: this.options.readTimeoutMs } : {}),
      ...(this.options.connectTimeoutMs !== undefined ? { connectTimeout: this.options.connectTimeoutMs } : {}),
    });
  }

  private ecs(regionId: string): EcsClient {
    let client = this.ecsClients.get(regionId);
    if (!client) {
      client = new EcsModule.default(this.config(this.options.ecsEndpoint ?? ecsRegionalEndpoint(regionId), regionId));
      this.ecsClients.set(regionId, client);
    }
    return client;
  }

  private ram(): RamClient {
    this.ramClient ??= new RamModule.default(this.config(this.options.ramEndpoint ?? DEFAULT_RAM_ENDPOINT, undefined));
    return this.ramClient;
  }
}

export function createAlibabaCloudApi(options: AlibabaCloudApiOptions = {}): CloudApi {
  return new AlibabaCloudApi(options);
}
