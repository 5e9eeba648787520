/**
 * Tenancy, as a pure decision: which InstanceRolePolicies (cluster-scoped, admin-owned) let a
 * binding's namespace bind its role, and which instances they let it act on. Deny by default: no
 * permitting policy, no action; an instance no permitting policy covers is NotPermitted and is
 * neither read nor changed. No I/O.
 *
 * Rules:
 *  1. A policy selects a namespace when the namespace is in spec.namespaces, or its labels match
 *     spec.namespaceSelector (metav1.LabelSelector semantics; {} selects every namespace).
 *  2. A policy permits a role when one of spec.roles matches it ('*' = any run of characters,
 *     case-insensitive, see role-names.ts).
 *  3. The permitting policies of a binding are those that select its namespace AND permit its
 *     role. None: the binding is NotPermitted (Stalled) and nothing is done for it.
 *  4. A permitting policy covers an instance when every constraint it gives holds: region in
 *     instances.regionIds, VPC in instances.vpcIds, and every tag of instances.tags on the
 *     instance with that value. No constraints: every instance of the account.
 *  5. An instance is permitted when some permitting policy covers it; spec.takeover may replace a
 *     role there only when some covering policy sets allowTakeover.
 */
import type { InstanceRolePolicySpec, LabelSelector } from '../api/instance-role-policy.js';
import { API_GROUP_VERSION } from '../api/group.js';
import { POLICY_KIND } from '../api/instance-role-policy.js';
import { roleNameMatches } from './role-names.js';

