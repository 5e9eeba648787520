/**
 * The order of keys in the JSON the real server writes: custom resources are maps, which Go's
 * encoder writes with sorted keys; built-in kinds are structs, written in field order. Clients
 * notice (kubectl compares the bytes before and after a patch to print "(no change)"), so stored
 * objects are kept in that order.
 */
import { roundTripGoJson } from './go-types/go-json.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { ResourceType } from './resource-type.js';

function sortedDeep(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const k of Object.keys(value).sort()) out[k] = sortedDeep(value[k] as JsonValue);
  return out;
}

export function inServerKeyOrder(t: ResourceType, obj: JsonObject): JsonObject {
  if (t.goStruct) return roundTripGoJson(t.goStruct, obj).value;
  return sortedDeep(obj) as JsonObject;
}
