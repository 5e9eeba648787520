/**
 * The one table that classifies every error the controller can meet, keyed by the cloud's error
 * code (or a Node network error code, or one of the controller's own codes such as InvalidSpec):
 *
 * - recoverable: the same call can succeed later (throttling, 5xx, timeouts) — retry with
 *   capped, jittered exponential backoff;
 * - terminal: only a change to the spec, the RAM setup or the credentials can fix it — set
 *   Stalled with the hint and wait for the resync period (no hot loop);
 * - wait: the world moved under us (a role appeared or vanished between observe and act, an
 *   instance was released) — re-observe on the next pass after a short delay.
 *
 * Unknown codes fall back on the HTTP status: 5xx recoverable, 4xx terminal, none recoverable.
 */

export type ErrorClass = 'recoverable' | 'terminal' | 'wait';

export interface ErrorPolicy {
  class: ErrorClass;
  /** CamelCase condition/event reason. */
  reason: string;
  /** How the user fixes it (or what the controller does about it). */
  hint: string;
}

const RETRYING = 'The operator retries with exponential backoff; no action is needed unless it persists.';

const recoverable = (reason: string, hint: string = RETRYING): ErrorPolicy => ({ class: 'recoverable', reason, hint });
const terminal = (reason: string, hint: string): ErrorPolicy => ({ class: 'terminal', reason, hint });
const wait = (reason: string, hint: string): ErrorPolicy => ({ class: 'wait', reason, hint });

const THROTTLED = recoverable('Throttled', 'The cloud API is throttling requests; the operator backs off and retries. Lower --ecs-qps if it persists.');
const SERVER_ERROR = recoverable('CloudServerError');
const NETWORK_ERROR = recoverable('NetworkError', 'The cloud endpoint could not be reached; the operator retries. Check network access to the ECS/RAM endpoints if it persists.');
const CREDENTIALS = terminal(
  'InvalidCredentials',
  "The operator's AccessKey is missing, wrong or disabled: fix the credentials Secret (or the RRSA/instance-role setup) and restart the operator.",
);
const ROLE_NOT_FOUND = terminal('RoleNotFound', 'Create the RAM role in the account or fix spec.roleName.');
const ROLE_NOT_TRUSTED = terminal(
  'RoleNotTrusted',
  'Add a trust policy statement to the RAM role allowing sts:AssumeRole for Principal.Service "ecs.aliyuncs.com".',
);

