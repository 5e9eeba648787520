/**
 * Admission of a write: unknown-field handling per fieldValidation (metadata, and the CRD schema's
 * pruning), defaulting, structural schema and CEL validation through the schema module, the
 * kind's own normalization and validation, and metadata checks (names, labels, annotations).
 */
import { GoDecodeError, roundTripGoJson } from './go-types/go-json.js';
import { deepClone, isJsonObject, type JsonObject } from './json.js';
import { meta, metaString } from './object-meta.js';
import { groupKind, type ResourceType } from './resource-type.js';
import { objectMetaErrors } from './object-meta-validation.js';
import { badRequest, invalid, type FieldError } from './status.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface AdmissionOptions {
  fieldValidation: FieldValidation;
  /** Receives warnings for the response's Warning headers (unknown fields under Warn). */
  warnings: string[];
}

function reportUnknown(t: ResourceType, unknown: string[], opts: AdmissionOptions): void {
  if (unknown.length === 0) return;
  if (opts.fieldValidation === 'Strict') {
    throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
  }
  if (opts.fieldValidation === 'Warn') for (const u of unknown) opts.warnings.push(`unknown field "${u}"`);
}

/** Only the unknown-field handling of a (partial) object, e.g. the status a main-resource write drops. */
export function checkUnknownFields(t: ResourceType, partial: JsonObject, opts: AdmissionOptions): void {
  if (t.goStruct) reportUnknown(t, roundTripGoJson(t.goStruct, partial).unknownFields, opts);
  else if (t.schema) reportUnknown(t, t.schema.prune(partial as Record<string, unknown>).map((p) => p.replace(/^\./, '')), opts);
}

/**
 * Pruning, strict field validation, defaulting and schema/CEL validation; then built-in checks.
 * Throws 400 or 422. Returns the object as the field manager sees it: decoded and defaulted, before
 * the kind's strategy fills in what the server sets (namespace finalizers, Service addresses).
 */
export function admit(t: ResourceType, obj: JsonObject, old: JsonObject | undefined, opts: AdmissionOptions): JsonObject {
  const name = metaString(obj, 'name');
  reportUnknown(t, t.goStruct ? goRoundTrip(t, t.goStruct, obj) : pruneUnknown(t, obj), opts);
  t.defaults?.(obj);
  const errors: FieldError[] = objectMetaErrors(t, obj);
  if (t.schema) {
    t.schema.applyDefaults(obj as Record<string, unknown>);
    if (errors.length === 0) errors.push(...t.schema.validate(obj as Record<string, unknown>, old as Record<string, unknown> | undefined));
  }
  const decoded = t.goStruct ? roundTripGoJson(t.goStruct, obj).value : deepClone(obj);
  t.normalize?.(obj, old);
  if (t.validate) errors.push(...t.validate(obj, old));
  if (errors.length === 0 && t.assign) errors.push(...t.assign(obj, old));
  if (errors.length > 0) throw invalid(groupKind(t), name, errors);
  // What is stored and answered is the encoding of the defaulted Go struct.
  if (t.goStruct) goRoundTrip(t, t.goStruct, obj);
  return decoded;
}

/**
 * Custom resources: metadata is decoded as ObjectMeta (unknown fields out, empty maps dropped),
 * the rest pruned by the CRD schema.
 */
function pruneUnknown(t: ResourceType, obj: JsonObject): string[] {
  const m = meta(obj);
  let decoded;
  try {
    decoded = roundTripGoJson('meta/v1.ObjectMeta', m);
  } catch (err) {
    if (err instanceof GoDecodeError) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${err.message.replace('Go struct field ObjectMeta.', 'Go struct field ObjectMeta.metadata.')}`);
    throw err;
  }
  const unknown = decoded.unknownFields.map((f) => `metadata.${f}`);
  for (const k of Object.keys(m)) delete m[k];
  const { creationTimestamp, ...rest } = decoded.value;
  Object.assign(m, rest, creationTimestamp !== null && creationTimestamp !== undefined ? { creationTimestamp } : {});
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
