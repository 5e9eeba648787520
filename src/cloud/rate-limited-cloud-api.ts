/**
 * Rate limiting for the cloud quota: one token bucket per API action (the cloud throttles per
 * action), and a CloudApi decorator that takes a token before every call, and one before every
 * further request a call sends (CallOptions.beforeRequest: a listing's pages, chunks of IDs). A call waiting for its
 * token stops waiting when its signal aborts, so an aborted pass sends nothing more; an urgent call
 * (CallOptions.urgent) waits ahead of the calls of its action that are not. A throttled call is
 * sent again, after its own token, only while the retry budget allows (throttle-retry.ts): one
 * budget for the whole cloud client, funded by the answered calls of every action.
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

  /**
   * One budget for every action, as gRPC keeps one per server and the AWS SDKs one per client: a
   * pass that has just listed a thousand pages may retry the odd throttled describe that follows.
   */
  private readonly throttleRetries = new ThrottleRetryBudget();

  constructor(private readonly opts: CloudRateLimitOptions) {}

  /** Takes a token for one call of the action; urgent calls wait ahead of the others. */
  acquire(action: CloudAction, signal?: AbortSignal, urgent = false): Promise<void> {
    return this.bucket(action).acquire({ signal, urgent });
  }

  /** Resolves once a call of the action could go out now (takes nothing); urgent: ahead of the others. */
  whenAvailable(action: CloudAction, urgent = false, signal?: AbortSignal): Promise<void> {
    return this.bucket(action).whenAvailable({ urgent, signal });
  }

  /** The budget of retries after a throttled answer, funded by the answered calls of every action. */
  retryBudget(): ThrottleRetryBudget {
    return this.throttleRetries;
  }

  private bucket(action: CloudAction): TokenBucket {
    let bucket = this.buckets.get(action);
    if (!bucket) {
      const rate = this.opts.qpsPerAction?.[action] ?? this.opts.qps;
      bucket = new TokenBucket(rate, cloudBurst(rate));
      this.buckets.set(action, bucket);
    }
    return bucket;
  }
}

/**
 * Calls of one action that may go out at once after a quiet spell: half a second's worth. The
 * cloud's own bucket holds a second's worth, so the other half is left for calls that reach it
 * bunched (a busy server, a network hiccup); with a burst as large as the cloud's, a client that
 * keeps to the rate still gets throttled whenever its calls arrive closer together than sent.
 */
export function cloudBurst(ratePerSecond: number): number {
  return Math.max(1, Math.ceil(ratePerSecond / 2));
}

export function rateLimitCloudApi(cloud: CloudApi, limits: CloudRateLimits): CloudApi {
  // A token before the call, and one before each further request it sends (pages, chunks).
  const limited = async <T>(action: CloudAction, options: CallOptions | undefined, call: (options: CallOptions) => Promise<T>): Promise<T> => {
    const urgent = options?.urgent === true;
    const budget = limits.retryBudget();
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
