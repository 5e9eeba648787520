/**
 * The narrow interface through which the operator sees Alibaba Cloud. One implementation talks to
 * the official SDKs (alibaba-cloud-api.ts); nothing SDK-shaped leaks past this file.
 *
 * Each method is one API call (or, for describeInstances, one paginated listing); callers split
 * work into batches no larger than the limits below.
 */

/** DescribeInstanceRamRole accepts at most 50 instance IDs per call. */
export const MAX_DESCRIBE_ROLE_IDS = 50;
/** DescribeInstances page size and InstanceIds limit. */
export const MAX_DESCRIBE_INSTANCE_IDS = 100;
/** Attach/DetachInstanceRamRole accept at most 100 instance IDs per call. */
export const MAX_MUTATE_IDS = 100;

export type NetworkType = 'vpc' | 'classic';

export interface InstanceInfo {
  instanceId: string;
  regionId: string;
  networkType: NetworkType;
  vpcId?: string;
  status: string;
  tags: Record<string, string>;
  name?: string;
}

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
}

export interface RoleInfo {
  roleName: string;
  arn: string;
  /** Whether the trust policy lets ecs.aliyuncs.com assume the role. */
  trustsEcs: boolean;
}

export interface CloudApi {
  /** All instances of the region matching the filter (every page). Unknown IDs are absent. */
  describeInstances(regionId: string, filter: InstanceFilter): Promise<InstanceInfo[]>;
  /**
   * Roles attached to the given VPC instances (at most MAX_DESCRIBE_ROLE_IDS).
   * The returned map has an entry for every requested ID; null means no role.
   */
  describeInstanceRamRoles(regionId: string, instanceIds: string[]): Promise<Map<string, string | null>>;
  /** Instances of the region that carry the given role (every page). */
  listInstancesWithRole(regionId: string, roleName: string): Promise<string[]>;
  /** At most MAX_MUTATE_IDS IDs. Throws CloudError when the whole call fails. */
  attachInstanceRamRole(regionId: string, roleName: string, instanceIds: string[]): Promise<InstanceCallResult[]>;
  /** Detaches roleName only where roleName is the attached role. At most MAX_MUTATE_IDS IDs. */
  detachInstanceRamRole(regionId: string, roleName: string, instanceIds: string[]): Promise<InstanceCallResult[]>;
  /** null when the role does not exist. */
  getRole(roleName: string): Promise<RoleInfo | null>;
}

/** A failed cloud call, with the cloud's error code. */
export class CloudError extends Error {
  readonly action: string;
  readonly code: string;
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
    this.statusCode = init.statusCode;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}
