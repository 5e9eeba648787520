/**
 * The API semantics of objects, independent of HTTP: create, read, list, update (PUT), patch
 * (merge, JSON, strategic, server-side apply), delete with finalizers, and namespace deletion.
 * Keeps uid, creationTimestamp, generateName, the cluster-wide resourceVersion, generation
 * (moves on spec changes only), the status subresource split, optimistic concurrency, field
 * managers, and custom resource pruning, defaulting and validation through the CRD schema.
 */
import { randomUUID } from 'node:crypto';
import { admit, checkUnknownFields, type AdmissionOptions } from './admission.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { finalizersOf, labelsOf, meta, metaString, nowTimestamp, sortKey } from './object-meta.js';
import { ApplyConflictError, applyConfiguration, LAST_APPLIED_ANNOTATION, managedFieldsEntries, NO_OWNERS, recordUpdate, type FieldOwnership, type ManagerIdentity } from './field-manager.js';
import { roundTripGoJson } from './go-types/go-json.js';
import { inServerKeyOrder } from './key-order.js';
import { deepClone, deepEqual, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { ObjectStore, StoredObject } from './object-store.js';
import { APPLY_PATCH, applyJsonPatch, JSON_PATCH, MERGE_PATCH, mergePatch, STRATEGIC_MERGE_PATCH, strategicMerge } from './patches.js';
import { groupKind, groupResource, groupVersion, type Authorizer, type ResourceType, type UserInfo } from './resource-type.js';
import { parseLabelSelector } from './label-selector.js';
import { exactNameFromFieldSelector, parseFieldSelector } from './selectors.js';
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  gone,
  invalid,
  notFound,
  STALE_OBJECT,
  unsupportedMediaType,
  qualifiedResource,
} from './status.js';

export interface WriteOptions extends AdmissionOptions {
  dryRun: boolean;
  fieldManager: string;
  user: UserInfo;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: JsonObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

export interface DeleteResult {
  /** The object as it is now (Terminating) or as it was when removed. */
  object: JsonObject;
  removed: boolean;
}

/** Told about every committed change of a CustomResourceDefinition. */
export type CrdListener = (crd: JsonObject | undefined, old: JsonObject | undefined) => void;

/** Told about every object created (not dry run), after it is stored. */
export type CreateListener = (t: ResourceType, obj: JsonObject) => void;

const CRD_KEY = 'apiextensions.k8s.io/customresourcedefinitions';
const NAMESPACE_KEY = '/namespaces';

const NAME_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_PREFIX = 63 - 5;

/** Everything but metadata (and status, when the kind has a status subresource). */
function specPart(t: ResourceType, obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    if (k === 'status' && t.hasStatus) continue;
    out[k] = v;
  }
  return out;
}

/** The object without what a write does not change by itself: resourceVersion and managedFields. */
function withoutResourceVersion(obj: JsonObject): JsonObject {
  const copy = { ...obj, metadata: { ...meta({ ...obj }) } } as JsonObject;
  delete (copy['metadata'] as JsonObject)['resourceVersion'];
  delete (copy['metadata'] as JsonObject)['managedFields'];
  return copy;
}

/** Who a write is by, for field ownership. */
function writer(t: ResourceType, opts: WriteOptions, subresource: string | undefined): ManagerIdentity {
  return { manager: opts.fieldManager, apiVersion: groupVersion(t), subresource: subresource ?? '', time: nowTimestamp() };
}

/** What kube-apiserver compares a create against: the kind's zero value (nothing, for custom resources). */
function zeroObject(t: ResourceType): JsonObject | undefined {
  return t.goStruct ? roundTripGoJson(t.goStruct, {}).value : undefined;
}

