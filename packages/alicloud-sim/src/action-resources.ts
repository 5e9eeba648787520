import { ApiError } from './api-error.js';
import { instanceArn, policyArn, roleArn } from './arn.js';
import { instanceIdList } from './params.js';
import type { ActionName } from './products.js';

/**
 * The resource ARNs each action is authorized on, from the request's own parameters. Listing
 * actions are authorized on every instance of the region (`instance/*`); Attach and Detach on
 * each instance named in `InstanceIds`; RAM actions on the role or policy they name. Where the
 * naming parameter is absent or malformed, the action's wildcard ARN stands in (the parameter
 * error follows once authorization passes).
 */

type Params = Readonly<Record<string, string>>;

function region(params: Params): string {
  return params['RegionId'] || '*';
}

function allInstances(params: Params, accountId: string): string[] {
  return [instanceArn(region(params), accountId, '*')];
}

function namedInstances(params: Params, accountId: string): string[] {
  let ids: string[] | undefined;
  try {
    // The batch limit is the action's to enforce; here every named instance is authorized.
    ids = instanceIdList(params, Number.MAX_SAFE_INTEGER);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  if (ids === undefined || ids.length === 0) return allInstances(params, accountId);
  return ids.map((id) => instanceArn(region(params), accountId, id));
}

function namedRole(params: Params, accountId: string): string[] {
  return [roleArn(accountId, params['RoleName'] || '*')];
}

function namedPolicy(params: Params, accountId: string): string[] {
  return [policyArn(accountId, params['PolicyName'] || '*')];
}

export const ACTION_RESOURCES: Readonly<Record<ActionName, (params: Params, accountId: string) => string[]>> = {
  DescribeInstances: allInstances,
  DescribeInstanceRamRole: allInstances,
  ListTagResources: allInstances,
  AttachInstanceRamRole: namedInstances,
  DetachInstanceRamRole: namedInstances,
  GetRole: namedRole,
  ListRoles: (_params, accountId) => [roleArn(accountId, '*')],
  CreateRole: namedRole,
  CreatePolicy: namedPolicy,
  AttachPolicyToRole: (params, accountId) => [...namedRole(params, accountId), ...namedPolicy(params, accountId)],
};
