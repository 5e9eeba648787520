import { describeValue, fail, readList, readObject, readOptionalString, readString, type Obj } from './fleet-readers.js';
import { MAX_POLICY_DOCUMENT_LENGTH, parsePolicyDocument, type PolicyKind } from './policy-document.js';
import { MAX_DESCRIPTION_LENGTH, POLICY_NAME_PATTERN } from './products.js';
import { RAM_QUOTAS, perRoleLimit } from './ram-quotas.js';
import { systemPolicyName } from './system-policies.js';

/**
 * The policy parts of a fleet file: the account's custom `policies:` (name + document), and on
 * access keys and roles an inline `policy:` and `policies:` references by name. A document is a
 * YAML mapping or its JSON text; it is validated here and kept as JSON text.
 */

export interface PolicySpec {
  /** 1-128 letters, digits or "-". */
  name: string;
  /** The policy document as JSON text. */
  document: string;
  description?: string;
}

export interface PolicyReference {
  policyType: 'Custom' | 'System';
  policyName: string;
}

const POLICY_NAME_TEXT = 'must be 1-128 letters, digits or "-"';

/** A policy document field: a mapping or JSON text, valid for `kind`, returned as JSON text. */
export function readPolicyDocument(v: unknown, path: string, kind: PolicyKind): string {
  if (typeof v !== 'string' && (typeof v !== 'object' || v === null || Array.isArray(v))) {
    fail(path, `must be a policy document (a mapping, or its JSON text), got ${describeValue(v)}`);
  }
  const parsed = parsePolicyDocument(v, kind);
  if ('error' in parsed) fail(path, parsed.error);
  if (kind === 'permission' && parsed.document.text.length > MAX_POLICY_DOCUMENT_LENGTH) {
    fail(path, `is ${parsed.document.text.length} characters; a policy document holds at most ${MAX_POLICY_DOCUMENT_LENGTH}`);
  }
  return parsed.document.text;
}

export function readDescription(v: unknown, path: string): string | undefined {
  const description = readOptionalString(v, path);
  if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) fail(path, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
  return description;
}

export function readPolicySpec(v: unknown, path: string): PolicySpec {
  const o: Obj = readObject(v, path, ['name', 'document', 'description']);
  const spec: PolicySpec = {
    name: readString(o.name, `${path}.name`, POLICY_NAME_PATTERN, POLICY_NAME_TEXT),
    document: readPolicyDocument(o.document, `${path}.document`, 'permission'),
  };
  const description = readDescription(o.description, `${path}.description`);
  if (description !== undefined) spec.description = description;
  return spec;
}

export function readPolicyNames(v: unknown, path: string): string[] {
  return readList(v, path).map((item, i) => readString(item, `${path}[${i}]`, POLICY_NAME_PATTERN, POLICY_NAME_TEXT));
}

/** A name in `policies:` means the fleet's custom policy of that name, else a known System policy. */
export function resolvePolicyName(name: string, custom: readonly PolicySpec[]): PolicyReference | undefined {
  const own = custom.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (own) return { policyType: 'Custom', policyName: own.name };
  const system = systemPolicyName(name);
  return system === undefined ? undefined : { policyType: 'System', policyName: system };
}

/** Unique names, within the account quota. */
export function checkPolicies(policies: readonly PolicySpec[]): void {
  if (policies.length > RAM_QUOTAS.customPoliciesPerAccount) {
    fail('policies', `at most ${RAM_QUOTAS.customPoliciesPerAccount} custom policies per account (RAM quota), got ${policies.length}`);
  }
  const seen = new Set<string>();
  policies.forEach((p, i) => {
    if (seen.has(p.name.toLowerCase())) fail(`policies[${i}].name`, `duplicate policy name ${JSON.stringify(p.name)} (policy names are case-insensitive)`);
    seen.add(p.name.toLowerCase());
  });
}

/** Each reference resolves, none twice; a role (perRole) stays within the per-role quotas. */
export function checkPolicyReferences(names: readonly string[] | undefined, path: string, custom: readonly PolicySpec[], perRole: boolean): void {
  if (names === undefined) return;
  const counts = { Custom: 0, System: 0 };
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const ref = resolvePolicyName(name, custom);
    if (!ref) fail(`${path}[${i}]`, `policy ${JSON.stringify(name)} is neither declared under policies nor a known System policy`);
    const key = `${ref.policyType}:${ref.policyName.toLowerCase()}`;
    if (seen.has(key)) fail(`${path}[${i}]`, `policy ${JSON.stringify(name)} is listed twice`);
    seen.add(key);
    counts[ref.policyType]++;
  });
  if (!perRole) return;
  for (const type of ['Custom', 'System'] as const) {
    if (counts[type] > perRoleLimit(type)) fail(path, `at most ${perRoleLimit(type)} ${type} policies per role (RAM quota), got ${counts[type]}`);
  }
}
