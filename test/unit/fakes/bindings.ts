/** InstanceRoleBinding objects as the informer hands them over, for unit tests. */
import type { InstanceRoleBinding } from '../../../src/api/instance-role-binding.js';

/** A binding ns/<name> of region cn-hangzhou wanting RoleA, created 2026-01-01, generation 1. */
export function irb(name: string, spec: Partial<InstanceRoleBinding['spec']> = {}, metadata: Partial<InstanceRoleBinding['metadata']> = {}): InstanceRoleBinding {
  return {
    apiVersion: 'roles.ecs.dev/v1alpha1',
    kind: 'InstanceRoleBinding',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', ...metadata },
    spec: { regionId: 'cn-hangzhou', roleName: 'RoleA', ...spec },
  };
}

/** The same binding with deletionTimestamp set, as `kubectl delete` leaves it while finalizers remain. */
export function deleting(binding: InstanceRoleBinding): InstanceRoleBinding {
  return { ...binding, metadata: { ...binding.metadata, deletionTimestamp: '2026-03-01T00:00:00Z' } };
}
