/**
 * A CloudApi decorator that merges the ID-batched calls of concurrent callers into as few API
 * calls as the batch limits allow: DescribeInstances by IDs per region (100 a call),
 * DescribeInstanceRamRole per region (50), Attach/DetachInstanceRamRole per region and role (100).
 * A caller asks for any number of IDs and gets exactly its own answers. Listings by tag or VPC,
 * ListTagResources and GetRole pass through unchanged.
 *
 * `ready` (the rate limiter's "a call could go out now") decides when a waiting batch is sealed:
 * while calls are throttled the batch keeps filling, so under load every call is a full batch.
 * Urgent calls (CallOptions.urgent) are sealed first and go out as urgent calls.
 */
import type { InstanceInfo } from '../domain/cloud-facts.js';
import { Coalescer } from '../runtime/coalescer.js';
import {
  type CloudAction,
  type CloudApi,
  type InstanceCallResult,
  type InstanceFilter,
  MAX_DESCRIBE_INSTANCE_IDS,
  MAX_DESCRIBE_ROLE_IDS,
  MAX_MUTATE_IDS,
} from './cloud-api.js';

export interface CoalescingOptions {
  /** How long a batch waits for more IDs before it is sent. */
  windowMs: number;
  /**
   * Resolves when a call of the action could go out now (urgent: ahead of the calls that are not);
   * rejects when the signal aborts. Default: at once.
   */
  ready?: (action: CloudAction, urgent: boolean, signal: AbortSignal) => Promise<void>;
}

/** Region and role joined into one coalescing group. */
const GROUP_SEPARATOR = '\u0000';

export function coalesceCloudApi(cloud: CloudApi, opts: CoalescingOptions): CloudApi {
  const { ready } = opts;
  const gate = (action: CloudAction) => (ready ? { gate: (urgent: boolean, signal: AbortSignal) => ready(action, urgent, signal) } : {});
  const instancesById = new Coalescer<string, InstanceInfo | null>({
    maxBatch: MAX_DESCRIBE_INSTANCE_IDS,
    windowMs: opts.windowMs,
    ...gate('DescribeInstances'),
    run: async (regionId, ids, signal) => {
      const found = await cloud.describeInstances(regionId, { instanceIds: ids }, { signal });
      const byId = new Map<string, InstanceInfo | null>(ids.map((id) => [id, null]));
      for (const instance of found) byId.set(instance.instanceId, instance);
      return byId;
    },
  });
  const roles = new Coalescer<string, string | null>({
    maxBatch: MAX_DESCRIBE_ROLE_IDS,
    windowMs: opts.windowMs,
    ...gate('DescribeInstanceRamRole'),
    run: (regionId, ids, signal) => cloud.describeInstanceRamRoles(regionId, ids, { signal }),
  });
  const mutation = (action: 'AttachInstanceRamRole' | 'DetachInstanceRamRole', call: CloudApi['attachInstanceRamRole']) =>
    new Coalescer<string, InstanceCallResult>({
      maxBatch: MAX_MUTATE_IDS,
      windowMs: opts.windowMs,
      ...gate(action),
      run: async (group, ids, signal, urgent) => {
        const [regionId, roleName] = group.split(GROUP_SEPARATOR) as [string, string];
        return new Map((await call(regionId, roleName, ids, { signal, urgent })).map((r) => [r.instanceId, r]));
      },
    });
  const attaches = mutation('AttachInstanceRamRole', (r, role, ids, o) => cloud.attachInstanceRamRole(r, role, ids, o));
  const detaches = mutation('DetachInstanceRamRole', (r, role, ids, o) => cloud.detachInstanceRamRole(r, role, ids, o));
  const inOrder = async (ids: string[], answers: Promise<Map<string, InstanceCallResult>>) => {
    const byId = await answers;
    return [...new Set(ids)].map((id) => byId.get(id) as InstanceCallResult);
  };

  return {
    async describeInstances(regionId, filter, options) {
      if (!onlyIds(filter)) return cloud.describeInstances(regionId, filter, options);
      const answers = await instancesById.requestMany(regionId, filter.instanceIds, options?.signal);
      return [...answers.values()].filter((i): i is InstanceInfo => i !== null);
    },
    listTaggedInstanceIds: (regionId, tags, options) => cloud.listTaggedInstanceIds(regionId, tags, options),
    describeInstanceRamRoles: (regionId, ids, options) => roles.requestMany(regionId, ids, options?.signal),
    attachInstanceRamRole: (regionId, roleName, ids, options) =>
      inOrder(ids, attaches.requestMany(`${regionId}${GROUP_SEPARATOR}${roleName}`, ids, options?.signal, options?.urgent === true)),
    detachInstanceRamRole: (regionId, roleName, ids, options) =>
      inOrder(ids, detaches.requestMany(`${regionId}${GROUP_SEPARATOR}${roleName}`, ids, options?.signal, options?.urgent === true)),
    getRole: (roleName, options) => cloud.getRole(roleName, options),
  };
}

function onlyIds(filter: InstanceFilter): filter is InstanceFilter & { instanceIds: string[] } {
  return filter.instanceIds !== undefined && Object.keys(filter.tags ?? {}).length === 0 && filter.vpcId === undefined;
}
