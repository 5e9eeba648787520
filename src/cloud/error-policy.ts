/**
 * The one table that classifies every error a cloud call can end in, keyed by the cloud's error
 * code (or a Node network error code),
 * into the domain's classes (src/domain/failures.ts: recoverable, terminal, wait) and condition
 * reasons. Each reason's fix comes from src/domain/reasons.ts; an entry carries its own hint only
 * where the code says more than its reason does.
 *
 * Unknown codes fall back on the HTTP status: 5xx recoverable, 429 throttled, other 4xx terminal,
 * none recoverable.
 */
import type { Failure, ErrorClass } from '../domain/failures.js';
import { CONDITION_REASONS, type ConditionReason } from '../domain/reasons.js';

export interface ErrorPolicy {
  class: ErrorClass;
  reason: ConditionReason;
  /** How the user fixes it (or what the operator does about it). */
  hint: string;
}

const policy =
  (cls: ErrorClass) =>
  (reason: ConditionReason, hint: string = CONDITION_REASONS[reason].fix): ErrorPolicy => ({ class: cls, reason, hint });
const recoverable = policy('recoverable');
const terminal = policy('terminal');
const wait = policy('wait');

const THROTTLED = recoverable('Throttled');
const SERVER_ERROR = recoverable('CloudServerError');
const NETWORK_ERROR = recoverable('NetworkError');
const CREDENTIALS = terminal('InvalidCredentials');
const ROLE_NOT_FOUND = terminal('RoleNotFound');
const BAD_PARAMETER = terminal('InvalidRequest', 'The cloud rejected a parameter; check the spec against the message.');
const MISSING_PARAMETER = terminal('InvalidRequest', 'The cloud says a parameter is missing; this is an operator bug: please report it.');

/** Exact codes. Keep alphabetical within each group. */
const TABLE: ReadonlyMap<string, ErrorPolicy> = new Map<string, ErrorPolicy>([
  // recoverable: throttling and the cloud's own trouble
  ['Throttling', THROTTLED],
  ['Throttling.Api', THROTTLED],
  ['Throttling.User', THROTTLED],
  ['Throttling.Resource', THROTTLED],
  ['ServiceUnavailable', SERVER_ERROR],
  ['InternalError', SERVER_ERROR],
  ['UnknownError', SERVER_ERROR],
  ['OperationConflict', recoverable('OperationConflict')],
  ['SignatureNonceUsed', SERVER_ERROR],
  ['InvalidSecurityToken.Expired', recoverable('CredentialsRefreshing')],
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
  ['InvalidRamRole.NotEcsRole', terminal('RoleNotTrusted')],
  // terminal: the operator's permissions and credentials
  ['InvalidUser.PassRoleForbidden', terminal('PassRoleForbidden')],
  ['Forbidden.RAM', terminal('AccessDenied')],
  ['InvalidAccessKeyId.NotFound', CREDENTIALS],
  ['InvalidAccessKeyId.Inactive', CREDENTIALS],
  ['Forbidden.AccessKeyDisabled', CREDENTIALS],
  ['InvalidSecurityToken.MismatchWithAccessKey', CREDENTIALS],
  ['InvalidSecurityToken.Malformed', CREDENTIALS],
  ['SignatureDoesNotMatch', CREDENTIALS],
  ['IncompleteSignature', CREDENTIALS],
  ['InvalidCredentials', CREDENTIALS],
  ['InvalidTimeStamp.Expired', terminal('ClockSkew')],
  // terminal: the instance or the request
  ['InvalidNetworkType.MismatchRamRole', terminal('InstanceNotVpc')],
  ['InvalidRegionId.NotFound', terminal('RegionNotFound')],
  ['InvalidInstanceIds.Malformed', terminal('InvalidSpec', 'Fix spec.instanceIds: each must be an ECS instance ID such as i-bp1abc.')],
  ['InvalidParameter', BAD_PARAMETER],
  ['MissingParameter', MISSING_PARAMETER],
  ['InvalidAction.NotFound', terminal('InvalidRequest', 'The endpoint does not serve this API: check --ecs-endpoint / --ram-endpoint.')],
  // wait: the world changed between observe and act; re-observe
  [
    'InvalidRamRole.AlreadyAttached',
    wait('RoleChangedDuringReconcile', 'Another role was attached to the instance meanwhile; the operator re-reads it on the next pass.'),
  ],
  [
    'InvalidRamRole.NotAttached',
    wait('RoleChangedDuringReconcile', 'The role was no longer attached when the operator tried to detach it; the operator re-reads it on the next pass.'),
  ],
  ['InvalidInstanceId.NotFound', wait('InstanceVanished')],
  ['IncorrectInstanceStatus', wait('InstanceBusy')],
]);

/** Codes whose family (the part before the first '.') decides, for variants the table lacks. */
const FAMILIES: ReadonlyMap<string, ErrorPolicy> = new Map<string, ErrorPolicy>([
  ['Throttling', THROTTLED],
  ['ServiceUnavailable', SERVER_ERROR],
  ['InternalError', SERVER_ERROR],
  ['InvalidAccessKeyId', CREDENTIALS],
  ['InvalidParameter', BAD_PARAMETER],
  ['MissingParameter', MISSING_PARAMETER],
  ['UND_ERR', NETWORK_ERROR],
]);

/** The code a detach answers with when the role named is not (or no longer) attached. */
export const ROLE_NOT_ATTACHED_CODE = 'InvalidRamRole.NotAttached';

/** Classifies an error code (and the HTTP status, when known). */
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

/** A failure with the cloud's code and message, classified by the table. */
export function cloudFailure(code: string, message: string, statusCode?: number): Failure {
  return { code, message, ...classifyCloudError(code, statusCode) };
}

/** Every reason classifyCloudError can return (for tests). */
export function errorPolicyReasons(): ConditionReason[] {
  const reasons = new Set<ConditionReason>(['CloudRequestRejected', 'CloudError']);
  for (const p of [...TABLE.values(), ...FAMILIES.values()]) reasons.add(p.reason);
  return [...reasons].sort();
}

/** The table itself, for exhaustive tests. */
export function errorPolicyTable(): Array<{ code: string } & ErrorPolicy> {
  return [...TABLE].map(([code, p]) => ({ code, ...p }));
}
