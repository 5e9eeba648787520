/**
 * What the cloud tells the binding domain, as plain data: instances, the role each one carries,
 * and whether a RAM role can be attached. The cloud adapter (src/cloud/) produces these; the
 * planner, the claims and the audit consume them. No I/O.
 */

/** The service principal a role's trust policy must name for ECS to assume it. */
export const ECS_SERVICE_PRINCIPAL = 'ecs.aliyuncs.com';

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

/** A RAM role as GetRole describes it. */
export interface RoleInfo {
  roleName: string;
  arn: string;
  /** Whether the trust policy lets ecs.aliyuncs.com assume the role. */
  trustsEcs: boolean;
}

/** Whether spec.roleName can be attached; 'unknown' when the check itself could not be made. */
export type RoleCheck = { exists: boolean; trustsEcs: boolean } | 'unknown';

/** What one observation of a binding's targets found. */
export interface Observation {
  /** The binding's targets: explicit IDs ∪ selector-resolved IDs, sorted. */
  targetIds: string[];
  /** Described instances; absent = not found. */
  instances: Map<string, InstanceInfo>;
  /** Attached role per described VPC instance (null = none); absent = could not observe. */
  observedRoles: Map<string, string | null>;
  /** Per-instance observe error messages. */
  observeErrors: Map<string, string>;
}
