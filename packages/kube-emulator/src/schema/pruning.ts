// Pruning of unknown fields (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning):
// fields the schema does not declare are removed, except under
// x-kubernetes-preserve-unknown-fields and the apiVersion/kind/metadata of the object root and
// of embedded resources. Returns the removed paths, sorted, each with a leading dot
// (`.spec.foo`, `.spec.items[0].bar`).

import { isRecord } from './correlation.js';
import type { SchemaNode } from './structural.js';

const metaFields = new Set(['apiVersion', 'kind', 'metadata']);

class Pruner {
  readonly removed: string[] = [];

  prune(value: unknown, node: SchemaNode | undefined, path: string, isEmbedded: boolean): void {
    if (node?.preserveUnknownFields) {
      this.descendKnown(value, node, path, isEmbedded);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => this.prune(item, node?.items, `${path}[${index}]`, node?.items?.embeddedResource ?? false));
      return;
    }
    if (!isRecord(value)) return;
    for (const key of Object.keys(value)) {
      if (isEmbedded && metaFields.has(key)) continue;
      const property = node?.properties?.get(key);
      if (node !== undefined && property !== undefined) {
        this.prune(value[key], property, `${path}.${key}`, property.embeddedResource);
      } else if (node !== undefined && node.additionalProperties !== undefined) {
        const additional = node.additionalProperties === true ? undefined : node.additionalProperties;
        if (additional === undefined) continue;
        this.prune(value[key], additional, `${path}.${key}`, additional.embeddedResource);
      } else {
        this.removed.push(`${path}.${key}`);
        delete value[key];
      }
    }
  }

  /** Inside preserve-unknown-fields: keep everything, but still prune what has a schema. */
  private descendKnown(value: unknown, node: SchemaNode, path: string, isEmbedded: boolean): void {
    if (Array.isArray(value)) {
      const items = node.items;
      value.forEach((item, index) => {
        if (items !== undefined) this.descendKnown(item, items, `${path}[${index}]`, items.embeddedResource);
      });
      return;
    }
    if (!isRecord(value)) return;
    for (const key of Object.keys(value)) {
      if (isEmbedded && metaFields.has(key)) continue;
      const property = node.properties?.get(key);
      if (property !== undefined) {
        this.prune(value[key], property, `${path}.${key}`, property.embeddedResource);
      } else if (node.additionalProperties !== undefined && node.additionalProperties !== true) {
        this.prune(value[key], node.additionalProperties, `${path}.${key}`, node.additionalProperties.embeddedResource);
      }
    }
  }
}

/** Prunes a whole custom resource; the root keeps apiVersion, kind and metadata. */
export function pruneUnknownFields(object: Record<string, unknown>, root: SchemaNode): string[] {
  const pruner = new Pruner();
  pruner.prune(object, root, '', true);
  return pruner.removed.sort();
}

/** Prunes a value against its own schema node (used to check that defaults carry no unknown fields). */
export function pruneValue(value: unknown, node: SchemaNode): string[] {
  const pruner = new Pruner();
  pruner.prune(value, node, '', node.embeddedResource);
  return pruner.removed.sort();
}
