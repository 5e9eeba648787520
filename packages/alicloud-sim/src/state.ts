import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_ACCOUNT_ID, roleArn } from './arn.js';
import {
  generatedIds,
  type AccessKeySpec,
  type FleetSpec,
  type InstanceSpec,
  type InstanceStatus,
  type MetadataTokens,
  type NetworkType,
  type RoleSpec,
} from './fleet.js';
import { resolvePolicyName, type PolicyReference } from './fleet-policies.js';
import { parsePolicyDocument, trustPolicyFor, type PolicyDocument } from './policy-document.js';
import { Permissions } from './policy-evaluation.js';
import { ECS_SERVICE_PRINCIPAL } from './products.js';
import { RolelessLog } from './roleless-log.js';
import { systemPolicyDocument, systemPolicyName } from './system-policies.js';
import { trustsService } from './trust-policy.js';

/**
 * The simulated account: regions with their instances (indexed by ID, by attached role, and in
 * launch order for pagination), RAM roles and policies, access keys and issued STS credentials.
 */

export interface Instance {
  id: string;
  regionId: string;
  zoneId: string;
  name: string;
  network: NetworkType;
  vpcId: string | null;
  status: InstanceStatus;
  tags: Record<string, string>;
  ramRole: string | null;
  /** The extra `Policy` given on attach, narrowing the role's permissions. */
  attachPolicy: Permissions | null;
  /** required = security hardening mode: metadata reads need a token. */
  metadataTokens: MetadataTokens;
  /** Launch order; stable pagination key. */
  seq: number;
  creationTime: string;
}

export type AttachedPolicy = PolicyReference;

export interface Role {
  name: string;
  roleId: string;
  arn: string;
  assumeRolePolicyDocument: string;
  description: string;
  maxSessionDuration: number;
  createDate: string;
  updateDate: string;
  /** The role's own policies from the fleet file (`allow` shorthand and inline `policy`). */
  ownPermissions: Permissions;
  attachedPolicies: AttachedPolicy[];
}

export interface Policy {
  name: string;
  type: 'Custom' | 'System';
  document: string;
  description: string;
  createDate: string;
  permissions: Permissions;
}

export interface AccessKey {
  id: string;
  secret: string;
  permissions: Permissions;
  disabled: boolean;
}

export interface StsSession {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiration: Date;
  roleName: string;
  instanceId: string;
  /** The `Policy` given when the role was attached, narrowing what these credentials may do. */
  attachPolicy: Permissions | null;
}

/** A control-plane or in-process state change that cannot be made. */
export class StateError extends Error {
  readonly kind: 'NotFound' | 'Conflict' | 'Invalid';
  constructor(kind: 'NotFound' | 'Conflict' | 'Invalid', message: string) {
    super(message);
    this.name = 'StateError';
    this.kind = kind;
  }
}

/** STS credentials handed out by the metadata service live this long (as on real ECS). */
export const STS_LIFETIME_MS = 6 * 60 * 60 * 1000;
/** The metadata service hands out fresh credentials once the old ones have less than this left. */
const STS_REFRESH_MARGIN_MS = 60 * 60 * 1000;

class RegionState {
  readonly id: string;
  /** Instances in launch order (ascending seq). */
  readonly ordered: Instance[] = [];
  /** Instance IDs by attached role name. */
  readonly byRole = new Map<string, Set<string>>();
  private readonly byRoleSorted = new Map<string, Instance[]>();

  constructor(id: string) {
    this.id = id;
  }

  /** Index of the first instance whose seq is >= `seq` (binary search). */
  indexAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ordered[mid]!.seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  indexRole(role: string, id: string, add: boolean): void {
    let set = this.byRole.get(role);
    if (add) {
      if (!set) this.byRole.set(role, (set = new Set()));
      set.add(id);
    } else if (set) {
      set.delete(id);
      if (set.size === 0) this.byRole.delete(role);
    }
    this.byRoleSorted.delete(role);
  }

