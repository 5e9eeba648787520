/**
 * What InstanceRolePolicy and Namespace watch events mean: the tenancy cache is updated, and the
 * bindings whose permission may have changed are queued at once. A policy change concerns the
 * namespaces its old and its new spec select; a Namespace change (its labels) concerns its own
 * bindings. The policy status controller hears of every change too. Events that change nothing
 * tenancy reads (a policy's status, a namespace's annotations) queue nothing.
 */
import type { InstanceRolePolicy } from '../api/instance-role-policy.js';
import { selectedNamespaces } from '../domain/tenancy.js';
import type { ObjectWatchHandlers } from '../kube/object-informer.js';
import type { NamespaceObject, TenancyCache } from '../kube/tenancy-cache.js';

export interface TenancyWatchDeps {
  tenancy: TenancyCache;
  /** Every binding key ("namespace/name"). */
  bindingKeys(): Iterable<string>;
  enqueue(key: string): void;
  /** The policy status controller. */
  policies: { policyChanged(name: string): void; recount(): void };
}

/** Queues every binding of the given namespaces. */
function enqueueNamespaces(deps: TenancyWatchDeps, namespaces: ReadonlySet<string>): void {
  if (namespaces.size === 0) return;
  for (const key of deps.bindingKeys()) {
    const slash = key.indexOf('/');
    if (namespaces.has(key.slice(0, slash))) deps.enqueue(key);
  }
}

export function policyWatchHandlers(deps: TenancyWatchDeps): ObjectWatchHandlers<InstanceRolePolicy> {
  const { tenancy } = deps;
  return {
    upsert(policy) {
      const old = tenancy.upsertPolicy(policy);
      const name = policy.metadata.name;
      if (old && old.policy.metadata.generation === policy.metadata.generation && old.policy.metadata.uid === policy.metadata.uid) return;
      const namespaces = tenancy.namespaceViews();
      const affected = selectedNamespaces(policy.spec, namespaces);
      for (const ns of selectedNamespaces(old?.policy.spec, namespaces)) affected.add(ns);
      enqueueNamespaces(deps, affected);
      deps.policies.policyChanged(name);
    },
    remove(policy) {
      const old = tenancy.removePolicy(policy.metadata.name);
      enqueueNamespaces(deps, selectedNamespaces((old?.policy ?? policy).spec, tenancy.namespaceViews()));
      deps.policies.policyChanged(policy.metadata.name);
    },
    listed: () => tenancy.markPoliciesListed(),
  };
}

export function namespaceWatchHandlers(deps: TenancyWatchDeps): ObjectWatchHandlers<NamespaceObject> {
  const { tenancy } = deps;
  return {
    upsert(namespace) {
      const name = namespace.metadata?.name;
      if (!name) return;
      const before = tenancy.upsertNamespace(namespace);
      if (before && sameLabels(before, namespace.metadata?.labels ?? {})) return;
      enqueueNamespaces(deps, new Set([name]));
      deps.policies.recount();
    },
    remove(namespace) {
      const name = namespace.metadata?.name;
      if (!name) return;
      tenancy.removeNamespace(name);
      enqueueNamespaces(deps, new Set([name]));
      deps.policies.recount();
    },
    listed: () => tenancy.markNamespacesListed(),
  };
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
