import { describe, expect, test } from 'vitest';
import { RolelessLog } from '../src/index.js';

/** The roleless-window log alone, on a fake clock (pure logic, no network). */
describe('RolelessLog', () => {
  test('a window opens when a role is removed and closes when the next one is attached; a direct change opens none', () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const log = new RolelessLog(10, () => now);
    log.roleChanged('i-1', 'A', null);
    now += 250;
    log.roleChanged('i-1', null, 'B');
    log.roleChanged('i-2', 'A', 'B');
    log.roleChanged('i-3', null, 'A');
    const { windows, summary } = log.report();
    expect(windows).toEqual([
      { instanceId: 'i-1', lostAt: '2026-01-01T00:00:00.000Z', regainedAt: '2026-01-01T00:00:00.250Z', roleBefore: 'A', roleAfter: 'B', durationMs: 250, releasedAt: null },
    ]);
    expect(summary).toMatchObject({ count: 1, p50Ms: 250, p99Ms: 250, maxMs: 250, currentlyRoleless: 0, longestOpenMs: null, trackedInstances: 1 });
  });

  test('nearest-rank p50 / p99 / max over closed windows; open windows count as currently roleless', () => {
    let now = 0;
    const log = new RolelessLog(1000, () => now);
    for (let i = 1; i <= 100; i++) {
      now = 0;
      log.roleChanged(`i-${i}`, 'A', null);
      now = i * 10;
      log.roleChanged(`i-${i}`, null, 'A');
    }
    now = 5000;
    log.roleChanged('i-open', 'A', null);
    now = 5300;
    const { summary } = log.report();
    expect(summary).toMatchObject({ count: 100, p50Ms: 500, p99Ms: 990, maxMs: 1000, currentlyRoleless: 1, longestOpenMs: 300 });
    expect(log.report('i-open').windows).toEqual([expect.objectContaining({ instanceId: 'i-open', regainedAt: null, durationMs: null })]);
  });

  test('a released instance keeps its open window, marked released and no longer roleless', () => {
    let now = 0;
    const log = new RolelessLog(10, () => now);
    log.roleChanged('i-1', 'A', null);
    now = 40;
    log.released('i-1');
    log.roleChanged('i-1', null, 'A');
    const { windows, summary } = log.report();
    expect(windows[0]).toMatchObject({ regainedAt: null, releasedAt: new Date(40).toISOString() });
    expect(summary).toMatchObject({ count: 0, p50Ms: null, currentlyRoleless: 0 });
  });

  test('memory is bounded: the least recently changed instances and the oldest windows of one instance are dropped', () => {
    let now = 0;
    const log = new RolelessLog(3, () => now++, 2);
    for (const id of ['i-1', 'i-2', 'i-3', 'i-4']) log.roleChanged(id, 'A', null);
    for (let i = 0; i < 3; i++) {
      log.roleChanged('i-4', null, 'A');
      log.roleChanged('i-4', 'A', null);
    }
    const { windows, summary } = log.report();
    expect([...new Set(windows.map((w) => w.instanceId))].sort()).toEqual(['i-2', 'i-3', 'i-4']);
    expect(windows.filter((w) => w.instanceId === 'i-4')).toHaveLength(2);
    expect(summary).toMatchObject({ trackedInstances: 3, evictedInstances: 1, droppedWindows: 2 });
    log.clear();
    expect(log.report().summary).toMatchObject({ count: 0, trackedInstances: 0, evictedInstances: 0, droppedWindows: 0 });
  });
});
