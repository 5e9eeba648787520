/**
 * Readers for the fields of a fleet document. Each throws FleetValidationError whose message
 * starts with the path of the bad field, e.g. `regions[0].instances[3].network: must be ...`.
 */

/** A fleet file that does not validate; the message starts with the path of the bad field. */
export class FleetValidationError extends Error {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'FleetValidationError';
    this.path = path;
  }
}

export type Obj = Record<string, unknown>;

export function fail(path: string, problem: string): never {
  throw new FleetValidationError(path, problem);
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function readObject(v: unknown, path: string, allowed: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `must be a mapping, got ${describeValue(v)}`);
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return v as Obj;
}

export function readList(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, `must be a list, got ${describeValue(v)}`);
  return v;
}

export function readString(v: unknown, path: string, pattern?: RegExp, patternText?: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(path, `must be a non-empty string, got ${describeValue(v)}`);
  if (pattern && !pattern.test(v)) fail(path, `${JSON.stringify(v)} ${patternText ?? `must match ${pattern}`}`);
  return v;
}

export function readOptionalString(v: unknown, path: string, pattern?: RegExp, patternText?: string): string | undefined {
  return v === undefined ? undefined : readString(v, path, pattern, patternText);
}

export function readInteger(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, `must be an integer from ${min} to ${max}, got ${describeValue(v)}`);
  }
  return v;
}

export function readStringList(v: unknown, path: string): string[] {
  return readList(v, path).map((item, i) => readString(item, `${path}[${i}]`));
}

export function readTags(v: unknown, path: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `must be a mapping of tag key to value, got ${describeValue(v)}`);
  const tags: Record<string, string> = {};
  const entries = Object.entries(v as Obj);
  if (entries.length > 20) fail(path, `at most 20 tags, got ${entries.length}`);
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 128) fail(`${path}`, `tag key ${JSON.stringify(key)} must be 1-128 characters`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      fail(`${path}.${key}`, `must be a string, got ${describeValue(value)}`);
    }
    tags[key] = String(value);
  }
  return tags;
}
