/**
 * The non-apply PATCH kinds: JSON merge patch (RFC 7386), JSON patch (RFC 6902, with `test`)
 * and strategic merge patch for built-in kinds (merge keys of the common Kubernetes list fields,
 * and the $patch / $retainKeys / $setElementOrder / $deleteFromPrimitiveList directives).
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { deepClone, deepEqual, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { ApiError, badRequest } from './status.js';

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return deepClone(patch);
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export function applyJsonPatch(target: JsonObject, patch: JsonValue): JsonObject {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    const result = jsonpatch.applyPatch(deepClone(target), patch as unknown as Operation[], true, true, true);
    const doc: unknown = result.newDocument;
    if (!isJsonObject(doc as JsonValue)) throw badRequest('the JSON patch did not produce an object');
    return doc as JsonObject;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // kube-apiserver answers every JSON patch that does not apply (a failed test, a missing path)
    // with the same generic Invalid Status, naming neither the operation nor the path.
    throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  }
}

/** Merge keys of list fields in built-in kinds, by field name. */
const MERGE_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  ports: ['containerPort', 'port'],
  imagePullSecrets: ['name'],
  ownerReferences: ['uid'],
  conditions: ['type'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey'],
};
/** Primitive lists merged as sets. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, items: JsonValue[]): string | undefined {
  const candidates = MERGE_KEYS[field];
  if (!candidates) return undefined;
  const first = items.find(isJsonObject);
  if (!first) return undefined;
  return candidates.find((k) => k in first);
}

function strategicList(field: string, original: JsonValue | undefined, patch: JsonValue[]): JsonValue[] {
  const current = Array.isArray(original) ? original : [];
  if (patch.some((item) => isJsonObject(item) && item['$patch'] === 'replace')) {
    return patch.filter((item) => !(isJsonObject(item) && item['$patch'] === 'replace')).map((v) => strip(deepClone(v)));
  }
  if (MERGED_PRIMITIVE_LISTS.has(field) && patch.every((v) => !isJsonObject(v))) {
    const out = [...current];
    for (const v of patch) if (!out.some((o) => deepEqual(o, v))) out.push(v);
    return out;
  }
  const key = mergeKeyFor(field, patch.length > 0 ? patch : current);
  if (!key) return patch.map((v) => strip(deepClone(v)));
  const out = current.map((v) => deepClone(v));
  for (const item of patch) {
    if (!isJsonObject(item)) continue;
    const index = out.findIndex((o) => isJsonObject(o) && deepEqual(o[key], item[key]));
    if (item['$patch'] === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMerge(out[index] as JsonObject, item);
    else out.push(strip(deepClone(item)));
  }
  return out;
}

/** Removes strategic-merge directives from a value that is copied in whole. */
function strip(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(strip);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = strip(v);
  return out;
}

export function strategicMerge(original: JsonObject, patch: JsonObject): JsonObject {
  if (patch['$patch'] === 'replace') return strip(patch) as JsonObject;
  const result: JsonObject = { ...original };
  const retainKeys = patch['$retainKeys'];
  if (Array.isArray(retainKeys)) {
    for (const k of Object.keys(result)) if (!retainKeys.includes(k)) delete result[k];
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const list = result[field];
      if (Array.isArray(list) && Array.isArray(value)) result[field] = list.filter((v) => !value.some((d) => deepEqual(d, v)));
      continue;
    }
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
    } else if (isJsonObject(value)) {
      if (value['$patch'] === 'delete') delete result[key];
      else {
        const cur = result[key];
        result[key] = strategicMerge(isJsonObject(cur) ? cur : {}, value);
      }
    } else if (Array.isArray(value)) {
      result[key] = strategicList(key, result[key], value);
    } else {
      result[key] = value;
    }
  }
  return result;
}
