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
import type {
  BindingSummary,
  Condition,
  ConditionStatus,
  ConditionType,
  InstanceRoleBindingStatus,
  InstanceState,
  InstanceStatus,
} from '../api/instance-role-binding.js';
import { type ErrorClass, classifyCloudError, errorPolicyReasons } from '../cloud/error-policy.js';
import type { Plan } from './planner.js';

/** Every condition reason the controller writes (README and tests list them from here). */
export const REASONS = {
  // Ready True
  AllInstancesBound: 'AllInstancesBound',
  NoInstancesMatched: 'NoInstancesMatched',
  Observing: 'Observing',
  // Ready False: per-instance problems
  RoleConflict: 'RoleConflict',
  InstancesNotFound: 'InstancesNotFound',
  InstancesNotVpc: 'InstancesNotVpc',
  CloudError: 'CloudError',
  Progressing: 'Progressing',
  // Ready False / Stalled True: the role check
  RoleNotFound: 'RoleNotFound',
  RoleNotTrusted: 'RoleNotTrusted',
  // Error-table reasons (Ready False / Stalled True for terminal, Reconciling True otherwise)
  PassRoleForbidden: 'PassRoleForbidden',
  AccessDenied: 'AccessDenied',
  InvalidCredentials: 'InvalidCredentials',
  ClockSkew: 'ClockSkew',
  InstanceNotVpc: 'InstanceNotVpc',
  RegionNotFound: 'RegionNotFound',
  InvalidSpec: 'InvalidSpec',
  InvalidRequest: 'InvalidRequest',
  CloudRequestRejected: 'CloudRequestRejected',
  Throttled: 'Throttled',
  CloudServerError: 'CloudServerError',
  NetworkError: 'NetworkError',
  OperationConflict: 'OperationConflict',
  CredentialsRefreshing: 'CredentialsRefreshing',
  RoleChangedDuringReconcile: 'RoleChangedDuringReconcile',
  InstanceVanished: 'InstanceVanished',
  InstanceBusy: 'InstanceBusy',
  // Reconciling / Stalled when nothing is wrong or in flight
  Converged: 'Converged',
  WaitingForChange: 'WaitingForChange',
  NotStalled: 'NotStalled',
  // spec.suspend
  Suspended: 'Suspended',
} as const;

export type Reason = (typeof REASONS)[keyof typeof REASONS];

/**
 * What each reason means and what to do about it: the source of the README's reason table and
 * troubleshooting guide. Keyed by every reason, so adding a reason without documenting it fails
 * to compile.
 */
