import { describe, expect, it } from 'vitest';
import { TaskGroup } from '../../../src/util/task-group.js';

const after = <T>(ms: number, value: T, fail = false): Promise<T> =>
  new Promise((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe('TaskGroup', () => {
  it('waits for every task, including tasks added while it waits', async () => {
    const group = new TaskGroup();
    const seen: string[] = [];
    group.add(after(5, 'a').then((v) => void seen.push(v)));
    group.add(
      after(1, 'b').then((v) => {
        seen.push(v);
        group.add(after(10, 'c').then((c) => void seen.push(c)));
      }),
    );
    await group.done();
    expect(seen).toEqual(['b', 'a', 'c']);
  });

  it('rejects with the first failure, after every task settled, and an early failure is never unhandled', async () => {
    const group = new TaskGroup();
    let lateFinished = false;
    group.add(after(1, 'first', true));
    group.add(after(5, 'second', true));
    group.add(after(15, 'late').then(() => void (lateFinished = true)));
    // Longer than a turn of the event loop before anyone awaits the group.
    await after(10, null);
    await expect(group.done()).rejects.toThrow('first');
    expect(lateFinished).toBe(true);
  });

  it('resolves at once when empty', async () => {
    await expect(new TaskGroup().done()).resolves.toBeUndefined();
  });
});
