/**
 * The status of a binding, computed once per pass from what the pass saw and did (ACK/Crossplane
 * style): nothing else sets a condition. Three kstatus-compatible conditions:
 *
 * - Ready: True only when every targeted instance is Bound (Observed in mode Observe), or when
 *   nothing is targeted, and the pass had no error. Otherwise False with the reason of the
 *   dominant problem, in this order: terminal error (the error table's reason, e.g.
 *   PassRoleForbidden) > role check (RoleNotFound / RoleNotTrusted) > every instance NotVpc
 *   (InstancesNotVpc) > recoverable error (CloudError) > wait error (Progressing) >
 *   RoleConflict > CloudError (instances in Error) > InstancesNotFound > InstancesNotVpc >
 *   Progressing (instances still Attaching / Detaching / Pending).
 * - Reconciling: True while work is unfinished and the controller will come back soon: instances
 *   still Attaching / Detaching / Pending after the pass, or a recoverable / wait error that
 *   will be retried. False otherwise (Converged, or WaitingForChange when something only a
 *   change elsewhere can fix).
 * - Stalled: True on errors only a spec or cloud-side change can fix (terminal error classes,
 *   role missing / untrusted, every instance on the classic network, invalid spec), with the
 *   hint in the message. kstatus reads Stalled True as Failed.
 *
 * lastTransitionTime moves only when a condition's status changes (metav1.Condition semantics).
 * Suspended: Ready keeps its previous status (Unknown if none) with reason Suspended; Reconciling
 * and Stalled are False with reason Suspended.
 */
import { ERROR_STATES, IN_FLIGHT_STATES, byInstanceId } from './instance-states.js';
import { listsEveryInstance } from './status-listing.js';
import type {
  BindingSummary,
  Condition,
  ConditionStatus,
  ConditionType,
  InstanceRoleBindingStatus,
  InstanceState,
  InstanceStatus,
} from '../api/instance-role-binding.js';
import type { Failure } from './failures.js';
import type { Plan } from './planner.js';
import { CONDITION_REASONS, type ConditionReason, REASONS, asClause } from './reasons.js';
import { sameRoleName } from './role-names.js';
import { agree, countOf, listIds } from './text.js';

export interface PassOutcome {
  generation: number;
  plan: Plan | undefined;
  /** Final per-instance states after execution. */
  instanceResults: InstanceStatus[];
  /**
   * The pass's error (a pass-level failure, or the worst per-instance action failure); `message`
   * is what the conditions say about it.
   */
  error?: Pick<Failure, 'class' | 'reason' | 'code' | 'message'>;
  suspended: boolean;
  mode: 'Enforce' | 'Observe';
  /** RFC 3339 time of the pass. */
  now: string;
  /** spec.roleName; lets summary.bound count Observed instances that carry it in mode Observe. */
  roleName?: string;
}

interface Verdict {
  status: ConditionStatus;
  reason: ConditionReason;
  message: string;
}

type Verdicts = Record<ConditionType, Verdict>;

const CONDITION_ORDER: readonly ConditionType[] = ['Ready', 'Reconciling', 'Stalled'];
const EXAMPLES = 3;

/** The status to write for this pass. */
export function computeStatus(previous: InstanceRoleBindingStatus | undefined, outcome: PassOutcome): InstanceRoleBindingStatus {
  const instances = outcome.instanceResults.map(cleanInstance).sort(byInstanceId);
  const verdicts = outcome.suspended ? judgeSuspended(previous) : judge(outcome, instances);
  const conditions = CONDITION_ORDER.map((type) => toCondition(type, verdicts[type], previous, outcome));
  // A pass that observed nothing carries the previous list over; when that list was cut
  // (status-listing.ts), its summary and count of unlisted entries still describe every instance.
  const carriedCut = previous !== undefined && outcome.instanceResults === previous.instances && !listsEveryInstance(previous);
  return {
    observedGeneration: outcome.generation,
    conditions,
    summary: carriedCut && previous.summary ? previous.summary : summarize(instances, outcome),
    instances,
    ...(carriedCut ? { unlistedInstances: previous.unlistedInstances } : {}),
    lastSyncTime: outcome.now,
  };
}

/**
 * summary.desired = targeted instances; bound = Bound (plus, in mode Observe, Observed instances
 * carrying spec.roleName when outcome.roleName is given); conflicts = Conflict; errors = Error,
 * NotFound, NotVpc and NotPermitted (instances that cannot carry the role for a reason other than
 * a conflict).
 */
