import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import {
  checkPolicies,
  checkPolicyReferences,
  readDescription,
  readPolicyDocument,
  readPolicyNames,
  readPolicySpec,
  type PolicySpec,
} from './fleet-policies.js';
import {
  FleetValidationError,
  describeValue,
  fail,
  readInteger,
  readList,
  readObject,
  readOptionalString,
  readString,
  readStringList,
  readTags,
  type Obj,
} from './fleet-readers.js';
import { ALL_ACTION_NAMES, ROLE_NAME_PATTERN } from './products.js';
import { RAM_QUOTAS } from './ram-quotas.js';

export { FleetValidationError } from './fleet-readers.js';
export type { PolicySpec } from './fleet-policies.js';

/**
 * The fleet file: the simulated account's access keys, RAM roles and policies, regions with their
 * instances, and API limits. `parseFleet` validates it and names the bad field in every error, e.g.
 * `regions[0].instances[3].network: must be "vpc" or "classic"`.
 */

export type NetworkType = 'vpc' | 'classic';
export const INSTANCE_STATUSES = ['Pending', 'Running', 'Starting', 'Stopping', 'Stopped'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];
/** Instance metadata access: normal mode (tokens optional) or security hardening mode (required). */
export const METADATA_TOKEN_MODES = ['optional', 'required'] as const;
export type MetadataTokens = (typeof METADATA_TOKEN_MODES)[number];

export interface AccessKeySpec {
  id: string;
  secret: string;
  /** Shorthand: action globs this key may call on every resource, e.g. "ecs:Describe*"; "*" = everything. */
  allow: string[];
  /** An inline RAM permission policy (JSON text). */
  policy?: string;
  /** Names of policies under `policies:` (or System policies) that apply to this key. */
  policies?: string[];
  /** A disabled key is rejected with Forbidden.AccessKeyDisabled. */
  disabled?: boolean;
}

export interface RoleSpec {
  name: string;
  /** Services allowed to assume the role; or give assumeRolePolicyDocument. */
  trustedServices?: string[];
  /** A trust policy as a JSON string. */
  assumeRolePolicyDocument?: string;
  /** Shorthand: action globs the role's STS credentials may call on every resource. */
  allow?: string[];
  /** An inline RAM permission policy (JSON text) of the role. */
  policy?: string;
  /** Names of policies under `policies:` (or System policies) attached to the role (RAM quotas apply). */
  policies?: string[];
  description?: string;
  /** Seconds, 3600-43200. */
  maxSessionDuration?: number;
}

export interface InstanceSpec {
  id: string;
  network: NetworkType;
  /** Required for VPC instances, absent for classic ones. */
  vpcId?: string;
  status?: InstanceStatus;
  tags?: Record<string, string>;
  ramRole?: string | null;
  zoneId?: string;
  name?: string;
  /** Default optional; required = security hardening mode: metadata reads need a token. */
  metadataTokens?: MetadataTokens;
}

/** Many alike instances, IDs `idPrefix` + n zero-padded to `digits`, n from `start`. */
export interface GenerateSpec extends Omit<InstanceSpec, 'id' | 'name'> {
  count: number;
  idPrefix: string;
  /** First n (default 1). */
  start?: number;
  /** Zero-padding width (default: the width of the largest n). */
  digits?: number;
}

export interface RegionSpec {
  id: string;
  instances?: InstanceSpec[];
  generate?: GenerateSpec[];
}

export interface LimitsSpec {
  /** Requests per second per action per region (RAM: per account). */
  qps?: Record<string, number>;
}

