import { describe, expect, it } from 'vitest';
import { scheduleChanges } from '../../../src/domain/change-schedule.js';
import type { PlannedAction } from '../../../src/domain/planner.js';

const swap = (id: string, from: string, to: string): PlannedAction[] => [
  { kind: 'detach', instanceId: id, roleName: from },
  { kind: 'attach', instanceId: id, roleName: to },
];
const ids = (n: number, prefix = 'i-') => Array.from({ length: n }, (_, k) => `${prefix}${k}`);

describe('scheduleChanges: each detach batch is paired with the attach of the same instances', () => {
  it('cuts role changes into batches of at most batchSize, in plan order, same instances detached and attached', () => {
    const actions = ids(250).flatMap((id) => swap(id, 'RoleA', 'RoleB'));
    const schedule = scheduleChanges(actions, 100);
    expect(schedule.swaps.map((s) => s.instanceIds.length)).toEqual([100, 100, 50]);
    expect(schedule.swaps.flatMap((s) => s.instanceIds)).toEqual(ids(250));
    expect(schedule.swaps.every((s) => s.fromRole === 'RoleA' && s.toRole === 'RoleB')).toBe(true);
    expect(schedule.attachOnly).toEqual([]);
    expect(schedule.detachOnly).toEqual([]);
  });

  it('keeps different old/new role pairs in different batches, and attach-only / detach-only apart', () => {
    const actions: PlannedAction[] = [
      ...swap('i-1', 'RoleA', 'RoleC'),
      ...swap('i-2', 'RoleB', 'RoleC'),
      { kind: 'attach', instanceId: 'i-3', roleName: 'RoleC' },
      ...swap('i-4', 'RoleA', 'RoleC'),
      { kind: 'detach', instanceId: 'i-5', roleName: 'RoleA' },
    ];
    const schedule = scheduleChanges(actions, 100);
    expect(schedule.swaps).toEqual([
      { fromRole: 'RoleA', toRole: 'RoleC', instanceIds: ['i-1', 'i-4'] },
      { fromRole: 'RoleB', toRole: 'RoleC', instanceIds: ['i-2'] },
    ]);
    expect(schedule.attachOnly).toEqual([{ instanceId: 'i-3', roleName: 'RoleC' }]);
    expect(schedule.detachOnly).toEqual([{ instanceId: 'i-5', roleName: 'RoleA' }]);
  });

  it('refuses a batch size below one', () => {
    expect(() => scheduleChanges([], 0)).toThrow(/batchSize/);
  });
});
