/**
 * CustomResourceDefinition handling: validation of a CRD write, the status the real
 * apiextensions controller would set (NamesAccepted and Established True), and the served
 * resource types a CRD defines (one per served version, sharing one storage).
 */
import { schemaFieldShapes } from './field-shapes.js';
import { compileSchema, type CompiledSchema } from './schema/index.js';
import { deepClone, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { storageVersionHash, type PrinterColumn, type ResourceType } from './resource-type.js';
import type { FieldError } from './status.js';
import { selectorAt, SCALE_SUBRESOURCE } from './scale-subresource.js';
import { AGE_COLUMN } from './table.js';

const compiledSchemas = new Map<string, CompiledSchema>();

/** Compiles (once per distinct schema) or throws with the schema module's message. */
export function compiledSchemaFor(schema: JsonObject): CompiledSchema {
  const key = JSON.stringify(schema);
  let compiled = compiledSchemas.get(key);
  if (!compiled) {
    compiled = compileSchema(schema as Record<string, unknown>);
    compiledSchemas.set(key, compiled);
  }
  return compiled;
}

interface CrdNames {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
  categories: string[];
}

function obj(value: JsonValue | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

function str(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function crdNames(crd: JsonObject): CrdNames {
  const names = obj(obj(crd['spec'])['names']);
  const kind = str(names['kind']);
  return {
    plural: str(names['plural']),
    singular: str(names['singular']) || kind.toLowerCase(),
    kind,
    listKind: str(names['listKind']) || `${kind}List`,
    shortNames: strings(names['shortNames']),
    categories: strings(names['categories']),
  };
}

function versions(crd: JsonObject): JsonObject[] {
  const list = obj(crd['spec'])['versions'];
  return Array.isArray(list) ? list.filter(isJsonObject) : [];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateCrd(crd: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const invalid = (field: string, value: JsonValue | undefined, detail: string): void => {
    errors.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value ?? '')}: ${detail}` });
  };
  const required = (field: string): void => {
    errors.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
  };
  const spec = obj(crd['spec']);
  const group = str(spec['group']);
  const names = crdNames(crd);
  const name = str(obj(crd['metadata'])['name']);
  if (!group) required('spec.group');
  else if (!group.includes('.')) invalid('spec.group', group, 'should be a domain with at least one dot');
  if (!names.plural) required('spec.names.plural');
  else if (!DNS_LABEL.test(names.plural)) invalid('spec.names.plural', names.plural, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
  if (!names.kind) required('spec.names.kind');
  if (names.plural && group && name !== `${names.plural}.${group}`) invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group');
  const scope = str(spec['scope']);
  if (scope !== 'Namespaced' && scope !== 'Cluster') {
    errors.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: "${scope}": supported values: "Cluster", "Namespaced"` });
  }
  const vs = versions(crd);
  if (vs.length === 0) required('spec.versions');
  const storage = vs.filter((v) => v['storage'] === true).length;
  if (vs.length > 0 && storage !== 1) invalid('spec.versions', '', 'must have exactly one version marked as storage version');
  vs.forEach((v, i) => {
    const field = `spec.versions[${i}]`;
    if (!str(v['name'])) required(`${field}.name`);
    const schema = obj(v['schema'])['openAPIV3Schema'];
    if (!isJsonObject(schema)) {
      errors.push({ reason: 'FieldValueRequired', field: `${field}.schema.openAPIV3Schema`, message: 'Required value: schemas are required' });
      return;
    }
    try {
      compiledSchemaFor(schema);
    } catch (err) {
      invalid(`${field}.schema.openAPIV3Schema`, '', err instanceof Error ? err.message : String(err));
    }
  });
  return errors;
}

/** Defaults of the CRD spec and the status the apiextensions controllers would report. */
export function crdStatus(crd: JsonObject, old: JsonObject | undefined): JsonObject {
  const spec = obj(crd['spec']);
  const names = crdNames(crd);
  const namesSpec = obj(spec['names']);
  namesSpec['singular'] = names.singular;
  namesSpec['listKind'] = names.listKind;
  spec['names'] = namesSpec;
  if (!isJsonObject(spec['conversion'])) spec['conversion'] = { strategy: 'None' };
  crd['spec'] = spec;

  const oldConditions = Array.isArray(obj(old?.['status'])['conditions']) ? (obj(old?.['status'])['conditions'] as JsonValue[]) : [];
  const since = (type: string): string => {
    const prior = oldConditions.find((c) => isJsonObject(c) && c['type'] === type && c['status'] === 'True');
    return isJsonObject(prior) && typeof prior['lastTransitionTime'] === 'string' ? prior['lastTransitionTime'] : new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  };
  const storageVersion = versions(crd).find((v) => v['storage'] === true);
  const oldStored = strings(obj(old?.['status'])['storedVersions']);
  const stored = [...new Set([...oldStored, ...(storageVersion ? [str(storageVersion['name'])] : [])])];
  const accepted: JsonObject = { plural: names.plural, singular: names.singular, kind: names.kind, listKind: names.listKind };
  if (names.shortNames.length > 0) accepted['shortNames'] = names.shortNames;
  if (names.categories.length > 0) accepted['categories'] = names.categories;
  return {
    acceptedNames: accepted,
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: since('NamesAccepted'), reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: since('Established'), reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    storedVersions: stored,
  };
}

