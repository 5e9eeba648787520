/**
 * What the operator keeps of each watched object: the fields it reads, nothing else. An API
 * server sends managedFields (often larger than the object), ownerReferences, and annotations
 * such as kubectl's last-applied-configuration; at 10,000 bindings those copies cost more than
 * everything else the controller holds. Pure: a new, smaller object; the input is not changed.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_GROUP } from '../api/instance-role-binding.js';

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

/** A Namespace: its name, labels, uid and resourceVersion (tenancy reads its labels only). */
export function trimNamespace<T extends KubernetesObject>(object: T): T {
  const metadata = trimMetadata((object as unknown as Json).metadata);
  const kept: Json = {};
  for (const key of ['name', 'uid', 'resourceVersion', 'labels'] as const) if (metadata[key] !== undefined) kept[key] = metadata[key];
  return { apiVersion: 'v1', kind: 'Namespace', metadata: kept } as unknown as T;
}
