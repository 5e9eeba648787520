/**
 * Carries out a plan through the RoleCloud port, scheduled by domain/change-schedule.ts:
 *
 *  - role changes go in swap batches (at most one call's worth of instances with the same old and
 *    new role): the batch's detach (naming the role it removes), then at once the attach of the
 *    very instances it detached, as an urgent call (ahead of unrelated work in the attach quota).
 *    The batches of a plan run side by side, so an instance waits for its own detach and its own
 *    attach, not for every other detach; an instance whose detach failed is not attached;
 *  - before each swap batch detaches, the roleless guard (roleless-guard.ts) must admit it:
 *    while attaches fail, or an earlier swap's attach is owed a retry, nothing new is detached
 *    (the instances report Pending, RoleChangePaused); at capacity the batch waits;
 *  - attach-only instances (no role there) and detach-only ones (a release) go as they are; an
 *    attach of an instance a role change left roleless is urgent.
 *
 * Every successful write is logged at info with the binding (the pass logger's), the instance
 * IDs, the role and the cloud's RequestId. Returns what happened and each instance's status.
 */
import type { Logger } from 'pino';
import type { InstanceStatus } from '../api/instance-role-binding.js';
import { scheduleChanges, type SwapBatch } from '../domain/change-schedule.js';
import { type ActionFailure, actionFailureText, roleChangePausedFailure } from '../domain/failures.js';
import { byInstanceId } from '../domain/instance-states.js';
import type { DetachedRole, PassActions } from '../domain/pass-events.js';
import type { InstancePlan, Plan, PlannedAction } from '../domain/planner.js';
import type { RolelessGuard } from './roleless-guard.js';
import { MAX_MUTATE_IDS, type RoleChange, type RoleCloud } from '../cloud/role-cloud.js';

export interface Execution extends PassActions {
  /** Every planned instance's status after the actions. */
  statuses: InstanceStatus[];
}

/** The plan's statuses as they are, when nothing is executed. */
export function unexecuted(plan: Plan): Execution {
  return { statuses: plan.instances.map(plannedStatus), attached: [], detached: [], failures: [] };
}

/** One execution from the executions of disjoint parts of a pass (see mergePlans). */
export function mergeExecutions(executions: readonly Execution[]): Execution {
  if (executions.length === 1) return executions[0] as Execution;
  return {
    statuses: executions.flatMap((e) => e.statuses).sort(byInstanceId),
    attached: executions.flatMap((e) => e.attached),
    detached: executions.flatMap((e) => e.detached),
    failures: executions.flatMap((e) => e.failures),
  };
}

export interface ExecuteOptions {
  /** Admits swap detaches and tracks roleless instances; without one, every swap goes at once. */
  guard?: RolelessGuard | undefined;
}

/** The message an instance's write is logged under. */
export const CLOUD_WRITE_LOG_MESSAGE = 'cloud write';

