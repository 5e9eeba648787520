import { ApiError } from './api-error.js';
import type { AuthorizationRequest, Decision } from './policy-evaluation.js';

/**
 * Who signed a request and what they may do, and the two refusals authorization answers with:
 * 403 Forbidden.RAM (the action on a resource) and 403 InvalidUser.PassRoleForbidden
 * (ram:PassRole on the role being attached).
 */

export interface Caller {
  /** The AccessKey ID that signed the request (an STS key for role credentials). */
  accessKeyId: string;
  kind: 'accessKey' | 'sts';
  /** For STS credentials: the role and instance they were issued for. */
  roleName?: string;
  instanceId?: string;
  /** Evaluated at call time so that policies attached later take effect. */
  decide(request: AuthorizationRequest): Decision;
}

function why(decision: Decision): string {
  return decision === 'ExplicitDeny' ? 'an explicit Deny' : 'no Allow';
}

export function forbidden(caller: Caller, request: AuthorizationRequest, decision: Decision): ApiError {
  return new ApiError(
    403,
    'Forbidden.RAM',
    `User not authorized to operate on the specified resource: ${caller.accessKeyId} has ${why(decision)} for ${request.action} on ${request.resource}.`,
  );
}

export function passRoleForbidden(caller: Caller, request: AuthorizationRequest, decision: Decision): ApiError {
  return new ApiError(
    403,
    'InvalidUser.PassRoleForbidden',
    `The caller ${caller.accessKeyId} is not allowed ram:PassRole on ${request.resource} (${why(decision)}); grant ram:PassRole on that role.`,
  );
}

/** Throws `refusal` unless the caller is allowed every request. */
export function authorizeAll(caller: Caller, requests: readonly AuthorizationRequest[], refusal: typeof forbidden = forbidden): void {
  for (const request of requests) {
    const decision = caller.decide(request);
    if (decision !== 'Allow') throw refusal(caller, request, decision);
  }
}
