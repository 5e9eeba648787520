/**
 * The tenancy side of what the audit reads, from a cluster or a manifest directory:
 * InstanceRolePolicies (checked with the operator's own normalizePolicy) and Namespaces (their
 * labels, for namespaceSelector), and the permissions they give. Pure; no I/O.
 */
import { API_GROUP_VERSION } from '../api/group.js';
import { type InstanceRolePolicySpec, POLICY_KIND } from '../api/instance-role-policy.js';
import { UNRESTRICTED, enforcedPermissions } from '../domain/permissions.js';
import { type NamespaceView, normalizePolicy } from '../domain/tenancy.js';
import { errorText } from '../util/error-text.js';
import type { AuditPolicy, AuditTenancy } from './model.js';

export type TenancyRecord = { policy: AuditPolicy } | { namespace: NamespaceView } | undefined;

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** An InstanceRolePolicy or a Namespace read from `raw`, or nothing when it is neither. */
export function toTenancyRecord(raw: unknown, source: string): TenancyRecord {
  const object = asObject(raw);
  if (!object) return undefined;
  const metadata = asObject(object.metadata) ?? {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (object.kind === 'Namespace' && object.apiVersion === 'v1' && name) {
    const labels = Object.fromEntries(Object.entries(asObject(metadata.labels) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return { namespace: { name, labels } };
  }
  if (object.kind !== POLICY_KIND || typeof object.apiVersion !== 'string' || !object.apiVersion.startsWith('roles.ecs.dev/')) return undefined;
  if (object.apiVersion !== API_GROUP_VERSION) {
    return { policy: { name: name || '(unnamed)', source, checked: { invalid: `apiVersion ${object.apiVersion} is not served: use ${API_GROUP_VERSION}` } } };
  }
  if (!name) return { policy: { name: '(unnamed)', source, checked: { invalid: 'metadata.name is missing: give the policy a name' } } };
  try {
    return { policy: { name, source, checked: { view: normalizePolicy(name, object.spec as InstanceRolePolicySpec) } } };
  } catch (err) {
    return { policy: { name, source, checked: { invalid: errorText(err) } } };
  }
}

/** The audit's tenancy: enforced from the policies and namespaces read, or disabled (everything permitted). */
export function auditTenancy(mode: 'enforce' | 'disabled', policies: AuditPolicy[], namespaces: NamespaceView[]): AuditTenancy {
  if (mode === 'disabled') return { enforced: false, permissions: UNRESTRICTED, policies };
  const views = policies.flatMap((p) => ('view' in p.checked ? [p.checked.view] : []));
  return { enforced: true, permissions: enforcedPermissions(views, new Map(namespaces.map((n) => [n.name, n]))), policies };
}
