/**
 * Rate limiting for the cloud quota: one token bucket per API action (the cloud throttles per
 * action), and a CloudApi decorator that takes a token before every call, and one before every
 * further request a call sends (CallOptions.beforeRequest: a listing's pages, chunks of IDs). A call waiting for its
 * token stops waiting when its signal aborts, so an aborted pass sends nothing more; an urgent call
 * (CallOptions.urgent) waits ahead of the calls of its action that are not. A throttled call is
 * sent again, after its own token, only while the action's retry budget allows
 * (throttle-retry.ts).
 */
import { TokenBucket } from '../runtime/token-bucket.js';
import type { CallOptions, CloudAction, CloudApi } from './cloud-api.js';
import { THROTTLE_RETRIES, ThrottleRetryBudget, isThrottled, throttleRetryDelayMs, waitBeforeRetry } from './throttle-retry.js';

export interface CloudRateLimitOptions {
  /** Calls per second for each API action. */
  qps: number;
  /** Per-action overrides of qps, keyed by API action name. */
  qpsPerAction?: Partial<Record<string, number>>;
}

export class CloudRateLimits {
  private readonly buckets = new Map<CloudAction, TokenBucket>();

  private readonly retryBudgets = new Map<CloudAction, ThrottleRetryBudget>();

  constructor(private readonly opts: CloudRateLimitOptions) {}

  /** Takes a token for one call of the action; urgent calls wait ahead of the others. */
  acquire(action: CloudAction, signal?: AbortSignal, urgent = false): Promise<void> {
    return this.bucket(action).acquire({ signal, urgent });
  }

  /** Resolves once a call of the action could go out now (takes nothing); urgent: ahead of the others. */
  whenAvailable(action: CloudAction, urgent = false, signal?: AbortSignal): Promise<void> {
    return this.bucket(action).whenAvailable({ urgent, signal });
  }

  /** The action's budget of retries after a throttled answer. */
  retryBudget(action: CloudAction): ThrottleRetryBudget {
    let budget = this.retryBudgets.get(action);
    if (!budget) {
      budget = new ThrottleRetryBudget();
      this.retryBudgets.set(action, budget);
    }
    return budget;
  }

  private bucket(action: CloudAction): TokenBucket {
    let bucket = this.buckets.get(action);
    if (!bucket) {
      bucket = new TokenBucket(this.opts.qpsPerAction?.[action] ?? this.opts.qps);
      this.buckets.set(action, bucket);
    }
    return bucket;
  }
}

export function rateLimitCloudApi(cloud: CloudApi, limits: CloudRateLimits): CloudApi {
  // A token before the call, and one before each further request it sends (pages, chunks).
  const limited = async <T>(action: CloudAction, options: CallOptions | undefined, call: (options: CallOptions) => Promise<T>): Promise<T> => {
    const urgent = options?.urgent === true;
    const budget = limits.retryBudget(action);
    for (let attempt = 1; ; attempt++) {
      await limits.acquire(action, options?.signal, urgent);
      let first = true;
      const beforeRequest = async (): Promise<void> => {
        if (first) first = false;
        else await limits.acquire(action, options?.signal, urgent);
      };
      try {
        const result = await call({ ...options, beforeRequest });
        budget.succeeded();
        return result;
      } catch (err) {
        if (attempt > THROTTLE_RETRIES || !isThrottled(err) || !budget.take()) throw err;
        await waitBeforeRetry(throttleRetryDelayMs(err, attempt), options?.signal);
      }
    }
  };
  return {
    describeInstances: (regionId, filter, options) => limited('DescribeInstances', options, (o) => cloud.describeInstances(regionId, filter, o)),
    listTaggedInstanceIds: (regionId, tags, options) => limited('ListTagResources', options, (o) => cloud.listTaggedInstanceIds(regionId, tags, o)),
    describeInstanceRamRoles: (regionId, ids, options) => limited('DescribeInstanceRamRole', options, (o) => cloud.describeInstanceRamRoles(regionId, ids, o)),
    attachInstanceRamRole: (regionId, roleName, ids, options) => limited('AttachInstanceRamRole', options, (o) => cloud.attachInstanceRamRole(regionId, roleName, ids, o)),
    detachInstanceRamRole: (regionId, roleName, ids, options) => limited('DetachInstanceRamRole', options, (o) => cloud.detachInstanceRamRole(regionId, roleName, ids, o)),
    getRole: (roleName, options) => limited('GetRole', options, (o) => cloud.getRole(roleName, o)),
  };
}
