/** Builders for the pure controller tests: bindings, instances, ledgers, policies and planner inputs. */
import type { InstanceRolePolicySpec } from '../../../src/api/instance-role-policy.js';
import type { NormalizedSpec } from '../../../src/domain/binding-spec.js';
import type { BindingView } from '../../../src/domain/binding-view.js';
import type { InstanceInfo } from '../../../src/domain/cloud-facts.js';
import { OwnershipLedger } from '../../../src/domain/ownership.js';
import { type Permissions, UNRESTRICTED, enforcedPermissions } from '../../../src/domain/permissions.js';
import type { PlanInput, ReleaseInput } from '../../../src/domain/planner.js';
import { type NamespaceView, normalizePolicy } from '../../../src/domain/tenancy.js';

export const REGION = 'cn-hangzhou';

/** A binding "namespace/name" (uid "uid-namespace/name"). */
export function binding(key: string, createdAt: string, spec: Partial<NormalizedSpec> = {}, deleting = false): BindingView {
  return {
    key,
    namespace: key.slice(0, key.indexOf('/')),
    uid: `uid-${key}`,
    creationTimestamp: createdAt,
    deleting,
    spec: {
      regionId: REGION,
      roleName: 'RoleA',
      instanceIds: [],
      deletionPolicy: 'Detach',
      mode: 'Enforce',
      takeover: false,
      suspend: false,
      resyncPeriodMs: 300_000,
      ...spec,
    },
  };
}

export function vpcInstance(instanceId: string, extra: Partial<InstanceInfo> = {}): InstanceInfo {
  return { instanceId, regionId: REGION, networkType: 'vpc', vpcId: 'vpc-bp1main', status: 'Running', tags: {}, ...extra };
}

export function classicInstance(instanceId: string): InstanceInfo {
  return { instanceId, regionId: REGION, networkType: 'classic', status: 'Running', tags: {} };
}

/** instanceId → the role held there and the bindings holding it. */
export type Holdings = Record<string, { role: string; holders: BindingView[] }>;

export function ledgerOf(holdings: Holdings = {}): OwnershipLedger {
  const ledger = new OwnershipLedger();
  for (const [id, { role, holders }] of Object.entries(holdings)) for (const h of holders) ledger.hold(id, role, { key: h.key, uid: h.uid });
  return ledger;
}

/** Enforced permissions from policy specs (by name) and namespace labels. */
export function permissionsOf(policies: Record<string, InstanceRolePolicySpec>, namespaces: Record<string, Record<string, string>> = {}): Permissions {
  const views = new Map<string, NamespaceView>(Object.entries(namespaces).map(([name, labels]) => [name, { name, labels }]));
  return enforcedPermissions(Object.entries(policies).map(([name, spec]) => normalizePolicy(name, spec)), views);
}

interface InputOptions {
  others?: BindingView[];
  instances?: InstanceInfo[];
  roles?: Record<string, string | null>;
  targetIds?: string[];
  /** The ownership ledger's holdings. */
  held?: Holdings;
  permissions?: Permissions;
  role?: PlanInput['role'];
  observeErrors?: Record<string, string>;
}

/** A planner input for `self` over the given instances; every VPC instance observed with `roles`. Default: tenancy disabled, empty ledger. */
export function planInput(self: BindingView, opts: InputOptions = {}): PlanInput {
  const instances = opts.instances ?? [];
  return {
    binding: self,
    others: opts.others ?? [],
    targetIds: opts.targetIds ?? instances.map((i) => i.instanceId),
    instances: new Map(instances.map((i) => [i.instanceId, i])),
    observedRoles: new Map(Object.entries(opts.roles ?? {})),
    observeErrors: new Map(Object.entries(opts.observeErrors ?? {})),
    permissions: opts.permissions ?? UNRESTRICTED,
    ownership: ledgerOf(opts.held),
    role: opts.role ?? { exists: true, trustsEcs: true },
  };
}

/** A release input: what `self` holds is read from the ledger built from `held`. */
export function releaseInput(self: BindingView, opts: Omit<InputOptions, 'role' | 'targetIds'> = {}): ReleaseInput {
  const ledger = ledgerOf(opts.held);
  const held = ledger.heldBy(self.uid);
  const instances = opts.instances ?? [];
  return {
    binding: self,
    others: opts.others ?? [],
    targetIds: [...held.keys()],
    instances: new Map(instances.filter((i) => held.has(i.instanceId)).map((i) => [i.instanceId, i])),
    observedRoles: new Map(Object.entries(opts.roles ?? {})),
    observeErrors: new Map(Object.entries(opts.observeErrors ?? {})),
    permissions: opts.permissions ?? UNRESTRICTED,
    ownership: ledger,
    held,
  };
}