export interface FleetSpec {
  /** 16-digit account ID used in ARNs (default DEFAULT_ACCOUNT_ID, 1234567890123456). */
  accountId?: string;
  accessKeys: AccessKeySpec[];
  roles: RoleSpec[];
  /** Custom policies of the account. */
  policies?: PolicySpec[];
  regions: RegionSpec[];
  limits?: LimitsSpec;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_TEXT = 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{1,49}$/;
const REGION_TEXT = 'must be a region ID such as cn-hangzhou';
const ROLE_TEXT = 'must be 1-64 letters, digits, "." or "-"';

const INSTANCE_FIELDS = ['id', 'network', 'vpcId', 'status', 'tags', 'ramRole', 'zoneId', 'name', 'metadataTokens'] as const;
const GENERATE_FIELDS = ['count', 'idPrefix', 'start', 'digits', 'network', 'vpcId', 'status', 'tags', 'ramRole', 'zoneId', 'metadataTokens'] as const;

/** Fields common to `instances` and `generate` entries. */
function readInstanceCommon(o: Obj, path: string): Omit<InstanceSpec, 'id' | 'name'> {
  if (o.network !== 'vpc' && o.network !== 'classic') fail(`${path}.network`, 'must be "vpc" or "classic"');
  const network: NetworkType = o.network;
  const vpcId = readOptionalString(o.vpcId, `${path}.vpcId`, ID_PATTERN, ID_TEXT);
  if (network === 'vpc' && vpcId === undefined) fail(`${path}.vpcId`, 'is required for a VPC instance');
  if (network === 'classic' && vpcId !== undefined) fail(`${path}.vpcId`, 'must be absent for a classic-network instance');
  let status: InstanceStatus | undefined;
  if (o.status !== undefined) {
    if (!INSTANCE_STATUSES.includes(o.status as InstanceStatus)) fail(`${path}.status`, `must be one of ${INSTANCE_STATUSES.join(', ')}`);
    status = o.status as InstanceStatus;
  }
  let ramRole: string | null | undefined;
  if (o.ramRole !== undefined && o.ramRole !== null) {
    ramRole = readString(o.ramRole, `${path}.ramRole`, ROLE_NAME_PATTERN, ROLE_TEXT);
    if (network === 'classic') fail(`${path}.ramRole`, 'a classic-network instance cannot carry a RAM role');
  } else if (o.ramRole === null) {
    ramRole = null;
  }
  const spec: Omit<InstanceSpec, 'id' | 'name'> = { network };
  if (vpcId !== undefined) spec.vpcId = vpcId;
  if (status !== undefined) spec.status = status;
  const tags = readTags(o.tags, `${path}.tags`);
  if (tags !== undefined) spec.tags = tags;
  if (ramRole !== undefined) spec.ramRole = ramRole;
  const zoneId = readOptionalString(o.zoneId, `${path}.zoneId`, REGION_PATTERN, 'must be a zone ID such as cn-hangzhou-i');
  if (zoneId !== undefined) spec.zoneId = zoneId;
  if (o.metadataTokens !== undefined) {
    if (!METADATA_TOKEN_MODES.includes(o.metadataTokens as MetadataTokens)) fail(`${path}.metadataTokens`, `must be one of ${METADATA_TOKEN_MODES.join(', ')}`);
    spec.metadataTokens = o.metadataTokens as MetadataTokens;
  }
  return spec;
}

/** Validates one instance as written in a fleet file (also used by POST /sim/instances). */
export function readInstanceSpec(v: unknown, path: string, extraFields: readonly string[] = []): InstanceSpec {
  const o = readObject(v, path, [...INSTANCE_FIELDS, ...extraFields]);
  const id = readString(o.id, `${path}.id`, ID_PATTERN, ID_TEXT);
  const spec: InstanceSpec = { id, ...readInstanceCommon(o, path) };
  const name = readOptionalString(o.name, `${path}.name`);
  if (name !== undefined) spec.name = name;
  return spec;
}

function readGenerateSpec(v: unknown, path: string): GenerateSpec {
  const o = readObject(v, path, GENERATE_FIELDS);
  const count = readInteger(o.count, `${path}.count`, 1, 1_000_000);
  const idPrefix = readString(o.idPrefix, `${path}.idPrefix`, ID_PATTERN, ID_TEXT);
  const spec: GenerateSpec = { count, idPrefix, ...readInstanceCommon(o, path) };
  if (o.start !== undefined) spec.start = readInteger(o.start, `${path}.start`, 0, 1_000_000_000);
  if (o.digits !== undefined) spec.digits = readInteger(o.digits, `${path}.digits`, 1, 12);
  return spec;
}

function readAccessKey(v: unknown, path: string): AccessKeySpec {
  const o = readObject(v, path, ['id', 'secret', 'allow', 'policy', 'policies', 'disabled']);
  const spec: AccessKeySpec = {
    id: readString(o.id, `${path}.id`, ID_PATTERN, ID_TEXT),
    secret: readString(o.secret, `${path}.secret`),
    allow: o.allow === undefined ? [] : readStringList(o.allow, `${path}.allow`),
  };
  readPolicyFields(o, path, spec);
  if (o.disabled !== undefined) {
    if (typeof o.disabled !== 'boolean') fail(`${path}.disabled`, `must be true or false, got ${describeValue(o.disabled)}`);
    spec.disabled = o.disabled;
  }
  return spec;
}

/** `allow` is checked as a policy too, so that a malformed glob fails at load time. */
function readPolicyFields(o: Obj, path: string, spec: { allow?: string[]; policy?: string; policies?: string[] }): void {
  if (spec.allow !== undefined && spec.allow.length > 0) {
    readPolicyDocument({ Version: '1', Statement: [{ Effect: 'Allow', Action: spec.allow, Resource: '*' }] }, `${path}.allow`, 'permission');
  }
  if (o.policy !== undefined) spec.policy = readPolicyDocument(o.policy, `${path}.policy`, 'permission');
  if (o.policies !== undefined) spec.policies = readPolicyNames(o.policies, `${path}.policies`);
}

function readRole(v: unknown, path: string): RoleSpec {
  const o = readObject(v, path, ['name', 'trustedServices', 'assumeRolePolicyDocument', 'allow', 'policy', 'policies', 'description', 'maxSessionDuration']);
  const spec: RoleSpec = { name: readString(o.name, `${path}.name`, ROLE_NAME_PATTERN, ROLE_TEXT) };
  if (o.trustedServices !== undefined && o.assumeRolePolicyDocument !== undefined) {
    fail(path, 'give either trustedServices or assumeRolePolicyDocument, not both');
  }
  if (o.trustedServices !== undefined) spec.trustedServices = readStringList(o.trustedServices, `${path}.trustedServices`);
  if (o.assumeRolePolicyDocument !== undefined) {
    spec.assumeRolePolicyDocument = readPolicyDocument(o.assumeRolePolicyDocument, `${path}.assumeRolePolicyDocument`, 'trust');
  }
  if (spec.trustedServices === undefined && spec.assumeRolePolicyDocument === undefined) {
    fail(`${path}.trustedServices`, 'is required (or give assumeRolePolicyDocument)');
  }
  if (o.allow !== undefined) spec.allow = readStringList(o.allow, `${path}.allow`);
  readPolicyFields(o, path, spec);
  const description = readDescription(o.description, `${path}.description`);
  if (description !== undefined) spec.description = description;
  if (o.maxSessionDuration !== undefined) spec.maxSessionDuration = readInteger(o.maxSessionDuration, `${path}.maxSessionDuration`, 3600, 43200);
  return spec;
}

function readRegion(v: unknown, path: string): RegionSpec {
  const o = readObject(v, path, ['id', 'instances', 'generate']);
  const spec: RegionSpec = { id: readString(o.id, `${path}.id`, REGION_PATTERN, REGION_TEXT) };
  if (o.instances !== undefined) spec.instances = readList(o.instances, `${path}.instances`).map((x, i) => readInstanceSpec(x, `${path}.instances[${i}]`));
  if (o.generate !== undefined) spec.generate = readList(o.generate, `${path}.generate`).map((x, i) => readGenerateSpec(x, `${path}.generate[${i}]`));
  return spec;
}

function readLimits(v: unknown, path: string): LimitsSpec {
  const o = readObject(v, path, ['qps']);
  const limits: LimitsSpec = {};
  if (o.qps !== undefined) {
    const qps = readObject(o.qps, `${path}.qps`, ALL_ACTION_NAMES);
    limits.qps = {};
    for (const [action, value] of Object.entries(qps)) {
      if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) fail(`${path}.qps.${action}`, `must be a positive number, got ${describeValue(value)}`);
      limits.qps[action] = value;
    }
  }
  return limits;
}