export const REASON_DESCRIPTIONS: Readonly<Record<Reason, { conditions: string; meaning: string; fix: string }>> = {
  AllInstancesBound: { conditions: 'Ready=True', meaning: 'Every targeted instance carries spec.roleName.', fix: 'Nothing to do.' },
  NoInstancesMatched: { conditions: 'Ready=True', meaning: 'spec.instanceIds / spec.instanceSelector currently target no instance.', fix: 'Check the selector tags and vpcId if you expected matches.' },
  Observing: { conditions: 'Ready=True', meaning: 'mode Observe: the roles found are reported in status.instances; nothing is changed.', fix: 'Set spec.mode: Enforce to apply the role.' },
  RoleConflict: { conditions: 'Ready=False', meaning: 'Some instances carry, or are claimed by an older binding for, another role.', fix: 'Resolve the overlap between bindings, or set spec.takeover: true to replace roles no binding claims.' },
  InstancesNotFound: { conditions: 'Ready=False', meaning: 'Some named instances do not exist in spec.regionId.', fix: 'Fix spec.instanceIds or spec.regionId; released instances should be removed from the binding.' },
  InstancesNotVpc: { conditions: 'Ready=False, Stalled=True when every instance is classic', meaning: 'Some instances are on the classic network, where RAM roles cannot be attached.', fix: 'Target VPC instances only, or migrate the instances to a VPC.' },
  CloudError: { conditions: 'Ready=False', meaning: 'A cloud call failed with a retryable error, or an instance could not be observed.', fix: 'Usually none: the operator retries with backoff. See Reconciling for the error.' },
  Progressing: { conditions: 'Ready=False, Reconciling=True', meaning: 'Roles are being attached or detached, or the world changed mid-pass and is being re-read.', fix: 'None needed: wait for the next pass.' },
  RoleNotFound: { conditions: 'Ready=False, Stalled=True', meaning: 'The RAM role in spec.roleName does not exist.', fix: 'Create the role (trusting ecs.aliyuncs.com) or fix spec.roleName.' },
  RoleNotTrusted: { conditions: 'Ready=False, Stalled=True', meaning: "The role's trust policy does not let ecs.aliyuncs.com assume it.", fix: 'Add a statement allowing sts:AssumeRole for Principal.Service ecs.aliyuncs.com.' },
  PassRoleForbidden: { conditions: 'Ready=False, Stalled=True', meaning: "The operator's identity lacks ram:PassRole for the role.", fix: "Grant ram:PassRole on the role to the operator's RAM identity." },
  AccessDenied: { conditions: 'Ready=False, Stalled=True', meaning: "The operator's identity lacks an ECS or RAM action.", fix: "Grant the action named in the message (see the operator's RAM policy)." },
  InvalidCredentials: { conditions: 'Ready=False, Stalled=True', meaning: "The operator's AccessKey is unknown, disabled or signs wrongly.", fix: 'Fix the credentials Secret or the RRSA / instance-role setup and restart the operator.' },
  ClockSkew: { conditions: 'Ready=False, Stalled=True', meaning: "The cloud rejected the request's timestamp.", fix: "Synchronise the clock of the operator's host." },
  InstanceNotVpc: { conditions: 'Ready=False, Stalled=True', meaning: 'The cloud refused a role for a classic-network instance.', fix: 'Remove the instance from the binding or migrate it to a VPC.' },
  RegionNotFound: { conditions: 'Ready=False, Stalled=True', meaning: 'spec.regionId is not a region the cloud knows.', fix: 'Recreate the binding with the right regionId (the field is immutable).' },
  InvalidSpec: { conditions: 'Ready=False, Stalled=True', meaning: 'The spec is invalid (the message names the field).', fix: 'Fix the field as the message says.' },
  InvalidRequest: { conditions: 'Ready=False, Stalled=True', meaning: 'The cloud rejected a parameter or does not serve the action.', fix: 'Check the message and the --ecs-endpoint / --ram-endpoint flags.' },
  CloudRequestRejected: { conditions: 'Ready=False, Stalled=True', meaning: 'The cloud answered 4xx with an error code the operator does not know.', fix: 'Act on the message; report the code if it should be retried.' },
  Throttled: { conditions: 'Reconciling=True', meaning: 'The cloud is throttling the operator.', fix: 'None needed; lower --ecs-qps if it persists.' },
  CloudServerError: { conditions: 'Reconciling=True', meaning: 'The cloud answered 5xx.', fix: 'None needed: retried with backoff.' },
  NetworkError: { conditions: 'Reconciling=True', meaning: 'The cloud endpoint could not be reached or timed out.', fix: 'Check network access to the endpoints if it persists.' },
  OperationConflict: { conditions: 'Reconciling=True', meaning: 'Another operation on the instance was in progress.', fix: 'None needed: retried with backoff.' },
  CredentialsRefreshing: { conditions: 'Reconciling=True', meaning: 'Temporary credentials expired and are being refreshed.', fix: 'None needed.' },
  RoleChangedDuringReconcile: { conditions: 'Reconciling=True', meaning: 'An instance role changed between observing and acting.', fix: 'None needed: the instance is re-read shortly.' },
  InstanceVanished: { conditions: 'Reconciling=True', meaning: 'An instance was released between observing and acting.', fix: 'None needed: the fleet is re-read shortly.' },
  InstanceBusy: { conditions: 'Reconciling=True', meaning: 'An instance was changing state.', fix: 'None needed: retried shortly.' },
  Converged: { conditions: 'Reconciling=False', meaning: 'Nothing is in flight and everything is as declared.', fix: 'Nothing to do.' },
  WaitingForChange: { conditions: 'Reconciling=False', meaning: 'Nothing is in flight; what remains needs a change to the spec, another binding or the cloud.', fix: 'See Ready and Stalled.' },
  NotStalled: { conditions: 'Stalled=False', meaning: 'No error that needs a spec or cloud-side change.', fix: 'Nothing to do.' },
  Suspended: { conditions: 'Ready (status kept), Reconciling=False, Stalled=False', meaning: 'spec.suspend is true: the operator neither reads nor changes the instances.', fix: 'Set spec.suspend: false to resume.' },
};