export function summarize(instances: InstanceStatus[], outcome: Pick<PassOutcome, 'mode' | 'roleName'>): BindingSummary {
  const summary: BindingSummary = { desired: instances.length, bound: 0, conflicts: 0, errors: 0 };
  for (const i of instances) {
    if (i.state === 'Bound') summary.bound++;
    else if (i.state === 'Observed' && outcome.roleName !== undefined && sameRoleName(i.observedRole, outcome.roleName)) summary.bound++;
    else if (i.state === 'Conflict') summary.conflicts++;
    else if (ERROR_STATES.has(i.state)) summary.errors++;
  }
  return summary;
}

function judgeSuspended(previous: InstanceRoleBindingStatus | undefined): Verdicts {
  const ready = previous?.conditions?.find((c) => c.type === 'Ready');
  const kept = ready ? ` Last known state: ${ready.reason}${ready.message ? `: ${ready.message}` : ''}` : '';
  const why = 'spec.suspend is true: the operator neither reads nor changes the instances.';
  return {
    Ready: { status: ready?.status ?? 'Unknown', reason: REASONS.Suspended, message: `${why}${kept}` },
    Reconciling: { status: 'False', reason: REASONS.Suspended, message: why },
    Stalled: { status: 'False', reason: REASONS.Suspended, message: why },
  };
}

function judge(outcome: PassOutcome, instances: InstanceStatus[]): Verdicts {
  const byState = groupByState(instances);
  const total = instances.length;
  const inFlight = instances.filter((i) => IN_FLIGHT_STATES.has(i.state));
  const problems = describeProblems(byState, total, outcome.error?.message);
  const notStalled: Verdict = { status: 'False', reason: REASONS.NotStalled, message: 'no error that needs a spec or cloud-side change' };
  const idle = (ready: boolean): Verdict =>
    ready
      ? { status: 'False', reason: REASONS.Converged, message: 'every targeted instance is as declared; nothing in flight' }
      : { status: 'False', reason: REASONS.WaitingForChange, message: 'nothing in flight: the remaining problems need a change to the spec, another binding or the cloud; re-checked every resync period' };
  const stalledVerdicts = (reason: ConditionReason, message: string): Verdicts => ({
    Ready: { status: 'False', reason, message: join(message, problems) },
    Reconciling: idle(false),
    Stalled: { status: 'True', reason, message },
  });

  const error = outcome.error;
  if (error && error.class === 'terminal') return stalledVerdicts(error.reason, error.message);
  const stall = outcome.plan?.stalled;
  if (stall) return stalledVerdicts(stall.reason, stall.message);
  const notPermitted = byState.get('NotPermitted') ?? [];
  if (total > 0 && notPermitted.length === total) {
    return stalledVerdicts(
      REASONS.NotPermitted,
      `${every(total)} ${agree(total, 'is', 'are')} not permitted to this namespace (${examples(notPermitted)}): ${asClause(CONDITION_REASONS.NotPermitted.fix)}`,
    );
  }
  const notVpc = byState.get('NotVpc') ?? [];
  if (total > 0 && notVpc.length === total) {
    return stalledVerdicts(
      REASONS.InstancesNotVpc,
      `${every(total)} ${agree(total, 'is', 'are')} not on a VPC network (${examples(notVpc)}); only VPC instances can carry a RAM role: target VPC instances or migrate ${agree(total, 'it', 'these')}`,
    );
  }
  if (error) {
    // recoverable or wait: the controller comes back on its own.
    const retrying = error.class === 'recoverable' ? 'retrying with backoff' : 're-observing shortly';
    const said = withCode(error);
    return {
      Ready: {
        status: 'False',
        reason: error.class === 'recoverable' ? REASONS.CloudError : REASONS.Progressing,
        message: join(said, problems),
      },
      Reconciling: { status: 'True', reason: error.reason, message: `${retrying}: ${said}` },
      Stalled: notStalled,
    };
  }

  const reconciling: Verdict =
    inFlight.length > 0
      ? { status: 'True', reason: REASONS.Progressing, message: `${countOf(inFlight.length, 'instance')} in progress (${examples(inFlight)})` }
      : idle(false);
  const dominant = dominantProblem(byState, total, outcome.mode);
  if (dominant) {
    return { Ready: { status: 'False', reason: dominant, message: problems }, Reconciling: reconciling, Stalled: notStalled };
  }
  let ready: Verdict;
  if (total === 0) {
    ready = { status: 'True', reason: REASONS.NoInstancesMatched, message: 'no instance matches spec.instanceIds or spec.instanceSelector' };
  } else if (outcome.mode === 'Observe') {
    const carrying = outcome.roleName === undefined ? [] : instances.filter((i) => sameRoleName(i.observedRole, outcome.roleName));
    const detail = outcome.roleName === undefined ? '' : `; ${carrying.length} carry role ${outcome.roleName}`;
    ready = { status: 'True', reason: REASONS.Observing, message: `mode Observe: ${countOf(total, 'instance')} observed${detail}; no changes are made` };
  } else {
    ready = { status: 'True', reason: REASONS.AllInstancesBound, message: `all ${countOf(total, 'instance')} carry the role` };
  }
  return { Ready: ready, Reconciling: idle(true), Stalled: notStalled };
}