/** The IDs a generate entry makes, in order. */
export function generatedIds(g: GenerateSpec): string[] {
  const start = g.start ?? 1;
  const digits = g.digits ?? String(start + g.count - 1).length;
  const ids = new Array<string>(g.count);
  for (let n = 0; n < g.count; n++) ids[n] = g.idPrefix + String(start + n).padStart(digits, '0');
  return ids;
}

/** Checks across the whole fleet: unique names and IDs, roles referenced by instances exist. */
function checkReferences(fleet: FleetSpec): void {
  const policies = fleet.policies ?? [];
  checkPolicies(policies);
  const keyIds = new Set<string>();
  fleet.accessKeys.forEach((k, i) => {
    if (keyIds.has(k.id)) fail(`accessKeys[${i}].id`, `duplicate access key ID ${JSON.stringify(k.id)}`);
    keyIds.add(k.id);
    checkPolicyReferences(k.policies, `accessKeys[${i}].policies`, policies, false);
  });
  if (fleet.roles.length > RAM_QUOTAS.rolesPerAccount) {
    fail('roles', `at most ${RAM_QUOTAS.rolesPerAccount} roles per account (RAM quota), got ${fleet.roles.length}`);
  }
  const roleNames = new Set<string>();
  fleet.roles.forEach((r, i) => {
    if (roleNames.has(r.name.toLowerCase())) fail(`roles[${i}].name`, `duplicate role name ${JSON.stringify(r.name)} (role names are case-insensitive)`);
    roleNames.add(r.name.toLowerCase());
    checkPolicyReferences(r.policies, `roles[${i}].policies`, policies, true);
  });
  const regionIds = new Set<string>();
  const instanceIds = new Set<string>();
  fleet.regions.forEach((region, r) => {
    if (regionIds.has(region.id)) fail(`regions[${r}].id`, `duplicate region ${JSON.stringify(region.id)}`);
    regionIds.add(region.id);
    const checkRole = (role: string | null | undefined, path: string): void => {
      if (role && !fleet.roles.some((x) => x.name === role)) fail(path, `role ${JSON.stringify(role)} is not declared under roles`);
    };
    region.instances?.forEach((inst, i) => {
      if (instanceIds.has(inst.id)) fail(`regions[${r}].instances[${i}].id`, `duplicate instance ID ${JSON.stringify(inst.id)}`);
      instanceIds.add(inst.id);
      checkRole(inst.ramRole, `regions[${r}].instances[${i}].ramRole`);
    });
    region.generate?.forEach((g, i) => {
      for (const id of generatedIds(g)) {
        if (instanceIds.has(id)) fail(`regions[${r}].generate[${i}]`, `generated instance ID ${JSON.stringify(id)} is already used`);
        instanceIds.add(id);
      }
      checkRole(g.ramRole, `regions[${r}].generate[${i}].ramRole`);
    });
  });
}

