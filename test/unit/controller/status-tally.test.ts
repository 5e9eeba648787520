import { describe, expect, it } from 'vitest';
import type { InstanceRoleBindingStatus, InstanceState } from '../../../src/api/instance-role-binding.js';
import { StatusTally } from '../../../src/controller/status-tally.js';

const status = (ready: 'True' | 'False' | undefined, ...states: InstanceState[]): InstanceRoleBindingStatus => ({
  ...(ready ? { conditions: [{ type: 'Ready', status: ready, reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] } : {}),
  instances: states.map((state, i) => ({ instanceId: `i-${i}`, state })),
});

/** The totals by recounting every status, as the gauges were computed before. */
function recount(statuses: Map<string, InstanceRoleBindingStatus | undefined>) {
  const ready = { true: 0, false: 0, unknown: 0 };
  const states: Partial<Record<InstanceState, number>> = {};
  for (const s of statuses.values()) {
    const c = s?.conditions?.find((x) => x.type === 'Ready')?.status;
    ready[c === 'True' ? 'true' : c === 'False' ? 'false' : 'unknown']++;
    for (const i of s?.instances ?? []) states[i.state] = (states[i.state] ?? 0) + 1;
  }
  return { ready, states };
}

const nonZero = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).filter(([, n]) => n !== 0));

describe('StatusTally', () => {
  it('counts each binding once, by its latest status, and forgets deleted bindings', () => {
    const tally = new StatusTally();
    tally.set('ns/a', undefined);
    tally.set('ns/b', status('False', 'Attaching', 'Attaching', 'NotFound'));
    expect(tally.readyCounts()).toEqual({ true: 0, false: 1, unknown: 1 });
    expect(nonZero(tally.instanceStates())).toEqual({ Attaching: 2, NotFound: 1 });
    tally.set('ns/b', status('True', 'Bound', 'Bound', 'NotFound'));
    tally.set('ns/a', status('True', 'Bound'));
    expect(tally.readyCounts()).toEqual({ true: 2, false: 0, unknown: 0 });
    expect(nonZero(tally.instanceStates())).toEqual({ Bound: 3, NotFound: 1 });
    tally.delete('ns/b');
    tally.delete('ns/b');
    tally.delete('ns/never');
    expect(tally.readyCounts()).toEqual({ true: 1, false: 0, unknown: 0 });
    expect(nonZero(tally.instanceStates())).toEqual({ Bound: 1 });
  });

  it('agrees with a recount of every status over a random sequence of changes', () => {
    const tally = new StatusTally();
    const truth = new Map<string, InstanceRoleBindingStatus | undefined>();
    const pool: InstanceState[] = ['Bound', 'Attaching', 'Detaching', 'Conflict', 'NotFound', 'Error', 'Pending'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let step = 0; step < 5_000; step++) {
      const key = `ns/b${rand(50)}`;
      if (rand(10) === 0) {
        tally.delete(key);
        truth.delete(key);
        continue;
      }
      const ready = (['True', 'False', undefined] as const)[rand(3)];
      const s = rand(8) === 0 ? undefined : status(ready, ...Array.from({ length: rand(6) }, () => pool[rand(pool.length)] as InstanceState));
      tally.set(key, s);
      truth.set(key, s);
    }
    const expected = recount(truth);
    expect(tally.readyCounts()).toEqual(expected.ready);
    expect(nonZero(tally.instanceStates())).toEqual(expected.states);
  });
});