/** The client-side apply record of an object, when it has a readable one. */
function lastAppliedOf(obj: JsonObject): JsonObject | undefined {
  const annotations = meta(obj)['annotations'];
  const text = isJsonObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof text !== 'string') return undefined;
  try {
    const parsed = JSON.parse(text) as JsonValue;
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export class ObjectApi {
  private readonly crdListeners: CrdListener[] = [];
  private readonly createListeners: CreateListener[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly authorize: Authorizer,
  ) {}

  onCrdChange(listener: CrdListener): void {
    this.crdListeners.push(listener);
  }

  onCreate(listener: CreateListener): void {
    this.createListeners.push(listener);
  }

  /** The stored object as this version of the resource shows it. */
  view(t: ResourceType, obj: JsonObject): JsonObject {
    if (t.storageShape) return t.storageShape.fromStorage(obj);
    const apiVersion = groupVersion(t);
    return obj['apiVersion'] === apiVersion ? obj : { ...obj, apiVersion };
  }

  /** The object as it is stored (another version's shape for converted kinds). */
  private stored(t: ResourceType, obj: JsonObject): JsonObject {
    return t.storageShape ? t.storageShape.toStorage(obj) : obj;
  }

  getStored(t: ResourceType, namespace: string, name: string): StoredObject {
    const stored = this.store.get(t.storageKey, t.namespaced ? namespace : '', name);
    if (!stored) throw notFound(groupResource(t), name);
    return stored;
  }

  get(t: ResourceType, namespace: string, name: string): JsonObject {
    return this.view(t, this.getStored(t, namespace, name).object);
  }

  /** A filter for watches and lists; throws 400 on a malformed selector. */
  matcher(t: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined): (obj: JsonObject) => boolean {
    const labels = parseLabelSelector(labelSelector);
    const extra = t.fieldSelectors ?? {};
    const fields = parseFieldSelector(fieldSelector, ['metadata.name', 'metadata.namespace', ...Object.keys(extra)]);
    if (!labels && !fields) return () => true;
    return (obj) => {
      if (labels && !labels(labelsOf(obj))) return false;
      if (fields) {
        return fields((field) => {
          if (field === 'metadata.name') return metaString(obj, 'name');
          if (field === 'metadata.namespace') return metaString(obj, 'namespace');
          return extra[field]?.(obj) ?? '';
        });
      }
      return true;
    };
  }

  list(t: ResourceType, namespace: string | undefined, query: ListQuery): ListResult {
    const matches = this.matcher(t, query.labelSelector, query.fieldSelector);
    let start = '';
    let listRv = this.store.currentRv;
    if (query.continueToken) {
      const token = decodeContinue(query.continueToken);
      if (token.rv < this.store.oldestWatchableRv(t.storageKey)) {
        throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      start = token.start;
      listRv = token.rv;
    }
    const ns = t.namespaced ? namespace : '';
    const exactName = exactNameFromFieldSelector(query.fieldSelector);
    const keyed: { key: string; obj: JsonObject }[] = [];
    const consider = (storedObj: JsonObject): void => {
      const obj = this.view(t, storedObj);
      const key = sortKey(obj);
      if (key > start && matches(obj)) keyed.push({ key, obj });
    };
    if (exactName !== undefined && ns !== undefined) {
      const one = this.store.get(t.storageKey, ns, exactName);
      if (one) consider(one.object);
    } else {
      for (const stored of this.store.list(t.storageKey, ns)) consider(stored.object);
    }
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const limit = query.limit && query.limit > 0 ? query.limit : undefined;
    if (limit === undefined || keyed.length <= limit) {
      return { items: keyed.map((k) => k.obj), resourceVersion: String(listRv) };
    }
    const page = keyed.slice(0, limit);
    const last = page[page.length - 1] as { key: string };
    return {
      items: page.map((k) => k.obj),
      resourceVersion: String(listRv),
      continueToken: encodeContinue({ rv: listRv, start: last.key }),
      remainingItemCount: keyed.length - limit,
    };
  }

  create(t: ResourceType, namespace: string, body: JsonObject, opts: WriteOptions): JsonObject {
    this.checkKind(t, body);
    if (t.answerCreate) {
      const answer = t.answerCreate(body, opts.user, this.authorize);
      return t.goStruct ? { kind: t.kind, apiVersion: groupVersion(t), ...roundTripGoJson(t.goStruct, answer).value } : answer;
    }
    const obj = deepClone(body);
    const m = meta(obj);
    if (t.namespaced) {
      if (typeof m['namespace'] === 'string' && m['namespace'] !== '' && m['namespace'] !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      this.requireWritableNamespace(namespace, t, typeof m['name'] === 'string' ? m['name'] : '');
      m['namespace'] = namespace;
    } else {
      delete m['namespace'];
    }
    for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']) delete m[k];
    if (t.hasStatus && t.custom) delete obj['status'];
    let name = typeof m['name'] === 'string' ? m['name'] : '';
    const generateName = typeof m['generateName'] === 'string' ? m['generateName'] : '';
    if (!name && generateName) {
      // Like the real name generator: the prefix is cut to 58 characters, so the name fits in 63.
      do name = generateName.slice(0, MAX_GENERATED_PREFIX) + this.randomSuffix();
      while (this.store.get(t.storageKey, t.namespaced ? namespace : '', name));
    }
    if (!name) {
      throw invalid(groupKind(t), '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    m['name'] = name;
    const decoded = admit(t, obj, undefined, opts);
    if (this.store.get(t.storageKey, t.namespaced ? namespace : '', name)) throw alreadyExists(groupResource(t), name);
    m['uid'] = randomUUID();
    m['creationTimestamp'] = nowTimestamp();
    if (t.tracksGeneration) m['generation'] = 1;
    const owners = recordUpdate(NO_OWNERS, writer(t, opts, undefined), zeroObject(t), decoded, t.fieldShapes);
    return this.commitCreate(t, obj, owners, opts);
  }

  /** PUT of the object or of its status subresource. */
  update(t: ResourceType, namespace: string, name: string, body: JsonObject, subresource: string | undefined, opts: WriteOptions): JsonObject {
    this.checkKind(t, body);
    const bodyName = metaString(body, 'name');
    if (bodyName && bodyName !== name) throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    const bodyNs = metaString(body, 'namespace');
    if (t.namespaced && bodyNs && bodyNs !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const existing = this.getStored(t, namespace, name);
    const rv = metaString(body, 'resourceVersion');
    if (!rv && t.custom) {
      throw invalid(groupKind(t), name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    if (rv && rv !== String(existing.rv)) throw conflict(groupResource(t), name, STALE_OBJECT);
    return this.commitUpdate(t, existing, deepClone(body), subresource, opts, undefined);
  }

  patch(
    t: ResourceType,
    namespace: string,
    name: string,
    contentType: string,
    patchBody: JsonValue,
    subresource: string | undefined,
    opts: WriteOptions & { force: boolean },
  ): JsonObject {
    const existing = this.store.get(t.storageKey, t.namespaced ? namespace : '', name);
    if (contentType === APPLY_PATCH) return this.apply(t, namespace, name, existing, patchBody, subresource, opts);
    if (!existing) throw notFound(groupResource(t), name);
    // Patches share untouched subtrees with their input: work on a copy, never on the stored
    // object. A merge patch of the status subresource is the exception: the merge copies what it
    // changes, and commitUpdate builds the new object from copies (the old object's, and the
    // patched status), so nothing of the stored object is written to.
    const viewed = this.view(t, existing.object);
    const current = contentType === MERGE_PATCH && subresource === 'status' ? viewed : deepClone(viewed);
    let patched: JsonValue;
    switch (contentType) {
      case MERGE_PATCH:
        if (!isJsonObject(patchBody)) throw badRequest('the merge patch must be a JSON object');
        patched = mergePatch(current, patchBody);
        break;
      case JSON_PATCH:
        patched = applyJsonPatch(current, patchBody);
        break;
      case STRATEGIC_MERGE_PATCH:
        if (t.custom) throw unsupportedMediaType([JSON_PATCH, MERGE_PATCH, APPLY_PATCH]);
        if (!isJsonObject(patchBody)) throw badRequest('the strategic merge patch must be a JSON object');
        patched = strategicMerge(current, patchBody);
        break;
      default:
        throw unsupportedMediaType([JSON_PATCH, MERGE_PATCH, APPLY_PATCH, ...(t.custom ? [] : [STRATEGIC_MERGE_PATCH])]);
    }
    if (!isJsonObject(patched)) throw badRequest('the patch did not produce an object');
    this.checkPatchedIdentity(t, patched, namespace, name);
    const rv = metaString(patched, 'resourceVersion');
    if (rv && rv !== String(existing.rv)) throw conflict(groupResource(t), name, STALE_OBJECT);
    return this.commitUpdate(t, existing, patched, subresource, opts, undefined);
  }

  /** A merge, JSON or strategic merge patch applied to a document (a subresource's object). */
  patchDocument(current: JsonObject, contentType: string, patchBody: JsonValue): JsonValue {
    switch (contentType) {
      case MERGE_PATCH:
        if (!isJsonObject(patchBody)) throw badRequest('the merge patch must be a JSON object');
        return mergePatch(current, patchBody);
      case JSON_PATCH:
        return applyJsonPatch(current, patchBody);
      case STRATEGIC_MERGE_PATCH:
        if (!isJsonObject(patchBody)) throw badRequest('the strategic merge patch must be a JSON object');
        return strategicMerge(current, patchBody);
      default:
        throw unsupportedMediaType([JSON_PATCH, MERGE_PATCH, APPLY_PATCH]);
    }
  }

  delete(t: ResourceType, namespace: string, name: string, options: DeleteOptions): DeleteResult {
    const existing = this.getStored(t, namespace, name);
    const obj = this.view(t, existing.object);
    const pre = options.preconditions;
    // The storage layer's precondition failures name the kind (Kind.group), not the resource.
    const kindName = t.group ? `${t.kind}.${t.group}` : t.kind;
    const preconditionFailed = (why: string): ApiError =>
      new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${kindName} "${name}": ${why}`, { name, group: t.group, kind: t.kind });
    if (pre?.uid && pre.uid !== metaString(obj, 'uid')) {
      throw preconditionFailed(`the UID in the precondition (${pre.uid}) does not match the UID in record (${metaString(obj, 'uid')}). The object might have been deleted and then recreated`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(existing.rv)) {
      throw preconditionFailed(`the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${existing.rv}). The object might have been modified`);
    }
    if (options.dryRun) return { object: obj, removed: finalizersOf(obj).length === 0 && t.storageKey !== NAMESPACE_KEY };
    if (t.storageKey === NAMESPACE_KEY) return this.deleteNamespace(t, existing);
    if (finalizersOf(obj).length > 0) {
      if (metaString(obj, 'deletionTimestamp')) return { object: obj, removed: false };
      const next = deepClone(obj);
      const m = meta(next);
      m['deletionTimestamp'] = nowTimestamp();
      m['deletionGracePeriodSeconds'] = 0;
      if (t.tracksGeneration) m['generation'] = (typeof m['generation'] === 'number' ? m['generation'] : 0) + 1;
      return { object: this.store_put(t, next, existing.owners, existing.object), removed: false };
    }
    return { object: this.remove(t, obj), removed: true };
  }

  deleteCollection(t: ResourceType, namespace: string | undefined, query: ListQuery, options: DeleteOptions): JsonObject[] {
    const { items } = this.list(t, namespace, { ...query, limit: 0 });
    return items.map((item) => this.delete(t, metaString(item, 'namespace'), metaString(item, 'name'), options).object);
  }

  /** Removes every object of a resource whose CRD was deleted. */
  dropResource(storageKey: string): void {
    this.store.removeAll(storageKey, (obj, rv) => ({ ...obj, metadata: { ...meta({ ...obj }), resourceVersion: String(rv) } }));
  }

  // ---- internals ----

  private apply(
    t: ResourceType,
    namespace: string,
    name: string,
    existing: StoredObject | undefined,
    body: JsonValue,
    subresource: string | undefined,
    opts: WriteOptions & { force: boolean },
  ): JsonObject {
    if (!isJsonObject(body)) throw badRequest('the apply configuration must be a YAML or JSON object');
    if (!opts.fieldManager || opts.fieldManager === 'unknown') throw badRequest('PATCH, fieldManager is required for apply requests');
    this.checkKind(t, body);
    this.checkPatchedIdentity(t, body, namespace, name);
    const rv = metaString(body, 'resourceVersion');
    if (rv && existing && rv !== String(existing.rv)) throw conflict(groupResource(t), name, STALE_OBJECT);
    let result;
    try {
      const live = existing ? this.view(t, existing.object) : undefined;
      result = applyConfiguration(existing?.owners ?? NO_OWNERS, writer(t, opts, subresource), live, body, opts.force, t.fieldShapes, live ? lastAppliedOf(live) : undefined);
    } catch (err) {
      if (err instanceof ApplyConflictError) {
        throw new ApiError(409, 'Conflict', err.message, {
          causes: err.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.path })),
        });
      }
      throw err;
    }
    if (!existing) {
      if (subresource) throw notFound(groupResource(t), name);
      const created = result.object;
      const m = meta(created);
      m['name'] = name;
      if (t.namespaced) {
        this.requireWritableNamespace(namespace, t, name);
        m['namespace'] = namespace;
      }
      if (t.hasStatus && t.custom) delete created['status'];
      admit(t, created, undefined, opts);
      m['uid'] = randomUUID();
      m['creationTimestamp'] = nowTimestamp();
      if (t.tracksGeneration) m['generation'] = 1;
      return this.commitCreate(t, created, result.owners, opts);
    }
    const patched = result.object;
    meta(patched)['resourceVersion'] = String(existing.rv);
    return this.commitUpdate(t, existing, patched, subresource, opts, result.owners);
  }

  private commitCreate(t: ResourceType, created: JsonObject, owners: FieldOwnership, opts: WriteOptions): JsonObject {
    meta(created)['managedFields'] = managedFieldsEntries(owners);
    if (opts.dryRun) return inServerKeyOrder(t, created);
    const rv = this.store.nextRv();
    meta(created)['resourceVersion'] = String(rv);
    const obj = inServerKeyOrder(t, created);
    this.store.put(t.storageKey, t.namespaced ? metaString(obj, 'namespace') : '', metaString(obj, 'name'), { object: this.stored(t, obj), rv, owners }, undefined);
    if (t.storageKey === CRD_KEY) for (const l of this.crdListeners) l(obj, undefined);
    for (const l of this.createListeners) l(t, obj);
    return obj;
  }

  private commitUpdate(
    t: ResourceType,
    existing: StoredObject,
    candidate: JsonObject,
    subresource: string | undefined,
    opts: WriteOptions,
    applyOwners: FieldOwnership | undefined,
  ): JsonObject {
    const old = this.view(t, existing.object);
    let next: JsonObject;
    if (subresource === 'status') {
      if (!t.hasStatus) throw notFound(groupResource(t), metaString(old, 'name'));
      // Everything but the status is the old object's (copied: admission may default in place).
      const { status: _oldStatus, ...rest } = old;
      next = deepClone(rest);
      if (candidate['status'] !== undefined) next['status'] = deepClone(candidate['status']);
    } else {
      next = candidate;
      if (t.hasStatus) {
        // The request is decoded before the status is put back, so its unknown status fields still count.
        if (candidate['status'] !== undefined) checkUnknownFields(t, { status: deepClone(candidate['status']) }, opts);
        if (old['status'] !== undefined) next['status'] = deepClone(old['status']);
        else delete next['status'];
      }
      next['apiVersion'] = groupVersion(t);
      next['kind'] = t.kind;
    }
    const m = meta(next);
    // Read only; the fields taken from it are strings and numbers.
    const oldMeta: JsonObject = isJsonObject(old['metadata']) ? old['metadata'] : {};
    for (const k of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
      if (oldMeta[k] !== undefined) m[k] = oldMeta[k] as JsonValue;
      else delete m[k];
    }
    delete m['managedFields'];
    delete m['selfLink'];
    m['resourceVersion'] = String(existing.rv);
    if (oldMeta['deletionTimestamp']) {
      const before = new Set(finalizersOf(old));
      const added = finalizersOf(next).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw invalid(groupKind(t), metaString(old, 'name'), [
          { reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` },
        ]);
      }
    }
    const decoded = admit(t, next, old, opts);
    if (t.tracksGeneration && !deepEqual(specPart(t, old), specPart(t, next))) {
      m['generation'] = (typeof oldMeta['generation'] === 'number' ? oldMeta['generation'] : 0) + 1;
    }
    if (deepEqual(withoutResourceVersion(old), withoutResourceVersion(next))) return old;
    if (opts.dryRun) return inServerKeyOrder(t, next);
    const owners = applyOwners ?? recordUpdate(existing.owners, writer(t, opts, subresource), old, decoded, t.fieldShapes);
    if (m['deletionTimestamp'] && finalizersOf(next).length === 0) {
      m['managedFields'] = managedFieldsEntries(owners);
      return this.remove(t, next);
    }
    return this.store_put(t, next, owners, existing.object);
  }

  private store_put(t: ResourceType, changed: JsonObject, owners: FieldOwnership, previous: JsonObject): JsonObject {
    meta(changed)['managedFields'] = managedFieldsEntries(owners);
    const rv = this.store.nextRv();
    meta(changed)['resourceVersion'] = String(rv);
    const next = inServerKeyOrder(t, changed);
    this.store.put(t.storageKey, t.namespaced ? metaString(next, 'namespace') : '', metaString(next, 'name'), { object: this.stored(t, next), rv, owners }, previous);
    if (t.storageKey === CRD_KEY) for (const l of this.crdListeners) l(next, previous);
    return next;
  }

  private remove(t: ResourceType, obj: JsonObject): JsonObject {
    const rv = this.store.nextRv();
    const final = inServerKeyOrder(t, deepClone(obj));
    meta(final)['resourceVersion'] = String(rv);
    const namespace = t.namespaced ? metaString(obj, 'namespace') : '';
    this.store.remove(t.storageKey, namespace, metaString(obj, 'name'), this.stored(t, final), rv);
    if (t.storageKey === CRD_KEY) for (const l of this.crdListeners) l(undefined, obj);
    if (namespace) this.finishNamespaceIfEmpty(namespace);
    return final;
  }

  private checkKind(t: ResourceType, body: JsonObject): void {
    const apiVersion = body['apiVersion'];
    const kind = body['kind'];
    if (typeof kind === 'string' && kind !== '' && kind !== t.kind) {
      throw badRequest(`the object provided is unrecognized (must be of type ${t.kind}): kind ${kind} does not match the resource ${t.plural}`);
    }
    if (typeof apiVersion === 'string' && apiVersion !== '' && apiVersion !== groupVersion(t)) {
      throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${groupVersion(t)})`);
    }
    body['apiVersion'] = groupVersion(t);
    body['kind'] = t.kind;
  }

  private checkPatchedIdentity(t: ResourceType, patched: JsonObject, namespace: string, name: string): void {
    const pn = metaString(patched, 'name');
    if (pn && pn !== name) throw badRequest(`the name of the object (${pn}) does not match the name on the URL (${name})`);
    const pns = metaString(patched, 'namespace');
    if (t.namespaced && pns && pns !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
  }

  /** Refuses new objects in a missing or terminating namespace, worded as kube-apiserver's NamespaceLifecycle admission. */
  private requireWritableNamespace(namespace: string, t: ResourceType, name: string): void {
    const ns = this.store.get(NAMESPACE_KEY, '', namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (metaString(ns.object, 'deletionTimestamp')) {
      const gr = groupResource(t);
      const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
      throw new ApiError(403, 'Forbidden', `${subject} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        ...(name ? { name } : {}),
        group: gr.group,
        kind: gr.resource,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  private randomSuffix(): string {
    let s = '';
    for (let i = 0; i < 5; i++) s += NAME_SUFFIX_CHARS[Math.floor(Math.random() * NAME_SUFFIX_CHARS.length)];
    return s;
  }

  // ---- namespace lifecycle ----

  private namespacedResources: () => ResourceType[] = () => [];

  /** Tells the namespace cleanup which namespaced resources exist (the registry's view). */
  setNamespacedResources(list: () => ResourceType[]): void {
    this.namespacedResources = list;
  }

  private deleteNamespace(t: ResourceType, existing: StoredObject): DeleteResult {
    const name = metaString(existing.object, 'name');
    let current = existing.object;
    if (!metaString(current, 'deletionTimestamp')) {
      const next = deepClone(current);
      meta(next)['deletionTimestamp'] = nowTimestamp();
      meta(next)['deletionGracePeriodSeconds'] = 0;
      next['status'] = { phase: 'Terminating' };
      current = this.store_put(t, next, existing.owners, existing.object);
    }
    const seen = new Set<string>();
    for (const rt of this.namespacedResources()) {
      if (seen.has(rt.storageKey)) continue;
      seen.add(rt.storageKey);
      for (const stored of [...this.store.list(rt.storageKey, name)]) {
        if (finalizersOf(stored.object).length > 0) {
          if (!metaString(stored.object, 'deletionTimestamp')) {
            this.delete(rt, name, metaString(stored.object, 'name'), { dryRun: false });
          }
        } else {
          this.remove(rt, stored.object);
        }
      }
    }
    this.finishNamespaceIfEmpty(name);
    const after = this.store.get(NAMESPACE_KEY, '', name);
    return after ? { object: after.object, removed: false } : { object: current, removed: true };
  }

  private finishNamespaceIfEmpty(namespace: string): void {
    const ns = this.store.get(NAMESPACE_KEY, '', namespace);
    if (!ns || !metaString(ns.object, 'deletionTimestamp')) return;
    const keys = new Set(this.namespacedResources().map((r) => r.storageKey));
    for (const key of keys) if (this.store.count(key, namespace) > 0) return;
    const rv = this.store.nextRv();
    const final = deepClone(ns.object);
    meta(final)['resourceVersion'] = String(rv);
    this.store.remove(NAMESPACE_KEY, '', namespace, final, rv);
  }
}
