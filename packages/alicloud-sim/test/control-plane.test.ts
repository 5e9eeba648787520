import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { CallRecord, CloudSimulator, StateSnapshot } from '../src/index.js';
import { $Ecs, attach, describeRoles, detach, ecsClient, expectApiError, roleMap, sim as control, startSample, type Ecs } from './helpers.js';

let sim: CloudSimulator;
let ecs: Ecs;

beforeEach(async () => {
  sim = await startSample();
  ecs = ecsClient(sim);
});
afterEach(async () => {
  await sim.close();
});

const describeWeb = (): Promise<unknown> => describeRoles(ecs, { instanceIds: ['i-bp1web0001'] });
const calls = async (action?: string): Promise<CallRecord[]> => (await control(sim, 'GET', `/calls${action ? `?action=${action}` : ''}`)).json as CallRecord[];

describe('state, drift, launch and release', () => {
  test('GET /sim/state shows regions, instances, roles and attachments', async () => {
    const { status, json } = await control(sim, 'GET', '/state');
    expect(status).toBe(200);
    const state = json as StateSnapshot;
    expect(state.regions.map((r) => r.id)).toEqual(['cn-hangzhou', 'cn-shanghai']);
    expect(state.regions[0]!.instances.find((i) => i.id === 'i-bp1old0001')).toMatchObject({ network: 'classic', vpcId: null, ramRole: null });
    expect(state.roles.find((r) => r.name === 'FcInvokeRole')).toMatchObject({ trustsEcs: false });
    expect(state.roles.find((r) => r.name === 'EcsRamRoleDocumentTesting')).toMatchObject({ trustsEcs: true, allow: ['oss:Get*', 'oss:List*'] });
    expect(state.attachments).toEqual([
      { instanceId: 'i-bp1api0001', regionId: 'cn-hangzhou', roleName: 'EcsRamRoleDocumentTesting' },
      { instanceId: 'i-uf6web0002', regionId: 'cn-shanghai', roleName: 'EcsRamRoleLogShipper' },
    ]);
  });

  test('PUT /sim/instances/{id}/role drifts a role out of band, visible to the API; null detaches', async () => {
    const put = await control(sim, 'PUT', '/instances/i-bp1web0001/role', { roleName: 'EcsRamRoleLogShipper' });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ id: 'i-bp1web0001', ramRole: 'EcsRamRoleLogShipper' });
    expect(roleMap((await describeWeb()) as never)).toEqual({ 'i-bp1web0001': 'EcsRamRoleLogShipper' });
    await control(sim, 'PUT', '/instances/i-bp1web0001/role', { roleName: null });
    expect(roleMap((await describeWeb()) as never)).toEqual({ 'i-bp1web0001': '' });
    // Drift never shows in the call log: it is not an API call.
    expect(await calls('AttachInstanceRamRole')).toEqual([]);
  });

  test('drift requests that cannot happen are refused with a reason', async () => {
    expect((await control(sim, 'PUT', '/instances/i-nope/role', { roleName: null })).status).toBe(404);
    expect((await control(sim, 'PUT', '/instances/i-bp1web0001/role', { roleName: 'NoSuchRole' })).status).toBe(404);
    const classic = await control(sim, 'PUT', '/instances/i-bp1old0001/role', { roleName: 'EcsRamRoleDocumentTesting' });
    expect(classic.status).toBe(400);
    expect((classic.json as { error: string }).error).toContain('classic');
    expect((await control(sim, 'PUT', '/instances/i-bp1web0001/role', { role: 'x' })).status).toBe(400);
  });

  test('POST /sim/instances launches, DELETE releases; the API sees both', async () => {
    const launched = await control(sim, 'POST', '/instances', { regionId: 'cn-hangzhou', id: 'i-bp1new0001', network: 'vpc', vpcId: 'vpc-bp1main', tags: { app: 'web' } });
    expect(launched.status).toBe(201);
    expect(launched.json).toMatchObject({ id: 'i-bp1new0001', regionId: 'cn-hangzhou', status: 'Running', tags: { app: 'web' } });
    const found = await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 100, tag: [{ key: 'app', value: 'web' }] }));
    expect(found.body!.instances!.instance!.map((i) => i.instanceId)).toContain('i-bp1new0001');
    await attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1new0001']);

    expect((await control(sim, 'DELETE', '/instances/i-bp1new0001')).status).toBe(204);
    await expectApiError(describeRoles(ecs, { instanceIds: ['i-bp1new0001'] }), 'InvalidInstanceId.NotFound', 404);
    expect(roleMap(await describeRoles(ecs, { ramRoleName: 'EcsRamRoleDocumentTesting' }))).toEqual({ 'i-bp1api0001': 'EcsRamRoleDocumentTesting' });
    expect((await control(sim, 'DELETE', '/instances/i-bp1new0001')).status).toBe(404);
  });

  test('launch validation names the bad field', async () => {
    const bad = await control(sim, 'POST', '/instances', { regionId: 'cn-hangzhou', id: 'i-x', network: 'ipv6' });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toBe('body.network: must be "vpc" or "classic"');
    expect((await control(sim, 'POST', '/instances', { regionId: 'mars-1', id: 'i-x', network: 'classic' })).status).toBe(404);
    expect((await control(sim, 'POST', '/instances', { regionId: 'cn-hangzhou', id: 'i-bp1web0001', network: 'vpc', vpcId: 'v' })).status).toBe(409);
    expect((await control(sim, 'POST', '/instances', { id: 'i-x', network: 'classic' })).status).toBe(400);
  });
});

