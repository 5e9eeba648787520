import { describe, expect, it } from 'vitest';
import { type CloudApi, CloudError } from '../../../src/cloud/cloud-api.js';
import { instrumentCloudApi } from '../../../src/cloud/instrumented-cloud-api.js';

/** A CloudApi that answers from fixed data, failing the calls named in `failWith`. */
function fixedCloud(failWith: Partial<Record<keyof CloudApi, Error>>): CloudApi {
  const fail = (method: keyof CloudApi) => {
    const err = failWith[method];
    if (err) throw err;
  };
  return {
    async describeInstances() {
      fail('describeInstances');
      return [{ instanceId: 'i-1', regionId: 'cn-hangzhou', networkType: 'vpc', status: 'Running', tags: {} }];
    },
    async listTaggedInstanceIds() {
      fail('listTaggedInstanceIds');
      return ['i-1'];
    },
    async describeInstanceRamRoles(_r, ids) {
      fail('describeInstanceRamRoles');
      return new Map(ids.map((id) => [id, null]));
    },
    async attachInstanceRamRole(_r, _role, ids) {
      fail('attachInstanceRamRole');
      return ids.map((instanceId) => ({ instanceId, success: true, code: '200', message: 'success' }));
    },
    async detachInstanceRamRole(_r, _role, ids) {
      fail('detachInstanceRamRole');
      return ids.map((instanceId) => ({ instanceId, success: true, code: '200', message: 'success' }));
    },
    async getRole(roleName) {
      fail('getRole');
      return { roleName, arn: `acs:ram::1:role/${roleName}`, trustsEcs: true };
    },
  };
}

describe('instrumentCloudApi', () => {
  it('reports each call with its API action and result code, and passes results and errors through', async () => {
    const calls: { action: string; code: string; seconds: number }[] = [];
    const throttled = new CloudError({ action: 'AttachInstanceRamRole', code: 'Throttling', message: 'Request was denied due to request throttling.' });
    const cloud = instrumentCloudApi(
      fixedCloud({ attachInstanceRamRole: throttled, getRole: new TypeError('fetch failed') }),
      { cloudCall: (action, code, seconds) => calls.push({ action, code, seconds }) },
    );

    expect(await cloud.describeInstances('cn-hangzhou', { instanceIds: ['i-1'] })).toHaveLength(1);
    expect(await cloud.describeInstanceRamRoles('cn-hangzhou', ['i-1', 'i-2'])).toEqual(new Map([['i-1', null], ['i-2', null]]));
    await expect(cloud.attachInstanceRamRole('cn-hangzhou', 'R', ['i-1'])).rejects.toBe(throttled);
    expect(await cloud.detachInstanceRamRole('cn-hangzhou', 'R', ['i-1'])).toHaveLength(1);
    await expect(cloud.getRole('R')).rejects.toThrow('fetch failed');

    expect(calls.map(({ action, code }) => `${action} ${code}`)).toEqual([
      'DescribeInstances OK',
      'DescribeInstanceRamRole OK',
      'AttachInstanceRamRole Throttling',
      'DetachInstanceRamRole OK',
      'GetRole ClientError',
    ]);
    for (const c of calls) expect(c.seconds).toBeGreaterThanOrEqual(0);
  });
});
