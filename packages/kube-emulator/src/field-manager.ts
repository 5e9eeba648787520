/**
 * Field ownership for server-side apply: which manager (by name, operation and subresource) owns
 * which fields of an object, at the granularity the object's shapes give (set values and map-list
 * items are owned one by one, atomic lists and structs whole). Updates (create, PUT, non-apply
 * patches) move the fields they change to their manager and record the maps and items they
 * create; an apply conflicts when it would change a value another manager owns, unless forced,
 * and removes what its manager applied before but no longer applies and nobody else owns. The
 * ownership renders as metadata.managedFields (FieldsV1).
 */
import { mergeInto } from './apply-merge.js';
import { displayPath, deleteAt, fieldsOf, overlaps, segmentsOf, SEP, valueAt } from './field-paths.js';
import type { FieldShapes } from './field-shapes.js';
import { deepClone, deepEqual, isJsonObject, type JsonObject, type JsonValue } from './json.js';

export type ManagerOperation = 'Apply' | 'Update';

export interface ManagerFields {
  manager: string;
  operation: ManagerOperation;
  apiVersion: string;
  /** '' for the main resource, `status` for the status subresource. */
  subresource: string;
  /** When the manager last changed its fields (RFC 3339, seconds). */
  time: string;
  /** Owned values (leaves): what conflicts are about. */
  fields: ReadonlySet<string>;
  /** Owned maps, granular lists and list items (shown as "." in FieldsV1). */
  nodes?: ReadonlySet<string>;
}

/** Who writes, for the ownership record. */
export interface ManagerIdentity {
  manager: string;
  apiVersion: string;
  subresource: string;
  time: string;
}

/** Keyed by `manager/operation/subresource`. */
export type FieldOwnership = ReadonlyMap<string, ManagerFields>;

export const NO_OWNERS: FieldOwnership = new Map();

/** The field manager of `kubectl apply --server-side`. */
export const KUBECTL_SSA_MANAGER = 'kubectl';
/** Where client-side `kubectl apply` records what it applied. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export interface FieldConflict {
  /** How the real server names the manager: `"m"`, or `"m" using v1` / `"m" with subresource "status" using v1` for Update managers. */
  manager: string;
  path: string;
}

function describeManager(entry: ManagerFields): string {
  let name = JSON.stringify(entry.manager);
  if (entry.subresource) name += ` with subresource ${JSON.stringify(entry.subresource)}`;
  return entry.operation === 'Update' ? `${name} using ${entry.apiVersion}` : name;
}

export class ApplyConflictError extends Error {
  constructor(readonly conflicts: FieldConflict[]) {
    super(describeConflicts(conflicts));
    this.name = 'ApplyConflictError';
  }
}

