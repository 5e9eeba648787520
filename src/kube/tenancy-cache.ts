/**
 * What the tenancy informers saw: every InstanceRolePolicy (checked with normalizePolicy: a policy
 * that cannot be used permits nothing and says why) and every Namespace's labels. It is the
 * reconciler's TenancySource: a Permissions snapshot rebuilt only after a change, and synced once
 * both kinds were listed. Under --tenancy=disabled it permits everything and is always synced.
 */
import type { InstanceRolePolicy } from '../api/instance-role-policy.js';
import { type Permissions, UNRESTRICTED, enforcedPermissions } from '../domain/permissions.js';
import { type NamespaceView, type PolicyView, normalizePolicy } from '../domain/tenancy.js';
import { errorText } from '../util/error-text.js';
import type { TenancySource } from './binding-api.js';

export type TenancyMode = 'enforce' | 'disabled';

export interface PolicyEntry {
  name: string;
  policy: InstanceRolePolicy;
  /** The checked policy, or why it cannot be used. */
  checked: { view: PolicyView } | { invalid: string };
}

/** The metadata of a Namespace the cache reads. */
export interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string> | undefined };
}

export class TenancyCache implements TenancySource {
  private readonly policies = new Map<string, PolicyEntry>();
  private readonly namespaces = new Map<string, NamespaceView>();
  private snapshot: Permissions | undefined;
  private policiesListed = false;
  private namespacesListed = false;

  constructor(readonly mode: TenancyMode) {}

  get enforced(): boolean {
    return this.mode === 'enforce';
  }

  synced(): boolean {
    return !this.enforced || (this.policiesListed && this.namespacesListed);
  }

  permissions(): Permissions {
    if (!this.enforced) return UNRESTRICTED;
    this.snapshot ??= enforcedPermissions(
      [...this.policies.values()].flatMap((e) => ('view' in e.checked ? [e.checked.view] : [])),
      this.namespaces,
    );
    return this.snapshot;
  }

  /** Stores the policy; returns what it replaces. */
  upsertPolicy(policy: InstanceRolePolicy): PolicyEntry | undefined {
    const name = policy.metadata.name;
    const old = this.policies.get(name);
    let checked: PolicyEntry['checked'];
    try {
      checked = { view: normalizePolicy(name, policy.spec) };
    } catch (err) {
      checked = { invalid: errorText(err) };
    }
    this.policies.set(name, { name, policy, checked });
    this.snapshot = undefined;
    return old;
  }

  removePolicy(name: string): PolicyEntry | undefined {
    const old = this.policies.get(name);
    this.policies.delete(name);
    this.snapshot = undefined;
    return old;
  }

  /** Stores the namespace's labels; returns its labels before (undefined when it was new). */
  upsertNamespace(namespace: NamespaceObject): Readonly<Record<string, string>> | undefined {
    const name = namespace.metadata?.name;
    if (!name) return undefined;
    const old = this.namespaces.get(name);
    this.namespaces.set(name, { name, labels: { ...(namespace.metadata?.labels ?? {}) } });
    this.snapshot = undefined;
    return old?.labels;
  }

  removeNamespace(name: string): void {
    this.namespaces.delete(name);
    this.snapshot = undefined;
  }

  markPoliciesListed(): void {
    this.policiesListed = true;
  }

  markNamespacesListed(): void {
    this.namespacesListed = true;
  }

  policy(name: string): PolicyEntry | undefined {
    return this.policies.get(name);
  }

  policyEntries(): PolicyEntry[] {
    return [...this.policies.values()];
  }

  namespaceViews(): NamespaceView[] {
    return [...this.namespaces.values()];
  }
}
