import { ApiError, invalidParameter } from './api-error.js';
import type { ActionContext, ActionHandler } from './action-context.js';
import { Permissions } from './authorization.js';
import { INSTANCE_STATUSES, type InstanceStatus } from './fleet.js';
import {
  instanceIdList,
  optionalInteger,
  optionalString,
  requiredInstanceIdList,
  requiredString,
  tagFilters,
  type TagFilter,
} from './params.js';
import { permissionsOf } from './policy-document.js';
import type { EcsActionName } from './products.js';
import type { CloudState, Instance, Role } from './state.js';

/**
 * ECS 2014-05-26 actions. Choices the Alibaba docs leave open are marked "decision" and listed in
 * docs/cloud-simulator.md.
 */

/** Batch limits of the real API. */
export const MAX_MUTATE_IDS = 100;
export const MAX_DESCRIBE_ROLE_IDS = 50;
export const MAX_DESCRIBE_INSTANCES_IDS = 100;

function requireRegion(ctx: ActionContext): string {
  const regionId = requiredString(ctx.params, 'RegionId');
  if (!ctx.state.hasRegion(regionId)) {
    throw new ApiError(404, 'InvalidRegionId.NotFound', `The specified RegionId "${regionId}" does not exist (known: ${ctx.state.regionIds().join(', ')}).`);
  }
  return regionId;
}

/**
 * Decision: every ID must be an instance of the region (else the whole request is 404
 * InvalidInstanceId.NotFound) and on a VPC (else 403 InvalidNetworkType.MismatchRamRole).
 */
function requireVpcInstances(ctx: ActionContext, regionId: string, ids: readonly string[]): Instance[] {
  const instances: Instance[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const inst = ctx.state.instance(id);
    if (!inst || inst.regionId !== regionId) missing.push(id);
    else instances.push(inst);
  }
  if (missing.length > 0) {
    throw new ApiError(404, 'InvalidInstanceId.NotFound', `The specified instances do not exist in region ${regionId}: ${missing.join(', ')}.`);
  }
  const classic = instances.filter((i) => i.network !== 'vpc').map((i) => i.id);
  if (classic.length > 0) {
    throw new ApiError(403, 'InvalidNetworkType.MismatchRamRole', `Only VPC instances can carry a RAM role; these are on the classic network: ${classic.join(', ')}.`);
  }
  return instances;
}

function requireRole(ctx: ActionContext, name: string): Role {
  const role = ctx.state.role(name);
  if (!role) throw new ApiError(404, 'InvalidRamRole.NotFound', `The RAM role "${name}" does not exist; create it in RAM or fix RamRoleName.`);
  return role;
}

interface InstanceResult {
  InstanceId: string;
  Success: boolean;
  Code: string;
  Message: string;
}

function ok(instanceId: string): InstanceResult {
  return { InstanceId: instanceId, Success: true, Code: '200', Message: 'success' };
}

function failed(instanceId: string, code: string, message: string): InstanceResult {
  return { InstanceId: instanceId, Success: false, Code: code, Message: message };
}

const attachInstanceRamRole: ActionHandler = (ctx) => {
  const regionId = requireRegion(ctx);
  const roleName = requiredString(ctx.params, 'RamRoleName');
  const ids = requiredInstanceIdList(ctx.params, MAX_MUTATE_IDS);
  const policyText = optionalString(ctx.params, 'Policy');
  let policy: Permissions | null = null;
  if (policyText !== undefined) {
    if (policyText.length > 1024) throw invalidParameter('Policy', 'it must be 1-1024 characters');
    const parsed = permissionsOf(policyText);
    if (!(parsed instanceof Permissions)) throw invalidParameter('Policy', parsed.error);
    policy = parsed;
  }
  const role = requireRole(ctx, roleName);
  if (!ctx.state.roleTrustsEcs(role)) {
    throw new ApiError(404, 'InvalidRamRole.NotEcsRole', `The RAM role "${role.name}" is not an ECS role: its trust policy must let the service ecs.aliyuncs.com call sts:AssumeRole.`);
  }
  if (!ctx.caller.allows('ram:PassRole')) {
    throw new ApiError(403, 'InvalidUser.PassRoleForbidden', `The caller ${ctx.caller.accessKeyId} is not allowed ram:PassRole on role "${role.name}"; grant ram:PassRole.`);
  }
  const instances = requireVpcInstances(ctx, regionId, ids);
  const results = instances.map((inst) => {
    if (inst.ramRole !== null) {
      // Decision: one role per instance; attaching over any role (even the same one) fails per instance.
      return failed(inst.id, 'InvalidRamRole.AlreadyAttached', `Instance ${inst.id} already carries the RAM role "${inst.ramRole}"; detach it first.`);
    }
    ctx.state.setInstanceRole(inst.id, role.name, policy);
    return ok(inst.id);
  });
  return {
    TotalCount: results.length,
    FailCount: results.filter((r) => !r.Success).length,
    RamRoleName: role.name,
    AttachInstanceRamRoleResults: { AttachInstanceRamRoleResult: results },
  };
};

