import { ApiError, invalidParameter } from './api-error.js';
import type { ActionContext, ActionHandler } from './action-context.js';
import { authorizeAll, passRoleForbidden } from './authorization.js';
import { describeInstances } from './describe-instances.js';
import { listTagResources } from './list-tag-resources.js';
import { instanceIdList, optionalInteger, optionalString, requiredInstanceIdList, requiredString } from './params.js';
import { parsePolicyDocument } from './policy-document.js';
import { Permissions } from './policy-evaluation.js';
import type { EcsActionName } from './products.js';
import { requireRegion } from './region.js';
import type { Instance, Role } from './state.js';
import { ALREADY_ATTACHED_CODE, NOT_ATTACHED_CODE } from './unconfirmed-behaviour.js';

export { MAX_DESCRIBE_INSTANCES_IDS } from './describe-instances.js';

/**
 * ECS 2014-05-26 role actions (Attach, Detach, DescribeInstanceRamRole) and the table of all ECS
 * actions. Choices the Alibaba docs leave open are marked "decision" and listed in
 * docs/cloud-simulator.md; their codes live in unconfirmed-behaviour.ts.
 */

/** Batch limits of the real API. */
export const MAX_MUTATE_IDS = 100;
export const MAX_DESCRIBE_ROLE_IDS = 50;

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
    const parsed = parsePolicyDocument(policyText, 'permission');
    if ('error' in parsed) throw invalidParameter('Policy', parsed.error);
    policy = new Permissions([parsed.document]);
  }
  const role = requireRole(ctx, roleName);
  if (!ctx.state.roleTrustsEcs(role)) {
    throw new ApiError(404, 'InvalidRamRole.NotEcsRole', `The RAM role "${role.name}" is not an ECS role: its trust policy must let the service ecs.aliyuncs.com call sts:AssumeRole (and no statement may deny it).`);
  }
  authorizeAll(ctx.caller, [{ action: 'ram:PassRole', resource: role.arn, context: ctx.context }], passRoleForbidden);
  const instances = requireVpcInstances(ctx, regionId, ids);
  const results = instances.map((inst) => {
    if (inst.ramRole !== null) {
      // Decision: one role per instance; attaching over any role (even the same one) fails per instance.
      return failed(inst.id, ALREADY_ATTACHED_CODE, `Instance ${inst.id} already carries the RAM role "${inst.ramRole}"; detach it first.`);
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
      return { ...failed(inst.id, NOT_ATTACHED_CODE, `Instance ${inst.id} carries no RAM role.`), InstanceRamRoleSets: roleSet(null) };
    }
    if (wantedRole && current !== wantedRole.name) {
      // Decision: naming a role that is not the attached one changes nothing.
      return {
        ...failed(inst.id, NOT_ATTACHED_CODE, `Instance ${inst.id} carries the RAM role "${current}", not "${wantedRole.name}"; nothing was detached.`),
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

export const ECS_ACTIONS: Record<EcsActionName, ActionHandler> = {
  DescribeInstances: describeInstances,
  DescribeInstanceRamRole: describeInstanceRamRole,
  AttachInstanceRamRole: attachInstanceRamRole,
  DetachInstanceRamRole: detachInstanceRamRole,
  ListTagResources: listTagResources,
};