/** The Ready=False reason for per-instance problems, or undefined when there are none. */
function dominantProblem(byState: Map<InstanceState, InstanceStatus[]>, total: number, mode: PassOutcome['mode']): ConditionReason | undefined {
  const has = (s: InstanceState): boolean => (byState.get(s)?.length ?? 0) > 0;
  if (has('Conflict')) return REASONS.RoleConflict;
  if (has('NotPermitted')) return REASONS.NotPermitted;
  if (has('Error')) return REASONS.CloudError;
  if (has('NotFound')) return REASONS.InstancesNotFound;
  if (has('NotVpc')) return REASONS.InstancesNotVpc;
  const settled = mode === 'Observe' ? 'Observed' : 'Bound';
  if ((byState.get(settled)?.length ?? 0) < total) return REASONS.Progressing;
  return undefined;
}

/** "1 of 4 instances in conflict (i-a: ...); 2 not found (i-b, i-c): fix ..." — worst first. */
function describeProblems(byState: Map<InstanceState, InstanceStatus[]>, total: number, alreadySaid?: string): string {
  const parts: string[] = [];
  const add = (state: InstanceState, label: string, withMessage: boolean, fix?: string): void => {
    const list = byState.get(state) ?? [];
    if (list.length === 0) return;
    const first = list[0] as InstanceStatus;
    // The pass error is said before the problems: an instance repeating it is only named.
    const detail = withMessage && first.message && first.message !== alreadySaid ? `${first.instanceId}: ${first.message}` : examples(list);
    const more = withMessage && list.length > 1 && first.message !== alreadySaid ? `; also ${examples(list.slice(1))}` : '';
    parts.push(`${list.length} of ${countOf(total, 'instance')} ${label} (${detail}${more})${fix ? `: ${asClause(fix)}` : ''}`);
  };
  add('Conflict', 'in conflict', true);
  add('NotPermitted', 'not permitted', false, CONDITION_REASONS.NotPermitted.fix);
  add('Error', 'failed', true);
  add('NotFound', 'not found', false, CONDITION_REASONS.InstancesNotFound.fix);
  add('NotVpc', 'not on a VPC network', false);
  add('Detaching', 'detaching', false);
  add('Attaching', 'attaching', false);
  add('Pending', 'pending', true);
  return parts.join('; ');
}

function toCondition(type: ConditionType, verdict: Verdict, previous: InstanceRoleBindingStatus | undefined, outcome: PassOutcome): Condition {
  const before = previous?.conditions?.find((c) => c.type === type);
  return {
    type,
    status: verdict.status,
    reason: verdict.reason,
    message: verdict.message,
    lastTransitionTime: before && before.status === verdict.status && before.lastTransitionTime ? before.lastTransitionTime : outcome.now,
    observedGeneration: outcome.generation,
  };
}

function groupByState(instances: InstanceStatus[]): Map<InstanceState, InstanceStatus[]> {
  const groups = new Map<InstanceState, InstanceStatus[]>();
  for (const i of instances) {
    const list = groups.get(i.state);
    if (list) list.push(i);
    else groups.set(i.state, [i]);
  }
  return groups;
}

function cleanInstance(i: InstanceStatus): InstanceStatus {
  return {
    instanceId: i.instanceId,
    state: i.state,
    ...(i.observedRole !== undefined && i.observedRole !== null ? { observedRole: i.observedRole } : {}),
    ...(i.message !== undefined && i.message !== '' ? { message: i.message } : {}),
  };
}

function examples(list: InstanceStatus[]): string {
  return listIds(list.map((i) => i.instanceId), EXAMPLES);
}

/** "the 1 targeted instance", "all 3 targeted instances" */
function every(total: number): string {
  return total === 1 ? 'the 1 targeted instance' : `all ${countOf(total, 'targeted instance')}`;
}

/** The error's message with its code said once. */
function withCode(error: Pick<Failure, 'code' | 'message'>): string {
  return error.message.includes(`${error.code}: `) || error.message.startsWith(error.code) ? error.message : `${error.code}: ${error.message}`;
}

function join(head: string, tail: string): string {
  return tail ? `${head}; ${tail}` : head;
}
