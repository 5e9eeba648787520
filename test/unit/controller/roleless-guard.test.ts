import { describe, expect, it } from 'vitest';
import { RolelessGuard } from '../../../src/controller/roleless-guard.js';
import { type GuardSnapshot, admission } from '../../../src/domain/roleless-admission.js';

const LIMITS = { capacity: 200, cooldownMs: 5_000 };
const calm: GuardSnapshot = { reserved: 0, roleless: 0, owed: 0, health: { terminalRoles: new Map() } };

describe('admission: may a swap batch detach now?', () => {
  it('admits when nothing is roleless, even a batch above capacity (one batch always goes)', () => {
    expect(admission(calm, 100, 'RoleB', 0, LIMITS)).toEqual({ kind: 'admit' });
    expect(admission(calm, 500, 'RoleB', 0, LIMITS)).toEqual({ kind: 'admit' });
  });

  it('waits when the roleless and reserved instances plus the batch exceed capacity', () => {
    expect(admission({ ...calm, roleless: 100 }, 100, 'RoleB', 0, LIMITS)).toEqual({ kind: 'admit' });
    expect(admission({ ...calm, roleless: 100, reserved: 50 }, 100, 'RoleB', 0, LIMITS)).toEqual({ kind: 'wait' });
  });

  it('pauses while an earlier swap is owed an attach retry: the attach is retried first', () => {
    const answer = admission({ ...calm, roleless: 3, owed: 3 }, 1, 'RoleB', 0, LIMITS);
    expect(answer.kind).toBe('pause');
    expect(answer.kind === 'pause' && answer.why).toMatch(/3 instance\(s\).*retried before any new detach/);
  });

  it('pauses for the cooldown after a retryable attach failure, then admits again', () => {
    const failing = { ...calm, health: { failing: { at: 1_000, code: 'Throttling' }, terminalRoles: new Map() } };
    expect(admission(failing, 1, 'RoleB', 2_000, LIMITS)).toMatchObject({ kind: 'pause', why: expect.stringContaining('Throttling') });
    expect(admission(failing, 1, 'RoleB', 6_000, LIMITS)).toEqual({ kind: 'admit' });
  });

  it('a terminal attach failure pauses only the swaps into that role', () => {
    const gone = { ...calm, health: { terminalRoles: new Map([['RoleB', 'EntityNotExist.Role']]) } };
    expect(admission(gone, 1, 'RoleB', 0, LIMITS).kind).toBe('pause');
    expect(admission(gone, 1, 'RoleC', 0, LIMITS)).toEqual({ kind: 'admit' });
  });
});

function guardAt(capacity = 200) {
  let now = 0;
  const gauge: number[] = [];
  const windows: number[] = [];
  const guard = new RolelessGuard({ capacity, cooldownMs: 5_000, staleMs: 60_000, now: () => now, observer: { rolelessInstances: (n) => void gauge.push(n), rolelessWindow: (s) => void windows.push(s) } });
  return { guard, gauge, windows, tick: (ms: number) => void (now += ms) };
}
const signal = new AbortController().signal;

describe('RolelessGuard', () => {
  it('tracks detached instances until re-attached: the gauge follows and each window is observed', async () => {
    const { guard, gauge, windows, tick } = guardAt();
    expect(await guard.admit(2, 'RoleB', signal)).toEqual({ kind: 'admit' });
    guard.answered(2);
    guard.detached(['i-1', 'i-2'], 'RoleB');
    expect(guard.isRoleless('i-1')).toBe(true);
    tick(40);
    guard.attached(['i-1', 'i-2'], 'RoleB');
    expect(gauge).toEqual([2, 0]);
    expect(windows).toEqual([0.04, 0.04]);
    expect(guard.rolelessCount).toBe(0);
  });

  it('a batch at capacity waits until re-attaches make room, then goes', async () => {
    const { guard } = guardAt(150);
    await guard.admit(100, 'RoleB', signal);
    guard.answered(100);
    guard.detached(Array.from({ length: 100 }, (_, k) => `i-${k}`), 'RoleB');
    let second: string | undefined;
    const pending = guard.admit(100, 'RoleB', signal).then((a) => (second = a.kind));
    await Promise.resolve();
    expect(second).toBeUndefined();
    guard.attached(Array.from({ length: 100 }, (_, k) => `i-${k}`), 'RoleB');
    await pending;
    expect(second).toBe('admit');
  });

  it('a failed attach of a detached instance pauses every new detach until that attach succeeds', async () => {
    const { guard } = guardAt();
    await guard.admit(1, 'RoleB', signal);
    guard.answered(1);
    guard.detached(['i-1'], 'RoleB');
    guard.attachFailed(['i-1'], 'RoleB', { class: 'recoverable', code: 'Throttling' });
    expect((await guard.admit(1, 'RoleC', signal)).kind).toBe('pause');
    guard.attached(['i-1'], 'RoleB');
    expect(await guard.admit(1, 'RoleC', signal)).toEqual({ kind: 'admit' });
  });

  it('a batch waiting for room is paused when attaches start failing meanwhile', async () => {
    const { guard } = guardAt(100);
    await guard.admit(100, 'RoleB', signal);
    guard.answered(100);
    guard.detached(Array.from({ length: 100 }, (_, k) => `i-${k}`), 'RoleB');
    const waiting = guard.admit(50, 'RoleB', signal);
    guard.attachFailed(['i-0'], 'RoleB', { class: 'recoverable', code: 'ServiceUnavailable' });
    expect((await waiting).kind).toBe('pause');
  });

  it('an instance seen with a role, or let go by its binding, is no longer tracked', async () => {
    const { guard, windows } = guardAt();
    guard.detached(['i-1', 'i-2', 'i-3'], 'RoleB');
    guard.observed(new Map([['i-1', 'RoleB'], ['i-2', null]]));
    expect(guard.isRoleless('i-1')).toBe(false);
    expect(guard.isRoleless('i-2')).toBe(true);
    guard.forget(['i-2', 'i-3']);
    expect(guard.rolelessCount).toBe(0);
    expect(windows).toHaveLength(1);
  });

  it('an owed retry nobody makes stops pausing detaches once stale', async () => {
    const { guard, tick } = guardAt();
    guard.detached(['i-1'], 'RoleB');
    guard.attachFailed(['i-1'], 'RoleB', { class: 'recoverable', code: 'Throttling' });
    tick(60_000);
    expect(await guard.admit(1, 'RoleC', signal)).toEqual({ kind: 'admit' });
    expect(guard.rolelessCount).toBe(1);
  });

  it('an aborted wait rejects with the reason and holds nobody up', async () => {
    const { guard } = guardAt(100);
    guard.detached(Array.from({ length: 100 }, (_, k) => `i-${k}`), 'RoleB');
    const stop = new AbortController();
    const waiting = guard.admit(50, 'RoleB', stop.signal);
    stop.abort(new Error('pass aborted'));
    await expect(waiting).rejects.toThrow('pass aborted');
  });
});
