/**
 * Turns a raw Kubernetes object (from the cluster or a manifest file) into an audit binding, an
 * invalid binding with a message naming the field and the fix, or nothing when the object is not
 * an InstanceRoleBinding. Pure; no I/O.
 */
import { API_GROUP, API_GROUP_VERSION, type InstanceRoleBindingSpec, KIND, bindingKey } from '../api/instance-role-binding.js';
import { toBindingView } from '../domain/binding-view.js';
import type { AuditBinding, InvalidBinding } from './model.js';

/** Namespace of a manifest without metadata.namespace, as `kubectl apply` would use. */
export const DEFAULT_NAMESPACE = 'default';

export type BindingRecord = { binding: AuditBinding } | { invalid: InvalidBinding } | undefined;

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function timestampOf(value: unknown): string | Date | undefined {
  return typeof value === 'string' || value instanceof Date ? value : undefined;
}

/** Whether the object is of our kind or our API group (a wrong version is still reported). */
function isOurKind(apiVersion: unknown, kind: unknown): boolean {
  return kind === KIND && typeof apiVersion === 'string' && apiVersion.startsWith(`${API_GROUP}/`);
}

export function toBindingRecord(raw: unknown, source: string): BindingRecord {
  const object = asObject(raw);
  if (!object || !isOurKind(object.apiVersion, object.kind)) return undefined;
  const metadata = asObject(object.metadata) ?? {};
  const name = stringOf(metadata.name);
  const namespace = stringOf(metadata.namespace) ?? DEFAULT_NAMESPACE;
  const key = name ? bindingKey({ namespace, name }) : '';
  const invalid = (message: string): BindingRecord => ({ invalid: { key, source, message } });

  if (object.apiVersion !== API_GROUP_VERSION) {
    return invalid(`apiVersion ${String(object.apiVersion)} is not served: use ${API_GROUP_VERSION}`);
  }
  if (!name) return invalid('metadata.name is missing: give the binding a name');
  const viewed = toBindingView(
    { namespace, name, creationTimestamp: timestampOf(metadata.creationTimestamp), deletionTimestamp: timestampOf(metadata.deletionTimestamp) },
    object.spec as InstanceRoleBindingSpec,
  );
  return 'view' in viewed ? { binding: { source, view: viewed.view } } : invalid(viewed.invalid);
}

/**
 * Sorts records into valid and invalid bindings. A key seen twice (the same binding in two
 * files) keeps the first and reports the later one.
 */
export function collectBindingRecords(records: Iterable<BindingRecord>): { bindings: AuditBinding[]; invalidBindings: InvalidBinding[] } {
  const bindings: AuditBinding[] = [];
  const invalidBindings: InvalidBinding[] = [];
  const seen = new Map<string, string>();
  for (const record of records) {
    if (!record) continue;
    if ('invalid' in record) {
      invalidBindings.push(record.invalid);
      continue;
    }
    const { key } = record.binding.view;
    const first = seen.get(key);
    if (first !== undefined) {
      invalidBindings.push({ key, source: record.binding.source, message: `${key} is also defined in ${first}: keep one definition` });
      continue;
    }
    seen.set(key, record.binding.source);
    bindings.push(record.binding);
  }
  return { bindings, invalidBindings };
}
