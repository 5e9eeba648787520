/**
 * What tenancy permits, as one object the planner, the release path, the policy status and the
 * audit all ask: may this binding (namespace, role, region) act at all, and may it act on this
 * instance. Built from the policies and namespaces the operator sees (enforced), or permitting
 * everything (run --tenancy=disabled). Answers are memoized per (namespace, role, region), so a
 * plan that asks for every claimant of every instance stays cheap. Pure: no I/O.
 */
import type { BindingView } from './binding-view.js';
import type { InstanceInfo } from './cloud-facts.js';
import { roleNameKey } from './role-names.js';
import { type InstanceGrant, type NamespaceView, type PolicyView, type TenancyGrant, instanceGrant, tenancyGrant } from './tenancy.js';

/** Who asks: a binding's namespace, the role it names (or holds) and its region. */
export interface BindingIdentity {
  namespace: string;
  roleName: string;
  regionId: string;
}

export interface Permissions {
  /** false under run --tenancy=disabled: everything is permitted and policies allow takeover. */
  readonly enforced: boolean;
  /** Whether the binding may act at all (tenancy rule 3), or the message saying why not. */
  binding(who: BindingIdentity): TenancyGrant;
  /**
   * Whether it may act on this instance (rule 5). `instance` undefined: not described (no such
   * instance); it is then judged on its region alone, so a policy that constrains VPCs or tags
   * permits no unknown ID and NotPermitted reads the same whether or not the instance exists.
   */
  instance(who: BindingIdentity, instance: Pick<InstanceInfo, 'regionId' | 'vpcId' | 'tags'> | undefined): InstanceGrant;
}

/** The identity a binding's spec gives it. */
export function identityOf(view: BindingView): BindingIdentity {
  return { namespace: view.namespace, roleName: view.spec.roleName, regionId: view.spec.regionId };
}

/** The identity a binding has for a role it holds (which may differ from spec.roleName after a change). */
export function holderIdentity(view: BindingView, roleName: string): BindingIdentity {
  return { namespace: view.namespace, roleName, regionId: view.spec.regionId };
}

/** Deny by default: what the given policies permit to the given namespaces. */
export function enforcedPermissions(policies: readonly PolicyView[], namespaces: ReadonlyMap<string, NamespaceView>): Permissions {
  const grants = new Map<string, TenancyGrant>();
  const binding = (who: BindingIdentity): TenancyGrant => {
    const key = `${who.namespace}\u0000${roleNameKey(who.roleName)}\u0000${who.regionId}`;
    let grant = grants.get(key);
    if (!grant) {
      grant = tenancyGrant(who, namespaces.get(who.namespace), policies);
      grants.set(key, grant);
    }
    return grant;
  };
  return {
    enforced: true,
    binding,
    instance: (who, instance) => instanceGrant(binding(who), instance ? { regionId: instance.regionId, ...(instance.vpcId !== undefined ? { vpcId: instance.vpcId } : {}), tags: instance.tags } : { regionId: who.regionId, tags: {} }),
  };
}

const EVERYTHING: TenancyGrant = { permitted: true, policies: [] };
const ANY_INSTANCE: InstanceGrant = { permitted: true, policy: null, allowTakeover: true };

/** run --tenancy=disabled: single-tenant behaviour; spec.takeover alone decides takeover. */
export const UNRESTRICTED: Permissions = {
  enforced: false,
  binding: () => EVERYTHING,
  instance: () => ANY_INSTANCE,
};
