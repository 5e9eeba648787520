import { describe, expect, it } from 'vitest';
import type { InstanceRoleBindingStatus, InstanceState } from '../../../src/api/instance-role-binding.js';
import { listedStatus, listsEveryInstance } from '../../../src/domain/status-listing.js';

const entry = (id: string, state: InstanceState) => ({ instanceId: id, state });

describe('listedStatus', () => {
  it('returns a status within the cap as it is', () => {
    const status: InstanceRoleBindingStatus = { instances: [entry('i-a', 'Bound'), entry('i-b', 'Error')] };
    expect(listedStatus(status, 2)).toBe(status);
    expect(listsEveryInstance(status)).toBe(true);
  });

  it('past the cap lists problems, then instances in flight, then the rest, sorted by ID, and counts the unlisted', () => {
    const status: InstanceRoleBindingStatus = {
      summary: { desired: 7, bound: 3, conflicts: 1, errors: 1 },
      instances: [entry('i-1', 'Bound'), entry('i-2', 'Attaching'), entry('i-3', 'Bound'), entry('i-4', 'Conflict'), entry('i-5', 'Pending'), entry('i-6', 'NotFound'), entry('i-7', 'Bound')],
    };
    const listed = listedStatus(status, 4);
    expect(listed.instances).toEqual([entry('i-2', 'Attaching'), entry('i-4', 'Conflict'), entry('i-5', 'Pending'), entry('i-6', 'NotFound')]);
    expect(listed.unlistedInstances).toBe(3);
    expect(listed.summary).toEqual(status.summary);
    expect(listsEveryInstance(listed)).toBe(false);
    // The bound ones fill what room is left, lowest IDs first.
    expect(listedStatus(status, 5).instances?.map((i) => i.instanceId)).toEqual(['i-1', 'i-2', 'i-4', 'i-5', 'i-6']);
    // The input is not changed.
    expect(status.instances).toHaveLength(7);
  });
});
