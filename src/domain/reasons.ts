/**
 * Every reason the operator writes, with what it means and how to fix it: the reasons of the
 * Ready / Reconciling / Stalled conditions and the reasons of the Events it records. This is the
 * one place their wording lives: the planner's stall messages, the error table's hints, the
 * status conditions, the events, the audit's advice and the README's tables all take it from
 * here (test/unit/readme.test.ts keeps the README's tables equal to these).
 */
import { ECS_SERVICE_PRINCIPAL } from './cloud-facts.js';

export interface ConditionReasonDoc {
  /** Which conditions carry the reason, e.g. "Ready=False, Stalled=True". */
  conditions: string;
  meaning: string;
  /** What the user does about it: a sentence, also used as the hint in messages. */
  fix: string;
}

/** The trust-policy statement that lets ECS assume a role. */
export const ECS_TRUST_STATEMENT = `{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["${ECS_SERVICE_PRINCIPAL}"]}}`;

const conditionReasons = {
  // Ready True
  AllInstancesBound: { conditions: 'Ready=True', meaning: 'Every targeted instance carries spec.roleName.', fix: 'Nothing to do.' },
  NoInstancesMatched: {
    conditions: 'Ready=True',
    meaning: 'spec.instanceIds / spec.instanceSelector currently target no instance.',
    fix: 'Check the selector tags and vpcId if you expected matches.',
  },
  Observing: {
    conditions: 'Ready=True',
    meaning: 'mode Observe: the roles found are reported in status.instances; nothing is changed.',
    fix: 'Set spec.mode: Enforce to apply the role.',
  },
  // Ready False: per-instance problems
  RoleConflict: {
    conditions: 'Ready=False',
    meaning: 'Some instances carry, or are claimed by an older binding for, another role.',
    fix: 'Resolve the overlap between bindings, or set spec.takeover: true to replace roles no binding claims.',
  },
  InstancesNotFound: {
    conditions: 'Ready=False',
    meaning: 'Some named instances do not exist in spec.regionId.',
    fix: 'Fix spec.instanceIds or spec.regionId; released instances should be removed from the binding.',
  },
  InstancesNotVpc: {
    conditions: 'Ready=False, Stalled=True when every instance is classic',
    meaning: 'Some instances are on the classic network, where RAM roles cannot be attached.',
    fix: 'Target VPC instances only, or migrate the instances to a VPC.',
  },
  CloudError: {
    conditions: 'Ready=False',
    meaning: 'A cloud call failed with a retryable error, or an instance could not be observed.',
    fix: 'Usually none: the operator retries with exponential backoff. See Reconciling for the error if it persists.',
  },
  Progressing: {
    conditions: 'Ready=False, Reconciling=True',
    meaning: 'Roles are being attached or detached, or the world changed mid-pass and is being re-read.',
    fix: 'None needed: wait for the next pass.',
  },
  // Ready False / Stalled True: the role check
  RoleNotFound: {
    conditions: 'Ready=False, Stalled=True',
    meaning: 'The RAM role in spec.roleName does not exist.',
    fix: `Create it (with a trust policy for ${ECS_SERVICE_PRINCIPAL}) or fix spec.roleName.`,
  },
  RoleNotTrusted: {
    conditions: 'Ready=False, Stalled=True',
    meaning: `The role's trust policy does not let ${ECS_SERVICE_PRINCIPAL} assume it.`,
    fix: `Add the statement ${ECS_TRUST_STATEMENT} to the role's trust policy.`,
  },
  // The error table's reasons: Ready False / Stalled True for terminal errors, Reconciling True otherwise
  PassRoleForbidden: {
    conditions: 'Ready=False, Stalled=True',
    meaning: "The operator's identity lacks ram:PassRole for the role.",
    fix: "Grant the operator's RAM identity ram:PassRole on the role (scope the policy's Resource to the roles it may pass).",
  },
  AccessDenied: {
    conditions: 'Ready=False, Stalled=True',
    meaning: "The operator's identity lacks an ECS or RAM action.",
    fix: "Grant the operator's RAM identity the action named in the message (see the operator's RAM policy in the README).",
  },
  InvalidCredentials: {
    conditions: 'Ready=False, Stalled=True',
    meaning: "The operator's AccessKey is unknown, disabled or signs wrongly.",
    fix: 'Fix the credentials Secret (or the RRSA / instance-role setup) and restart the operator.',
  },
  ClockSkew: {
    conditions: 'Ready=False, Stalled=True',
    meaning: "The cloud rejected the request's timestamp.",
    fix: "Synchronise the clock of the operator's host.",
  },
  InstanceNotVpc: {
    conditions: 'Ready=False, Stalled=True',
    meaning: 'The cloud refused a role for a classic-network instance.',
    fix: 'Remove the instance from the binding or migrate it to a VPC: only VPC instances can carry a RAM role.',
  },
  RegionNotFound: {
    conditions: 'Ready=False, Stalled=True',
    meaning: 'spec.regionId is not a region the cloud knows.',
    fix: 'Fix spec.regionId (it is immutable: recreate the binding with the right region).',
  },
  InvalidSpec: {
    conditions: 'Ready=False, Stalled=True',
    meaning: 'The spec is invalid (the message names the field).',
    fix: 'Fix the field as the message says; the operator retries after the change.',
  },
  InvalidRequest: {
    conditions: 'Ready=False, Stalled=True',
    meaning: 'The cloud rejected a parameter or does not serve the action.',
    fix: 'Check the message and the --ecs-endpoint / --ram-endpoint flags.',
  },
  CloudRequestRejected: {
    conditions: 'Ready=False, Stalled=True',
    meaning: 'The cloud answered 4xx with an error code the operator does not know.',
    fix: 'Act on the message; report the code if it should be retried.',
  },
  Throttled: {
    conditions: 'Reconciling=True',
    meaning: 'The cloud is throttling the operator.',
    fix: 'None needed: the operator backs off and retries; lower --ecs-qps if it persists.',
  },
  CloudServerError: { conditions: 'Reconciling=True', meaning: 'The cloud answered 5xx.', fix: 'None needed: retried with exponential backoff.' },
  NetworkError: {
    conditions: 'Reconciling=True',
    meaning: 'The cloud endpoint could not be reached or timed out.',
    fix: 'Check network access to the ECS/RAM endpoints if it persists; the operator retries.',
  },
  OperationConflict: {
    conditions: 'Reconciling=True',
    meaning: 'Another operation on the instance was in progress.',
    fix: 'None needed: retried with backoff.',
  },
  CredentialsRefreshing: {
    conditions: 'Reconciling=True',
    meaning: 'Temporary credentials expired and are being refreshed.',
    fix: 'None needed: the credential provider refreshes them and the operator retries.',
  },
  RoleChangedDuringReconcile: {
    conditions: 'Reconciling=True',
    meaning: 'An instance role changed between observing and acting.',
    fix: 'None needed: the instance is re-read shortly.',
  },
  InstanceVanished: {
    conditions: 'Reconciling=True',
    meaning: 'An instance was released between observing and acting.',
    fix: 'None needed: the fleet is re-read shortly.',
  },
  InstanceBusy: { conditions: 'Reconciling=True', meaning: 'An instance was changing state.', fix: 'None needed: retried once the instance settles.' },
  // Reconciling / Stalled when nothing is wrong or in flight
  Converged: { conditions: 'Reconciling=False', meaning: 'Nothing is in flight and everything is as declared.', fix: 'Nothing to do.' },
  WaitingForChange: {
    conditions: 'Reconciling=False',
    meaning: 'Nothing is in flight; what remains needs a change to the spec, another binding or the cloud.',
    fix: 'See Ready and Stalled.',
  },
  NotStalled: { conditions: 'Stalled=False', meaning: 'No error that needs a spec or cloud-side change.', fix: 'Nothing to do.' },
  // spec.suspend
  Suspended: {
    conditions: 'Ready (status kept), Reconciling=False, Stalled=False',
    meaning: 'spec.suspend is true: the operator neither reads nor changes the instances.',
    fix: 'Set spec.suspend: false to resume.',
  },
} as const satisfies Record<string, ConditionReasonDoc>;

