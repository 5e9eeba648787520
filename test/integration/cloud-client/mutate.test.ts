import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudError, MAX_MUTATE_IDS } from '../../../src/cloud/cloud-api.js';
import type { CloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { GENERATED, NO_PASS_ROLE, REGION, apiFor, clearCalls, loggedCalls, setRole, startTestCloud } from './helpers.js';

let sim: CloudSimulator;
beforeAll(async () => {
  sim = await startTestCloud();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await clearCalls(sim);
});

describe('attachInstanceRamRole', () => {
  it('attaches up to 100 instances in one call and reports each as done', async () => {
    const { api } = apiFor(sim);
    const ids = GENERATED.slice(0, 100);
    const results = await api.attachInstanceRamRole(REGION, 'OtherRole', ids);
    expect(results).toEqual(ids.map((instanceId) => ({ instanceId, success: true, code: '200', message: expect.any(String), requestId: expect.any(String) })));
    const calls = await loggedCalls(sim, 'AttachInstanceRamRole');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params).toMatchObject({ RamRoleName: 'OtherRole', RegionId: REGION, InstanceIds: ids });
    const roles = await api.describeInstanceRamRoles(REGION, ids.slice(0, 50));
    expect([...roles.values()].every((r) => r === 'OtherRole')).toBe(true);
  });

  it('refuses more than 100 IDs as a programming error, before any call', async () => {
    const { api } = apiFor(sim);
    await expect(api.attachInstanceRamRole(REGION, 'OtherRole', GENERATED.slice(0, MAX_MUTATE_IDS + 1))).rejects.toThrow(/at most 100/);
    await expect(api.detachInstanceRamRole(REGION, 'OtherRole', GENERATED.slice(0, MAX_MUTATE_IDS + 1))).rejects.toThrow(/at most 100/);
    expect(await loggedCalls(sim)).toEqual([]);
  });

  it('reports per-instance failures inside a 200 answer (instance already carrying a role)', async () => {
    const { api } = apiFor(sim);
    await setRole(sim, 'i-gen150', 'WebRole');
    const results = await api.attachInstanceRamRole(REGION, 'OtherRole', ['i-gen149', 'i-gen150', 'i-gen151']);
    expect(results.map((r) => [r.instanceId, r.success, r.code])).toEqual([
      ['i-gen149', true, '200'],
      ['i-gen150', false, 'InvalidRamRole.AlreadyAttached'],
      ['i-gen151', true, '200'],
    ]);
    expect(results[1]!.message).toMatch(/\S/);
    const [call] = await loggedCalls(sim, 'AttachInstanceRamRole');
    expect(call!.status).toBe(200);
  });

  it('converts whole-request failures into CloudError with code and status', async () => {
    const { api } = apiFor(sim);
    await expect(api.attachInstanceRamRole(REGION, 'OtherRole', ['i-gen160', 'i-nothere'])).rejects.toMatchObject({
      code: 'InvalidInstanceId.NotFound',
      statusCode: 404,
      action: 'AttachInstanceRamRole',
    });
    await expect(api.attachInstanceRamRole(REGION, 'OtherRole', ['i-gen160', 'i-old1'])).rejects.toMatchObject({
      code: 'InvalidNetworkType.MismatchRamRole',
      statusCode: 403,
    });
    await expect(api.attachInstanceRamRole(REGION, 'NoSuchRole', ['i-gen160'])).rejects.toMatchObject({
      code: 'InvalidRamRole.NotFound',
      statusCode: 404,
    });
    await expect(api.attachInstanceRamRole(REGION, 'FcOnly', ['i-gen160'])).rejects.toMatchObject({
      code: 'InvalidRamRole.NotEcsRole',
      statusCode: 404,
    });
    const noPassRole = apiFor(sim, NO_PASS_ROLE).api;
    const err = await noPassRole.attachInstanceRamRole(REGION, 'OtherRole', ['i-gen160']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ code: 'InvalidUser.PassRoleForbidden', statusCode: 403 });
    expect((await api.describeInstanceRamRoles(REGION, ['i-gen160'])).get('i-gen160')).toBeNull();
  });

  it('asks nothing for an empty ID list', async () => {
    const { api } = apiFor(sim);
    expect(await api.attachInstanceRamRole(REGION, 'OtherRole', [])).toEqual([]);
    expect(await api.detachInstanceRamRole(REGION, 'OtherRole', [])).toEqual([]);
    expect(await loggedCalls(sim)).toEqual([]);
  });
});

describe('detachInstanceRamRole', () => {
  it('detaches the named role and reports each instance', async () => {
    const { api } = apiFor(sim);
    await setRole(sim, 'i-gen200', 'WebRole');
    await setRole(sim, 'i-gen201', 'WebRole');
    const results = await api.detachInstanceRamRole(REGION, 'WebRole', ['i-gen200', 'i-gen201']);
    expect(results.map((r) => [r.instanceId, r.success, r.code])).toEqual([
      ['i-gen200', true, '200'],
      ['i-gen201', true, '200'],
    ]);
    const [call] = await loggedCalls(sim, 'DetachInstanceRamRole');
    expect(call!.params).toMatchObject({ RamRoleName: 'WebRole', InstanceIds: ['i-gen200', 'i-gen201'] });
    const roles = await api.describeInstanceRamRoles(REGION, ['i-gen200', 'i-gen201']);
    expect([...roles.values()]).toEqual([null, null]);
  });

  it('never removes a role other than the named one: per-instance InvalidRamRole.NotAttached', async () => {
    const { api } = apiFor(sim);
    await setRole(sim, 'i-gen210', 'OtherRole');
    const results = await api.detachInstanceRamRole(REGION, 'WebRole', ['i-gen210', 'i-gen211']);
    expect(results.map((r) => [r.instanceId, r.success, r.code])).toEqual([
      ['i-gen210', false, 'InvalidRamRole.NotAttached'],
      ['i-gen211', false, 'InvalidRamRole.NotAttached'],
    ]);
    expect((await api.describeInstanceRamRoles(REGION, ['i-gen210'])).get('i-gen210')).toBe('OtherRole');
  });

  it('an unknown ID fails the whole request', async () => {
    const { api } = apiFor(sim);
    await expect(api.detachInstanceRamRole(REGION, 'WebRole', ['i-nothere'])).rejects.toMatchObject({
      code: 'InvalidInstanceId.NotFound',
      statusCode: 404,
      action: 'DetachInstanceRamRole',
    });
  });
});
