/**
 * OpenAPI v3 documents per group-version (/openapi/v3 and /openapi/v3/<path>): component schemas
 * carrying x-kubernetes-group-version-kind (what `kubectl explain` reads) and PATCH operations
 * that list the fieldValidation/dryRun query parameters (what makes kubectl choose server-side
 * field validation).
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from './json.js';
import type { ResourceRegistry, ResourceType } from './resource-type.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const OBJECT_META_SCHEMA: JsonObject = {
  type: 'object',
  description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  properties: {
    name: { type: 'string', description: 'Name must be unique within a namespace.' },
    generateName: { type: 'string', description: 'An optional prefix used by the server to generate a unique name.' },
    namespace: { type: 'string', description: 'Namespace defines the space within which each name must be unique.' },
    uid: { type: 'string', description: 'UID is the unique in time and space value for this object.' },
    resourceVersion: { type: 'string', description: 'An opaque value that represents the internal version of this object.' },
    generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.' },
    creationTimestamp: { type: 'string', format: 'date-time', description: 'Server time when this object was created.' },
    deletionTimestamp: { type: 'string', format: 'date-time', description: 'Time at which this resource will be deleted.' },
    deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Seconds allowed for graceful termination.' },
    labels: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Map of string keys and values used to organize and categorize objects.' },
    annotations: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Unstructured key value map stored with a resource.' },
    finalizers: { type: 'array', items: { type: 'string', default: '' }, description: 'Must be empty before the object is deleted from the registry.', 'x-kubernetes-list-type': 'set' },
    ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'List of objects depended by this object.' },
    managedFields: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: 'Field managers of this object.' },
  },
};

/** `dev.ecs.roles.v1alpha1.InstanceRoleBinding`, `io.k8s.api.core.v1.ConfigMap`. */
export function schemaName(t: ResourceType): string {
  if (t.custom) return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
  const group = t.group === '' ? 'core' : t.group.replace(/\.k8s\.io$/, '').replace(/\./g, '_');
  if (t.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${t.version}.${t.kind}`;
  return `io.k8s.api.${group}.${t.version}.${t.kind}`;
}

function queryParam(name: string, description: string): JsonObject {
  return { name, in: 'query', description, schema: { type: 'string', uniqueItems: true } };
}

function operations(t: ResourceType): JsonObject {
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(t)}` };
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
  const item: JsonObject = {
    get: { description: `read the specified ${t.kind}`, operationId: `read${t.kind}`, responses: ok, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk },
  };
  if (t.verbs.includes('patch')) {
    item['put'] = {
      description: `replace the specified ${t.kind}`,
      operationId: `replace${t.kind}`,
      parameters: [queryParam('dryRun', 'When present, modifications are not persisted.'), queryParam('fieldManager', 'Name of the actor making the change.'), queryParam('fieldValidation', 'Ignore, Warn or Strict handling of unknown or duplicate fields.')],
      requestBody: { content: { 'application/json': { schema: ref } }, required: true },
      responses: ok,
      'x-kubernetes-action': 'put',
      'x-kubernetes-group-version-kind': gvk,
    };
    item['patch'] = {
      description: `partially update the specified ${t.kind}`,
      operationId: `patch${t.kind}`,
      parameters: [
        queryParam('dryRun', 'When present, modifications are not persisted.'),
        queryParam('fieldManager', 'Name of the actor making the change; required for apply patches.'),
        queryParam('fieldValidation', 'Ignore, Warn or Strict handling of unknown or duplicate fields.'),
        { name: 'force', in: 'query', description: 'Force an apply over conflicts.', schema: { type: 'boolean', uniqueItems: true } },
      ],
      requestBody: {
        content: {
          'application/json-patch+json': { schema: { type: 'object' } },
          'application/merge-patch+json': { schema: { type: 'object' } },
          'application/apply-patch+yaml': { schema: { type: 'object' } },
        },
        required: true,
      },
      responses: ok,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': gvk,
    };
  }
  if (t.verbs.includes('delete')) {
    item['delete'] = { description: `delete a ${t.kind}`, operationId: `delete${t.kind}`, responses: ok, 'x-kubernetes-action': 'delete', 'x-kubernetes-group-version-kind': gvk };
  }
  return item;
}

function resourcePath(t: ResourceType): string {
  const prefix = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  return t.namespaced ? `${prefix}/namespaces/{namespace}/${t.plural}/{name}` : `${prefix}/${t.plural}/{name}`;
}

export function openApiDocument(registry: ResourceRegistry, group: string, version: string): JsonObject | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const paths: JsonObject = {};
  const schemas: JsonObject = { [OBJECT_META]: OBJECT_META_SCHEMA };
  for (const t of types) {
    paths[resourcePath(t)] = operations(t);
    if (t.hasStatus) paths[`${resourcePath(t)}/status`] = operations(t);
    schemas[schemaName(t)] = { ...t.openAPISchema, 'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.kind }] };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas },
  };
}

export function openApiDocumentPath(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`;
}

export function hashOf(doc: JsonObject): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
}

/** The /openapi/v3 index: one entry per group-version with a content-hashed URL. */
export function openApiIndex(registry: ResourceRegistry): JsonObject {
  const paths: JsonObject = {};
  const seen = new Set<string>();
  for (const t of registry.all()) {
    const key = openApiDocumentPath(t);
    if (seen.has(key)) continue;
    seen.add(key);
    const doc = openApiDocument(registry, t.group, t.version);
    if (doc) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(doc)}` };
  }

  return { paths };
}
