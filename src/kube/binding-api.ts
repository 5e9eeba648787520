/**
 * The narrow interface through which the reconciler writes InstanceRoleBindings and Events.
 * One implementation talks to the Kubernetes API (kube-binding-api.ts).
 */
import type { InstanceRoleBinding, InstanceRoleBindingStatus } from '../api/instance-role-binding.js';

export interface BindingApi {
  /** Replaces .status through the status subresource (merge patch). */
  patchStatus(binding: InstanceRoleBinding, status: InstanceRoleBindingStatus): Promise<InstanceRoleBinding>;
  /** Sets metadata.finalizers, guarded by the binding's resourceVersion (409 when stale). */
  setFinalizers(binding: InstanceRoleBinding, finalizers: string[]): Promise<InstanceRoleBinding>;
}

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(binding: InstanceRoleBinding, type: EventType, reason: string, message: string): void;
}