describe('call log', () => {
  test('records every call oldest first with parsed params, so detach(old) then attach(new) is visible', async () => {
    await control(sim, 'DELETE', '/calls');
    await detach(ecs, ['i-bp1api0001'], 'EcsRamRoleDocumentTesting');
    await attach(ecs, 'EcsRamRoleLogShipper', ['i-bp1api0001']);
    await expectApiError(attach(ecs, 'NoSuchRole', ['i-bp1api0001']), 'InvalidRamRole.NotFound');
    const log = await calls();
    expect(log.map((c) => [c.action, c.params['RamRoleName'], c.params['InstanceIds'], c.status, c.code])).toEqual([
      ['DetachInstanceRamRole', 'EcsRamRoleDocumentTesting', ['i-bp1api0001'], 200, '200'],
      ['AttachInstanceRamRole', 'EcsRamRoleLogShipper', ['i-bp1api0001'], 200, '200'],
      ['AttachInstanceRamRole', 'NoSuchRole', ['i-bp1api0001'], 404, 'InvalidRamRole.NotFound'],
    ]);
    for (const c of log) {
      expect(c.accessKeyId).toBe('LTAI5tOperator');
      expect(c.params['RegionId']).toBe('cn-hangzhou');
      expect(Number.isNaN(Date.parse(c.time))).toBe(false);
    }
    expect((await calls('DetachInstanceRamRole')).length).toBe(1);
    expect((await control(sim, 'DELETE', '/calls')).status).toBe(204);
    expect(await calls()).toEqual([]);
  });
});

describe('throttling', () => {
  test('over limits.qps the API answers 400 Throttling with x-acs-retry-after, the SDK raises ThrottlingError, and the call is logged', async () => {
    await sim.close();
    // One attach per 50 s: the first call passes, every later one in the test is throttled.
    sim = await startSample((fleet) => {
      fleet.limits = { qps: { AttachInstanceRamRole: 0.02 } };
    });
    ecs = ecsClient(sim);
    const outcomes: string[] = [];
    let throttled: Awaited<ReturnType<typeof expectApiError>> | undefined;
    for (let i = 0; i < 5; i++) {
      try {
        await attach(ecs, 'EcsRamRoleDocumentTesting', [`i-bp1web000${i + 1}`]);
        outcomes.push('ok');
      } catch (err) {
        outcomes.push((err as { code: string }).code);
        throttled = err as typeof throttled;
      }
    }
    expect(outcomes).toEqual(['ok', 'Throttling', 'Throttling', 'Throttling', 'Throttling']);
    expect(throttled!.name).toBe('ThrottlingError');
    expect(throttled!.statusCode).toBe(400);
    // x-acs-retry-after: milliseconds until the bucket has a token again.
    expect(throttled!.retryAfter).toBeGreaterThan(40_000);
    expect(throttled!.retryAfter).toBeLessThanOrEqual(50_000);
    const log = await calls('AttachInstanceRamRole');
    expect(log.map((c) => c.code)).toEqual(['200', 'Throttling', 'Throttling', 'Throttling', 'Throttling']);
    // A throttled call changed nothing.
    expect(sim.state.instance('i-bp1web0002')!.ramRole).toBeNull();
    // Limits are per action and per region: other actions and regions are untouched.
    await describeWeb();
    await attach(ecs, 'EcsRamRoleDocumentTesting', ['i-uf6web0001'], 'cn-shanghai');
  });
});

