/**
 * The roleless guard's decision (the guard itself, with its state and clock, is
 * src/controller/roleless-guard.ts): a role change detaches the old role and then attaches the new one, and in
 * between the instance has no role (an application refreshing its STS credentials then gets
 * nothing). The guard keeps that in-between short and bounded, operator-wide:
 *
 *  - it tracks every instance detached for a role change until its new role is attached (the
 *    `roleless_instances` gauge; each closed window goes to the roleless-window histogram);
 *  - `admit(n)` lets a swap batch detach only when its instances can be re-attached soon:
 *      pause  an earlier swap's attach failed and is owed a retry (the attach is retried first,
 *             before any new detach), or attaches failed recently with a retryable error
 *             (throttled, 5xx) and none has succeeded since, or attaches into the target role
 *             failed for good (role gone, PassRole) and none has succeeded since;
 *      wait   the instances detached and not yet re-attached (plus those being detached) would
 *             exceed `capacity`, what the attach quota re-attaches in about a second;
 *      admit  otherwise (one batch always goes when nothing is roleless).
 *
 * The decision is the pure function `admission`, here. A crash loses the guard's memory but not
 * safety: the next pass observes the instance without a role and attaches (planner rule 9).
 */

/** Attach calls of 100 instances one second of the default 20 calls/s quota re-attaches. */
export const DEFAULT_ROLELESS_CAPACITY = 2_000;
/** How long a retryable attach failure pauses new detaches when nothing roleless is owed a retry. */
export const DEFAULT_ATTACH_FAILURE_COOLDOWN_MS = 5_000;
/**
 * A roleless instance whose attach failed and was not retried for this long no longer pauses
 * detaches (its binding was deleted or changed); it stays in the gauge until re-attached or seen
 * with a role.
 */
export const DEFAULT_OWED_RETRY_STALE_MS = 10 * 60_000;

export interface AttachHealth {
  /** The last retryable attach failure (any role), when no attach succeeded after it. */
  failing?: { at: number; code: string } | undefined;
  /** Roles whose last attach failed for good (terminal), when none succeeded after it. */
  terminalRoles: ReadonlyMap<string, string>;
}

export interface GuardSnapshot {
  /** Instances admitted for a detach whose answer has not come yet. */
  reserved: number;
  /** Instances detached for a role change and not re-attached yet. */
  roleless: number;
  /** Of those, instances whose attach failed retryably and is owed a retry. */
  owed: number;
  health: AttachHealth;
}

export interface GuardLimits {
  capacity: number;
  cooldownMs: number;
}

export type Admission = { kind: 'admit' } | { kind: 'wait' } | { kind: 'pause'; why: string };

/** Whether a swap batch of n instances into toRole may detach now. */
export function admission(state: GuardSnapshot, n: number, toRole: string, now: number, limits: GuardLimits): Admission {
  if (state.owed > 0) {
    return { kind: 'pause', why: `${state.owed} instance(s) detached for a role change are still without their new role (the attach failed); their attach is retried before any new detach` };
  }
  const failing = state.health.failing;
  if (failing && now - failing.at < limits.cooldownMs) {
    return { kind: 'pause', why: `attaches are failing (${failing.code}); new detaches wait until an attach succeeds` };
  }
  const terminal = state.health.terminalRoles.get(toRole);
  if (terminal !== undefined) return { kind: 'pause', why: `attaching role ${toRole} failed (${terminal}); nothing is detached for it until an attach of it succeeds` };
  const busy = state.reserved + state.roleless;
  if (busy > 0 && busy + n > limits.capacity) return { kind: 'wait' };
  return { kind: 'admit' };
}