/** `Apply failed with 1 conflict: conflict with "m": .data.key`, grouped by manager when several, like the real server. */
export function describeConflicts(conflicts: FieldConflict[]): string {
  if (conflicts.length === 1) {
    const only = conflicts[0] as FieldConflict;
    return `Apply failed with 1 conflict: conflict with ${only.manager}: ${only.path}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
  const parts = [...byManager.keys()].sort().map((m) => `conflicts with ${m}:\n${(byManager.get(m) ?? []).map((p) => `- ${p}`).join('\n')}`);
  return `Apply failed with ${conflicts.length} conflicts: ${parts.join('\n')}`;
}

function entryKey(manager: string, operation: ManagerOperation, subresource = ''): string {
  return `${manager}/${operation}/${subresource}`;
}

/** Ownership without `paths` (and everything below them), except for the entry `except`. */
function withoutPaths(owners: FieldOwnership, paths: readonly string[], except?: string): Map<string, ManagerFields> {
  const out = new Map<string, ManagerFields>();
  for (const [key, entry] of owners) {
    if (key === except || paths.length === 0) {
      out.set(key, entry);
      continue;
    }
    const fields = new Set([...entry.fields].filter((f) => !paths.some((p) => overlaps(f, p))));
    const nodes = new Set([...(entry.nodes ?? [])].filter((n) => !paths.some((p) => n === p || n.startsWith(p + SEP))));
    // An entry that loses nothing stays the same object (its rendered FieldsV1 is kept).
    if (fields.size === entry.fields.size && nodes.size === (entry.nodes?.size ?? 0)) out.set(key, entry);
    else if (fields.size > 0 || nodes.size > 0) out.set(key, { ...entry, fields, nodes });
  }
  return out;
}

/**
 * Ownership after a non-apply write: changed values move to the writer, removed ones go, and the
 * maps and items the write created become the writer's. `oldObj` is what the object was (for a
 * create, the kind's zero value).
 */
export function recordUpdate(owners: FieldOwnership, who: ManagerIdentity, oldObj: JsonObject | undefined, newObj: JsonObject, shapes: FieldShapes): FieldOwnership {
  const before = fieldsOf(oldObj, shapes);
  const after = fieldsOf(newObj, shapes);
  const changed: string[] = [];
  for (const [path, value] of after.leaves) if (!before.leaves.has(path) || !deepEqual(before.leaves.get(path), value)) changed.push(path);
  const removed = [...before.leaves.keys()].filter((p) => !after.leaves.has(p));
  const gone = [...before.nodes].filter((n) => !after.nodes.has(n) && !after.leaves.has(n));
  // A node is created when nothing was there before (an empty map before counts as there).
  const created = [...after.nodes].filter((n) => !before.nodes.has(n) && !before.leaves.has(n));
  if (changed.length === 0 && removed.length === 0 && created.length === 0 && gone.length === 0) return owners;
  const key = entryKey(who.manager, 'Update', who.subresource);
  const next = withoutPaths(owners, [...changed, ...removed, ...gone]);
  if (changed.length > 0 || created.length > 0) {
    const mine = next.get(key);
    next.set(key, {
      manager: who.manager,
      operation: 'Update',
      apiVersion: who.apiVersion,
      subresource: who.subresource,
      time: who.time,
      fields: grown(mine?.fields, changed),
      nodes: grown(mine?.nodes, created),
    });
  }
  return next;
}

/** `set` plus `added`: the same Set when it holds them all already (so its rendering is reused). */
function grown(set: ReadonlySet<string> | undefined, added: readonly string[]): ReadonlySet<string> {
  if (set && added.every((a) => set.has(a))) return set;
  return new Set([...(set ?? []), ...added]);
}

export interface ApplyResult {
  object: JsonObject;
  owners: FieldOwnership;
}

/**
 * Server-side apply of `applied` by `who` onto `live` (undefined when creating). Throws
 * ApplyConflictError when the apply would change a value another manager owns and force is off.
 */
export function applyConfiguration(
  owners: FieldOwnership,
  who: ManagerIdentity,
  live: JsonObject | undefined,
  applied: JsonObject,
  force: boolean,
  shapes: FieldShapes,
  lastApplied?: JsonObject,
): ApplyResult {
  const { manager } = who;
  const appliedFields = fieldsOf(applied, shapes);
  // Items of map lists are owned as items; the lists and maps around them are not (an apply owns values).
  const appliedItems = new Set([...appliedFields.nodes].filter((n) => segmentsOf(n).at(-1)?.startsWith('k:')));
  const myKey = entryKey(manager, 'Apply', who.subresource);
  const conflicts: (FieldConflict & { owned: string })[] = [];
  const taken: string[] = [];
  if (live) {
    for (const entry of owners.values()) {
      if (entry.manager === manager) continue;
      for (const owned of entry.fields) {
        for (const [path, value] of appliedFields.leaves) {
          if (!overlaps(owned, path)) continue;
          if (owned === path && deepEqual(valueAt(live, owned), value)) continue;
          if (force) taken.push(owned);
          else conflicts.push({ manager: describeManager(entry), path: displayPath(owned), owned });
          break;
        }
      }
    }
  }
  if (conflicts.length > 0) {
    // Like kube-apiserver's last-applied manager: `kubectl apply --server-side` takes over, without
    // conflict, fields that client-side apply set (per the last-applied annotation) and nobody changed since.
    const upgradable = (owned: string): boolean => {
      if (manager !== KUBECTL_SSA_MANAGER || !lastApplied || !live) return false;
      const recorded = valueAt(lastApplied, owned);
      return recorded !== undefined && deepEqual(recorded, valueAt(live, owned));
    };
    const real = conflicts.filter((c) => !upgradable(c.owned));
    if (real.length > 0) throw new ApplyConflictError(real.map(({ manager: m, path }) => ({ manager: m, path })));
    taken.push(...conflicts.map((c) => c.owned));
  }

  const result = live ? deepClone(live) : {};
  const previous = owners.get(myKey);
  const others = [...owners].filter(([k]) => k !== myKey).flatMap(([, e]) => [...e.fields, ...(e.nodes ?? [])]);
  const ownedByOthers = (path: string): boolean => others.some((o) => overlaps(o, path));
  for (const path of previous?.fields ?? []) {
    if (appliedFields.leaves.has(path) || [...appliedFields.leaves.keys()].some((p) => overlaps(p, path))) continue;
    if (!ownedByOthers(path)) deleteAt(result, path);
  }
  for (const item of previous?.nodes ?? []) {
    if (appliedItems.has(item) || [...appliedFields.leaves.keys()].some((p) => p.startsWith(item + SEP))) continue;
    if (!ownedByOthers(item)) deleteAt(result, item);
  }
  mergeInto(result, applied, shapes);

  const next = withoutPaths(owners, taken, myKey);
  const fields = new Set(appliedFields.leaves.keys());
  const same = previous && sameSet(previous.fields, fields) && sameSet(previous.nodes ?? new Set(), appliedItems) && taken.length === 0;
  next.set(myKey, { manager, operation: 'Apply', apiVersion: who.apiVersion, subresource: who.subresource, time: same ? previous.time : who.time, fields, nodes: appliedItems });
  return { object: result, owners: next };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** The metadata.managedFields entries of an ownership, sorted like kube-apiserver sorts them. */
export function managedFieldsEntries(owners: FieldOwnership): JsonObject[] {
  const entries = [...owners.values()].filter((e) => e.fields.size > 0 || (e.nodes?.size ?? 0) > 0);
  entries.sort((a, b) => {
    if (a.operation !== b.operation) return a.operation < b.operation ? -1 : 1;
    if (a.time !== b.time) return a.time < b.time ? -1 : 1;
    if (a.manager !== b.manager) return a.manager < b.manager ? -1 : 1;
    if (a.apiVersion !== b.apiVersion) return a.apiVersion < b.apiVersion ? -1 : 1;
    return a.subresource < b.subresource ? -1 : a.subresource > b.subresource ? 1 : 0;
  });
  return entries.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsV1(e),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}

/**
 * Rendered FieldsV1 trees by the owned-values Set they were rendered from (and its nodes Set):
 * every write renders every entry, and most entries are the same Sets as before. The trees are
 * never changed in place (storing copies them into key order).
 */
const renderedFieldsV1 = new WeakMap<ReadonlySet<string>, { nodes: ReadonlySet<string> | undefined; tree: JsonObject }>();

function fieldsV1(entry: ManagerFields): JsonObject {
  const known = renderedFieldsV1.get(entry.fields);
  if (known && known.nodes === entry.nodes) return known.tree;
  const tree = renderFieldsV1(entry);
  renderedFieldsV1.set(entry.fields, { nodes: entry.nodes, tree });
  return tree;
}

/** The FieldsV1 tree: one key per path segment, `.` for an owned node that has owned members. */
function renderFieldsV1(entry: ManagerFields): JsonObject {
  const root: JsonObject = {};
  const node = (path: string): JsonObject => {
    let cur = root;
    for (const seg of segmentsOf(path)) {
      if (!isJsonObject(cur[seg])) cur[seg] = {};
      cur = cur[seg] as JsonObject;
    }
    return cur;
  };
  for (const path of entry.fields) node(path);
  for (const path of entry.nodes ?? []) node(path);
  for (const path of entry.nodes ?? []) {
    const n = node(path);
    if (Object.keys(n).some((k) => k !== '.')) n['.'] = {};
  }
  return sortKeys(root);
}

function sortKeys(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    out[k] = isJsonObject(v) ? sortKeys(v) : (v as JsonValue);
  }
  return out;
}
