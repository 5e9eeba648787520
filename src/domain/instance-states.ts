/**
 * How the per-instance states of a binding's status group, and the order status lists its
 * instances in: one definition for the summary, the conditions and the cut list. Pure.
 */
import type { InstanceState } from '../api/instance-role-binding.js';

/** Work under way: the instance is waiting for, or in the middle of, an attach or a detach. */
export const IN_FLIGHT_STATES: ReadonlySet<InstanceState> = new Set(['Attaching', 'Detaching', 'Pending']);

/** Cannot carry the role for a reason other than a conflict (summary.errors). */
export const ERROR_STATES: ReadonlySet<InstanceState> = new Set(['Error', 'NotFound', 'NotVpc', 'NotPermitted']);

/** Ascending instance ID (code-unit order, as the API server sorts strings). */
export function byInstanceId(a: { instanceId: string }, b: { instanceId: string }): number {
  return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
}
