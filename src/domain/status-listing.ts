/**
 * The status a binding can hold: status.instances lists at most MAX_LISTED_INSTANCES entries, so
 * a selector over tens of thousands of instances still has a status the API server accepts (a
 * request is limited to 3 MiB, an etcd object to 1.5 MiB). What is listed past the cap is what
 * needs attention: problems first, then instances in flight, then the rest, by ID within each; the
 * list stays sorted by ID. summary counts every targeted instance; unlistedInstances says how many
 * entries were left out. Pure.
 */
import { type InstanceRoleBindingStatus, type InstanceStatus, MAX_LISTED_INSTANCES } from '../api/instance-role-binding.js';
import { ERROR_STATES, IN_FLIGHT_STATES, byInstanceId } from './instance-states.js';

/** Lower comes first when the list is cut: problems (a conflict or an error), then work in flight, then the rest. */
function listingRank({ state }: InstanceStatus): number {
  return state === 'Conflict' || ERROR_STATES.has(state) ? 0 : IN_FLIGHT_STATES.has(state) ? 1 : 2;
}

export function listedStatus(status: InstanceRoleBindingStatus, max = MAX_LISTED_INSTANCES): InstanceRoleBindingStatus {
  const instances = status.instances ?? [];
  if (instances.length <= max) return status;
  const { unlistedInstances: _earlier, ...rest } = status;
  const kept = [...instances].sort((a, b) => listingRank(a) - listingRank(b) || byInstanceId(a, b)).slice(0, max).sort(byInstanceId);
  return { ...rest, instances: kept, unlistedInstances: instances.length - kept.length };
}

/** Whether the status lists every targeted instance. */
export function listsEveryInstance(status: InstanceRoleBindingStatus | undefined): boolean {
  return (status?.unlistedInstances ?? 0) === 0;
}