/** Validates a parsed fleet document. */
export function validateFleet(doc: unknown): FleetSpec {
  const o = readObject(doc ?? {}, '', ['accountId', 'accessKeys', 'roles', 'policies', 'regions', 'limits']);
  const fleet: FleetSpec = {
    accessKeys: o.accessKeys === undefined ? [] : readList(o.accessKeys, 'accessKeys').map((x, i) => readAccessKey(x, `accessKeys[${i}]`)),
    roles: o.roles === undefined ? [] : readList(o.roles, 'roles').map((x, i) => readRole(x, `roles[${i}]`)),
    regions: o.regions === undefined ? [] : readList(o.regions, 'regions').map((x, i) => readRegion(x, `regions[${i}]`)),
  };
  if (o.policies !== undefined) fleet.policies = readList(o.policies, 'policies').map((x, i) => readPolicySpec(x, `policies[${i}]`));
  if (o.accountId !== undefined) fleet.accountId = readString(String(o.accountId), 'accountId', /^\d{16}$/, 'must be 16 digits');
  if (o.limits !== undefined) fleet.limits = readLimits(o.limits, 'limits');
  if (fleet.regions.length === 0) fail('regions', 'at least one region is required');
  checkReferences(fleet);
  return fleet;
}

/** Parses and validates fleet YAML; throws FleetValidationError naming the bad field. */
export function parseFleet(yamlText: string): FleetSpec {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const where = err.linePos?.[0] ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
      throw new FleetValidationError('', `fleet is not valid YAML${where}: ${err.message.split('\n')[0]}`);
    }
    throw err;
  }
  return validateFleet(doc);
}

/** Reads and validates a fleet file; errors name the file and the bad field. */
export function loadFleetFile(path: string): FleetSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read fleet file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return parseFleet(text);
  } catch (err) {
    if (err instanceof FleetValidationError) {
      const wrapped = new FleetValidationError(err.path, `${err.message.slice(err.path ? err.path.length + 2 : 0)} (in ${path})`);
      throw wrapped;
    }
    throw err;
  }
}