export interface PassOutcome {
  generation: number;
  plan: Plan | undefined;
  /** Final per-instance states after execution. */
  instanceResults: InstanceStatus[];
  /** The pass's error (a pass-level failure, or the worst per-instance action failure). */
  error?: { classification: ErrorClass; code: string; message: string };
  suspended: boolean;
  mode: 'Enforce' | 'Observe';
  /** RFC 3339 time of the pass. */
  now: string;
  /** spec.roleName; lets summary.bound count Observed instances that carry it in mode Observe. */
  roleName?: string;
}

interface Verdict {
  status: ConditionStatus;
  reason: string;
  message: string;
}

type Verdicts = Record<ConditionType, Verdict>;

const CONDITION_ORDER: readonly ConditionType[] = ['Ready', 'Reconciling', 'Stalled'];
const IN_FLIGHT: ReadonlySet<InstanceState> = new Set(['Attaching', 'Detaching', 'Pending']);
const EXAMPLES = 3;

/** The status to write for this pass. */
export function computeStatus(previous: InstanceRoleBindingStatus | undefined, outcome: PassOutcome): InstanceRoleBindingStatus {
  const instances = outcome.instanceResults.map(cleanInstance).sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  const verdicts = outcome.suspended ? judgeSuspended(previous) : judge(outcome, instances);
  const conditions = CONDITION_ORDER.map((type) => toCondition(type, verdicts[type], previous, outcome));
  return {
    observedGeneration: outcome.generation,
    conditions,
    summary: summarize(instances, outcome),
    instances,
    lastSyncTime: outcome.now,
  };
}

/**
 * summary.desired = targeted instances; bound = Bound (plus, in mode Observe, Observed instances
 * carrying spec.roleName when outcome.roleName is given); conflicts = Conflict; errors = Error,
 * NotFound and NotVpc (instances that cannot carry the role for a reason other than a conflict).
 */
