/**
 * The narrow, SDK-shaped interface through which the operator sees Alibaba Cloud: one method per
 * API action (describeInstances is one paginated listing), with the API's batch limits. One
 * implementation talks to the official SDKs (alibaba-cloud-api.ts); the decorators beside it add
 * instrumentation, rate limiting and coalescing; the audit and the readiness probe use it
 * directly, the reconciler through the RoleCloud port built on it (role-cloud.ts). It speaks the
 * domain's types (src/domain/cloud-facts.ts); nothing SDK-shaped leaks past src/cloud/.
 */
import type { InstanceInfo, RoleInfo } from '../domain/cloud-facts.js';

/** DescribeInstanceRamRole accepts at most 50 instance IDs per call. */
export const MAX_DESCRIBE_ROLE_IDS = 50;
/** DescribeInstances page size and InstanceIds limit. */
export const MAX_DESCRIBE_INSTANCE_IDS = 100;
/** Attach/DetachInstanceRamRole accept at most 100 instance IDs per call. */
export const MAX_MUTATE_IDS = 100;

/** At most this many Tag.N pairs in a DescribeInstances or ListTagResources filter. */
export const MAX_TAG_FILTERS = 20;
/**
 * DescribeInstances filtered by tags covers at most this many tagged resources (the SDK's own
 * parameter text: "If the resource count exceeds 1,000, use ListTagResources"); tag selectors are
 * therefore resolved with ListTagResources.
 */
export const TAG_FILTER_RESOURCE_CAP = 1000;

/** The API action names, as metrics, rate limits and the cloud's call log name them. */
export type CloudAction =
  | 'DescribeInstances'
  | 'DescribeInstanceRamRole'
  | 'AttachInstanceRamRole'
  | 'DetachInstanceRamRole'
  | 'ListTagResources'
  | 'GetRole';

export interface InstanceFilter {
  /** At most MAX_DESCRIBE_INSTANCE_IDS. */
  instanceIds?: string[];
  /** AND of tag key/value pairs (at most 20). */
  tags?: Record<string, string>;
  vpcId?: string;
}

/** The outcome for one instance of a batched Attach/Detach call. */
export interface InstanceCallResult {
  instanceId: string;
  success: boolean;
  /** "200" on success, otherwise the cloud's error code. */
  code: string;
  message: string;
  /** The cloud's RequestId of the call that carried this instance, when it answered one. */
  requestId?: string;
}

export interface CallOptions {
  /**
   * Aborts the call: a call not yet sent is never sent (a rate-limit wait ends), and a call in
   * flight is abandoned (its promise rejects with the signal's reason; the SDK cannot cancel a
   * request already on the wire).
   */
  signal?: AbortSignal;
  /**
   * The call goes ahead of calls that are not urgent in its action's rate-limit queue: the attach
   * that gives just-detached instances their new role, so their roleless window is one token's wait.
   */
  urgent?: boolean;
  /**
   * Awaited before each API request the call sends after its first (a listing's next page, the
   * next chunk of IDs): the rate limiter takes a token for each. The first request's token is
   * taken before the call.
   */
  beforeRequest?: () => Promise<void>;
}

export interface ListingOptions extends CallOptions {
  /**
   * Told the IDs of each page as it arrives, before the listing ends, so the caller can read
   * further while the rest is listed. An ID may be told again (a listing restarted after a
   * throttled page); the promise's answer is the whole listing, each ID once.
   */
  onPage?: (ids: readonly string[]) => void;
}

export interface CloudApi {
  /** All instances of the region matching the filter (every page). Unknown IDs are absent. */
  describeInstances(regionId: string, filter: InstanceFilter, options?: CallOptions): Promise<InstanceInfo[]>;
  /**
   * The IDs of the region's instances carrying every one of the tags (ListTagResources,
   * ResourceType instance, every page), each once, in the order listed. At most MAX_TAG_FILTERS tags.
   */
  listTaggedInstanceIds(regionId: string, tags: Record<string, string>, options?: ListingOptions): Promise<string[]>;
  /**
   * Roles attached to the given VPC instances (at most MAX_DESCRIBE_ROLE_IDS).
   * The returned map has an entry for every requested ID; null means no role.
   */
  describeInstanceRamRoles(regionId: string, instanceIds: string[], options?: CallOptions): Promise<Map<string, string | null>>;
  /** At most MAX_MUTATE_IDS IDs; a result per ID. Throws CloudError when the whole call fails. */
  attachInstanceRamRole(regionId: string, roleName: string, instanceIds: string[], options?: CallOptions): Promise<InstanceCallResult[]>;
  /** Detaches roleName only where roleName is the attached role. At most MAX_MUTATE_IDS IDs. */
  detachInstanceRamRole(regionId: string, roleName: string, instanceIds: string[], options?: CallOptions): Promise<InstanceCallResult[]>;
  /** null when the role does not exist. */
  getRole(roleName: string, options?: CallOptions): Promise<RoleInfo | null>;
}

/** A failed cloud call, with the cloud's error code. */
export class CloudError extends Error {
  readonly action: string;
  readonly code: string;
  /** The cloud's message alone (`message` is "Action: Code: cloud message"). */
  readonly cloudMessage: string;
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  /** Seconds the server asked us to wait (x-acs-retry-after), when given. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    action: string;
    code: string;
    message: string;
    statusCode?: number;
    requestId?: string;
    retryAfterSeconds?: number;
  }) {
    super(`${init.action}: ${init.code}: ${init.message}`);
    this.name = 'CloudError';
    this.action = init.action;
    this.code = init.code;
    this.cloudMessage = init.message;
    this.statusCode = init.statusCode;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}
