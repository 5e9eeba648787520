/**
 * Field ownership for server-side apply: which manager (by name and operation) owns which leaf
 * fields of an object. Lists are atomic (owned as a whole). Updates (create, PUT, non-apply
 * patches) move the fields they change to their manager; an apply conflicts when it would change
 * a value another manager owns, unless forced, and removes fields its manager applied before but
 * no longer applies and nobody else owns.
 */
import { deepClone, deepEqual, isJsonObject, type JsonObject, type JsonValue } from './json.js';

const SEP = '\u0000';

export type ManagerOperation = 'Apply' | 'Update';

export interface ManagerFields {
  manager: string;
  operation: ManagerOperation;
  apiVersion: string;
  fields: ReadonlySet<string>;
}

/** Keyed by `manager/operation`. */
export type FieldOwnership = ReadonlyMap<string, ManagerFields>;

export const NO_OWNERS: FieldOwnership = new Map();

/** The field manager of `kubectl apply --server-side`. */
export const KUBECTL_SSA_MANAGER = 'kubectl';
/** Where client-side `kubectl apply` records what it applied. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Server-managed metadata that no manager owns. */
const UNOWNED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

export interface FieldConflict {
  manager: string;
  apiVersion: string;
  path: string;
}

export class ApplyConflictError extends Error {
  constructor(readonly conflicts: FieldConflict[]) {
    super(describeConflicts(conflicts));
    this.name = 'ApplyConflictError';
  }
}

/** `Apply failed with 1 conflict: conflict with "m" using v1: .data.key`, like the real server. */
export function describeConflicts(conflicts: FieldConflict[]): string {
  const byManager = new Map<string, FieldConflict[]>();
  for (const c of conflicts) {
    const key = `${c.manager}${SEP}${c.apiVersion}`;
    byManager.set(key, [...(byManager.get(key) ?? []), c]);
  }
  const n = conflicts.length;
  const head = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: `;
  const parts = [...byManager.values()].map((cs) => {
    const first = cs[0] as FieldConflict;
    if (cs.length === 1) return `conflict with "${first.manager}" using ${first.apiVersion}: ${first.path}`;
    return `conflicts with "${first.manager}" using ${first.apiVersion}:\n${cs.map((c) => `- ${c.path}`).join('\n')}`;
  });
  return head + parts.join('\n');
}

export function displayPath(path: string): string {
  return '.' + path.split(SEP).join('.');
}

/** Leaf paths of an object with their values; maps recurse, everything else is a leaf. */
export function leafFields(obj: JsonObject): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  const walk = (value: JsonValue, prefix: string): void => {
    if (isJsonObject(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}${SEP}${k}` : k);
    } else {
      out.set(prefix, value);
    }
  };
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'metadata' && isJsonObject(value)) {
      for (const [mk, mv] of Object.entries(value)) if (!UNOWNED_METADATA.has(mk)) walk(mv, `metadata${SEP}${mk}`);
      continue;
    }
    walk(value, key);
  }
  return out;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b + SEP) || b.startsWith(a + SEP);
}

function entryKey(manager: string, operation: ManagerOperation): string {
  return `${manager}/${operation}`;
}

function withoutPaths(owners: FieldOwnership, paths: Iterable<string>, except?: string): Map<string, ManagerFields> {
  const drop = [...paths];
  const out = new Map<string, ManagerFields>();
  for (const [key, entry] of owners) {
    if (key === except || drop.length === 0) {
      out.set(key, entry);
      continue;
    }
    const kept = new Set([...entry.fields].filter((f) => !drop.some((p) => overlaps(f, p))));
    if (kept.size > 0) out.set(key, { ...entry, fields: kept });
  }
  return out;
}

/** Ownership after a non-apply write by `manager`: changed fields move to it, removed fields go. */
export function recordUpdate(
  owners: FieldOwnership,
  manager: string,
  apiVersion: string,
  oldObj: JsonObject | undefined,
  newObj: JsonObject,
): FieldOwnership {
  const before = oldObj ? leafFields(oldObj) : new Map<string, JsonValue>();
  const after = leafFields(newObj);
  const changed: string[] = [];
  for (const [path, value] of after) if (!before.has(path) || !deepEqual(before.get(path), value)) changed.push(path);
  const removed = [...before.keys()].filter((p) => !after.has(p));
  if (changed.length === 0 && removed.length === 0) return owners;
  const key = entryKey(manager, 'Update');
  const next = withoutPaths(owners, [...changed, ...removed]);
  if (changed.length > 0) {
    const mine = next.get(key);
    next.set(key, { manager, operation: 'Update', apiVersion, fields: new Set([...(mine?.fields ?? []), ...changed]) });
  }
  return next;
}

function valueAt(obj: JsonObject, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const seg of path.split(SEP)) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function deleteAt(obj: JsonObject, path: string): void {
  const segs = path.split(SEP);
  let cur: JsonValue | undefined = obj;
  for (const seg of segs.slice(0, -1)) {
    if (!isJsonObject(cur)) return;
    cur = cur[seg];
  }
  if (isJsonObject(cur)) delete cur[segs[segs.length - 1] as string];
}

/** Maps merge recursively; lists and scalars replace; null removes. */
function mergeApplied(target: JsonObject, applied: JsonObject): void {
  for (const [k, v] of Object.entries(applied)) {
    if (v === null) {
      delete target[k];
    } else if (isJsonObject(v)) {
      const cur = target[k];
      if (isJsonObject(cur)) mergeApplied(cur, v);
      else target[k] = deepClone(v);
    } else {
      target[k] = deepClone(v);
    }
  }
}

export interface ApplyResult {
  object: JsonObject;
  owners: FieldOwnership;
}

/**
 * Server-side apply of `applied` by `manager` onto `live` (undefined when creating). Throws
 * ApplyConflictError when the apply would change a field another manager owns and force is off.
 */
export function applyConfiguration(
  owners: FieldOwnership,
  manager: string,
  apiVersion: string,
  live: JsonObject | undefined,
  applied: JsonObject,
  force: boolean,
  lastApplied?: JsonObject,
): ApplyResult {
  const appliedFields = leafFields(applied);
  const myKey = entryKey(manager, 'Apply');
  const conflicts: (FieldConflict & { owned: string })[] = [];
  const taken: string[] = [];
  if (live) {
    for (const entry of owners.values()) {
      if (entry.manager === manager) continue;
      for (const owned of entry.fields) {
        for (const [path, value] of appliedFields) {
          if (!overlaps(owned, path)) continue;
          const same = owned === path && deepEqual(valueAt(live, owned), value);
          if (same) continue;
          if (force) taken.push(owned);
          else conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, path: displayPath(owned), owned });
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
    if (real.length > 0) throw new ApplyConflictError(real.map(({ manager: m, apiVersion: v, path }) => ({ manager: m, apiVersion: v, path })));
    taken.push(...conflicts.map((c) => c.owned));
  }

  const result = live ? deepClone(live) : {};
  const previouslyApplied = owners.get(myKey)?.fields ?? new Set<string>();
  const others = [...owners].filter(([k]) => k !== myKey).flatMap(([, e]) => [...e.fields]);
  for (const path of previouslyApplied) {
    if (appliedFields.has(path)) continue;
    if ([...appliedFields.keys()].some((p) => overlaps(p, path))) continue;
    if (others.some((o) => overlaps(o, path))) continue;
    deleteAt(result, path);
  }
  mergeApplied(result, applied);

  const next = withoutPaths(owners, taken, myKey);
  next.set(myKey, { manager, operation: 'Apply', apiVersion, fields: new Set(appliedFields.keys()) });
  return { object: result, owners: next };
}
