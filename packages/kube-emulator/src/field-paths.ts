/**
 * Field paths as server-side apply names them, one segment per step in FieldsV1 notation:
 * `f:<field>`, `k:{"name":"x"}` for an item of a map list, `v:"x"` for a value of a set.
 * Walking an object by its shapes yields its leaves (owned values) and its nodes (maps, granular
 * lists and their items, which exist on their own); paths also find, remove and print values.
 */
import type { FieldShapes } from './field-shapes.js';
import { deepEqual, isJsonObject, type JsonObject, type JsonValue } from './json.js';

export const SEP = '\u0000';

/** Server-managed metadata that no manager owns. */
const UNOWNED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

export interface ObjectFields {
  /** Leaf paths with their values. */
  leaves: Map<string, JsonValue>;
  /** Node paths (maps with members, granular lists, list items). */
  nodes: Set<string>;
}

/** The `k:` segment of a map-list item: its key fields, sorted by name. */
function itemKey(item: JsonObject, keys: readonly string[]): string {
  const key: JsonObject = {};
  for (const k of [...keys].sort()) if (item[k] !== undefined) key[k] = item[k] as JsonValue;
  return `k:${JSON.stringify(key)}`;
}

function join(prefix: string, segment: string): string {
  return prefix ? `${prefix}${SEP}${segment}` : segment;
}

export function fieldsOf(obj: JsonObject | undefined, shapes: FieldShapes): ObjectFields {
  const leaves = new Map<string, JsonValue>();
  const nodes = new Set<string>();
  const walk = (value: JsonValue, path: string, shapePath: string[]): void => {
    if (isJsonObject(value)) {
      if (Object.keys(value).length === 0 || shapes.atomicAt(shapePath)) {
        leaves.set(path, value);
        return;
      }
      nodes.add(path);
      for (const [k, v] of Object.entries(value)) walk(v, join(path, `f:${k}`), [...shapePath, k]);
      return;
    }
    if (Array.isArray(value)) {
      const shape = shapes.listAt(shapePath);
      if (shape.kind === 'atomic' || value.length === 0) {
        leaves.set(path, value);
        return;
      }
      nodes.add(path);
      const itemShape = [...shapePath, '*'];
      for (const item of value) {
        if (shape.kind === 'set') {
          leaves.set(join(path, `v:${JSON.stringify(item)}`), item);
        } else if (isJsonObject(item)) {
          const itemPath = join(path, itemKey(item, shape.keys));
          nodes.add(itemPath);
          for (const [k, v] of Object.entries(item)) walk(v, join(itemPath, `f:${k}`), [...itemShape, k]);
        }
      }
      return;
    }
    leaves.set(path, value);
  };
  if (!obj) return { leaves, nodes };
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'metadata' && isJsonObject(value)) {
      for (const [mk, mv] of Object.entries(value)) if (!UNOWNED_METADATA.has(mk)) walk(mv, `f:metadata${SEP}f:${mk}`, ['metadata', mk]);
      continue;
    }
    walk(value, `f:${key}`, [key]);
  }
  return { leaves, nodes };
}

export function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b + SEP) || b.startsWith(a + SEP);
}

export function segmentsOf(path: string): string[] {
  return path.split(SEP);
}

/** The index of the list item a `k:` or `v:` segment names, or -1. */
function itemIndex(list: JsonValue[], segment: string): number {
  const body = JSON.parse(segment.slice(2)) as JsonValue;
  if (segment.startsWith('v:')) return list.findIndex((item) => deepEqual(item, body));
  const key = isJsonObject(body) ? body : {};
  return list.findIndex((item) => isJsonObject(item) && Object.entries(key).every(([k, v]) => deepEqual(item[k], v)));
}

export function valueAt(obj: JsonObject, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const seg of segmentsOf(path)) {
    if (seg.startsWith('f:')) {
      if (!isJsonObject(cur)) return undefined;
      cur = cur[seg.slice(2)];
    } else {
      if (!Array.isArray(cur)) return undefined;
      const i = itemIndex(cur, seg);
      cur = i >= 0 ? cur[i] : undefined;
    }
  }
  return cur;
}

/** Removes the value at `path`; lists and maps that this leaves empty go too (as apply's removal drops them). */
export function deleteAt(obj: JsonObject, path: string): void {
  const segs = segmentsOf(path);
  const chain: JsonValue[] = [obj];
  let cur: JsonValue | undefined = obj;
  for (const seg of segs.slice(0, -1)) {
    if (seg.startsWith('f:')) cur = isJsonObject(cur) ? cur[seg.slice(2)] : undefined;
    else cur = Array.isArray(cur) ? cur[itemIndex(cur, seg)] : undefined;
    if (cur === undefined) return;
    chain.push(cur);
  }
  for (let depth = segs.length - 1; depth >= 0; depth--) {
    const container = chain[depth];
    const seg = segs[depth] as string;
    if (seg.startsWith('f:')) {
      if (!isJsonObject(container) || !(seg.slice(2) in container)) return;
      delete container[seg.slice(2)];
    } else if (Array.isArray(container)) {
      const i = itemIndex(container, seg);
      if (i < 0) return;
      container.splice(i, 1);
    } else {
      return;
    }
    const emptied = isJsonObject(container) ? Object.keys(container).length === 0 : Array.isArray(container) && container.length === 0;
    // A top-level field (spec, metadata) stays even when emptied.
    if (!emptied || depth <= 1) return;
  }
}

/** How conflict messages print a path: `.spec.containers[name="app"].image`, `.metadata.finalizers[="x"]`. */
export function displayPath(path: string): string {
  return segmentsOf(path)
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      const body = JSON.parse(seg.slice(2)) as JsonValue;
      if (seg.startsWith('v:')) return `[=${JSON.stringify(body)}]`;
      const key = isJsonObject(body) ? body : {};
      return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}