const detachInstanceRamRole: ActionHandler = (ctx) => {
  const regionId = requireRegion(ctx);
  const ids = requiredInstanceIdList(ctx.params, MAX_MUTATE_IDS);
  const wanted = optionalString(ctx.params, 'RamRoleName');
  const wantedRole = wanted === undefined ? undefined : requireRole(ctx, wanted);
  const instances = requireVpcInstances(ctx, regionId, ids);
  const detachedRoles = new Set<string>();
  const results = instances.map((inst) => {
    const current = inst.ramRole;
    const roleSet = (roleName: string | null): Record<string, unknown> => ({
      InstanceRamRoleSet: roleName === null ? [] : [{ InstanceId: inst.id, RamRoleName: roleName }],
    });
    if (current === null) {
      return { ...failed(inst.id, 'InvalidRamRole.NotAttached', `Instance ${inst.id} carries no RAM role.`), InstanceRamRoleSets: roleSet(null) };
    }
    if (wantedRole && current !== wantedRole.name) {
      // Decision: naming a role that is not the attached one changes nothing.
      return {
        ...failed(inst.id, 'InvalidRamRole.NotAttached', `Instance ${inst.id} carries the RAM role "${current}", not "${wantedRole.name}"; nothing was detached.`),
        InstanceRamRoleSets: roleSet(current),
      };
    }
    ctx.state.setInstanceRole(inst.id, null);
    detachedRoles.add(current);
    return { ...ok(inst.id), InstanceRamRoleSets: roleSet(current) };
  });
  return {
    TotalCount: results.length,
    FailCount: results.filter((r) => !r.Success).length,
    RamRoleName: wantedRole?.name ?? (detachedRoles.size === 1 ? [...detachedRoles][0] : ''),
    DetachInstanceRamRoleResults: { DetachInstanceRamRoleResult: results },
  };
};

const describeInstanceRamRole: ActionHandler = (ctx) => {
  const regionId = requireRegion(ctx);
  const ids = instanceIdList(ctx.params, MAX_DESCRIBE_ROLE_IDS);
  const roleName = optionalString(ctx.params, 'RamRoleName');
  const pageSize = optionalInteger(ctx.params, 'PageSize', 1, 50, 10);
  const pageNumber = optionalInteger(ctx.params, 'PageNumber', 1, 1_000_000_000, 1);
  if ((ids === undefined || ids.length === 0) && roleName === undefined) {
    throw new ApiError(403, 'InvalidParameter.AllEmpty', 'Give InstanceIds, RamRoleName, or both.');
  }
  let matches: readonly Instance[];
  if (ids !== undefined && ids.length > 0) {
    const instances = requireVpcInstances(ctx, regionId, ids);
    // Decision: with InstanceIds, every given instance is listed (RamRoleName "" when it has none),
    // narrowed to those carrying RamRoleName when that is given too.
    const canonicalRole = roleName === undefined ? undefined : ctx.state.role(roleName)?.name ?? null;
    matches = canonicalRole === undefined ? instances : instances.filter((i) => i.ramRole !== null && i.ramRole === canonicalRole);
  } else {
    // Decision: an unknown RamRoleName lists nothing rather than failing.
    const role = ctx.state.role(roleName!);
    matches = role ? ctx.state.instancesWithRole(regionId, role.name) : [];
  }
  const start = (pageNumber - 1) * pageSize;
  const page = matches.slice(start, start + pageSize);
  return {
    RegionId: regionId,
    TotalCount: matches.length,
    InstanceRamRoleSets: { InstanceRamRoleSet: page.map((i) => ({ InstanceId: i.id, RamRoleName: i.ramRole ?? '' })) },
  };
};

