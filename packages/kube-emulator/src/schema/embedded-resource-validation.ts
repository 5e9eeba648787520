// Checks of x-kubernetes-embedded-resource values (schema/objectmeta.Validate): an embedded
// object needs a string apiVersion and kind and an object metadata.

import { invalidCause, requiredCause, type FieldCause } from './field-error.js';
import { FieldPath } from './field-path.js';
import { isRecord } from './correlation.js';
import type { SchemaNode } from './structural.js';

function validateEmbedded(path: FieldPath, value: Record<string, unknown>, out: FieldCause[]): void {
  for (const field of ['apiVersion', 'kind']) {
    const fieldPath = path.child(field).toString();
    if (!(field in value)) {
      out.push(requiredCause(fieldPath, 'must not be empty'));
      continue;
    }
    const text = value[field];
    if (typeof text !== 'string') out.push(invalidCause(fieldPath, text, 'must be a string'));
    else if (text.length === 0) out.push(invalidCause(fieldPath, text, 'must not be empty'));
  }
  if ('metadata' in value && !isRecord(value['metadata'])) {
    out.push(invalidCause(path.child('metadata').toString(), value['metadata'], 'must be an object'));
  }
}

function walk(value: unknown, node: SchemaNode | undefined, path: FieldPath, isRoot: boolean, out: FieldCause[]): void {
  if (node === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, node.items, path.index(index), false, out));
    return;
  }
  if (!isRecord(value)) return;
  if (node.embeddedResource && !isRoot) validateEmbedded(path, value, out);
  for (const [key, child] of Object.entries(value)) {
    const property = node.properties?.get(key);
    if (property !== undefined) walk(child, property, path.child(key), false, out);
    else if (node.additionalProperties !== undefined && node.additionalProperties !== true) walk(child, node.additionalProperties, path.key(key), false, out);
  }
}

export function validateEmbeddedResources(object: Record<string, unknown>, root: SchemaNode): FieldCause[] {
  const out: FieldCause[] = [];
  walk(object, root, FieldPath.root, true, out);
  return out;
}
