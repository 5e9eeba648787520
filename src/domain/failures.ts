/**
 * Failures as the domain sees them: a failed cloud call, already classified by the cloud
 * adapter's error table, or the binding's own invalid spec; each with its class (recoverable,
 * terminal or wait), its condition reason and its fix. Pure data and the wording of failure
 * messages; no I/O.
 *
 * - recoverable: the same call can succeed later (throttling, 5xx, timeouts): retry with
 *   capped, jittered exponential backoff;
 * - terminal: only a change to the spec, the RAM setup or the credentials can fix it: set
 *   Stalled with the fix and wait for the resync period (no hot loop);
 * - wait: the world moved under us (a role appeared or vanished between observe and act, an
 *   instance was released): re-observe after a short delay.
 */
import type { PlannedAction } from './planner.js';
import { CONDITION_REASONS, type ConditionReason } from './reasons.js';
import { sentence } from './text.js';

export type ErrorClass = 'recoverable' | 'terminal' | 'wait';

/** A classified failure: of a cloud call (or one instance's part of a batched call), or of the spec. */
export interface Failure {
  /** The cloud's error code (or a Node network code), or InvalidSpec. */
  code: string;
  /** What the cloud said. */
  message: string;
  class: ErrorClass;
  /** The condition reason this failure reports under. */
  reason: ConditionReason;
  /** How the user fixes it (or what the operator does about it). */
  hint: string;
}

/** A planned attach or detach that did not happen. */
export interface ActionFailure {
  action: PlannedAction;
  failure: Failure;
  /** A detach found the role already gone: for a release, that is as good as done. */
  roleAlreadyGone: boolean;
}

/** The binding's spec cannot be used: terminal, since only a change to the spec can fix it. */
export function invalidSpecFailure(message: string): Failure {
  return { code: 'InvalidSpec', message, class: 'terminal', reason: 'InvalidSpec', hint: CONDITION_REASONS.InvalidSpec.fix };
}

const CLASS_RANK: Record<ErrorClass, number> = { wait: 0, recoverable: 1, terminal: 2 };

/** The failure that decides the pass: terminal over recoverable over wait; the first of a rank. */
export function worstFailure<F extends { failure: Failure }>(failures: readonly F[]): F | undefined {
  let worst: F | undefined;
  for (const f of failures) if (!worst || CLASS_RANK[f.failure.class] > CLASS_RANK[worst.failure.class]) worst = f;
  return worst;
}

/**
 * "Code: <cloud message>. <hint>": what status and events say about a failed call. The code
 * appears once and every sentence ends with one period, whatever the cloud's message brings.
 */
export function failureText(failure: Failure): string {
  const message = failure.message.startsWith(`${failure.code}: `) ? failure.message : `${failure.code}: ${failure.message}`;
  return `${sentence(message)} ${sentence(failure.hint)}`;
}

/** "attaching role R on i-a failed: Code: message. Hint." */
export function actionFailureText(f: ActionFailure): string {
  const verb = f.action.kind === 'attach' ? 'attaching' : 'detaching';
  return `${verb} role ${f.action.roleName} on ${f.action.instanceId} failed: ${failureText(f.failure)}`;
}

/** A binding tenancy does not permit: terminal until a cluster admin changes an InstanceRolePolicy. */
export function notPermittedFailure(message: string): Failure {
  return { code: 'NotPermitted', message, class: 'terminal', reason: 'NotPermitted', hint: CONDITION_REASONS.NotPermitted.fix };
}

/** The code of a role change whose detach the roleless guard held back (roleless-guard.ts). */
export const ROLE_CHANGE_PAUSED_CODE = 'RoleChangePaused';

/**
 * A role change not started: detaching now would leave the instance without a role longer than
 * the attach quota allows (why says which); the pass re-reads and tries again shortly.
 */
export function roleChangePausedFailure(why: string): Failure {
  return { code: ROLE_CHANGE_PAUSED_CODE, message: why, class: 'wait', reason: 'Progressing', hint: CONDITION_REASONS.Progressing.fix };
}