/** NextToken: opaque to clients; encodes the launch sequence number of the next instance. */
function encodeNextToken(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

function decodeNextToken(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^seq:(\d+)$/.exec(text);
  if (!m) throw invalidParameter('NextToken', 'it is not a token returned by DescribeInstances');
  return Number(m[1]);
}

interface InstanceFilter {
  tags: TagFilter[];
  vpcId: string | undefined;
  status: InstanceStatus | undefined;
  network: string | undefined;
}

function readInstanceFilter(ctx: ActionContext): InstanceFilter {
  const status = optionalString(ctx.params, 'Status');
  if (status !== undefined && !INSTANCE_STATUSES.includes(status as InstanceStatus)) {
    throw invalidParameter('Status', `it must be one of ${INSTANCE_STATUSES.join(', ')}`);
  }
  const network = optionalString(ctx.params, 'InstanceNetworkType');
  if (network !== undefined && network !== 'vpc' && network !== 'classic') throw invalidParameter('InstanceNetworkType', 'it must be vpc or classic');
  return { tags: tagFilters(ctx.params), vpcId: optionalString(ctx.params, 'VpcId'), status: status as InstanceStatus | undefined, network };
}

function filterIsEmpty(f: InstanceFilter): boolean {
  return f.tags.length === 0 && f.vpcId === undefined && f.status === undefined && f.network === undefined;
}

function matchesFilter(inst: Instance, f: InstanceFilter): boolean {
  if (f.vpcId !== undefined && inst.vpcId !== f.vpcId) return false;
  if (f.status !== undefined && inst.status !== f.status) return false;
  if (f.network !== undefined && inst.network !== f.network) return false;
  for (const t of f.tags) {
    const v = inst.tags[t.key];
    if (v === undefined || (t.value !== undefined && v !== t.value)) return false;
  }
  return true;
}

/**
 * TotalCount of a filtered region listing, cached until an instance is launched or released,
 * so that paging through a large fleet costs O(page) per call rather than a full count each time.
 */
const totalCounts = new WeakMap<CloudState, Map<string, { version: number; total: number }>>();

function filteredTotal(state: CloudState, regionId: string, filter: InstanceFilter, candidates: readonly Instance[]): number {
  if (filterIsEmpty(filter)) return candidates.length;
  let cache = totalCounts.get(state);
  if (!cache) totalCounts.set(state, (cache = new Map()));
  const key = JSON.stringify([regionId, filter]);
  const hit = cache.get(key);
  if (hit && hit.version === state.instancesVersion) return hit.total;
  const total = candidates.reduce((n, i) => (matchesFilter(i, filter) ? n + 1 : n), 0);
  if (cache.size > 1000) cache.clear();
  cache.set(key, { version: state.instancesVersion, total });
  return total;
}

function instanceJson(inst: Instance): Record<string, unknown> {
  return {
    InstanceId: inst.id,
    InstanceName: inst.name,
    HostName: inst.name,
    RegionId: inst.regionId,
    ZoneId: inst.zoneId,
    Status: inst.status,
    InstanceNetworkType: inst.network,
    CreationTime: inst.creationTime,
    VpcAttributes: { VpcId: inst.vpcId ?? '', VSwitchId: '', NatIpAddress: '', PrivateIpAddress: { IpAddress: [] } },
    Tags: { Tag: Object.entries(inst.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) },
  };
}

const describeInstances: ActionHandler = (ctx) => {
  const regionId = requireRegion(ctx);
  const ids = instanceIdList(ctx.params, MAX_DESCRIBE_INSTANCES_IDS);
  const filter = readInstanceFilter(ctx);
  const token = optionalString(ctx.params, 'NextToken');
  const pageMode = token === undefined && ctx.params['MaxResults'] === undefined && (ctx.params['PageSize'] !== undefined || ctx.params['PageNumber'] !== undefined);

  let candidates: readonly Instance[];
  if (ids !== undefined && ids.length > 0) {
    candidates = ids
      .map((id) => ctx.state.instance(id))
      .filter((i): i is Instance => i !== undefined && i.regionId === regionId)
      .sort((a, b) => a.seq - b.seq);
  } else {
    candidates = ctx.state.instancesIn(regionId);
  }
  const byIds = ids !== undefined && ids.length > 0;
  const total = byIds
    ? candidates.reduce((n, i) => (matchesFilter(i, filter) ? n + 1 : n), 0)
    : filteredTotal(ctx.state, regionId, filter, candidates);

  if (pageMode) {
    // The older PageNumber/PageSize form (PageSize 1-100, default 10).
    const pageSize = optionalInteger(ctx.params, 'PageSize', 1, 100, 10);
    const pageNumber = optionalInteger(ctx.params, 'PageNumber', 1, 1_000_000_000, 1);
    const matching = filterIsEmpty(filter) ? candidates : candidates.filter((i) => matchesFilter(i, filter));
    const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return { TotalCount: total, PageSize: pageSize, PageNumber: pageNumber, NextToken: '', Instances: { Instance: page.map(instanceJson) } };
  }

  const maxResults = optionalInteger(ctx.params, 'MaxResults', 10, 100, 10);
  let start = 0;
  if (token !== undefined) {
    const seq = decodeNextToken(token);
    start = byIds ? candidates.findIndex((i) => i.seq >= seq) : ctx.state.indexAtOrAfter(regionId, seq);
    if (start < 0) start = candidates.length;
  }
  const page: Instance[] = [];
  let next = '';
  for (let i = start; i < candidates.length; i++) {
    const inst = candidates[i]!;
    if (!matchesFilter(inst, filter)) continue;
    if (page.length === maxResults) {
      next = encodeNextToken(inst.seq);
      break;
    }
    page.push(inst);
  }
  return { TotalCount: total, PageSize: maxResults, NextToken: next, Instances: { Instance: page.map(instanceJson) } };
};

export const ECS_ACTIONS: Record<EcsActionName, ActionHandler> = {
  DescribeInstances: describeInstances,
  DescribeInstanceRamRole: describeInstanceRamRole,
  AttachInstanceRamRole: attachInstanceRamRole,
  DetachInstanceRamRole: detachInstanceRamRole,
};
