/**
 * The narrow interfaces through which the reconciler touches Kubernetes: writes to
 * InstanceRoleBindings (BindingApi), Events (EventRecorder), and the informer's index of every
 * binding (BindingIndex). kube-binding-api.ts implements the first two over
 * @kubernetes/client-node; binding-cache.ts implements the index.
 */
import type { InstanceRoleBinding, InstanceRoleBindingStatus } from '../api/instance-role-binding.js';
import type { BindingView, ViewResult } from '../domain/binding-view.js';
import type { BindingEvent } from '../domain/pass-events.js';

export interface BindingApi {
  /** Replaces .status through the status subresource (merge patch). */
  patchStatus(binding: InstanceRoleBinding, status: InstanceRoleBindingStatus): Promise<InstanceRoleBinding>;
  /** Sets metadata.finalizers, guarded by the binding's resourceVersion (409 when stale). */
  setFinalizers(binding: InstanceRoleBinding, finalizers: string[]): Promise<InstanceRoleBinding>;
}

export interface EventRecorder {
  /** Best effort: never throws into a reconcile. */
  record(binding: InstanceRoleBinding, event: BindingEvent): void;
}

export interface BindingIndex {
  /** The planner's view of a binding (with the operator's default resync period), or why its spec cannot be used. */
  viewOf(binding: InstanceRoleBinding): ViewResult;
  /** Bindings other than `exceptKey` that name one of the instances or select in the region. */
  competitors(regionId: string, instanceIds: Iterable<string>, exceptKey: string): BindingView[];
}