function printerColumns(version: JsonObject): PrinterColumn[] {
  const cols = version['additionalPrinterColumns'];
  if (!Array.isArray(cols) || cols.length === 0) return [AGE_COLUMN];
  return cols.filter(isJsonObject).map((c) => ({
    name: str(c['name']),
    type: str(c['type']) || 'string',
    ...(str(c['format']) ? { format: str(c['format']) } : {}),
    ...(str(c['description']) ? { description: str(c['description']) } : {}),
    priority: typeof c['priority'] === 'number' ? c['priority'] : 0,
    jsonPath: str(c['jsonPath']),
  }));
}

const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/**
 * The schema as published in OpenAPI, as apiextensions-apiserver publishes a CRD's: apiVersion and
 * kind are always there with the standard descriptions, and metadata points at ObjectMeta.
 */
export function publishedSchema(schema: JsonObject, group: string, version: string, kind: string): JsonObject {
  const published = deepClone(schema);
  const props = obj(published['properties']);
  props['apiVersion'] = { description: API_VERSION_DESCRIPTION, type: 'string' };
  props['kind'] = { description: KIND_DESCRIPTION, type: 'string' };
  props['metadata'] = {
    allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
    description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  };
  published['properties'] = props;
  published['x-kubernetes-group-version-kind'] = [{ group, version, kind }];
  return published;
}

/** `subresources.scale` of a CRD version: the Scale's paths. */
function scaleOfVersion(version: JsonObject): Pick<ResourceType, 'scale' | 'subresources'> {
  const scale = obj(version['subresources'])['scale'];
  if (!isJsonObject(scale)) return {};
  const labelSelectorPath = str(scale['labelSelectorPath']);
  return {
    subresources: [SCALE_SUBRESOURCE],
    scale: { specReplicasPath: str(scale['specReplicasPath']), statusReplicasPath: str(scale['statusReplicasPath']), selector: selectorAt(labelSelectorPath || undefined) },
  };
}

/** `selectableFields` of a CRD version: field selectors on those JSONPaths (values compared as text). */
function selectableFields(version: JsonObject): Record<string, (o: JsonObject) => string | undefined> | undefined {
  const fields = version['selectableFields'];
  if (!Array.isArray(fields) || fields.length === 0) return undefined;
  const out: Record<string, (o: JsonObject) => string | undefined> = {};
  for (const field of fields.filter(isJsonObject)) {
    const path = str(field['jsonPath']);
    const segments = path.replace(/^\./, '').split('.');
    out[segments.join('.')] = (o) => {
      let cur: JsonValue | undefined = o;
      for (const seg of segments) cur = isJsonObject(cur) ? cur[seg] : undefined;
      return cur === undefined || cur === null ? '' : typeof cur === 'string' ? cur : JSON.stringify(cur);
    };
  }
  return out;
}

export function resourceTypesFromCrd(crd: JsonObject): ResourceType[] {
  const spec = obj(crd['spec']);
  const group = str(spec['group']);
  const names = crdNames(crd);
  return versions(crd)
    .filter((v) => v['served'] !== false)
    .map((v) => {
      const version = str(v['name']);
      const schema = obj(obj(v['schema'])['openAPIV3Schema']);
      return {
        group,
        version,
        plural: names.plural,
        singular: names.singular,
        kind: names.kind,
        listKind: names.listKind,
        namespaced: str(spec['scope']) === 'Namespaced',
        shortNames: names.shortNames,
        categories: names.categories,
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        storageKey: `${group}/${names.plural}`,
        hasStatus: isJsonObject(obj(v['subresources'])['status']),
        ...scaleOfVersion(v),
        ...(selectableFields(v) ? { fieldSelectors: selectableFields(v) } : {}),
        tracksGeneration: true,
        custom: true,
        printerColumns: printerColumns(v),
        openAPISchema: publishedSchema(schema, group, version, names.kind),
        schema: compiledSchemaFor(schema),
        fieldShapes: schemaFieldShapes(schema),
        storageVersionHash: storageVersionHash(group, str(versions(crd).find((x) => x['storage'] === true)?.['name']) || version, names.kind),
      };
    });
}
