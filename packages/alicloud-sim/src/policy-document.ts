import { conditionValueProblem, isConditionOperator, type ConditionTest } from './policy-conditions.js';

/**
 * RAM policy documents, parsed and validated: permission policies (Effect, Action / NotAction,
 * Resource / NotResource, Condition) and trust policies (Effect, Action, Principal, Condition).
 * `Version` must be "1". A document is given as its JSON text or as the parsed object (a YAML
 * mapping in a fleet file).
 */

export type Effect = 'Allow' | 'Deny';
export type PolicyKind = 'permission' | 'trust';

/** `Action` (negated: false) or `NotAction` (negated: true); likewise for resources. */
export interface PatternList {
  negated: boolean;
  patterns: readonly string[];
}

export interface PolicyStatement {
  effect: Effect;
  actions: PatternList;
  /** Permission policies only. */
  resources: PatternList | null;
  /** Trust policies only: principal type ("Service", "RAM", "Federated") to identifiers. */
  principal: Readonly<Record<string, readonly string[]>> | null;
  conditions: readonly ConditionTest[];
}

export interface PolicyDocument {
  /** The document as JSON text (as given, or serialised from the mapping). */
  text: string;
  statements: readonly PolicyStatement[];
}

export type ParsedPolicy = { document: PolicyDocument } | { error: string };

/** RAM's documented length limit of a custom policy document (CreatePolicy `PolicyDocument`). */
export const MAX_POLICY_DOCUMENT_LENGTH = 6144;

const ACTION_PATTERN = /^\*$|^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;
const RESOURCE_PATTERN = /^\*$|^acs:/;
const STATEMENT_FIELDS: Record<PolicyKind, readonly string[]> = {
  permission: ['Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'],
  trust: ['Effect', 'Action', 'NotAction', 'Principal', 'Condition'],
};

class PolicyProblem extends Error {}

function problem(where: string, what: string): never {
  throw new PolicyProblem(`${where} ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, where: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'string' || x === '')) {
    problem(where, 'must be a non-empty string or a non-empty list of strings');
  }
  return list as string[];
}

function patternList(s: Record<string, unknown>, name: string, where: string, shape: RegExp, shapeText: string): PatternList | null {
  const positive = s[name];
  const negative = s[`Not${name}`];
  if (positive !== undefined && negative !== undefined) problem(where, `gives both ${name} and Not${name}`);
  if (positive === undefined && negative === undefined) return null;
  const field = positive !== undefined ? name : `Not${name}`;
  const patterns = stringList(positive ?? negative, `${where}.${field}`);
  for (const p of patterns) if (!shape.test(p)) problem(`${where}.${field}`, `${JSON.stringify(p)} ${shapeText}`);
  return { negated: positive === undefined, patterns };
}

function conditionValue(v: unknown, where: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) problem(where, 'must have at least one value');
  return list.map((x) => {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return String(x);
    problem(where, 'values must be strings, numbers or booleans');
  });
}

function conditions(v: unknown, where: string): ConditionTest[] {
  if (v === undefined) return [];
  if (!isObject(v)) problem(where, 'must be a mapping of operator to {key: values}');
  const tests: ConditionTest[] = [];
  for (const [operator, block] of Object.entries(v)) {
    if (!isConditionOperator(operator)) problem(`${where}.${operator}`, 'is not a RAM condition operator');
    if (!isObject(block) || Object.keys(block).length === 0) problem(`${where}.${operator}`, 'must be a mapping of condition key to values');
    for (const [key, raw] of Object.entries(block)) {
      const values = conditionValue(raw, `${where}.${operator}.${key}`);
      for (const value of values) {
        const why = conditionValueProblem(operator, value);
        if (why) problem(`${where}.${operator}.${key}`, why);
      }
      tests.push({ operator, key, values });
    }
  }
  return tests;
}

function principal(v: unknown, where: string): Record<string, string[]> {
  if (!isObject(v) || Object.keys(v).length === 0) problem(where, 'must be a mapping such as {"Service": ["ecs.aliyuncs.com"]}');
  const out: Record<string, string[]> = {};
  for (const [type, ids] of Object.entries(v)) out[type] = stringList(ids, `${where}.${type}`);
  return out;
}

function statement(v: unknown, where: string, kind: PolicyKind): PolicyStatement {
  if (!isObject(v)) problem(where, 'must be an object');
  for (const key of Object.keys(v)) {
    if (!STATEMENT_FIELDS[kind].includes(key)) problem(`${where}.${key}`, `is not a field of a ${kind} policy statement (fields: ${STATEMENT_FIELDS[kind].join(', ')})`);
  }
  if (v.Effect !== 'Allow' && v.Effect !== 'Deny') problem(`${where}.Effect`, 'must be "Allow" or "Deny"');
  const actions = patternList(v, 'Action', where, ACTION_PATTERN, 'must be "*" or "<service>:<action>" (wildcards * and ?)');
  if (actions === null) problem(`${where}.Action`, 'is missing');
  let resources: PatternList | null = null;
  let principals: Record<string, string[]> | null = null;
  if (kind === 'permission') {
    resources = patternList(v, 'Resource', where, RESOURCE_PATTERN, 'must be "*" or an ARN starting with "acs:"');
    if (resources === null) problem(`${where}.Resource`, 'is missing');
  } else {
    principals = principal(v.Principal, `${where}.Principal`);
  }
  return { effect: v.Effect, actions, resources, principal: principals, conditions: conditions(v.Condition, `${where}.Condition`) };
}

/** Parses and validates a policy; the error names the bad element, e.g. `Statement[1].Effect must be ...`. */
export function parsePolicyDocument(source: unknown, kind: PolicyKind): ParsedPolicy {
  let parsed: unknown = source;
  let text: string;
  if (typeof source === 'string') {
    text = source;
    try {
      parsed = JSON.parse(source);
    } catch (err) {
      return { error: `is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
    }
  } else {
    text = JSON.stringify(source);
  }
  try {
    if (!isObject(parsed)) problem('the document', 'must be a JSON object with "Version" and "Statement"');
    for (const key of Object.keys(parsed)) if (key !== 'Version' && key !== 'Statement') problem(key, 'is not a policy field (fields: Version, Statement)');
    if (parsed.Version !== '1') problem('Version', 'must be the string "1"');
    if (!Array.isArray(parsed.Statement) || parsed.Statement.length === 0) problem('Statement', 'must be a non-empty list');
    const statements = parsed.Statement.map((s, i) => statement(s, `Statement[${i}]`, kind));
    return { document: { text, statements } };
  } catch (err) {
    if (err instanceof PolicyProblem) return { error: err.message };
    throw err;
  }
}

/** The fleet file's `allow:` shorthand: one Allow statement for those actions on every resource. */
export function allowListDocument(actions: readonly string[]): PolicyDocument {
  const json = { Version: '1', Statement: [{ Effect: 'Allow', Action: [...actions], Resource: '*' }] };
  if (actions.length === 0) return { text: JSON.stringify({ ...json, Statement: [] }), statements: [] };
  const parsed = parsePolicyDocument(json, 'permission');
  if ('error' in parsed) throw new Error(`allow list ${JSON.stringify(actions)}: ${parsed.error}`);
  return parsed.document;
}

/** A trust policy letting the given services assume the role. */
export function trustPolicyFor(services: readonly string[]): string {
  return JSON.stringify({
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: [...services] } }],
    Version: '1',
  });
}
