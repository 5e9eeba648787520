import { ApiError, invalidParameter, missingParameter } from './api-error.js';

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

export function optionalInteger(params: Params, name: string, min: number, max: number, fallback: number): number {
  const raw = params[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw invalidParameter(name, `"${raw}" is not an integer`);
  const n = Number(raw);
  if (n < min || n > max) throw invalidParameter(name, `${n} is out of range ${min}-${max}`);
  return n;
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

/** `Tag.N.Key` / `Tag.N.Value`, N from 1 to 20. */
export function tagFilters(params: Params): TagFilter[] {
  const byIndex = new Map<number, { key?: string; value?: string }>();
  for (const [name, value] of Object.entries(params)) {
    const m = /^Tag\.(\d+)\.(Key|Value)$/.exec(name);
    if (!m) {
      if (name.startsWith('Tag.')) throw invalidParameter(name, 'tags are given as Tag.N.Key and Tag.N.Value');
      continue;
    }
    const n = Number(m[1]);
    if (n < 1 || n > 20) throw invalidParameter(name, 'N in Tag.N must be from 1 to 20');
    const entry = byIndex.get(n) ?? {};
    if (m[2] === 'Key') entry.key = value;
    else entry.value = value;
    byIndex.set(n, entry);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, e]) => {
      if (e.key === undefined || e.key === '') throw missingParameter(`Tag.${n}.Key`);
      return { key: e.key, value: e.value };
    });
}
