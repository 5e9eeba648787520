/**
 * The Events a pass records, decided from what it saw and did: drift, attaches, detaches, new
 * conflicts, failed calls, and a newly stalled binding. Pure: the reconciler hands the result to
 * the event recorder. Reasons and types come from reasons.ts.
 */
import type { InstanceRoleBindingStatus } from '../api/instance-role-binding.js';
import { type ActionFailure, actionFailureText } from './failures.js';
import type { Plan } from './planner.js';
import { type ConditionReason, EVENT_REASONS, type EventReason, type EventType, STALLED_EVENT } from './reasons.js';
import { sameRoleName } from './role-names.js';
import { agree, listIds } from './text.js';

export interface BindingEvent {
  type: EventType;
  /** An event reason, or (for a stalled binding) the Stalled condition's reason. */
  reason: EventReason | ConditionReason;
  message: string;
}

export interface DetachedRole {
  instanceId: string;
  roleName: string;
}

/** What a pass did in the cloud. */
export interface PassActions {
  attached: string[];
  detached: DetachedRole[];
  failures: ActionFailure[];
}

export interface PassEventsInput {
  roleName: string;
  previous: InstanceRoleBindingStatus | undefined;
  status: InstanceRoleBindingStatus;
  plan: Plan;
  actions: PassActions;
  /** Instances whose drift an earlier pass detected and no pass has corrected yet. */
  unrepaired?: ReadonlySet<string>;
}

export interface PassEvents {
  events: BindingEvent[];
  /**
   * Instances found without the role they had last pass (detected), how many drifted instances
   * got it back this pass, including ones that drifted in an earlier pass whose re-attach failed
   * (corrected), and the drifted instances still waiting for it (unrepaired: the next pass's input).
   */
  drift: { detected: number; corrected: number; unrepaired: ReadonlySet<string> };
}

const NONE: ReadonlySet<string> = new Set();

/** IDs named in one event before "and N more". */
const IDS_SHOWN = 5;
/** Conflicts and failures recorded one event each, at most. */
const EVENTS_PER_KIND = 5;

export function passEvents({ roleName, previous, status, plan, actions, unrepaired = NONE }: PassEventsInput): PassEvents {
  const events: BindingEvent[] = [];
  const before = new Map((previous?.instances ?? []).map((i) => [i.instanceId, i]));
  const drifted = plan.instances
    .filter((p) => {
      const was = before.get(p.instanceId);
      return was?.state === 'Bound' && sameRoleName(was.observedRole, roleName) && !sameRoleName(p.observedRole, roleName) && p.state !== 'NotFound' && p.state !== 'NotPermitted';
    })
    .map((p) => p.instanceId);
  const attached = new Set(actions.attached);
  // Drift from an earlier pass still counts until the role is back (a failed re-attach is retried).
  const awaiting = [...new Set([...unrepaired, ...drifted])];
  const corrected = awaiting.filter((id) => attached.has(id));
  const stillTargeted = new Map(plan.instances.map((p) => [p.instanceId, p]));
  const remaining = new Set(
    awaiting.filter((id) => {
      const now = stillTargeted.get(id);
      return !attached.has(id) && now !== undefined && now.state !== 'NotFound' && now.state !== 'NotPermitted' && !sameRoleName(now.observedRole, roleName);
    }),
  );
  if (drifted.length > 0) events.push(event('DriftDetected', `${listIds(drifted, IDS_SHOWN)} no longer ${agree(drifted.length, 'carries', 'carry')} role ${roleName}`));
  if (corrected.length > 0) events.push(event('DriftCorrected', `re-attached role ${roleName} to ${listIds(corrected, IDS_SHOWN)}`));
  if (actions.detached.length > 0) events.push(detachedEvent(actions.detached));
  if (actions.attached.length > 0) events.push(attachedEvent(roleName, actions.attached));

  const newConflicts = (status.instances ?? []).filter((i) => i.state === 'Conflict' && before.get(i.instanceId)?.state !== 'Conflict');
  for (const c of newConflicts.slice(0, EVENTS_PER_KIND)) events.push(event('RoleConflict', `${c.instanceId}: ${c.message ?? 'conflict'}`));
  if (newConflicts.length > EVENTS_PER_KIND) {
    const more = newConflicts.length - EVENTS_PER_KIND;
    events.push(event('RoleConflict', `${more} more ${agree(more, 'instance is', 'instances are')} in conflict`));
  }
  for (const f of actions.failures.slice(0, EVENTS_PER_KIND)) events.push(actionFailedEvent(f));

  const stalled = status.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
  const wasStalled = previous?.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (stalled && (!wasStalled || wasStalled.reason !== stalled.reason)) {
    events.push(stalledEvent(stalled.reason as ConditionReason, stalled.message));
  }
  return { events, drift: { detected: drifted.length, corrected: corrected.length, unrepaired: remaining } };
}

/** "attached role A to i-a, i-b" */
export function attachedEvent(roleName: string, attached: readonly string[]): BindingEvent {
  return event('Attached', `attached role ${roleName} to ${listIds(attached, IDS_SHOWN)}`);
}

/** "detached role A from i-a, i-b; detached role B from i-c" */
export function detachedEvent(detached: readonly DetachedRole[]): BindingEvent {
  const byRole = new Map<string, string[]>();
  for (const d of detached) byRole.set(d.roleName, [...(byRole.get(d.roleName) ?? []), d.instanceId]);
  return event('Detached', [...byRole].map(([role, ids]) => `detached role ${role} from ${listIds(ids, IDS_SHOWN)}`).join('; '));
}

export function actionFailedEvent(f: ActionFailure): BindingEvent {
  return event(f.action.kind === 'attach' ? 'AttachFailed' : 'DetachFailed', actionFailureText(f));
}

/** The binding stalled: the Stalled condition's reason and the message that says how to fix it. */
export function stalledEvent(reason: ConditionReason, message: string): BindingEvent {
  return { type: STALLED_EVENT.type, reason, message };
}

function event(reason: EventReason, message: string): BindingEvent {
  return { type: EVENT_REASONS[reason].type, reason, message };
}