  withRole(role: string, lookup: (id: string) => Instance): readonly Instance[] {
    let sorted = this.byRoleSorted.get(role);
    if (!sorted) {
      sorted = [...(this.byRole.get(role) ?? [])].map(lookup).sort((a, b) => a.seq - b.seq);
      this.byRoleSorted.set(role, sorted);
    }
    return sorted;
  }
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An instance as the control plane and snapshots show it (plain JSON, no internals). */
export type InstanceView = Omit<Instance, 'attachPolicy' | 'seq'> & { attachPolicy: { allow: string[]; deny: string[] } | null };

export function instanceView(inst: Instance): InstanceView {
  const { seq: _seq, attachPolicy, ...rest } = inst;
  // Shown as action globs; resources and conditions of the policy are in the call log's Policy.
  return {
    ...rest,
    tags: { ...rest.tags },
    attachPolicy: attachPolicy ? { allow: [...attachPolicy.allow], deny: [...attachPolicy.deny] } : null,
  };
}

/** ECS CreationTime format: minutes, UTC ("2026-11-23T08:53Z"). */
function creationTime(d: Date): string {
  return d.toISOString().slice(0, 16) + 'Z';
}

export interface StateSnapshot {
  regions: Array<{ id: string; instances: InstanceView[] }>;
  roles: Array<{ name: string; arn: string; trustsEcs: boolean; assumeRolePolicyDocument: string; allow: string[]; policies: string[]; attachedPolicies: AttachedPolicy[] }>;
  policies: Array<{ name: string; type: string; document: string }>;
  accessKeys: Array<{ id: string; disabled: boolean; policies: string[] }>;
  attachments: Array<{ instanceId: string; regionId: string; roleName: string }>;
}

export class CloudState {
  readonly accountId: string;
  private readonly regions = new Map<string, RegionState>();
  private readonly instances = new Map<string, Instance>();
  /** Keyed by lower-case name: RAM role names are case-insensitive. */
  private readonly roles = new Map<string, Role>();
  private readonly policies = new Map<string, Policy>();
  private readonly accessKeys = new Map<string, AccessKey>();
  private readonly stsSessions = new Map<string, StsSession>();
  private readonly issuedByInstance = new Map<string, StsSession>();
  private nextSeq = 1;
  private membershipVersion = 0;
  /** When each instance lost its role and when it got the next one (GET /sim/roleless). */
  readonly roleless = new RolelessLog();

  constructor(fleet: FleetSpec) {
    this.accountId = fleet.accountId ?? DEFAULT_ACCOUNT_ID;
    for (const p of fleet.policies ?? []) this.addPolicy(p.name, p.document, p.description ?? '');
    const custom = fleet.policies ?? [];
    const resolve = (names: readonly string[] | undefined): PolicyReference[] =>
      (names ?? []).map((n) => {
        const ref = resolvePolicyName(n, custom);
        if (!ref) throw new StateError('NotFound', `policy ${n} is neither declared under policies nor a known System policy`);
        return ref;
      });
    for (const k of fleet.accessKeys) {
      const attached = resolve(k.policies).map((ref) => this.policy(ref.policyType, ref.policyName)!.permissions);
      const permissions = attached.reduce((all, p) => all.merge(p), ownPermissions(k));
      this.accessKeys.set(k.id, { id: k.id, secret: k.secret, permissions, disabled: k.disabled ?? false });
    }
    for (const r of fleet.roles) this.addRole(r).attachedPolicies.push(...resolve(r.policies));
    const created = creationTime(new Date());
    for (const region of fleet.regions) {
      const rs = new RegionState(region.id);
      this.regions.set(region.id, rs);
      for (const spec of region.instances ?? []) this.addInstance(rs, spec, created);
      for (const g of region.generate ?? []) {
        const { count: _count, idPrefix: _prefix, start: _start, digits: _digits, ...common } = g;
        for (const id of generatedIds(g)) this.addInstance(rs, { ...common, id }, created);
      }
    }
  }

  // ---- regions and instances ----

  /** Changes whenever an instance is launched or released (instance attributes other than the role are fixed). */
  get instancesVersion(): number {
    return this.membershipVersion;
  }

  hasRegion(regionId: string): boolean {
    return this.regions.has(regionId);
  }

  regionIds(): string[] {
    return [...this.regions.keys()];
  }

  instance(id: string): Instance | undefined {
    return this.instances.get(id);
  }

  instanceCount(): number {
    return this.instances.size;
  }

  /** The region's instances in launch order. */
  instancesIn(regionId: string): readonly Instance[] {
    return this.regionState(regionId).ordered;
  }

  /** Position of the first instance launched at or after `seq` in instancesIn(regionId). */
  indexAtOrAfter(regionId: string, seq: number): number {
    return this.regionState(regionId).indexAtOrAfter(seq);
  }

  /** The region's instances carrying `roleName`, in launch order. */
  instancesWithRole(regionId: string, roleName: string): readonly Instance[] {
    const rs = this.regions.get(regionId);
    if (!rs) return [];
    return rs.withRole(roleName, (id) => this.instances.get(id)!);
  }

