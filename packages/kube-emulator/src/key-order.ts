/**
 * The order of keys in the JSON the real server writes: custom resources are maps, which Go's
 * encoder writes with sorted keys; built-in kinds are structs, written in field order. Clients
 * notice (kubectl compares the bytes before and after a patch to print "(no change)"), so stored
 * objects are kept in that order.
 */
import { roundTripGoJson } from './go-types/go-json.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { ResourceType } from './resource-type.js';

/**
 * `value` with every object's keys sorted. Objects (and arrays) already in order come back as
 * they are, not copied: the caller hands over an object of its own, and most of a write's object
 * (everything it did not change) is in order already.
 */
function sortedDeep(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    let out: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as JsonValue;
      const sorted = sortedDeep(item);
      if (sorted !== item) (out ??= value.slice())[i] = sorted;
    }
    return out ?? value;
  }
  if (!isJsonObject(value)) return value;
  const keys = Object.keys(value);
  let inOrder = true;
  for (let i = 1; i < keys.length && inOrder; i++) inOrder = (keys[i - 1] as string) < (keys[i] as string);
  if (!inOrder) {
    const out: JsonObject = {};
    for (const k of keys.sort()) out[k] = sortedDeep(value[k] as JsonValue);
    return out;
  }
  for (const k of keys) {
    const child = value[k] as JsonValue;
    const sorted = sortedDeep(child);
    if (sorted !== child) value[k] = sorted;
  }
  return value;
}

export function inServerKeyOrder(t: ResourceType, obj: JsonObject): JsonObject {
  if (t.goStruct) return roundTripGoJson(t.goStruct, obj).value;
  return sortedDeep(obj) as JsonObject;
}
