// The x-kubernetes-list-type invariants (structurallisttype.ValidateListSetsAndMaps): items of
// a `set` list are unique, items of a `map` list have unique key tuples. Each repeat is a
// FieldValueDuplicate at the repeated item (`spec.instanceIds[3]`).

import { duplicateCause, invalidCause, type FieldCause } from './field-error.js';
import { FieldPath } from './field-path.js';
import { isRecord } from './correlation.js';
import type { SchemaNode } from './structural.js';

/** Indices of the second occurrence of each repeated value (later repeats are not reported again). */
function repeatedIndices(values: readonly unknown[]): number[] {
  const seen = new Map<string, number>();
  const repeated: number[] = [];
  values.forEach((value, index) => {
    const key = value === undefined ? '\u0000unspecified' : JSON.stringify(value);
    const times = seen.get(key) ?? 0;
    if (times === 1) repeated.push(index);
    seen.set(key, times + 1);
  });
  return repeated;
}

function validateListMap(path: FieldPath, node: SchemaNode, list: unknown[], out: FieldCause[]): void {
  for (let index = 0; index < list.length; index++) {
    const item = list[index];
    if (item !== null && !isRecord(item)) {
      out.push(invalidCause(path.index(index).toString(), item, 'must be an object for an array of list-type map'));
      return;
    }
  }
  const keyNames = node.listMapKeys ?? [];
  if (list.length <= 1 || keyNames.length === 0) return;
  const keys = list.map((item) => {
    const tuple: Record<string, unknown> = {};
    if (isRecord(item)) for (const name of keyNames) if (name in item) tuple[name] = item[name];
    return tuple;
  });
  const comparable = keyNames.length === 1 ? keys.map((tuple) => tuple[keyNames[0] ?? '']) : keys;
  for (const index of repeatedIndices(comparable)) out.push(duplicateCause(path.index(index).toString(), keys[index]));
}

function walk(value: unknown, node: SchemaNode | undefined, path: FieldPath, out: FieldCause[]): void {
  if (node === undefined) return;
  if (Array.isArray(value)) {
    if (node.listType === 'set') {
      for (const index of repeatedIndices(value)) out.push(duplicateCause(path.index(index).toString(), value[index]));
    } else if (node.listType === 'map') {
      validateListMap(path, node, value, out);
    }
    value.forEach((item, index) => walk(item, node.items, path.index(index), out));
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const property = node.properties?.get(key);
    if (property !== undefined) walk(child, property, path.child(key), out);
    else if (node.additionalProperties !== undefined && node.additionalProperties !== true) walk(child, node.additionalProperties, path.key(key), out);
  }
}

export function validateListTypes(object: Record<string, unknown>, root: SchemaNode): FieldCause[] {
  const out: FieldCause[] = [];
  walk(object, root, FieldPath.root, out);
  return out;
}
