/**
 * A CloudApi decorator that reports every call to OperatorMetrics.cloudCall: the API action it
 * stands for, its result code ("OK", or the CloudError code, or "ClientError" for a failure that
 * never reached the cloud) and its latency. The wrapped implementation is unchanged.
 *
 * Paginated listings (describeInstances without IDs, listInstancesWithRole) are timed as one
 * observation for the whole listing.
 */
import { type CloudApi, CloudError } from '../cloud/cloud-api.js';

export interface CloudCallSink {
  cloudCall(action: string, code: string, seconds: number): void;
}

export const CLOUD_CALL_OK = 'OK';
export const CLOUD_CALL_CLIENT_ERROR = 'ClientError';

export function cloudCallCode(err: unknown): string {
  return err instanceof CloudError ? err.code : CLOUD_CALL_CLIENT_ERROR;
}

export function instrumentCloudApi(cloud: CloudApi, sink: CloudCallSink): CloudApi {
  const timed = async <T>(action: string, call: () => Promise<T>): Promise<T> => {
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
    describeInstances: (regionId, filter) =>
      timed('DescribeInstances', () => cloud.describeInstances(regionId, filter)),
    describeInstanceRamRoles: (regionId, ids) =>
      timed('DescribeInstanceRamRole', () => cloud.describeInstanceRamRoles(regionId, ids)),
    listInstancesWithRole: (regionId, roleName) =>
      timed('DescribeInstanceRamRole', () => cloud.listInstancesWithRole(regionId, roleName)),
    attachInstanceRamRole: (regionId, roleName, ids) =>
      timed('AttachInstanceRamRole', () => cloud.attachInstanceRamRole(regionId, roleName, ids)),
    detachInstanceRamRole: (regionId, roleName, ids) =>
      timed('DetachInstanceRamRole', () => cloud.detachInstanceRamRole(regionId, roleName, ids)),
    getRole: (roleName) => timed('GetRole', () => cloud.getRole(roleName)),
  };
}
