/**
 * The scale subresource (autoscaling/v1 Scale) of custom resources whose CRD declares
 * `subresources.scale`, and of Deployments: the Scale shows the object's metadata, the replicas
 * at specReplicasPath, the observed replicas at statusReplicasPath and the label selector; writing
 * a Scale sets the replicas in the object. Missing spec replicas answer 500 like the real server.
 */
import { deepClone, isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { groupKind, type ResourceType, type ScaleMapping } from './resource-type.js';
import { ApiError, badRequest, invalid } from './status.js';

export const SCALE_SUBRESOURCE = { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };

function segments(path: string): string[] {
  return path.replace(/^\./, '').split('.').filter((s) => s.length > 0);
}

function valueAt(obj: JsonObject, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const seg of segments(path)) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function setAt(obj: JsonObject, path: string, value: JsonValue): void {
  const segs = segments(path);
  let cur = obj;
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg];
    if (!isJsonObject(next)) cur[seg] = {};
    cur = cur[seg] as JsonObject;
  }
  cur[segs[segs.length - 1] as string] = value;
}

function mapping(t: ResourceType): ScaleMapping {
  if (!t.scale) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  return t.scale;
}

/** What an update starts from when the object has no spec replicas: a value no client sends. */
const UNSET_REPLICAS = -2147483648;

/**
 * The Scale of an object. Reading one whose spec replicas are missing is a 500; an update may
 * start from it (`forUpdate`) as long as it sets the replicas.
 */
export function scaleOf(t: ResourceType, obj: JsonObject, forUpdate = false): JsonObject {
  const m = mapping(t);
  const found = valueAt(obj, m.specReplicasPath);
  if (typeof found !== 'number' && !forUpdate) {
    const why = `the spec replicas field ${JSON.stringify(m.specReplicasPath)} does not exist`;
    throw new ApiError(500, 'InternalError', `Internal error occurred: ${why}`, { causes: [{ reason: '', message: why }] });
  }
  const replicas = typeof found === 'number' ? found : UNSET_REPLICAS;
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  const statusReplicas = valueAt(obj, m.statusReplicasPath);
  const selector = m.selector(obj);
  const metadata: JsonObject = {};
  for (const key of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']) if (meta[key] !== undefined) metadata[key] = meta[key] as JsonValue;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(selector ? { selector } : {}) },
  };
}

/** The object with the replicas of `scale` (validated: a non-negative integer). */
export function withScale(t: ResourceType, obj: JsonObject, scale: JsonObject): JsonObject {
  const m = mapping(t);
  const spec = isJsonObject(scale['spec']) ? scale['spec'] : {};
  const replicas = spec['replicas'] ?? 0;
  const name = String((obj['metadata'] as JsonObject | undefined)?.['name'] ?? '');
  if (replicas === UNSET_REPLICAS) throw badRequest(`the spec replicas field ${JSON.stringify(m.specReplicasPath)} cannot be empty`);
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    if (t.custom) {
      throw invalid(groupKind(t), name, [{ reason: 'FieldValueInvalid', field: m.specReplicasPath, message: `Invalid value: ${JSON.stringify(replicas)}: should be a non-negative integer` }]);
    }
    throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  const next = deepClone(obj);
  setAt(next, m.specReplicasPath, replicas);
  return next;
}

/** Reads the label selector a CRD's labelSelectorPath points at. */
export function selectorAt(path: string | undefined): (obj: JsonObject) => string | undefined {
  return (obj) => {
    if (!path) return undefined;
    const v = valueAt(obj, path);
    return typeof v === 'string' ? v : undefined;
  };
}
