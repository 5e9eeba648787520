/** Reading and writing the metadata of plain JSON objects. */
import { isJsonObject, type JsonObject } from './json.js';

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export function meta(obj: JsonObject): JsonObject {
  const m = obj['metadata'];
  if (isJsonObject(m)) return m;
  const created: JsonObject = {};
  obj['metadata'] = created;
  return created;
}

export function metaString(obj: JsonObject, key: string): string {
  const v = isJsonObject(obj['metadata']) ? obj['metadata'][key] : undefined;
  return typeof v === 'string' ? v : '';
}

export function finalizersOf(obj: JsonObject): string[] {
  const f = isJsonObject(obj['metadata']) ? obj['metadata']['finalizers'] : undefined;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

export function labelsOf(obj: JsonObject): Record<string, string> {
  const l = isJsonObject(obj['metadata']) ? obj['metadata']['labels'] : undefined;
  const out: Record<string, string> = {};
  if (isJsonObject(l)) for (const [k, v] of Object.entries(l)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** `namespace/name`: the order lists are returned in, and where a continue token resumes. */
export function sortKey(obj: JsonObject): string {
  return `${metaString(obj, 'namespace')}/${metaString(obj, 'name')}`;
}
