import { ApiError, invalidParameter } from './api-error.js';
import type { ActionHandler } from './action-context.js';
import { optionalInteger, optionalString, requiredString } from './params.js';
import { MAX_POLICY_DOCUMENT_LENGTH, parsePolicyDocument } from './policy-document.js';
import { MAX_DESCRIPTION_LENGTH, POLICY_NAME_PATTERN, ROLE_NAME_PATTERN, type RamActionName } from './products.js';
import { RAM_QUOTAS, perRoleLimit, policyQuotaExceeded, roleQuotaExceeded, rolePolicyQuotaExceeded } from './ram-quotas.js';
import { StateError, type Role } from './state.js';

/** RAM 2015-05-01 actions (a central service: no RegionId). */

type Params = Readonly<Record<string, string>>;

/** `Description`: optional, 1-1,024 characters. */
function description(params: Params): string {
  const text = optionalString(params, 'Description') ?? '';
  if (text.length > MAX_DESCRIPTION_LENGTH) throw invalidParameter('Description', `it must be 1-${MAX_DESCRIPTION_LENGTH} characters, got ${text.length}`);
  return text;
}

function roleJson(role: Role, withDocument: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    RoleId: role.roleId,
    RoleName: role.name,
    Arn: role.arn,
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    CreateDate: role.createDate,
    UpdateDate: role.updateDate,
  };
  if (withDocument) json['AssumeRolePolicyDocument'] = role.assumeRolePolicyDocument;
  return json;
}

function roleNotFound(name: string): ApiError {
  return new ApiError(404, 'EntityNotExist.Role', `The role does not exist: ${name}.`);
}

const getRole: ActionHandler = (ctx) => {
  const name = requiredString(ctx.params, 'RoleName');
  const role = ctx.state.role(name);
  if (!role) throw roleNotFound(name);
  return { Role: roleJson(role, true) };
};

/** Marker: opaque; the base64url of the index of the next role. */
const listRoles: ActionHandler = (ctx) => {
  const maxItems = optionalInteger(ctx.params, 'MaxItems', 1, 1000, 100);
  const marker = optionalString(ctx.params, 'Marker');
  let start = 0;
  if (marker !== undefined) {
    const m = /^roles:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!m) throw invalidParameter('Marker', 'it is not a Marker returned by ListRoles');
    start = Number(m[1]);
  }
  const roles = ctx.state.listRoles();
  const page = roles.slice(start, start + maxItems);
  const truncated = start + maxItems < roles.length;
  const body: Record<string, unknown> = {
    IsTruncated: truncated,
    Roles: { Role: page.map((r) => ({ ...roleJson(r, false), Tags: { Tag: [] } })) },
  };
  if (truncated) body['Marker'] = Buffer.from(`roles:${start + maxItems}`).toString('base64url');
  return body;
};

const createRole: ActionHandler = (ctx) => {
  const name = requiredString(ctx.params, 'RoleName');
  if (!ROLE_NAME_PATTERN.test(name)) throw invalidParameter('RoleName', 'it must be 1-64 letters, digits, "." or "-"');
  const document = requiredString(ctx.params, 'AssumeRolePolicyDocument');
  const parsed = parsePolicyDocument(document, 'trust');
  if ('error' in parsed) throw invalidParameter('AssumeRolePolicyDocument', parsed.error);
  const maxSessionDuration = optionalInteger(ctx.params, 'MaxSessionDuration', 3600, 43200, 3600);
  const text = description(ctx.params);
  if (ctx.state.role(name)) throw new ApiError(409, 'EntityAlreadyExists.Role', `The role already exists: ${name}.`);
  if (ctx.state.roleCount() >= RAM_QUOTAS.rolesPerAccount) throw roleQuotaExceeded();
  const role = ctx.state.addRole({ name, assumeRolePolicyDocument: document, description: text, maxSessionDuration });
  return { Role: roleJson(role, true) };
};

const createPolicy: ActionHandler = (ctx) => {
  const name = requiredString(ctx.params, 'PolicyName');
  if (!POLICY_NAME_PATTERN.test(name)) throw invalidParameter('PolicyName', 'it must be 1-128 letters, digits or "-"');
  const document = requiredString(ctx.params, 'PolicyDocument');
  if (document.length > MAX_POLICY_DOCUMENT_LENGTH) {
    throw invalidParameter('PolicyDocument', `it must be 1-${MAX_POLICY_DOCUMENT_LENGTH} characters, got ${document.length}`);
  }
  const text = description(ctx.params);
  if (ctx.state.policy('Custom', name)) throw new ApiError(409, 'EntityAlreadyExists.Policy', `The policy already exists: ${name}.`);
  if (ctx.state.customPolicyCount() >= RAM_QUOTAS.customPoliciesPerAccount) throw policyQuotaExceeded();
  try {
    const policy = ctx.state.addPolicy(name, document, text);
    return {
      Policy: { PolicyName: policy.name, PolicyType: 'Custom', Description: policy.description, DefaultVersion: 'v1', CreateDate: policy.createDate },
    };
  } catch (err) {
    if (err instanceof StateError && err.kind === 'Invalid') throw invalidParameter('PolicyDocument', err.message);
    throw err;
  }
};

const attachPolicyToRole: ActionHandler = (ctx) => {
  const policyType = requiredString(ctx.params, 'PolicyType');
  if (policyType !== 'Custom' && policyType !== 'System') throw invalidParameter('PolicyType', 'it must be Custom or System');
  const policyName = requiredString(ctx.params, 'PolicyName');
  const roleName = requiredString(ctx.params, 'RoleName');
  const role = ctx.state.role(roleName);
  if (!role) throw roleNotFound(roleName);
  const policy = ctx.state.policy(policyType, policyName);
  if (!policy) throw new ApiError(404, 'EntityNotExist.Policy', `The ${policyType} policy does not exist: ${policyName}.`);
  if (role.attachedPolicies.some((a) => a.policyType === policyType && a.policyName.toLowerCase() === policyName.toLowerCase())) {
    throw new ApiError(409, 'EntityAlreadyExists.Role.Policy', `The policy ${policyName} is already attached to role ${role.name}.`);
  }
  if (role.attachedPolicies.filter((a) => a.policyType === policyType).length >= perRoleLimit(policyType)) {
    throw rolePolicyQuotaExceeded(role.name, policyType);
  }
  role.attachedPolicies.push({ policyType, policyName: policy.name });
  return {};
};

export const RAM_ACTIONS: Record<RamActionName, ActionHandler> = {
  GetRole: getRole,
  ListRoles: listRoles,
  CreateRole: createRole,
  CreatePolicy: createPolicy,
  AttachPolicyToRole: attachPolicyToRole,
};
