/**
 * The operator's RoleCloud, assembled from the decorators, innermost first:
 *
 *   SDK adapter (or any CloudApi; already instrumented by the caller when metrics are wanted)
 *   → rate limiting: a token per call, per API action
 *   → coalescing: concurrent ID-batched calls merged up to the batch limits, each batch sealed
 *     when the rate limiter would let its call through
 *   → ApiRoleCloud: the reconciler's port (observe, with tag selectors resolved through
 *     ListTagResources; check role, attach, detach)
 *   → CachedRoleChecks: GetRole answers reused for a minute
 */
import type { CloudApi } from './cloud-api.js';
import { ApiRoleCloud } from './api-role-cloud.js';
import { CachedRoleChecks } from './cached-role-checks.js';
import { coalesceCloudApi } from './coalescing-cloud-api.js';
import type { TagSelectorOptions } from './tag-selector.js';
import { type CloudRateLimitOptions, CloudRateLimits, rateLimitCloudApi } from './rate-limited-cloud-api.js';

export interface RoleCloudOptions extends CloudRateLimitOptions, TagSelectorOptions {
  /** How long a batch waits for more IDs before it is sent. Default 10 ms. */
  batchWindowMs?: number;
  /** How long a GetRole answer is trusted. Default 60 s. */
  roleCheckTtlMs?: number;
  /** false: no coalescing, each caller's calls go out alone (the benchmark's per-binding baseline). Default true. */
  coalesce?: boolean;
}

export const DEFAULT_BATCH_WINDOW_MS = 10;

/** The reconciler's cloud port over `api`; `forget(roleName)` drops a cached role check. */
export function createRoleCloud(api: CloudApi, options: RoleCloudOptions): CachedRoleChecks {
  const limits = new CloudRateLimits(options);
  const limited = rateLimitCloudApi(api, limits);
  const calls =
    options.coalesce === false
      ? limited
      : coalesceCloudApi(limited, {
          windowMs: options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
          ready: (action, urgent, signal) => limits.whenAvailable(action, urgent, signal),
        });
  const tagSelectors = options.onListingDenied ? { onListingDenied: options.onListingDenied } : {};
  return new CachedRoleChecks(new ApiRoleCloud(calls, tagSelectors), options.roleCheckTtlMs !== undefined ? { ttlMs: options.roleCheckTtlMs } : {});
}
