import { ApiError } from './api-error.js';

/**
 * Every behaviour the Alibaba Cloud documentation leaves open, in one place: where a documented
 * rule has no documented error code or HTTP status, or no source settles a behaviour at all,
 * the simulator takes the stricter reading, defined here and listed in docs/cloud-simulator.md
 * ("Unconfirmed behaviour").
 */

// ---- ECS: DescribeInstances ----

/**
 * Documented: a Tag.N filter may cover at most 1,000 resources (SDK parameter text). Unconfirmed:
 * what happens past that. Stricter: the whole request fails instead of silently truncating.
 */
export function tagFilterOverCap(matching: number, cap: number): ApiError {
  return new ApiError(
    400,
    'InvalidTag.ResourceCountExceeded',
    `The Tag.N filters match ${matching} resources; DescribeInstances tag filters cover at most ${cap}. Resolve the tags with ListTagResources instead.`,
  );
}

/** Documented code DryRunOperation; unconfirmed status: 400, as ECS answers it for other dry runs. */
export function dryRunPassed(): ApiError {
  return new ApiError(400, 'DryRunOperation', 'Request validation has been passed with DryRun flag set.');
}

/**
 * Documented: TotalCount is meaningless when paging with MaxResults/NextToken. Stricter than an
 * exact count: the number of instances on this page, so a client that stops on a count stops early.
 */
export function tokenPagingTotalCount(pageLength: number): number {
  return pageLength;
}

// ---- ECS: ListTagResources ----

/** The request has no page-size parameter; unconfirmed page size: at most this many rows a page. */
export const LIST_TAG_RESOURCES_PAGE_ROWS = 50;

// Unconfirmed: which rows a tag-filtered listing holds. Stricter: every tag of each matching
// resource, so a resource's rows may span pages and callers must group by ResourceId
// (list-tag-resources.ts).

/** Documented "an error message is returned"; code unconfirmed. */
export function tagAndTagFilterTogether(): ApiError {
  return new ApiError(400, 'InvalidParameter.TagFilter', 'Tag.N and TagFilter.N cannot be used in the same request.');
}

/** Documented limit of fuzzy filtering; what happens past it is unconfirmed. Stricter: refuse. */
export function fuzzyFilterOverCap(matching: number, cap: number): ApiError {
  return new ApiError(400, 'InvalidParameter.TagFilter', `The TagFilter.N filters match ${matching} resources; fuzzy tag filtering supports at most ${cap}.`);
}

/** Documented "specify at least one of ResourceId.N, Tag.N, TagFilter.N"; code unconfirmed. */
export function noTagResourceSelector(): ApiError {
  return new ApiError(400, 'MissingParameter', 'Specify at least one of ResourceId.N, Tag.N or TagFilter.N.');
}

// ---- ECS: Attach / Detach ----

/** An instance that already carries a role, the same one included: per-instance failure code. */
export const ALREADY_ATTACHED_CODE = 'InvalidRamRole.AlreadyAttached';
/** Detach where no role, or another role than the one named, is attached: per-instance failure code. */
export const NOT_ATTACHED_CODE = 'InvalidRamRole.NotAttached';

// ---- Authorization ----

// Unconfirmed: how a batch with some instances outside the caller's policy is answered. Stricter:
// the whole request is refused with Forbidden.RAM and nothing changes (authorizeAll over every
// instance ARN, before the action runs: api-gateway.ts, action-resources.ts).
//
// Unconfirmed: whether resource ARNs in policies match case-insensitively. Stricter: they do not
// (policy-evaluation.ts); RAM writes role names lower-cased in role ARNs (arn.ts).

// ---- Instance metadata ----

/**
 * Documented: an instance in security hardening mode (HttpTokens required) needs a token for every
 * metadata read. Unconfirmed: the status of a read without one. The simulator answers 403.
 */
export const HARDENED_METADATA_REFUSAL_STATUS = 403;

// ---- RAM quotas ----

/** RAM's LimitExceeded.* codes; their HTTP status is unconfirmed: 409, like the other RAM conflicts. */
export function ramQuotaExceeded(code: 'LimitExceeded.Role' | 'LimitExceeded.Policy' | 'LimitExceeded.Role.Policy', message: string): ApiError {
  return new ApiError(409, code, message);
}