export function summarize(instances: InstanceStatus[], outcome: Pick<PassOutcome, 'mode' | 'roleName'>): BindingSummary {
  const summary: BindingSummary = { desired: instances.length, bound: 0, conflicts: 0, errors: 0 };
  for (const i of instances) {
    if (i.state === 'Bound') summary.bound++;
    else if (i.state === 'Observed' && outcome.roleName !== undefined && i.observedRole === outcome.roleName) summary.bound++;
    else if (i.state === 'Conflict') summary.conflicts++;
    else if (i.state === 'Error' || i.state === 'NotFound' || i.state === 'NotVpc') summary.errors++;
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
  const inFlight = instances.filter((i) => IN_FLIGHT.has(i.state));
  const problems = describeProblems(byState, total);
  const notStalled: Verdict = { status: 'False', reason: REASONS.NotStalled, message: 'no error that needs a spec or cloud-side change' };
  const idle = (ready: boolean): Verdict =>
    ready
      ? { status: 'False', reason: REASONS.Converged, message: 'every targeted instance is as declared; nothing in flight' }
      : { status: 'False', reason: REASONS.WaitingForChange, message: 'nothing in flight: the remaining problems need a change to the spec, another binding or the cloud; re-checked every resync period' };
  const stalledVerdicts = (reason: string, message: string): Verdicts => ({
    Ready: { status: 'False', reason, message: join(message, problems) },
    Reconciling: idle(false),
    Stalled: { status: 'True', reason, message },
  });

  const error = outcome.error;
  const errorReason = error ? classifyCloudError(error.code).reason : undefined;
  if (error && error.classification === 'terminal') return stalledVerdicts(errorReason as string, error.message);
  const stall = outcome.plan?.stalled;
  if (stall) return stalledVerdicts(stall.reason, stall.message);
  const notVpc = byState.get('NotVpc') ?? [];
  if (total > 0 && notVpc.length === total) {
    return stalledVerdicts(
      REASONS.InstancesNotVpc,
      `all ${count(total, 'targeted instance')} are not on a VPC network (${examples(notVpc)}); only VPC instances can carry a RAM role: target VPC instances or migrate these`,
    );
  }
  if (error) {
    // recoverable or wait: the controller comes back on its own.
    const retrying = error.classification === 'recoverable' ? 'retrying with backoff' : 're-observing shortly';
    return {
      Ready: {
        status: 'False',
        reason: error.classification === 'recoverable' ? REASONS.CloudError : REASONS.Progressing,
        message: join(`${error.code}: ${error.message}`, problems),
      },
      Reconciling: { status: 'True', reason: errorReason as string, message: `${retrying}: ${error.code}: ${error.message}` },
      Stalled: notStalled,
    };
  }

  const reconciling: Verdict =
    inFlight.length > 0
      ? { status: 'True', reason: REASONS.Progressing, message: `${count(inFlight.length, 'instance')} in progress (${examples(inFlight)})` }
      : idle(false);
  const dominant = dominantProblem(byState, total, outcome.mode);
  if (dominant) {
    return { Ready: { status: 'False', reason: dominant, message: problems }, Reconciling: reconciling, Stalled: notStalled };
  }
  let ready: Verdict;
  if (total === 0) {
    ready = { status: 'True', reason: REASONS.NoInstancesMatched, message: 'no instance matches spec.instanceIds or spec.instanceSelector' };
  } else if (outcome.mode === 'Observe') {
    const carrying = outcome.roleName === undefined ? [] : instances.filter((i) => i.observedRole === outcome.roleName);
    const detail = outcome.roleName === undefined ? '' : `; ${carrying.length} carry role ${outcome.roleName}`;
    ready = { status: 'True', reason: REASONS.Observing, message: `mode Observe: ${count(total, 'instance')} observed${detail}; no changes are made` };
  } else {
    ready = { status: 'True', reason: REASONS.AllInstancesBound, message: `all ${count(total, 'instance')} carry the role` };
  }
  return { Ready: ready, Reconciling: idle(true), Stalled: notStalled };
}

/** The Ready=False reason for per-instance problems, or undefined when there are none. */
function dominantProblem(byState: Map<InstanceState, InstanceStatus[]>, total: number, mode: PassOutcome['mode']): string | undefined {
  const has = (s: InstanceState): boolean => (byState.get(s)?.length ?? 0) > 0;
  if (has('Conflict')) return REASONS.RoleConflict;
  if (has('Error')) return REASONS.CloudError;
  if (has('NotFound')) return REASONS.InstancesNotFound;
  if (has('NotVpc')) return REASONS.InstancesNotVpc;
  const settled = mode === 'Observe' ? 'Observed' : 'Bound';
  if ((byState.get(settled)?.length ?? 0) < total) return REASONS.Progressing;
  return undefined;
}

/** "1 of 4 instances in conflict (i-a: ...); 2 not found (i-b, i-c)" — worst first. */
function describeProblems(byState: Map<InstanceState, InstanceStatus[]>, total: number): string {
  const parts: string[] = [];
  const add = (state: InstanceState, label: string, withMessage: boolean): void => {
    const list = byState.get(state) ?? [];
    if (list.length === 0) return;
    const first = list[0] as InstanceStatus;
    const detail = withMessage && first.message ? `${first.instanceId}: ${first.message}` : examples(list);
    const more = withMessage && list.length > 1 ? `; also ${examples(list.slice(1))}` : '';
    parts.push(`${list.length} of ${count(total, 'instance')} ${label} (${detail}${more})`);
  };
  add('Conflict', 'in conflict', true);
  add('Error', 'failed', true);
  add('NotFound', 'not found', false);
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
  const shown = list.slice(0, EXAMPLES).map((i) => i.instanceId).join(', ');
  return list.length > EXAMPLES ? `${shown} and ${list.length - EXAMPLES} more` : shown;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function join(head: string, tail: string): string {
  return tail ? `${head}; ${tail}` : head;
}

/** Every reason, sorted, for documentation. Includes every reason of the error table. */
export function allReasons(): string[] {
  return [...new Set<string>([...Object.values(REASONS), ...errorPolicyReasons()])].sort();
}