  /**
   * Attach (name) or detach (null) a role, bypassing API rules; the API handlers check those first.
   * Every role change goes through here, so the roleless log sees them all.
   */
  setInstanceRole(instanceId: string, roleName: string | null, attachPolicy: Permissions | null = null): Instance {
    const inst = this.instances.get(instanceId);
    if (!inst) throw new StateError('NotFound', `instance ${instanceId} does not exist`);
    if (roleName !== null) {
      const role = this.role(roleName);
      if (!role) throw new StateError('NotFound', `role ${roleName} does not exist; declare it in the fleet or create it with RAM CreateRole`);
      if (inst.network !== 'vpc') throw new StateError('Invalid', `instance ${instanceId} is on the classic network and cannot carry a RAM role`);
      roleName = role.name;
    }
    const rs = this.regionState(inst.regionId);
    const before = inst.ramRole;
    if (before !== null) rs.indexRole(before, inst.id, false);
    inst.ramRole = roleName;
    inst.attachPolicy = roleName === null ? null : attachPolicy;
    if (roleName !== null) rs.indexRole(roleName, inst.id, true);
    this.roleless.roleChanged(inst.id, before, roleName);
    return inst;
  }

  launchInstance(regionId: string, spec: InstanceSpec): Instance {
    const rs = this.regions.get(regionId);
    if (!rs) throw new StateError('NotFound', `region ${regionId} is not in the fleet (regions: ${this.regionIds().join(', ')})`);
    if (this.instances.has(spec.id)) throw new StateError('Conflict', `instance ${spec.id} already exists`);
    if (spec.ramRole && !this.role(spec.ramRole)) throw new StateError('NotFound', `role ${spec.ramRole} does not exist`);
    return this.addInstance(rs, spec, creationTime(new Date()));
  }

  releaseInstance(instanceId: string): void {
    const inst = this.instances.get(instanceId);
    if (!inst) throw new StateError('NotFound', `instance ${instanceId} does not exist`);
    const rs = this.regionState(inst.regionId);
    if (inst.ramRole !== null) rs.indexRole(inst.ramRole, inst.id, false);
    const at = rs.indexAtOrAfter(inst.seq);
    rs.ordered.splice(at, 1);
    this.instances.delete(instanceId);
    this.issuedByInstance.delete(instanceId);
    this.roleless.released(instanceId);
    this.membershipVersion++;
  }

  private regionState(regionId: string): RegionState {
    const rs = this.regions.get(regionId);
    if (!rs) throw new StateError('NotFound', `region ${regionId} is not in the fleet`);
    return rs;
  }

  private addInstance(rs: RegionState, spec: InstanceSpec, created: string): Instance {
    const inst: Instance = {
      id: spec.id,
      regionId: rs.id,
      zoneId: spec.zoneId ?? `${rs.id}-i`,
      name: spec.name ?? spec.id,
      network: spec.network,
      vpcId: spec.vpcId ?? null,
      status: spec.status ?? 'Running',
      tags: { ...(spec.tags ?? {}) },
      ramRole: null,
      attachPolicy: null,
      metadataTokens: spec.metadataTokens ?? 'optional',
      seq: this.nextSeq++,
      creationTime: created,
    };
    this.instances.set(inst.id, inst);
    rs.ordered.push(inst);
    this.membershipVersion++;
    if (spec.ramRole) {
      const role = this.role(spec.ramRole)!;
      inst.ramRole = role.name;
      rs.indexRole(role.name, inst.id, true);
    }
    return inst;
  }

  // ---- RAM ----

  role(name: string): Role | undefined {
    return this.roles.get(name.toLowerCase());
  }

  listRoles(): Role[] {
    return [...this.roles.values()];
  }

  roleCount(): number {
    return this.roles.size;
  }

  customPolicyCount(): number {
    return this.policies.size;
  }

  addRole(spec: RoleSpec): Role {
    if (this.role(spec.name)) throw new StateError('Conflict', `role ${spec.name} already exists`);
    const now = isoSeconds(new Date());
    const role: Role = {
      name: spec.name,
      roleId: String(300000000000000000n + BigInt(this.roles.size + 1) * 7919n),
      arn: roleArn(this.accountId, spec.name),
      assumeRolePolicyDocument: spec.assumeRolePolicyDocument ?? trustPolicyFor(spec.trustedServices ?? []),
      description: spec.description ?? '',
      maxSessionDuration: spec.maxSessionDuration ?? 3600,
      createDate: now,
      updateDate: now,
      ownPermissions: ownPermissions(spec),
      attachedPolicies: [],
    };
    this.roles.set(spec.name.toLowerCase(), role);
    return role;
  }

  roleTrustsEcs(role: Role): boolean {
    return trustsService(role.assumeRolePolicyDocument, ECS_SERVICE_PRINCIPAL);
  }

