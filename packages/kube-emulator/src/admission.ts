/**
 * Admission of a write: unknown-field handling per fieldValidation (metadata, and the CRD schema's
 * pruning), defaulting, structural schema and CEL validation through the schema module, the
 * kind's own normalization and validation, and metadata checks (names, labels, annotations).
 */
import { GoDecodeError, roundTripGoJson } from './go-types/go-json.js';
import { isJsonObject, type JsonObject } from './json.js';
import { meta, metaString } from './object-meta.js';
import { groupKind, type ResourceType } from './resource-type.js';
import { badRequest, invalid, type FieldError } from './status.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface AdmissionOptions {
  fieldValidation: FieldValidation;
  /** Receives warnings for the response's Warning headers (unknown fields under Warn). */
  warnings: string[];
}

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Pruning, strict field validation, defaulting and schema/CEL validation; then built-in checks. Throws 400 or 422. */
export function admit(t: ResourceType, obj: JsonObject, old: JsonObject | undefined, opts: AdmissionOptions): void {
  const name = metaString(obj, 'name');
  const unknown = t.goStruct ? goRoundTrip(t, t.goStruct, obj) : pruneUnknown(t, obj);
  if (unknown.length > 0) {
    if (opts.fieldValidation === 'Strict') {
      throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
    }
    if (opts.fieldValidation === 'Warn') for (const u of unknown) opts.warnings.push(`unknown field "${u}"`);
  }
  t.defaults?.(obj);
  const errors: FieldError[] = [...metadataErrors(t, obj)];
  if (t.schema) {
    t.schema.applyDefaults(obj as Record<string, unknown>);
    if (errors.length === 0) errors.push(...t.schema.validate(obj as Record<string, unknown>, old as Record<string, unknown> | undefined));
  }
  t.normalize?.(obj, old);
  if (t.validate) errors.push(...t.validate(obj, old));
  if (errors.length === 0 && t.assign) errors.push(...t.assign(obj, old));
  if (errors.length > 0) throw invalid(groupKind(t), name, errors);
  // What is stored and answered is the encoding of the defaulted Go struct.
  if (t.goStruct) goRoundTrip(t, t.goStruct, obj);
}

/** Custom resources: metadata fields beyond ObjectMeta, and whatever the CRD schema prunes. */
function pruneUnknown(t: ResourceType, obj: JsonObject): string[] {
  const unknown: string[] = [];
  const m = meta(obj);
  for (const k of Object.keys(m)) {
    if (!OBJECT_META_FIELDS.has(k)) {
      unknown.push(`metadata.${k}`);
      delete m[k];
    }
  }
  if (t.schema) {
    for (const path of t.schema.prune(obj as Record<string, unknown>)) unknown.push(path.replace(/^\./, ''));
  }
  return unknown;
}

/**
 * Built-in kinds: the object becomes what decoding into the Go struct and encoding again makes of
 * it (in place); a type mismatch is the real server's 400. Returns the unknown fields.
 */
function goRoundTrip(t: ResourceType, struct: string, obj: JsonObject): string[] {
  let result;
  try {
    result = roundTripGoJson(struct, obj);
  } catch (err) {
    if (err instanceof GoDecodeError) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${err.message}`);
    throw err;
  }
  // Callers hold the metadata object: it keeps its identity, only its contents change.
  const metadata = meta(obj);
  const { kind, apiVersion, metadata: decodedMeta, ...rest } = result.value;
  for (const k of Object.keys(metadata)) delete metadata[k];
  if (isJsonObject(decodedMeta)) Object.assign(metadata, decodedMeta);
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, { kind: kind ?? t.kind, apiVersion: apiVersion ?? (t.group ? `${t.group}/${t.version}` : t.version), metadata }, rest);
  return result.unknownFields;
}

function metadataErrors(t: ResourceType, obj: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const name = metaString(obj, 'name');
  const rbac = t.group === 'rbac.authorization.k8s.io';
  if (t.group === '' && t.plural === 'namespaces') {
    if (!DNS_LABEL.test(name) || name.length > 63) {
      errors.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')` });
    }
  } else if (rbac) {
    if (name === '.' || name === '..' || /[/%]/.test(name)) {
      errors.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": may not contain '/' or '%' and may not be '.' or '..'` });
    }
  } else if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    errors.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')` });
  }
  const labels = meta(obj)['labels'];
  if (labels !== undefined && labels !== null) {
    if (!isJsonObject(labels)) {
      errors.push({ reason: 'FieldValueTypeInvalid', field: 'metadata.labels', message: 'Invalid value: "": expected a map of strings' });
    } else {
      for (const [k, v] of Object.entries(labels)) {
        const namePart = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
        if (!LABEL_NAME.test(namePart) || namePart.length > 63) {
          errors.push({ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
        }
        if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) {
          errors.push({ reason: 'FieldValueInvalid', field: `metadata.labels`, message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
        }
      }
    }
  }
  const annotations = meta(obj)['annotations'];
  if (annotations !== undefined && annotations !== null && isJsonObject(annotations)) {
    for (const [k, v] of Object.entries(annotations)) {
      if (typeof v !== 'string') errors.push({ reason: 'FieldValueTypeInvalid', field: `metadata.annotations.${k}`, message: `Invalid value: ${JSON.stringify(v)}: annotation values must be strings` });
    }
  }
  return errors;
}
