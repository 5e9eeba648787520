/**
 * Rate limiting for the cloud quota: one token bucket per API action (the cloud throttles per
 * action), and a CloudApi decorator that takes a token before every call. A call waiting for its
 * token stops waiting when its signal aborts, so an aborted pass sends nothing more; an urgent call
 * (CallOptions.urgent) waits ahead of the calls of its action that are not.
 */
import { TokenBucket } from '../runtime/token-bucket.js';
import type { CallOptions, CloudAction, CloudApi } from './cloud-api.js';

export interface CloudRateLimitOptions {
  /** Calls per second for each API action. */
  qps: number;
  /** Per-action overrides of qps, keyed by API action name. */
  qpsPerAction?: Partial<Record<string, number>>;
}

export class CloudRateLimits {
  private readonly buckets = new Map<CloudAction, TokenBucket>();

  constructor(private readonly opts: CloudRateLimitOptions) {}

  /** Takes a token for one call of the action; urgent calls wait ahead of the others. */
  acquire(action: CloudAction, signal?: AbortSignal, urgent = false): Promise<void> {
    return this.bucket(action).acquire({ signal, urgent });
  }

  /** Resolves once a call of the action could go out now (takes nothing); urgent: ahead of the others. */
  whenAvailable(action: CloudAction, urgent = false, signal?: AbortSignal): Promise<void> {
    return this.bucket(action).whenAvailable({ urgent, signal });
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
  const limited = async <T>(action: CloudAction, options: CallOptions | undefined, call: () => Promise<T>): Promise<T> => {
    await limits.acquire(action, options?.signal, options?.urgent === true);
    return call();
  };
  return {
    describeInstances: (regionId, filter, options) => limited('DescribeInstances', options, () => cloud.describeInstances(regionId, filter, options)),
    listTaggedInstanceIds: (regionId, tags, options) => limited('ListTagResources', options, () => cloud.listTaggedInstanceIds(regionId, tags, options)),
    describeInstanceRamRoles: (regionId, ids, options) =>
      limited('DescribeInstanceRamRole', options, () => cloud.describeInstanceRamRoles(regionId, ids, options)),
    attachInstanceRamRole: (regionId, roleName, ids, options) =>
      limited('AttachInstanceRamRole', options, () => cloud.attachInstanceRamRole(regionId, roleName, ids, options)),
    detachInstanceRamRole: (regionId, roleName, ids, options) =>
      limited('DetachInstanceRamRole', options, () => cloud.detachInstanceRamRole(regionId, roleName, ids, options)),
    getRole: (roleName, options) => limited('GetRole', options, () => cloud.getRole(roleName, options)),
  };
}