export interface NamespaceView {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** What a policy says, checked and ready to match. */
export interface PolicyView {
  name: string;
  namespaces: ReadonlySet<string>;
  namespaceSelector?: LabelSelector;
  roles: readonly string[];
  instances?: {
    regionIds?: ReadonlySet<string>;
    vpcIds?: ReadonlySet<string>;
    tags?: Readonly<Record<string, string>>;
  };
  allowTakeover: boolean;
}

/** The attributes of an instance a policy can constrain. */
export interface InstanceAttributes {
  regionId: string;
  vpcId?: string;
  tags: Readonly<Record<string, string>>;
}

export type TenancyGrant =
  | { permitted: true; policies: readonly PolicyView[] }
  | { permitted: false; message: string };

export type InstanceGrant = { permitted: true; policy: string; allowTakeover: boolean } | { permitted: false };

/** Label keys: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * A policy's spec as the matcher uses it. Throws an Error naming the field and the fix when the
 * spec cannot be used (the CRD rejects most of this at admission; a policy that slipped past it,
 * or one read from a file, still fails clearly).
 */
export function normalizePolicy(name: string, spec: InstanceRolePolicySpec): PolicyView {
  if (spec === null || typeof spec !== 'object') throw new Error('spec is missing');
  const namespaces = new Set(spec.namespaces ?? []);
  if (namespaces.size === 0 && !spec.namespaceSelector) {
    throw new Error('spec names no namespaces: set spec.namespaces, spec.namespaceSelector, or both');
  }
  if (!Array.isArray(spec.roles) || spec.roles.length === 0) throw new Error('spec.roles is empty: list the RAM role names (or patterns such as TeamA*) it permits');
  for (const selectorKey of [...Object.keys(spec.namespaceSelector?.matchLabels ?? {}), ...(spec.namespaceSelector?.matchExpressions ?? []).map((e) => e.key)]) {
    if (!LABEL_KEY.test(selectorKey)) throw new Error(`spec.namespaceSelector: "${selectorKey}" is not a valid label key`);
  }
  for (const e of spec.namespaceSelector?.matchExpressions ?? []) {
    const needsValues = e.operator === 'In' || e.operator === 'NotIn';
    if (needsValues !== (e.values !== undefined && e.values.length > 0)) {
      throw new Error(`spec.namespaceSelector.matchExpressions: operator ${e.operator} on "${e.key}" ${needsValues ? 'needs values' : 'takes no values'}`);
    }
  }
  const constraints = spec.instances;
  const instances: NonNullable<PolicyView['instances']> = {};
  if (constraints?.regionIds?.length) instances.regionIds = new Set(constraints.regionIds);
  if (constraints?.vpcIds?.length) instances.vpcIds = new Set(constraints.vpcIds);
  if (constraints?.tags && Object.keys(constraints.tags).length > 0) instances.tags = { ...constraints.tags };
  return {
    name,
    namespaces,
    ...(spec.namespaceSelector ? { namespaceSelector: spec.namespaceSelector } : {}),
    roles: [...spec.roles],
    ...(Object.keys(instances).length > 0 ? { instances } : {}),
    allowTakeover: spec.allowTakeover ?? false,
  };
}

/** Rule 1. */
export function policySelectsNamespace(policy: PolicyView, namespace: NamespaceView): boolean {
  if (policy.namespaces.has(namespace.name)) return true;
  return policy.namespaceSelector !== undefined && labelSelectorMatches(policy.namespaceSelector, namespace.labels);
}

/** metav1.LabelSelector: matchLabels and every matchExpression must hold; {} matches everything. */
export function labelSelectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Rule 2. */
export function policyPermitsRole(policy: PolicyView, roleName: string): boolean {
  return policy.roles.some((pattern) => roleNameMatches(pattern, roleName));
}

/** Rule 4, for what is known before describing an instance: its region. */
export function policyCoversRegion(policy: PolicyView, regionId: string): boolean {
  return policy.instances?.regionIds === undefined || policy.instances.regionIds.has(regionId);
}

/** Whether deciding rule 4 needs the instance's VPC or tags (a DescribeInstances answer). */
export function policyNeedsInstanceAttributes(policy: PolicyView): boolean {
  return policy.instances?.vpcIds !== undefined || policy.instances?.tags !== undefined;
}

/** Rule 4. */
export function policyCoversInstance(policy: PolicyView, instance: InstanceAttributes): boolean {
  const c = policy.instances;
  if (!c) return true;
  if (c.regionIds && !c.regionIds.has(instance.regionId)) return false;
  if (c.vpcIds && (instance.vpcId === undefined || !c.vpcIds.has(instance.vpcId))) return false;
  for (const [key, value] of Object.entries(c.tags ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(instance.tags, key) || instance.tags[key] !== value) return false;
  }
  return true;
}

/** Rule 3: the policies that let this namespace bind this role, or why none does. */
export function tenancyGrant(binding: { namespace: string; roleName: string; regionId: string }, namespace: NamespaceView | undefined, policies: readonly PolicyView[]): TenancyGrant {
  const ns: NamespaceView = namespace ?? { name: binding.namespace, labels: {} };
  const selecting = policies.filter((p) => policySelectsNamespace(p, ns));
  const permitting = selecting.filter((p) => policyPermitsRole(p, binding.roleName)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (permitting.length > 0) {
    if (!permitting.some((p) => policyCoversRegion(p, binding.regionId))) {
      return {
        permitted: false,
        message:
          `InstanceRolePolicy ${permitting.map((p) => p.name).join(', ')} permits namespace ${ns.name} to bind role ${binding.roleName} but not in region ${binding.regionId}; ` +
          `a cluster admin can add ${binding.regionId} to spec.instances.regionIds`,
      };
    }
    return { permitted: true, policies: permitting };
  }
  const why =
    selecting.length === 0
      ? `no InstanceRolePolicy selects namespace ${ns.name}`
      : `InstanceRolePolicy ${selecting.map((p) => p.name).join(', ')} selects namespace ${ns.name} but permits only roles ${[...new Set(selecting.flatMap((p) => p.roles))].join(', ')}`;
  return { permitted: false, message: `${why}, so role ${binding.roleName} may not be bound here; a cluster admin can permit it with: ${examplePolicy(ns.name, binding.roleName)}` };
}

/** Rule 5 for one described instance. */
export function instanceGrant(grant: TenancyGrant, instance: InstanceAttributes): InstanceGrant {
  if (!grant.permitted) return { permitted: false };
  const covering = grant.policies.filter((p) => policyCoversInstance(p, instance));
  const first = covering[0];
  if (!first) return { permitted: false };
  return { permitted: true, policy: first.name, allowTakeover: covering.some((p) => p.allowTakeover) };
}

/** The per-instance message of NotPermitted: the same whether or not the instance exists. */
export function notPermittedMessage(namespace: string, regionId: string): string {
  return `not permitted: no InstanceRolePolicy lets namespace ${namespace} act on this instance in region ${regionId} (or it does not exist); nothing about it is read or changed`;
}

/** A one-line policy a cluster admin could apply to permit this binding. */
export function examplePolicy(namespace: string, roleName: string): string {
  return JSON.stringify({ apiVersion: API_GROUP_VERSION, kind: POLICY_KIND, metadata: { name: namespace }, spec: { namespaces: [namespace], roles: [roleName] } });
}
