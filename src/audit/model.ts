/**
 * The audit's data: what goes into the verdict computation (bindings, the cloud inventory of the
 * audited regions, the RAM roles) and the report that comes out. Plain data; no I/O.
 */
import type { BindingView } from '../domain/binding-view.js';
import type { InstanceInfo, NetworkType, RoleInfo } from '../domain/cloud-facts.js';
import type { Permissions } from '../domain/permissions.js';
import type { PolicyView } from '../domain/tenancy.js';

/**
 * Verdict of one instance (see verdicts.ts for the exact rules):
 * - InSync: carries the role its binding(s) want; or no binding claims it and it carries no role;
 * - Drifted: claimed by bindings that all want role X, and it carries no role or a role other than X;
 * - Unmanaged: carries a role, no binding claims it;
 * - Conflict: claimed by bindings that want different roles;
 * - Missing: a binding names the instance ID, but no such instance exists in the region;
 * - NotVpc: claimed, but on the classic network, where no instance can carry a RAM role;
 * - Observed: targeted only by bindings in mode Observe or suspended: they claim nothing, and what
 *   the instance carries is reported, not judged;
 * - NotPermitted: named (in spec.instanceIds) only by bindings that no InstanceRolePolicy permits
 *   on it: the operator neither reads nor changes it for them.
 */
export const VERDICTS = ['InSync', 'Drifted', 'Unmanaged', 'Conflict', 'Missing', 'NotVpc', 'Observed', 'NotPermitted'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Verdicts that mean Git and the cloud disagree in a way someone must fix: they fail the audit. */
export const FINDING_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>(['Drifted', 'Conflict', 'Missing', 'NotVpc', 'NotPermitted']);

/** What the audit shows in the policy column of an instance no policy permits its bindings on. */
export const NOT_PERMITTED = 'NotPermitted';

/** An InstanceRolePolicy and where it was read from: checked, or why it cannot be used. */
export interface AuditPolicy {
  name: string;
  source: string;
  checked: { view: PolicyView } | { invalid: string };
}

/** What tenancy says, for the audit: the permissions and the policies they come from. */
export interface AuditTenancy {
  /** false under --tenancy disabled: every binding is permitted everywhere. */
  enforced: boolean;
  permissions: Permissions;
  policies: AuditPolicy[];
}

/** A binding tenancy does not permit at all, with the message the operator writes in its status. */
export interface NotPermittedBinding {
  key: string;
  source: string;
  message: string;
}

/** Per policy: whether it is valid, and what it permits among the audited bindings and instances. */
export interface PolicyAudit {
  name: string;
  source: string;
  valid: boolean;
  /** Why the policy cannot be used (invalid only). */
  message?: string;
  /** Bindings (all regions) for which it is a permitting policy. */
  bindings: number;
  /** Audited instances whose policy column names it. */
  instances: number;
}

/** A valid InstanceRoleBinding and where it was read from. */
export interface AuditBinding {
  view: BindingView;
  /** "cluster", or "path/to/file.yaml (document 2)". */
  source: string;
}

/** An InstanceRoleBinding whose spec cannot be used, with the reason and the fix. */
export interface InvalidBinding {
  /** "namespace/name", or "" when the object has no name. */
  key: string;
  source: string;
  message: string;
}

/** What the cloud says about one region. */
export interface RegionInventory {
  regionId: string;
  /** Every instance of the region. */
  instances: InstanceInfo[];
  /** The attached role of every VPC instance (null: none). Classic instances carry none. */
  attachedRoles: ReadonlyMap<string, string | null>;
}

export interface AuditInput {
  regions: RegionInventory[];
  bindings: AuditBinding[];
  invalidBindings: InvalidBinding[];
  /** RAM GetRole of every role a binding names or an instance carries; null: the role does not exist. */
  roles: ReadonlyMap<string, RoleInfo | null>;
  /** Default: tenancy disabled (every binding permitted). */
  tenancy?: AuditTenancy;
}

export interface InstanceAudit {
  regionId: string;
  instanceId: string;
  /** Absent for Missing instances. */
  networkType?: NetworkType;
  vpcId?: string;
  status?: string;
  /** The attached role; null when none. */
  currentRole: string | null;
  /** The role Git says it should carry: that of the oldest claiming binding; null when unclaimed. */
  desiredRole: string | null;
  /** Keys ("namespace/name") of the bindings that claim the instance, oldest first (for Observed: the observing bindings; for NotPermitted: the bindings naming it). */
  claimedBy: string[];
  /**
   * The InstanceRolePolicy that permits the deciding binding on this instance; NOT_PERMITTED when
   * only bindings no policy permits here name it; null when nothing claims it or tenancy is disabled.
   */
  policy: string | null;
  verdict: Verdict;
  /** One sentence: why this verdict, and for findings what to do. */
  detail: string;
}

export interface RoleAudit {
  roleName: string;
  /** false: GetRole says the role does not exist. */
  exists: boolean;
  /** Whether the trust policy lets ecs.aliyuncs.com assume the role; null when the role does not exist. */
  trustsEcs: boolean | null;
  arn: string | null;
  /** Instances carrying the role. */
  attached: number;
  /** Instances whose desired role it is. */
  desired: number;
  /** Instances that want it and carry it (verdict InSync). */
  inSync: number;
  /** Instances that want it and do not carry it (verdict Drifted). */
  drifted: number;
  /** Instances carrying it that no binding claims. */
  unmanaged: number;
  /** Keys of the bindings (in the audited regions) that name the role. */
  bindings: string[];
}

export interface AuditReport {
  /** Audited regions, sorted. */
  regions: string[];
  /** Every instance of the audited regions plus every Missing one, sorted by region then ID. */
  instances: InstanceAudit[];
  /** Every role a binding names or an instance carries, sorted by name. */
  roles: RoleAudit[];
  /** Roles that exist but whose trust policy does not allow ECS. */
  untrustedRoles: string[];
  /** Roles named by a binding or carried by an instance that do not exist in RAM. */
  missingRoles: string[];
  invalidBindings: InvalidBinding[];
  /** Valid bindings that target a region outside the audit ("namespace/name"). */
  bindingsOutsideRegions: string[];
  /** Whether tenancy was judged (enforce) or not (disabled). */
  tenancy: 'enforce' | 'disabled';
  /** Bindings no InstanceRolePolicy permits at all (a finding each). */
  notPermittedBindings: NotPermittedBinding[];
  /** Every policy read, sorted by name, with what it permits. Invalid policies are a finding each. */
  policies: PolicyAudit[];
  /** Instances per verdict. */
  totals: Record<Verdict, number>;
  /** Finding instances + invalid bindings + not-permitted bindings + invalid policies + missing roles + untrusted roles. Non-zero fails the audit. */
  findings: number;
}
