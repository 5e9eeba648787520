import { ApiError, invalidParameter, missingParameter, notSimulated } from './api-error.js';

/** Readers for RPC query parameters, answering with the API's own error codes. */

type Params = Readonly<Record<string, string>>;

export function requiredString(params: Params, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw missingParameter(name);
  return v;
}

export function optionalString(params: Params, name: string): string | undefined {
  const v = params[name];
  return v === undefined || v === '' ? undefined : v;
}

function integerOf(params: Params, name: string): number | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidParameter(name, `"${raw}" is not an integer`);
  return Number(raw);
}

export function optionalInteger(params: Params, name: string, min: number, max: number, fallback: number): number {
  const n = integerOf(params, name);
  if (n === undefined) return fallback;
  if (n < min || n > max) throw invalidParameter(name, `${n} is out of range ${min}-${max}`);
  return n;
}

/** An integer that is clamped into min-max rather than refused (absent: min). */
export function clampedInteger(params: Params, name: string, min: number, max: number): number {
  const n = integerOf(params, name);
  return n === undefined ? min : Math.min(max, Math.max(min, n));
}

/** "true" or "false" (absent: false). */
export function optionalBoolean(params: Params, name: string): boolean {
  const raw = params[name];
  if (raw === undefined || raw === '') return false;
  if (raw !== 'true' && raw !== 'false') throw invalidParameter(name, `"${raw}" must be true or false`);
  return raw === 'true';
}

/** A flattened list `Name.1`, `Name.2`, ... (N from 1 to max), in N order. */
export function indexedList(params: Params, name: string, max: number): string[] {
  const byIndex = new Map<number, string>();
  const pattern = new RegExp(`^${name}\\.(\\d+)$`);
  for (const [key, value] of Object.entries(params)) {
    const m = pattern.exec(key);
    if (!m) {
      if (key.startsWith(`${name}.`)) throw invalidParameter(key, `give the list as ${name}.1, ${name}.2, ...`);
      continue;
    }
    const n = Number(m[1]);
    if (n < 1 || n > max) throw invalidParameter(name, `N in ${name}.N must be from 1 to ${max}`);
    if (value !== '') byIndex.set(n, value);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
}

function malformed(why: string): ApiError {
  return new ApiError(400, 'InvalidInstanceIds.Malformed', `The specified parameter "InstanceIds" is not valid: ${why}`);
}

/**
 * `InstanceIds`: a JSON array of 1..max instance ID strings, duplicates dropped.
 * Returns undefined when absent or "" (the caller decides whether that is allowed).
 */
export function instanceIdList(params: Params, max: number): string[] | undefined {
  const raw = params['InstanceIds'];
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw malformed('it must be a JSON array of instance IDs, e.g. ["i-bp1a","i-bp1b"]');
  }
  if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string' || x === '')) {
    throw malformed('it must be a JSON array of instance ID strings');
  }
  const ids = [...new Set(parsed as string[])];
  if (ids.length > max) throw malformed(`at most ${max} instance IDs are allowed per call, got ${ids.length}`);
  return ids;
}

/** `InstanceIds` that must be given and non-empty. */
export function requiredInstanceIdList(params: Params, max: number): string[] {
  const ids = instanceIdList(params, max);
  if (ids === undefined || ids.length === 0) throw missingParameter('InstanceIds');
  return ids;
}

export interface TagFilter {
  key: string;
  /** undefined = any value. */
  value: string | undefined;
}

/** Tag.N filters of DescribeInstances and ListTagResources: N from 1 to 20. */
export const MAX_TAG_FILTERS = 20;

function tooManyTags(count: number): ApiError {
  return new ApiError(400, 'InvalidTagCount', `The specified tags are beyond the permitted range: at most ${MAX_TAG_FILTERS} Tag.N filters (N 1-${MAX_TAG_FILTERS}), got ${count}.`);
}

/**
 * `Tag.N.Key` / `Tag.N.Value`, N from 1 to 20 (more, or N past 20: 400 InvalidTagCount). A Value
 * without its Key is 400 InvalidParameter.TagValue; a Key alone matches any value.
 */
export function tagFilters(params: Params): TagFilter[] {
  const byIndex = new Map<number, { key?: string; value?: string }>();
  for (const [name, value] of Object.entries(params)) {
    const m = /^Tag\.(\d+)\.(Key|Value)$/.exec(name);
    if (!m) {
      if (name.startsWith('Tag.')) throw invalidParameter(name, 'tags are given as Tag.N.Key and Tag.N.Value');
      continue;
    }
    const n = Number(m[1]);
    if (n < 1) throw invalidParameter(name, `N in Tag.N must be from 1 to ${MAX_TAG_FILTERS}`);
    const entry = byIndex.get(n) ?? {};
    if (m[2] === 'Key') entry.key = value;
    else entry.value = value;
    byIndex.set(n, entry);
  }
  const highest = Math.max(0, ...byIndex.keys());
  if (byIndex.size > MAX_TAG_FILTERS || highest > MAX_TAG_FILTERS) throw tooManyTags(Math.max(byIndex.size, highest));
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, e]) => {
      if (e.key === undefined || e.key === '') {
        if (e.value !== undefined && e.value !== '') throw invalidParameter('TagValue', `Tag.${n}.Value is given without Tag.${n}.Key`);
        throw missingParameter(`Tag.${n}.Key`);
      }
      return { key: e.key, value: e.value };
    });
}

/** Parameters every ECS call may carry that identify the caller's account; they change no answer. */
const ACCOUNT_PARAMS = ['OwnerId', 'OwnerAccount', 'ResourceOwnerId', 'ResourceOwnerAccount'];

/** Refuses any parameter that is neither served (a name, or a pattern of names) nor an account parameter. */
export function rejectUnmodelled(params: Params, action: string, served: ReadonlyArray<string | RegExp>): void {
  for (const name of Object.keys(params)) {
    if (ACCOUNT_PARAMS.includes(name)) continue;
    if (served.some((s) => (typeof s === 'string' ? s === name : s.test(name)))) continue;
    throw notSimulated(name, action);
  }
}