  /** Everything the role's credentials may do: its own policies plus those attached to it. */
  rolePermissions(role: Role): Permissions {
    let perms = role.ownPermissions;
    for (const a of role.attachedPolicies) {
      const p = this.policy(a.policyType, a.policyName);
      if (p) perms = perms.merge(p.permissions);
    }
    return perms;
  }

  policy(type: 'Custom' | 'System', name: string): Policy | undefined {
    if (type === 'System') {
      const canonical = systemPolicyName(name);
      const document = canonical === undefined ? undefined : systemPolicyDocument(canonical);
      if (canonical === undefined || document === undefined) return undefined;
      return { name: canonical, type, document: document.text, description: '', createDate: '2015-01-01T00:00:00Z', permissions: new Permissions([document]) };
    }
    return this.policies.get(name.toLowerCase());
  }

  /** Adds a custom policy; the document must be a valid permission policy (RAM's length limit is the API's check). */
  addPolicy(name: string, document: string, description: string): Policy {
    if (this.policies.has(name.toLowerCase())) throw new StateError('Conflict', `policy ${name} already exists`);
    const parsed = parsePolicyDocument(document, 'permission');
    if ('error' in parsed) throw new StateError('Invalid', `policy document: ${parsed.error}`);
    const policy: Policy = { name, type: 'Custom', document, description, createDate: isoSeconds(new Date()), permissions: new Permissions([parsed.document]) };
    this.policies.set(name.toLowerCase(), policy);
    return policy;
  }

  // ---- credentials ----

  accessKey(id: string): AccessKey | undefined {
    return this.accessKeys.get(id);
  }

  stsSession(accessKeyId: string): StsSession | undefined {
    return this.stsSessions.get(accessKeyId);
  }

  /**
   * STS credentials for the role attached to the instance, as its metadata service hands them
   * out: the same credentials until they are within an hour of expiring.
   */
  credentialsForInstance(instanceId: string, now: Date = new Date()): StsSession {
    const inst = this.instances.get(instanceId);
    if (!inst) throw new StateError('NotFound', `instance ${instanceId} does not exist`);
    if (inst.ramRole === null) throw new StateError('NotFound', `instance ${instanceId} has no RAM role attached`);
    const cached = this.issuedByInstance.get(instanceId);
    if (cached && cached.roleName === inst.ramRole && cached.expiration.getTime() - now.getTime() > STS_REFRESH_MARGIN_MS) return cached;
    const session: StsSession = {
      accessKeyId: `STS.${randomBytes(12).toString('hex')}`,
      accessKeySecret: randomBytes(24).toString('base64url'),
      securityToken: `CAIS${randomBytes(48).toString('base64url')}${randomUUID()}`,
      expiration: new Date(Math.floor(now.getTime() / 1000) * 1000 + STS_LIFETIME_MS),
      roleName: inst.ramRole,
      instanceId,
      attachPolicy: inst.attachPolicy,
    };
    this.stsSessions.set(session.accessKeyId, session);
    this.issuedByInstance.set(instanceId, session);
    return session;
  }

  // ---- inspection ----

  snapshot(): StateSnapshot {
    const regions = [...this.regions.values()].map((rs) => ({
      id: rs.id,
      instances: rs.ordered.map(instanceView),
    }));
    const attachments = regions.flatMap((r) =>
      r.instances.filter((i) => i.ramRole !== null).map((i) => ({ instanceId: i.id, regionId: r.id, roleName: i.ramRole! })),
    );
    return {
      regions,
      roles: this.listRoles().map((r) => ({
        name: r.name,
        arn: r.arn,
        trustsEcs: this.roleTrustsEcs(r),
        assumeRolePolicyDocument: r.assumeRolePolicyDocument,
        allow: [...r.ownPermissions.allow],
        policies: r.ownPermissions.documents.map((d) => d.text),
        attachedPolicies: r.attachedPolicies.map((a) => ({ ...a })),
      })),
      policies: [...this.policies.values()].map((p) => ({ name: p.name, type: p.type, document: p.document })),
      accessKeys: [...this.accessKeys.values()].map((k) => ({ id: k.id, disabled: k.disabled, policies: k.permissions.documents.map((d) => d.text) })),
      attachments,
    };
  }
}

/** The `allow` shorthand and inline `policy` of a fleet access key or role, as one policy set. */
function ownPermissions(spec: Pick<AccessKeySpec, 'policy'> & { allow?: readonly string[] }): Permissions {
  const documents: PolicyDocument[] = [...Permissions.allowList(spec.allow ?? []).documents];
  if (spec.policy !== undefined) {
    const parsed = parsePolicyDocument(spec.policy, 'permission');
    if ('error' in parsed) throw new StateError('Invalid', `policy: ${parsed.error}`);
    documents.push(parsed.document);
  }
  return new Permissions(documents);
}