describe('fault injection', () => {
  test('an error fault answers the given code and status, `count` times, then stops', async () => {
    const added = await control(sim, 'POST', '/faults', { action: 'DescribeInstanceRamRole', code: 'ServiceUnavailable', status: 503, count: 2 });
    expect(added.status).toBe(201);
    const first = await expectApiError(describeWeb(), 'ServiceUnavailable', 503);
    expect(first.name).toBe('ServerError');
    await expectApiError(describeWeb(), 'ServiceUnavailable', 503);
    await describeWeb();
    // Other actions were never affected.
    await attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0002']);
    const log = await calls('DescribeInstanceRamRole');
    expect(log.map((c) => c.code)).toEqual(['ServiceUnavailable', 'ServiceUnavailable', '200']);
    expect(log[0]!.faultIds).toEqual([(added.json as { id: number }).id]);
  });

  test('"*" matches every action; a 4xx code reaches the SDK as ClientError; DELETE clears', async () => {
    await control(sim, 'POST', '/faults', { action: '*', code: 'OperationConflict', status: 409 });
    const err = await expectApiError(attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0001']), 'OperationConflict', 409);
    expect(err.name).toBe('ClientError');
    await expectApiError(describeWeb(), 'OperationConflict', 409);
    expect(((await control(sim, 'GET', '/faults')).json as unknown[]).length).toBe(1);
    expect((await control(sim, 'DELETE', '/faults')).status).toBe(204);
    await describeWeb();
    expect(sim.state.instance('i-bp1web0001')!.ramRole).toBeNull();
  });

  test('an injected Throttling code surfaces as ThrottlingError', async () => {
    await control(sim, 'POST', '/faults', { action: 'DescribeInstanceRamRole', code: 'Throttling.User', count: 1 });
    const err = await expectApiError(describeWeb(), 'Throttling.User', 400);
    expect(err.name).toBe('ThrottlingError');
  });

  test('`rate` hits a fraction of calls (seeded, so reproducible); rate 0 never hits', async () => {
    await control(sim, 'POST', '/faults', { action: 'DescribeInstanceRamRole', code: 'InternalError', rate: 0 });
    for (let i = 0; i < 10; i++) await describeWeb();
    await control(sim, 'DELETE', '/faults');
    await control(sim, 'DELETE', '/calls');
    await control(sim, 'POST', '/faults', { action: 'DescribeInstanceRamRole', code: 'InternalError', status: 500, rate: 0.5 });
    let failures = 0;
    for (let i = 0; i < 60; i++) {
      try {
        await describeWeb();
      } catch (err) {
        expect((err as { code: string }).code).toBe('InternalError');
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThan(60);
    expect((await calls()).filter((c) => c.code === 'InternalError').length).toBe(failures);
    const [fault] = (await control(sim, 'GET', '/faults')).json as Array<{ hits: number }>;
    expect(fault!.hits).toBe(failures);
  });

  test('`latencyMs` delays matching calls and is recorded in the call log', async () => {
    await control(sim, 'POST', '/faults', { action: 'DescribeInstanceRamRole', latencyMs: 150, count: 1 });
    const started = performance.now();
    await describeWeb();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const [call] = await calls('DescribeInstanceRamRole');
    expect(call).toMatchObject({ status: 200, code: '200', injectedLatencyMs: 150 });
  });

  test('bad fault bodies are refused naming the field', async () => {
    const bad = await control(sim, 'POST', '/faults', { action: 'X', code: 'E', rate: 2 });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toContain('rate');
    expect((await control(sim, 'POST', '/faults', { action: 'X' })).status).toBe(400);
    expect((await control(sim, 'POST', '/faults', { action: 'X', code: 'E', status: 200 })).status).toBe(400);
  });
});
