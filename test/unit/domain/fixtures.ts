/** Builders for the pure controller tests: bindings, instances and planner inputs. */
import type { NormalizedSpec } from '../../../src/domain/binding-spec.js';
import type { BindingView } from '../../../src/domain/binding-view.js';
import type { InstanceInfo } from '../../../src/domain/cloud-facts.js';
import type { PlanInput } from '../../../src/domain/planner.js';

export const REGION = 'cn-hangzhou';

export function binding(key: string, createdAt: string, spec: Partial<NormalizedSpec> = {}, deleting = false): BindingView {
  return {
    key,
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

/** A planner input for `self` over the given instances; every VPC instance observed with `roles`. */
export function planInput(
  self: BindingView,
  opts: {
    others?: BindingView[];
    instances?: InstanceInfo[];
    roles?: Record<string, string | null>;
    targetIds?: string[];
    previouslyOwned?: Record<string, string>;
    role?: PlanInput['role'];
    observeErrors?: Record<string, string>;
  } = {},
): PlanInput {
  const instances = opts.instances ?? [];
  return {
    binding: self,
    others: opts.others ?? [],
    targetIds: opts.targetIds ?? instances.map((i) => i.instanceId),
    instances: new Map(instances.map((i) => [i.instanceId, i])),
    observedRoles: new Map(Object.entries(opts.roles ?? {})),
    observeErrors: new Map(Object.entries(opts.observeErrors ?? {})),
    previouslyOwned: new Map(Object.entries(opts.previouslyOwned ?? {})),
    role: opts.role ?? { exists: true, trustsEcs: true },
  };
}
