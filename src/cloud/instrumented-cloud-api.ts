/**
 * A CloudApi decorator that reports every call to a sink (OperatorMetrics): the API action, its
 * result code ("OK", or the CloudError code, or "ClientError" for a failure that never reached
 * the cloud) and its latency. A paginated listing is one observation for the whole listing.
 * Place it next to the SDK adapter, below rate limiting, so it times calls and not waits.
 */
import { type CallOptions, type CloudAction, type CloudApi, CloudError, type ListingOptions } from './cloud-api.js';

export interface CloudCallSink {
  cloudCall(action: CloudAction, code: string, seconds: number): void;
}

export const CLOUD_CALL_OK = 'OK';
export const CLOUD_CALL_CLIENT_ERROR = 'ClientError';

export function cloudCallCode(err: unknown): string {
  return err instanceof CloudError ? err.code : CLOUD_CALL_CLIENT_ERROR;
}

export function instrumentCloudApi(cloud: CloudApi, sink: CloudCallSink): CloudApi {
  const timed = async <T>(action: CloudAction, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await call();
      sink.cloudCall(action, CLOUD_CALL_OK, (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      sink.cloudCall(action, cloudCallCode(err), (performance.now() - started) / 1000);
      throw err;
    }
  };
  return {
    describeInstances: (regionId, filter, options?: CallOptions) => timed('DescribeInstances', () => cloud.describeInstances(regionId, filter, options)),
    listTaggedInstanceIds: (regionId, tags, options?: ListingOptions) => timed('ListTagResources', () => cloud.listTaggedInstanceIds(regionId, tags, options)),
    describeInstanceRamRoles: (regionId, ids, options?: CallOptions) =>
      timed('DescribeInstanceRamRole', () => cloud.describeInstanceRamRoles(regionId, ids, options)),
    attachInstanceRamRole: (regionId, roleName, ids, options?: CallOptions) =>
      timed('AttachInstanceRamRole', () => cloud.attachInstanceRamRole(regionId, roleName, ids, options)),
    detachInstanceRamRole: (regionId, roleName, ids, options?: CallOptions) =>
      timed('DetachInstanceRamRole', () => cloud.detachInstanceRamRole(regionId, roleName, ids, options)),
    getRole: (roleName, options?: CallOptions) => timed('GetRole', () => cloud.getRole(roleName, options)),
  };
}
