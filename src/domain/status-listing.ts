/**
 * The status a binding can hold: status.instances lists at most MAX_LISTED_INSTANCES entries, so
 * a selector over tens of thousands of instances still has a status the API server accepts (a
 * request is limited to 3 MiB, an etcd object to 1.5 MiB). What is listed past the cap is what
 * needs attention: problems first, then instances in flight, then the rest, by ID within each; the
 * list stays sorted by ID. summary counts every targeted instance; unlistedInstances says how many
 * entries were left out. Pure.
 */
import { type InstanceRoleBindingStatus, type InstanceState, type InstanceStatus, MAX_LISTED_INSTANCES } from '../api/instance-role-binding.js';

/** Lower comes first when the list is cut. */
const LISTING_RANK: Record<InstanceState, number> = {
  Conflict: 0,
  Error: 0,
  NotFound: 0,
  NotVpc: 0,
  NotPermitted: 0,
  Pending: 1,
  Attaching: 1,
  Detaching: 1,
  Bound: 2,
  Observed: 2,
};

export function listedStatus(status: InstanceRoleBindingStatus, max = MAX_LISTED_INSTANCES): InstanceRoleBindingStatus {
  const instances = status.instances ?? [];
  if (instances.length <= max) return status;
  const { unlistedInstances: _earlier, ...rest } = status;
  const byId = (a: InstanceStatus, b: InstanceStatus): number => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0);
  const kept = [...instances].sort((a, b) => LISTING_RANK[a.state] - LISTING_RANK[b.state] || byId(a, b)).slice(0, max).sort(byId);
  return { ...rest, instances: kept, unlistedInstances: instances.length - kept.length };
}

/** Whether the status lists every targeted instance. */
export function listsEveryInstance(status: InstanceRoleBindingStatus | undefined): boolean {
  return (status?.unlistedInstances ?? 0) === 0;
}
