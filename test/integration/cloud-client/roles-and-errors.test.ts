import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlibabaCloudApi } from '../../../src/cloud/alibaba-cloud-api.js';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import { createAccessKeyCredential } from '../../../src/cloud/credentials.js';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { FLEET_YAML, REGION, addFault, apiFor, clearFaults, loggedCalls, startTestCloud } from './helpers.js';

let sim: CloudSimulator;
beforeAll(async () => {
  sim = await startTestCloud();
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await clearFaults(sim);
});

describe('getRole', () => {
  it('reads the role and whether its trust policy lets ECS assume it', async () => {
    const { api, events } = apiFor(sim);
    const trusted = await api.getRole('WebRole');
    expect(trusted).toEqual({ roleName: 'WebRole', arn: expect.stringMatching(/^acs:ram::\d+:role\//), trustsEcs: true });
    expect(events.at(-1)).toEqual({ action: 'GetRole', seconds: expect.any(Number), code: 'OK' });
  });

  it('accepts Principal.Service as a string or in an array, and Action as a string or an array', async () => {
    const { api } = apiFor(sim);
    expect((await api.getRole('StringPrincipal'))?.trustsEcs).toBe(true);
    expect((await api.getRole('ArrayEverything'))?.trustsEcs).toBe(true);
  });

  it('is not trusted when only another service, a Deny, or an account principal is named', async () => {
    const { api } = apiFor(sim);
    expect((await api.getRole('FcOnly'))?.trustsEcs).toBe(false);
    expect((await api.getRole('DenyEcs'))?.trustsEcs).toBe(false);
    expect((await api.getRole('AccountOnly'))?.trustsEcs).toBe(false);
  });

  it('is null for a role that does not exist (EntityNotExist.Role)', async () => {
    const { api, events } = apiFor(sim);
    expect(await api.getRole('NoSuchRole')).toBeNull();
    expect((await loggedCalls(sim, 'GetRole')).at(-1)).toMatchObject({ code: 'EntityNotExist.Role' });
    // The cloud's "no such role" is an answer, not a failed call.
    expect(events.at(-1)).toMatchObject({ action: 'GetRole', code: 'OK' });
  });
});

describe('errors become CloudError', () => {
  it('throttling (injected) -> code Throttling, status 400, request ID', async () => {
    const { api, events } = apiFor(sim);
    await addFault(sim, { action: 'DescribeInstances', code: 'Throttling', status: 400, count: 1 });
    const err = await api.describeInstances(REGION, { instanceIds: ['i-web1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ action: 'DescribeInstances', code: 'Throttling', statusCode: 400 });
    expect((err as CloudError).requestId).toMatch(/\S/);
    expect(events.at(-1)).toMatchObject({ action: 'DescribeInstances', code: 'Throttling' });
    expect((await loggedCalls(sim, 'DescribeInstances')).at(-1)).toMatchObject({ code: 'Throttling', params: { RegionId: REGION } });
    // the fault was spent: the next call goes through
    expect(await api.describeInstances(REGION, { instanceIds: ['i-web1'] })).toHaveLength(1);
  });

  it('throttling by the QPS limit carries the retry-after as seconds', async () => {
    const limited = await startCloudSimulator({ fleet: { ...parseFleet(FLEET_YAML), limits: { qps: { GetRole: 1 } } } });
    try {
      const limitedApi = apiFor(limited).api;
      const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => limitedApi.getRole('WebRole')));
      const throttled = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as CloudError);
      expect(throttled.length).toBeGreaterThan(0);
      for (const e of throttled) {
        expect(e).toBeInstanceOf(CloudError);
        expect(e.code).toMatch(/^Throttling/);
        expect(e.retryAfterSeconds).toBeGreaterThan(0);
      }
    } finally {
      await limited.close();
    }
  });

  it('5xx -> the server code and status', async () => {
    const { api } = apiFor(sim);
    await addFault(sim, { action: 'AttachInstanceRamRole', code: 'ServiceUnavailable', status: 503, count: 1 });
    await expect(api.attachInstanceRamRole(REGION, 'OtherRole', ['i-gen001'])).rejects.toMatchObject({
      code: 'ServiceUnavailable',
      statusCode: 503,
      action: 'AttachInstanceRamRole',
    });
    await addFault(sim, { action: 'GetRole', code: 'InternalError', status: 500, count: 1 });
    await expect(api.getRole('WebRole')).rejects.toMatchObject({ code: 'InternalError', statusCode: 500, action: 'GetRole' });
  });

  it('an unknown AccessKey -> InvalidAccessKeyId.NotFound', async () => {
    const { api } = apiFor(sim, { id: 'LTAI5tUnknown', secret: 'whatever' });
    await expect(api.describeInstances(REGION, {})).rejects.toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
  });

  it('a refused connection -> ECONNREFUSED', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const api = createAlibabaCloudApi({
      ecsEndpoint: `127.0.0.1:${port}`,
      ramEndpoint: `127.0.0.1:${port}`,
      protocol: 'http',
      credential: createAccessKeyCredential('LTAI5tClientTest', 'client-test-secret'),
    });
    const err = await api.describeInstances(REGION, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', action: 'DescribeInstances', statusCode: undefined });
    await expect(api.getRole('WebRole')).rejects.toMatchObject({ code: 'ECONNREFUSED', action: 'GetRole' });
  });

  it('a server slower than the read timeout -> ETIMEDOUT', async () => {
    const { api } = apiFor(sim, undefined, { readTimeoutMs: 200 });
    await addFault(sim, { action: 'DescribeInstanceRamRole', latencyMs: 3000, count: 1 });
    await expect(api.describeInstanceRamRoles(REGION, ['i-web1'])).rejects.toMatchObject({ code: 'ETIMEDOUT', action: 'DescribeInstanceRamRole' });
  });
});
