/** The two simulated products, their API versions and the actions each serves. */

export const ECS_VERSION = '2014-05-26';
export const RAM_VERSION = '2015-05-01';

export const ECS_ACTION_NAMES = [
  'DescribeInstances',
  'DescribeInstanceRamRole',
  'AttachInstanceRamRole',
  'DetachInstanceRamRole',
  'ListTagResources',
] as const;

export const RAM_ACTION_NAMES = ['GetRole', 'ListRoles', 'CreateRole', 'CreatePolicy', 'AttachPolicyToRole'] as const;

export type EcsActionName = (typeof ECS_ACTION_NAMES)[number];
export type RamActionName = (typeof RAM_ACTION_NAMES)[number];
export type ActionName = EcsActionName | RamActionName;

export const ALL_ACTION_NAMES: readonly ActionName[] = [...ECS_ACTION_NAMES, ...RAM_ACTION_NAMES];

/** The service that trusts a role for it to be usable as an instance RAM role. */
export const ECS_SERVICE_PRINCIPAL = 'ecs.aliyuncs.com';

/** Role names: 1-64 of letters, digits, '.' and '-'. */
export const ROLE_NAME_PATTERN = /^[A-Za-z0-9.-]{1,64}$/;

/** Policy names: 1-128 of letters, digits and '-'. */
export const POLICY_NAME_PATTERN = /^[A-Za-z0-9-]{1,128}$/;

/** RAM role and policy descriptions: 1-1,024 characters. */
export const MAX_DESCRIPTION_LENGTH = 1024;
