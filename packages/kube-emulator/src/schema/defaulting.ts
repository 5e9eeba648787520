// Structural defaulting as the API server applies it when it decodes a custom resource: nulls
// of non-nullable fields without a default are dropped, then every absent (or non-nullable
// null) field that has a `default` gets a copy of it; defaulted objects are walked again, so
// their own nested defaults apply too.

import { isRecord } from './correlation.js';
import type { SchemaNode } from './structural.js';

function schemaForField(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (node === undefined) return undefined;
  const property = node.properties?.get(key);
  if (property !== undefined) return property;
  return node.additionalProperties === true ? undefined : node.additionalProperties;
}

function isNonNullableNull(value: unknown, node: SchemaNode | undefined): boolean {
  return value === null && node !== undefined && !node.nullable;
}

/** PruneNonNullableNullsWithoutDefaults. */
export function pruneNonNullableNulls(value: unknown, node: SchemaNode | undefined): void {
  if (Array.isArray(value)) {
    for (const item of value) pruneNonNullableNulls(item, node?.items);
    return;
  }
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    const child = schemaForField(node, key);
    if (isNonNullableNull(value[key], child) && child !== undefined && !child.hasDefault) {
      delete value[key];
    } else {
      pruneNonNullableNulls(value[key], child);
    }
  }
}

/** Default (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting). */
export function applyDefaultValues(value: unknown, node: SchemaNode | undefined): void {
  if (node === undefined) return;
  if (Array.isArray(value)) {
    const items = node.items;
    if (items === undefined) return;
    value.forEach((item, index) => {
      if (isNonNullableNull(item, items) && items.hasDefault) value[index] = structuredClone(items.defaultValue);
      applyDefaultValues(value[index], items);
    });
    return;
  }
  if (!isRecord(value)) return;
  if (node.properties !== undefined) {
    for (const [key, property] of node.properties) {
      if (!property.hasDefault) continue;
      if (!(key in value) || isNonNullableNull(value[key], property)) value[key] = structuredClone(property.defaultValue);
    }
  }
  for (const key of Object.keys(value)) {
    const property = node.properties?.get(key);
    if (property !== undefined) {
      applyDefaultValues(value[key], property);
    } else if (node.additionalProperties !== undefined && node.additionalProperties !== true) {
      const additional = node.additionalProperties;
      if (isNonNullableNull(value[key], additional) && additional.hasDefault) value[key] = structuredClone(additional.defaultValue);
      applyDefaultValues(value[key], additional);
    }
  }
}
