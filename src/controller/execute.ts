/**
 * Carries out a plan through the RoleCloud port: every detach first (naming the role it
 * removes), then the attaches of the instances whose detach did not fail. Returns what happened
 * and each instance's status after it.
 */
import type { Logger } from 'pino';
import type { InstanceStatus } from '../api/instance-role-binding.js';
import { type ActionFailure, actionFailureText } from '../domain/failures.js';
import type { DetachedRole, PassActions } from '../domain/pass-events.js';
import type { InstancePlan, Plan } from '../domain/planner.js';
import type { AttachOutcome, DetachOutcome, RoleCloud } from '../cloud/role-cloud.js';

export interface Execution extends PassActions {
  /** Every planned instance's status after the actions. */
  statuses: InstanceStatus[];
}

/** The plan's statuses as they are, when nothing is executed. */
export function unexecuted(plan: Plan): Execution {
  return { statuses: plan.instances.map(plannedStatus), attached: [], detached: [], failures: [] };
}

export async function executePlan(cloud: RoleCloud, regionId: string, plan: Plan, signal: AbortSignal, log: Logger): Promise<Execution> {
  const failures: ActionFailure[] = [];
  const detached: DetachedRole[] = [];
  const attached: string[] = [];
  const detaches = plan.actions.filter((a) => a.kind === 'detach');
  const attaches = plan.actions.filter((a) => a.kind === 'attach');

  const detachOutcomes = detaches.length > 0 ? await cloud.detach(regionId, detaches, signal) : new Map<string, DetachOutcome>();
  for (const action of detaches) {
    const outcome = answered(detachOutcomes, action.instanceId, 'detach');
    if (outcome.kind === 'detached') detached.push({ instanceId: action.instanceId, roleName: action.roleName });
    else failures.push({ action, failure: outcome.failure, roleAlreadyGone: outcome.kind === 'notAttached' });
  }
  const detachFailed = new Set(failures.map((f) => f.action.instanceId));
  const ready = attaches.filter((a) => !detachFailed.has(a.instanceId));
  const attachOutcomes = ready.length > 0 ? await cloud.attach(regionId, ready, signal) : new Map<string, AttachOutcome>();
  for (const action of ready) {
    const outcome = answered(attachOutcomes, action.instanceId, 'attach');
    if (outcome.kind === 'attached') attached.push(action.instanceId);
    else failures.push({ action, failure: outcome.failure, roleAlreadyGone: false });
  }
  if (failures.length > 0) {
    log.warn({ failures: failures.slice(0, 10).map((f) => ({ instanceId: f.action.instanceId, code: f.failure.code })) }, 'cloud actions failed');
  }

  const attachedSet = new Set(attached);
  const detachedSet = new Set(detached.map((d) => d.instanceId));
  const failureById = new Map(failures.map((f) => [f.action.instanceId, f]));
  const statuses = plan.instances.map((p): InstanceStatus => {
    if (p.actions.length === 0) return plannedStatus(p);
    const failure = failureById.get(p.instanceId);
    if (failure) {
      const roleGone = detachedSet.has(p.instanceId);
      return {
        instanceId: p.instanceId,
        state: failure.failure.class === 'wait' ? 'Pending' : 'Error',
        ...(!roleGone && p.observedRole ? { observedRole: p.observedRole } : {}),
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