export async function executePlan(
  cloud: RoleCloud,
  regionId: string,
  plan: Plan,
  signal: AbortSignal,
  log: Logger,
  options: ExecuteOptions = {},
): Promise<Execution> {
  const { guard } = options;
  const failures: ActionFailure[] = [];
  const detached: DetachedRole[] = [];
  const attached: string[] = [];
  /** Instances this pass left without a role (detached for a swap, attach not done). */
  const roleless = new Set<string>();
  const schedule = scheduleChanges(plan.actions, MAX_MUTATE_IDS);

  const detach = async (changes: readonly RoleChange[]): Promise<string[]> => {
    const outcomes = await cloud.detach(regionId, changes, signal);
    const done: string[] = [];
    for (const change of changes) {
      const outcome = answered(outcomes, change.instanceId, 'detach');
      const action: PlannedAction = { kind: 'detach', ...change };
      if (outcome.kind === 'detached') {
        detached.push({ instanceId: change.instanceId, roleName: change.roleName });
        done.push(change.instanceId);
      } else failures.push({ action, failure: outcome.failure, roleAlreadyGone: outcome.kind === 'notAttached' });
    }
    logWrites(log, 'DetachInstanceRamRole', changes, done, outcomes);
    return done;
  };

  const attach = async (changes: readonly RoleChange[], urgent: boolean): Promise<void> => {
    const outcomes = await cloud.attach(regionId, changes, signal, { urgent });
    const done: string[] = [];
    const doneByRole = new Map<string, string[]>();
    const failedByRole = new Map<string, { ids: string[]; failure: ActionFailure['failure'] }>();
    for (const change of changes) {
      const outcome = answered(outcomes, change.instanceId, 'attach');
      if (outcome.kind === 'attached') {
        attached.push(change.instanceId);
        roleless.delete(change.instanceId);
        done.push(change.instanceId);
        const ids = doneByRole.get(change.roleName);
        if (ids) ids.push(change.instanceId);
        else doneByRole.set(change.roleName, [change.instanceId]);
      } else {
        failures.push({ action: { kind: 'attach', ...change }, failure: outcome.failure, roleAlreadyGone: false });
        const entry = failedByRole.get(change.roleName) ?? { ids: [], failure: outcome.failure };
        entry.ids.push(change.instanceId);
        failedByRole.set(change.roleName, entry);
      }
    }
    logWrites(log, 'AttachInstanceRamRole', changes, done, outcomes);
    if (guard) {
      for (const [role, ids] of doneByRole) guard.attached(ids, role);
      for (const [role, { ids, failure }] of failedByRole) guard.attachFailed(ids, role, failure);
    }
  };

  const swap = async (batch: SwapBatch): Promise<void> => {
    const n = batch.instanceIds.length;
    if (guard) {
      const admitted = await guard.admit(n, batch.toRole, signal);
      if (admitted.kind === 'pause') {
        const failure = roleChangePausedFailure(admitted.why);
        for (const instanceId of batch.instanceIds) failures.push({ action: { kind: 'detach', instanceId, roleName: batch.fromRole }, failure, roleAlreadyGone: false });
        return;
      }
    }
    let gone: string[];
    try {
      gone = await detach(batch.instanceIds.map((instanceId) => ({ instanceId, roleName: batch.fromRole })));
    } finally {
      guard?.answered(n);
    }
    if (gone.length === 0) return;
    for (const id of gone) roleless.add(id);
    guard?.detached(gone, batch.toRole);
    await attach(gone.map((instanceId) => ({ instanceId, roleName: batch.toRole })), true);
  };

  const wasRoleless = (id: string): boolean => guard?.isRoleless(id) === true;
  const urgentAttaches = schedule.attachOnly.filter((c) => wasRoleless(c.instanceId));
  const otherAttaches = schedule.attachOnly.filter((c) => !wasRoleless(c.instanceId));
  for (const c of urgentAttaches) roleless.add(c.instanceId);
  await Promise.all([
    ...(schedule.detachOnly.length > 0 ? [detach(schedule.detachOnly)] : []),
    ...(urgentAttaches.length > 0 ? [attach(urgentAttaches, true)] : []),
    ...(otherAttaches.length > 0 ? [attach(otherAttaches, false)] : []),
    ...schedule.swaps.map(swap),
  ]);
  if (failures.length > 0) {
    log.warn({ failures: failures.slice(0, 10).map((f) => ({ instanceId: f.action.instanceId, code: f.failure.code })) }, 'cloud actions failed');
  }

  const attachedSet = new Set(attached);
  const failureById = new Map(failures.map((f) => [f.action.instanceId, f]));
  const statuses = plan.instances.map((p): InstanceStatus => {
    if (p.actions.length === 0) return plannedStatus(p);
    const failure = failureById.get(p.instanceId);
    if (failure) {
      // Left without a role by a role change whose attach failed: the attach is what is owed.
      if (roleless.has(p.instanceId)) return { instanceId: p.instanceId, state: 'Attaching', message: actionFailureText(failure) };
      return {
        instanceId: p.instanceId,
        state: failure.failure.class === 'wait' ? 'Pending' : 'Error',
        ...(p.observedRole ? { observedRole: p.observedRole } : {}),
        message: actionFailureText(failure),
      };
    }
    if (attachedSet.has(p.instanceId)) {
      const role = p.actions.find((a) => a.kind === 'attach')?.roleName;
      return { instanceId: p.instanceId, state: 'Bound', ...(role ? { observedRole: role } : {}) };
    }
    // Detach-only plans (a release): the role is gone.
    return { instanceId: p.instanceId, state: 'Pending', message: 'role detached' };
  });
  return { statuses, attached, detached, failures };
}

/** One info line per role and RequestId: the binding comes from the pass logger. Never a secret. */
function logWrites(
  log: Logger,
  action: 'AttachInstanceRamRole' | 'DetachInstanceRamRole',
  changes: readonly RoleChange[],
  done: readonly string[],
  outcomes: ReadonlyMap<string, { kind: string; requestId?: string }>,
): void {
  if (done.length === 0) return;
  const roleOf = new Map(changes.map((c) => [c.instanceId, c.roleName]));
  const lines = new Map<string, { roleName: string; requestId: string | undefined; instanceIds: string[] }>();
  for (const id of done) {
    const roleName = roleOf.get(id) ?? '';
    const requestId = outcomes.get(id)?.requestId;
    const key = `${roleName}\u0000${requestId ?? ''}`;
    const line = lines.get(key) ?? { roleName, requestId, instanceIds: [] };
    line.instanceIds.push(id);
    lines.set(key, line);
  }
  for (const line of lines.values()) {
    log.info({ action, roleName: line.roleName, instanceIds: line.instanceIds, ...(line.requestId ? { requestId: line.requestId } : {}) }, CLOUD_WRITE_LOG_MESSAGE);
  }
}

/** The port answers for every change it was given; a missing answer is a bug, not a cloud failure. */
function answered<O>(outcomes: Map<string, O>, instanceId: string, kind: 'attach' | 'detach'): O {
  const outcome = outcomes.get(instanceId);
  if (outcome === undefined) throw new Error(`the cloud port gave no ${kind} outcome for ${instanceId}`);
  return outcome;
}

function plannedStatus(p: InstancePlan): InstanceStatus {
  return {
    instanceId: p.instanceId,
    state: p.state,
    ...(p.observedRole !== undefined ? { observedRole: p.observedRole } : {}),
    ...(p.message !== undefined ? { message: p.message } : {}),
  };
}
