/** Builders for audit unit tests: bindings, instances and region inventories as plain data. */
import type { InstanceRoleBindingSpec } from '../../../src/api/instance-role-binding.js';
import { normalizeSpec } from '../../../src/domain/binding-spec.js';
import type { InstanceInfo, RoleInfo } from '../../../src/domain/cloud-facts.js';
import type { AuditBinding, AuditInput, RegionInventory } from '../../../src/audit/model.js';

export const REGION = 'cn-hangzhou';

export function binding(
  key: string,
  spec: Partial<InstanceRoleBindingSpec> & { roleName: string },
  opts: { created?: string; deleting?: boolean } = {},
): AuditBinding {
  return {
    source: 'test',
    view: {
      key,
      creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
      spec: normalizeSpec({ regionId: REGION, ...spec }),
      deleting: opts.deleting ?? false,
    },
  };
}

export function vpc(instanceId: string, tags: Record<string, string> = {}, vpcId = 'vpc-main'): InstanceInfo {
  return { instanceId, regionId: REGION, networkType: 'vpc', vpcId, status: 'Running', tags };
}

export function classic(instanceId: string, tags: Record<string, string> = {}): InstanceInfo {
  return { instanceId, regionId: REGION, networkType: 'classic', status: 'Running', tags };
}

export function region(instances: Array<[InstanceInfo, string | null]>, regionId = REGION): RegionInventory {
  return {
    regionId,
    instances: instances.map(([i]) => ({ ...i, regionId })),
    attachedRoles: new Map(instances.filter(([i]) => i.networkType === 'vpc').map(([i, role]) => [i.instanceId, role])),
  };
}

export function role(roleName: string, trustsEcs = true): RoleInfo {
  return { roleName, arn: `acs:ram::123:role/${roleName.toLowerCase()}`, trustsEcs };
}

export function input(regions: RegionInventory[], bindings: AuditBinding[], roles: Array<RoleInfo | [string, null]>): AuditInput {
  return {
    regions,
    bindings,
    invalidBindings: [],
    roles: new Map(roles.map((r) => (Array.isArray(r) ? r : [r.roleName, r]))),
  };
}
