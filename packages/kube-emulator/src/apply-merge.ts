/**
 * Merging an applied configuration into the live object the way server-side apply does: maps
 * merge field by field, null removes a field, atomic lists and structs are replaced, sets and map
 * lists merge item by item (map items recursively, matched by their keys). A merged list keeps the
 * applied items in applied order and the live-only items where they were, between them.
 */
import type { FieldShapes } from './field-shapes.js';
import { deepClone, isJsonObject, type JsonObject, type JsonValue } from './json.js';

function identity(item: JsonValue, keys: readonly string[] | undefined): string {
  if (!keys) return JSON.stringify(item);
  const obj = isJsonObject(item) ? item : {};
  return JSON.stringify([...keys].sort().map((k) => obj[k] ?? null));
}

/** Two-pointer merge of a live and an applied list of granular items. */
function mergeList(live: JsonValue[], applied: JsonValue[], keys: readonly string[] | undefined, mergeItem: (l: JsonValue | undefined, r: JsonValue) => JsonValue): JsonValue[] {
  const liveIds = live.map((i) => identity(i, keys));
  const appliedIds = applied.map((i) => identity(i, keys));
  const inApplied = new Map(appliedIds.map((id, i) => [id, i]));
  const inLive = new Map(liveIds.map((id, i) => [id, i]));
  const shared = appliedIds.filter((id) => inLive.has(id));
  const out: JsonValue[] = [];
  const done = new Set<string>();
  let nextShared = 0;
  let l = 0;
  let r = 0;
  while (l < live.length || r < applied.length) {
    const lid = liveIds[l];
    const rid = appliedIds[r];
    if (l < live.length && r < applied.length && lid === rid) {
      out.push(mergeItem(live[l], applied[r] as JsonValue));
      done.add(lid as string);
      l++;
      r++;
      nextShared++;
      continue;
    }
    if (l < live.length) {
      const id = lid as string;
      if (!inApplied.has(id)) {
        out.push(deepClone(live[l] as JsonValue));
        l++;
        continue;
      }
      if (done.has(id) || shared[nextShared] !== id) {
        l++;
        continue;
      }
    }
    if (r < applied.length) {
      const id = rid as string;
      const li = inLive.get(id);
      out.push(mergeItem(li !== undefined ? live[li] : undefined, applied[r] as JsonValue));
      done.add(id);
      if (shared[nextShared] === id) nextShared++;
      r++;
    } else {
      l++;
    }
  }
  return out;
}

function mergeValue(live: JsonValue | undefined, applied: JsonValue, shapes: FieldShapes, path: string[]): JsonValue {
  if (isJsonObject(applied)) {
    if (!isJsonObject(live) || shapes.atomicAt(path)) return deepClone(applied);
    const out = deepClone(live);
    mergeInto(out, applied, shapes, path);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const shape = shapes.listAt(path);
    if (shape.kind === 'set') return mergeList(live, applied, undefined, (_l, r) => deepClone(r));
    if (shape.kind === 'map') return mergeList(live, applied, shape.keys, (l, r) => mergeValue(l, r, shapes, [...path, '*']));
  }
  return deepClone(applied);
}

/** Merges `applied` into `target` (in place). */
export function mergeInto(target: JsonObject, applied: JsonObject, shapes: FieldShapes, path: string[] = []): void {
  for (const [k, v] of Object.entries(applied)) {
    if (v === null) delete target[k];
    else target[k] = mergeValue(target[k], v, shapes, [...path, k]);
  }
}
