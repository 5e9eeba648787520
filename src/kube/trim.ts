/**
 * What the operator keeps of each watched object: the fields it reads, nothing else. An API
 * server sends managedFields (often larger than the object), ownerReferences, and annotations
 * such as kubectl's last-applied-configuration; at 10,000 bindings those copies cost more than
 * everything else the controller holds. Each returns a new, smaller object; the input is not
 * changed. Bindings also share their repeated strings through one bounded table (intern.ts).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_GROUP } from '../api/instance-role-binding.js';
import { InternTable } from './intern.js';

/** Annotations the operator reads are all under its API group (roles.ecs.dev/...). */
const KEPT_ANNOTATION_PREFIX = `${API_GROUP}/`;

/** The metadata fields of api/meta.ts ObjectMeta: what the controller, the planner and the ledger read. */
const KEPT_METADATA = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'finalizers', 'labels'] as const;

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The metadata the operator reads; annotations only under roles.ecs.dev/ (and none when none is). */
export function trimMetadata(metadata: unknown): Json {
  if (!isRecord(metadata)) return {};
  const out: Json = {};
  for (const key of KEPT_METADATA) if (metadata[key] !== undefined) out[key] = metadata[key];
  if (isRecord(metadata.annotations)) {
    const kept = Object.entries(metadata.annotations).filter(([k]) => k.startsWith(KEPT_ANNOTATION_PREFIX));
    if (kept.length > 0) out.annotations = Object.fromEntries(kept);
  }
  return out;
}

/** An object with a spec and a status (InstanceRoleBinding, InstanceRolePolicy): kind, trimmed metadata, spec, status. */
export function trimSpecStatusObject<T extends KubernetesObject>(object: T): T {
  const o = object as unknown as Json;
  const out: Json = { metadata: trimMetadata(o.metadata) };
  for (const key of ['apiVersion', 'kind', 'spec', 'status'] as const) if (o[key] !== undefined) out[key] = o[key];
  return out as unknown as T;
}

/** The strings of bindings that repeat across bindings (intern.ts), by where they are. */
const SPEC_STRINGS = ['regionId', 'roleName', 'mode', 'deletionPolicy', 'resyncPeriod'] as const;
const CONDITION_STRINGS = ['type', 'status', 'reason', 'message', 'lastTransitionTime'] as const;
const INSTANCE_STRINGS = ['state', 'observedRole', 'message'] as const;

/** Shared by every binding the operator's informers keep. */
const bindingStrings = new InternTable();

/** A copy of the record with the string values of these fields interned; anything else as it is. */
function internFields(value: unknown, fields: readonly string[], strings: InternTable): unknown {
  if (!isRecord(value)) return value;
  const out: Json = { ...value };
  for (const field of fields) if (out[field] !== undefined) out[field] = strings.intern(out[field]);
  return out;
}

function internEach(value: unknown, fields: readonly string[], strings: InternTable): unknown {
  return Array.isArray(value) ? value.map((item) => internFields(item, fields, strings)) : value;
}

/** status.instances with each instanceId the spec names replaced by the spec's copy of the same string. */
function shareSpecIds(instances: unknown, spec: unknown): unknown {
  if (!Array.isArray(instances) || !isRecord(spec) || !Array.isArray(spec.instanceIds)) return instances;
  const ids = new Map<unknown, unknown>(spec.instanceIds.map((id: unknown) => [id, id]));
  for (const item of instances) if (isRecord(item) && ids.has(item.instanceId)) item.instanceId = ids.get(item.instanceId);
  return instances;
}

/**
 * An InstanceRoleBinding as trimSpecStatusObject keeps it, with the strings that repeat from
 * binding to binding shared (apiVersion, kind, finalizers, region, role, mode, the conditions'
 * type, status, reason, message and transition time, the instances' state, observed role and
 * message, the last sync time: a wave of passes writes the same second into thousands of
 * bindings); the status's instance IDs are the spec's strings. The objects holding them are new
 * copies (spec, status, its conditions and instances); uids and resourceVersions stay as they are.
 */
export function trimBinding<T extends KubernetesObject>(object: T, strings: InternTable = bindingStrings): T {
  const out = trimSpecStatusObject(object) as unknown as Json;
  for (const key of ['apiVersion', 'kind'] as const) if (out[key] !== undefined) out[key] = strings.intern(out[key]);
  const metadata = out.metadata as Json;
  if (Array.isArray(metadata.finalizers)) metadata.finalizers = metadata.finalizers.map((f: unknown) => strings.intern(f));
  if (out.spec !== undefined) out.spec = internFields(out.spec, SPEC_STRINGS, strings);
  if (isRecord(out.status)) {
    const status: Json = { ...out.status };
    if (status.conditions !== undefined) status.conditions = internEach(status.conditions, CONDITION_STRINGS, strings);
    if (status.instances !== undefined) status.instances = shareSpecIds(internEach(status.instances, INSTANCE_STRINGS, strings), out.spec);
    if (status.lastSyncTime !== undefined) status.lastSyncTime = strings.intern(status.lastSyncTime);
    out.status = status;
  }
  return out as unknown as T;
}

/** A Namespace: its name, labels, uid and resourceVersion (tenancy reads its labels only). */
export function trimNamespace<T extends KubernetesObject>(object: T): T {
  const metadata = trimMetadata((object as unknown as Json).metadata);
  const kept: Json = {};
  for (const key of ['name', 'uid', 'resourceVersion', 'labels'] as const) if (metadata[key] !== undefined) kept[key] = metadata[key];
  return { apiVersion: 'v1', kind: 'Namespace', metadata: kept } as unknown as T;
}