/** Exact codes. Keep alphabetical within each class. */
const TABLE: ReadonlyMap<string, ErrorPolicy> = new Map<string, ErrorPolicy>([
  // recoverable: throttling
  ['Throttling', THROTTLED],
  ['Throttling.Api', THROTTLED],
  ['Throttling.User', THROTTLED],
  ['Throttling.Resource', THROTTLED],
  ['ServiceUnavailable', SERVER_ERROR],
  ['InternalError', SERVER_ERROR],
  ['UnknownError', SERVER_ERROR],
  ['OperationConflict', recoverable('OperationConflict', 'Another operation on the instance is in progress; the operator retries.')],
  ['SignatureNonceUsed', recoverable('CloudServerError')],
  ['InvalidSecurityToken.Expired', recoverable('CredentialsRefreshing', 'The temporary credentials expired; the credential provider refreshes them and the operator retries.')],
  // recoverable: transport (Node and the Alibaba SDK's HTTP client)
  ['ETIMEDOUT', NETWORK_ERROR],
  ['ESOCKETTIMEDOUT', NETWORK_ERROR],
  ['ECONNRESET', NETWORK_ERROR],
  ['ECONNREFUSED', NETWORK_ERROR],
  ['ECONNABORTED', NETWORK_ERROR],
  ['EPIPE', NETWORK_ERROR],
  ['EAI_AGAIN', NETWORK_ERROR],
  ['ENOTFOUND', NETWORK_ERROR],
  ['EHOSTUNREACH', NETWORK_ERROR],
  ['ENETUNREACH', NETWORK_ERROR],
  ['RequestTimeout', NETWORK_ERROR],
  ['RequestTimeoutError', NETWORK_ERROR],
  ['ReadTimeout', NETWORK_ERROR],
  ['ConnectTimeout', NETWORK_ERROR],
  ['SDK.Timeout', NETWORK_ERROR],
  ['SDK.ServerUnreachable', NETWORK_ERROR],
  // terminal: the role
  ['InvalidRamRole.NotFound', ROLE_NOT_FOUND],
  ['EntityNotExist.Role', ROLE_NOT_FOUND],
  ['InvalidRamRole.NotEcsRole', ROLE_NOT_TRUSTED],
  // terminal: the operator's permissions and credentials
  [
    'InvalidUser.PassRoleForbidden',
    terminal('PassRoleForbidden', "Grant the operator's RAM identity ram:PassRole on this role (scope the policy's Resource to the roles it may pass)."),
  ],
  [
    'Forbidden.RAM',
    terminal('AccessDenied', "Grant the operator's RAM identity the action named in the message (see the README's RAM policy for the operator)."),
  ],
  ['InvalidAccessKeyId.NotFound', CREDENTIALS],
  ['InvalidAccessKeyId.Inactive', CREDENTIALS],
  ['Forbidden.AccessKeyDisabled', CREDENTIALS],
  ['InvalidSecurityToken.MismatchWithAccessKey', CREDENTIALS],
  ['InvalidSecurityToken.Malformed', CREDENTIALS],
  ['SignatureDoesNotMatch', CREDENTIALS],
  ['IncompleteSignature', CREDENTIALS],
  ['InvalidCredentials', CREDENTIALS],
  ['InvalidTimeStamp.Expired', terminal('ClockSkew', "The request date is outside the cloud's window: synchronise the clock of the operator's host.")],
  // terminal: the instance or the request
  [
    'InvalidNetworkType.MismatchRamRole',
    terminal('InstanceNotVpc', 'Only VPC instances can carry a RAM role: remove the classic-network instance from the binding or migrate it to a VPC.'),
  ],
  ['InvalidRegionId.NotFound', terminal('RegionNotFound', 'Fix spec.regionId (it is immutable: recreate the binding with the right region).')],
  ['InvalidInstanceIds.Malformed', terminal('InvalidSpec', 'Fix spec.instanceIds: each must be an ECS instance ID such as i-bp1abc.')],
  ['InvalidParameter', terminal('InvalidRequest', 'The cloud rejected a parameter; check the spec against the message.')],
  ['MissingParameter', terminal('InvalidRequest', 'The cloud says a parameter is missing; this is an operator bug: please report it.')],
  ['InvalidAction.NotFound', terminal('InvalidRequest', 'The endpoint does not serve this API: check --ecs-endpoint / --ram-endpoint.')],
  // terminal: the controller's own codes
  ['InvalidSpec', terminal('InvalidSpec', 'Fix the binding spec as the message says; the operator retries after the change.')],
  // wait: the world changed between observe and act; re-observe
  [
    'InvalidRamRole.AlreadyAttached',
    wait('RoleChangedDuringReconcile', 'Another role was attached to the instance meanwhile; the operator re-reads it on the next pass.'),
  ],
  [
    'InvalidRamRole.NotAttached',
    wait('RoleChangedDuringReconcile', 'The role was no longer attached when the operator tried to detach it; the operator re-reads it on the next pass.'),
  ],
  ['InvalidInstanceId.NotFound', wait('InstanceVanished', 'The instance was released meanwhile; the operator re-reads the fleet on the next pass.')],
  ['IncorrectInstanceStatus', wait('InstanceBusy', 'The instance is changing state; the operator retries once it settles.')],
]);

/** Codes whose family (the part before the first '.') decides, for variants the table lacks. */
const FAMILIES: ReadonlyMap<string, ErrorPolicy> = new Map<string, ErrorPolicy>([
  ['Throttling', THROTTLED],
  ['ServiceUnavailable', SERVER_ERROR],
  ['InternalError', SERVER_ERROR],
  ['InvalidAccessKeyId', CREDENTIALS],
  ['InvalidParameter', terminal('InvalidRequest', 'The cloud rejected a parameter; check the spec against the message.')],
  ['MissingParameter', terminal('InvalidRequest', 'The cloud says a parameter is missing; this is an operator bug: please report it.')],
  ['UND_ERR', NETWORK_ERROR],
]);

/**
 * Classifies an error code (and optional HTTP status) into recoverable / terminal / wait, with a
 * CamelCase reason for conditions and events and a hint telling the user how to fix it.
 */
export function classifyCloudError(code: string, statusCode?: number): ErrorPolicy {
  const exact = TABLE.get(code);
  if (exact) return exact;
  // Undici's transport errors are UND_ERR_*; cloud codes are Family.Variant.
  const familyName = code.startsWith('UND_ERR') ? 'UND_ERR' : (code.split('.')[0] ?? code);
  const family = FAMILIES.get(familyName);
  if (family) return family;
  if (statusCode !== undefined && statusCode >= 500) return SERVER_ERROR;
  if (statusCode === 429) return THROTTLED;
  if (statusCode !== undefined && statusCode >= 400) {
    return terminal('CloudRequestRejected', `The cloud rejected the request with ${code}; fix what the message names. The operator retries after the resync period.`);
  }
  return recoverable('CloudError');
}

/** Every reason classifyCloudError can return (for the README and tests). */
export function errorPolicyReasons(): string[] {
  const reasons = new Set<string>();
  for (const p of [...TABLE.values(), ...FAMILIES.values()]) reasons.add(p.reason);
  reasons.add('CloudRequestRejected');
  reasons.add('CloudError');
  return [...reasons].sort();
}

/** The table itself, for documentation (README troubleshooting) and exhaustive tests. */
export function errorPolicyTable(): Array<{ code: string } & ErrorPolicy> {
  return [...TABLE].map(([code, policy]) => ({ code, ...policy }));
}