export type ConditionReason = keyof typeof conditionReasons;

/** What each condition reason means and how to fix it, in the README's order. */
export const CONDITION_REASONS: Readonly<Record<ConditionReason, ConditionReasonDoc>> = conditionReasons;

/** Each condition reason by name, for code that writes one: REASONS.RoleConflict === 'RoleConflict'. */
export const REASONS = Object.fromEntries(Object.keys(conditionReasons).map((r) => [r, r])) as { readonly [R in ConditionReason]: R };

/** Every condition reason, sorted. */
export function allReasons(): ConditionReason[] {
  return (Object.keys(conditionReasons) as ConditionReason[]).sort();
}

export type EventType = 'Normal' | 'Warning';

export interface EventReasonDoc {
  type: EventType;
  /** When the operator records it. */
  when: string;
}

const eventReasons = {
  Attached: { type: 'Normal', when: 'the role was attached to instances (IDs listed)' },
  Detached: { type: 'Normal', when: 'a role was detached (role change, takeover, or delete with `deletionPolicy: Detach`)' },
  DriftDetected: { type: 'Warning', when: 'an instance that was `Bound` no longer carries the role' },
  DriftCorrected: { type: 'Normal', when: 'a drifted instance carries the role again' },
  RoleConflict: { type: 'Warning', when: 'an instance newly entered `Conflict`' },
  AttachFailed: { type: 'Warning', when: 'attaching the role to an instance failed (code and fix in the message)' },
  DetachFailed: { type: 'Warning', when: 'detaching a role from an instance failed (code and fix in the message)' },
} as const satisfies Record<string, EventReasonDoc>;

export type EventReason = keyof typeof eventReasons;

/** The events of a pass, by reason. */
export const EVENT_REASONS: Readonly<Record<EventReason, EventReasonDoc>> = eventReasons;

/**
 * The event recorded when a binding stalls: its reason is the Stalled condition's reason
 * (InvalidSpec, RoleNotFound, PassRoleForbidden, ...), its message the fix.
 */
export const STALLED_EVENT: EventReasonDoc & { reasons: string } = {
  reasons: '`InvalidSpec` and every reason with Stalled=True above',
  type: 'Warning',
  when: 'the binding stalled; the message says how to fix it',
};

/** A fix sentence as a clause to follow a colon: "Create it ..." → "create it ...". */
export function asClause(sentence: string): string {
  const trimmed = sentence.endsWith('.') ? sentence.slice(0, -1) : sentence;
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}
