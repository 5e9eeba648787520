/**
 * The cloud port of the reconciler, shaped by what a pass does (crossplane's ExternalClient, for
 * instance roles): observe a binding's targets, check its RAM role, attach, detach. Outcomes are
 * typed (a detach that found the role already gone is `notAttached`, not a code string) and
 * failures arrive classified (src/domain/failures.ts), so the reconciler never reads an error
 * code. Every call takes the pass's AbortSignal.
 *
 * Implementations: ApiRoleCloud (api-role-cloud.ts) over any CloudApi, and CachedRoleChecks
 * (cached-role-checks.ts) over any RoleCloud; createRoleCloud (role-cloud-stack.ts) assembles
 * the operator's.
 */
import type { NormalizedSelector } from '../domain/binding-spec.js';
import type { InstanceInfo, Observation } from '../domain/cloud-facts.js';
import type { Failure } from '../domain/failures.js';
import { CloudError } from './cloud-api.js';

/** Instances one attach or detach call carries: a swap batch's size (the API's limit, one definition). */
export { MAX_MUTATE_IDS } from './cloud-api.js';
import { cloudFailure } from './error-policy.js';

/** What a binding targets: explicit IDs and, optionally, a selector over the region. */
export interface TargetScope {
  instanceIds: readonly string[];
  selector?: NormalizedSelector | undefined;
  /**
   * Which described instances may be read further (tenancy): the role of an instance it rejects is
   * never read (no DescribeInstanceRamRole names it). Default: every instance.
   */
  admit?: ((instance: InstanceInfo) => boolean) | undefined;
}

/** One instance and the role to attach to it, or to detach from it (named, never "whatever is there"). */
export interface RoleChange {
  instanceId: string;
  roleName: string;
}

export type AttachOutcome = { kind: 'attached'; requestId?: string } | { kind: 'failed'; failure: Failure };

export type DetachOutcome =
  | { kind: 'detached'; requestId?: string }
  /** The named role was not attached (gone already, or another role is there). */
  | { kind: 'notAttached'; failure: Failure }
  | { kind: 'failed'; failure: Failure };

export interface ChangeOptions {
  urgent?: boolean;
}

export interface RoleCheckAnswer {
  exists: boolean;
  trustsEcs: boolean;
}

export interface RoleCloud {
  /**
   * Describes the instances the scope targets and reads the role of each VPC one. Rejects when a
   * call fails (failureOf tells the failure). `onPart` is told each part of the observation as
   * soon as it is complete (a batch described and its roles read; a large selector's first parts
   * long before its listing ends): each described target in exactly one part, before the answer.
   * The answer is the whole observation, parts included.
   */
  observe(regionId: string, scope: TargetScope, signal: AbortSignal, onPart?: (part: Observation) => void): Promise<Observation>;
  /** Whether the RAM role exists and trusts ECS. Rejects when the check could not be made. */
  checkRole(roleName: string, signal: AbortSignal): Promise<RoleCheckAnswer>;
  /**
   * An outcome for every change; a whole-call failure is every instance's failure. Urgent: the
   * calls go ahead of those that are not in the attach quota's queue (re-attaching instances a
   * role change just detached).
   */
  attach(regionId: string, changes: readonly RoleChange[], signal: AbortSignal, options?: ChangeOptions): Promise<Map<string, AttachOutcome>>;
  /** An outcome for every change; detaches only the named role. */
  detach(regionId: string, changes: readonly RoleChange[], signal: AbortSignal): Promise<Map<string, DetachOutcome>>;
}

/** The API action and RequestId of a failed call, for the log line that reports it. */
export function failedCallOf(err: unknown): { action: string; requestId: string | undefined } | undefined {
  return err instanceof CloudError ? { action: err.action, requestId: err.requestId } : undefined;
}

/**
 * The classified failure behind a rejected RoleCloud call, or undefined when the rejection is not
 * the cloud's answer (an abort, a bug): those propagate.
 */
export function failureOf(err: unknown): Failure | undefined {
  return err instanceof CloudError ? cloudFailure(err.code, err.cloudMessage, err.statusCode) : undefined;
}
