import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { CloudSimulator } from '../src/index.js';
import {
  $Ecs,
  AUDITOR,
  attach,
  describeRoles,
  detach,
  ecsClient,
  expectApiError,
  ids,
  roleMap,
  startSample,
  type Ecs,
} from './helpers.js';

const ROLE = 'EcsRamRoleDocumentTesting';
const OTHER_ROLE = 'EcsRamRoleLogShipper';
const WEB = ['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003'];

let sim: CloudSimulator;
let ecs: Ecs;

beforeEach(async () => {
  sim = await startSample((fleet) => {
    fleet.accessKeys.push({ id: 'LTAI5tNoPassRole', secret: 'no-pass-role', allow: ['ecs:*'] });
    fleet.roles.push({
      name: 'EcsAllowedAndDenied',
      assumeRolePolicyDocument: JSON.stringify({
        Version: '1',
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } },
          { Action: 'sts:*', Effect: 'Deny', Principal: { Service: 'ecs.aliyuncs.com' } },
        ],
      }),
    });
    fleet.regions[0]!.generate = [{ count: 120, idPrefix: 'i-bp1gen', network: 'vpc', vpcId: 'vpc-bp1gen', tags: { fleet: 'gen' } }];
  });
  ecs = ecsClient(sim);
});
afterEach(async () => {
  await sim.close();
});

const roleOf = (id: string): string | null => sim.state.instance(id)!.ramRole;
const genIds = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => `i-bp1gen${String(from + i).padStart(3, '0')}`);

describe('AttachInstanceRamRole', () => {
  test('attaches a trusted role to VPC instances and reports each one', async () => {
    const body = await attach(ecs, ROLE, WEB);
    expect(body.totalCount).toBe(3);
    expect(body.failCount).toBe(0);
    expect(body.ramRoleName).toBe(ROLE);
    const results = body.attachInstanceRamRoleResults!.attachInstanceRamRoleResult!;
    expect(results.map((r) => [r.instanceId, r.success, r.code])).toEqual(WEB.map((id) => [id, true, '200']));
    for (const id of WEB) expect(roleOf(id)).toBe(ROLE);
  });

  test('an instance that already carries a role (same or other) fails alone; the rest of the batch succeeds', async () => {
    await attach(ecs, OTHER_ROLE, ['i-bp1web0002']);
    // i-bp1api0001 already carries ROLE in the sample fleet; i-bp1web0002 now carries OTHER_ROLE.
    const body = await attach(ecs, ROLE, ['i-bp1web0001', 'i-bp1web0002', 'i-bp1api0001']);
    expect(body.totalCount).toBe(3);
    expect(body.failCount).toBe(2);
    const byId = Object.fromEntries(body.attachInstanceRamRoleResults!.attachInstanceRamRoleResult!.map((r) => [r.instanceId, r]));
    expect(byId['i-bp1web0001']).toMatchObject({ success: true, code: '200' });
    expect(byId['i-bp1web0002']).toMatchObject({ success: false, code: 'InvalidRamRole.AlreadyAttached' });
    expect(byId['i-bp1web0002']!.message).toContain(OTHER_ROLE);
    expect(byId['i-bp1api0001']).toMatchObject({ success: false, code: 'InvalidRamRole.AlreadyAttached' });
    expect(byId['i-bp1api0001']!.message).toContain(ROLE);
    expect(roleOf('i-bp1web0002')).toBe(OTHER_ROLE);
  });

  test('an unknown instance ID fails the whole request with 404 and changes nothing', async () => {
    await expectApiError(attach(ecs, ROLE, ['i-bp1web0001', 'i-doesnotexist']), 'InvalidInstanceId.NotFound', 404);
    expect(roleOf('i-bp1web0001')).toBeNull();
  });

  test('an instance of another region counts as unknown', async () => {
    await expectApiError(attach(ecs, ROLE, ['i-uf6web0001']), 'InvalidInstanceId.NotFound', 404);
  });

  test('a classic-network instance fails the whole request with 403 and changes nothing', async () => {
    await expectApiError(attach(ecs, ROLE, ['i-bp1web0001', 'i-bp1old0001']), 'InvalidNetworkType.MismatchRamRole', 403);
    expect(roleOf('i-bp1web0001')).toBeNull();
  });

  test('100 IDs are accepted; 101 IDs or a malformed list are InvalidInstanceIds.Malformed; an empty list is MissingParameter', async () => {
    const body = await attach(ecs, ROLE, genIds(1, 100));
    expect(body.totalCount).toBe(100);
    expect(body.failCount).toBe(0);
    await expectApiError(attach(ecs, ROLE, genIds(1, 101)), 'InvalidInstanceIds.Malformed', 400);
    await expectApiError(
      ecs.attachInstanceRamRole(new $Ecs.AttachInstanceRamRoleRequest({ regionId: 'cn-hangzhou', ramRoleName: ROLE, instanceIds: 'i-bp1web0001' })),
      'InvalidInstanceIds.Malformed',
      400,
    );
    await expectApiError(
      ecs.attachInstanceRamRole(new $Ecs.AttachInstanceRamRoleRequest({ regionId: 'cn-hangzhou', ramRoleName: ROLE, instanceIds: '[1,2]' })),
      'InvalidInstanceIds.Malformed',
      400,
    );
    await expectApiError(attach(ecs, ROLE, []), 'MissingParameter.InstanceIds', 400);
    await expectApiError(
      ecs.attachInstanceRamRole(new $Ecs.AttachInstanceRamRoleRequest({ regionId: 'cn-hangzhou', ramRoleName: ROLE })),
      'MissingParameter.InstanceIds',
      400,
    );
  });

  test('role checks: missing role 404, role not trusted by ECS 404 NotEcsRole, missing RamRoleName 400', async () => {
    await expectApiError(attach(ecs, 'NoSuchRole', ['i-bp1web0001']), 'InvalidRamRole.NotFound', 404);
    const notEcs = await expectApiError(attach(ecs, 'FcInvokeRole', ['i-bp1web0001']), 'InvalidRamRole.NotEcsRole', 404);
    expect(notEcs.message).toContain('ecs.aliyuncs.com');
    await expectApiError(
      ecs.attachInstanceRamRole(new $Ecs.AttachInstanceRamRoleRequest({ regionId: 'cn-hangzhou', instanceIds: ids('i-bp1web0001') })),
      'MissingParameter.RamRoleName',
      400,
    );
    expect(roleOf('i-bp1web0001')).toBeNull();
  });

  // Issue 13 item 1. Reference (RAM): "Trust and permission policies are evaluated the RAM way: an
  // explicit Deny overrides any Allow. A trust policy that allows and denies ecs.aliyuncs.com does
  // not let ECS assume it."
  test('a trust policy that both allows and denies ecs.aliyuncs.com is 404 InvalidRamRole.NotEcsRole', async () => {
    await expectApiError(attach(ecs, 'EcsAllowedAndDenied', ['i-bp1web0001']), 'InvalidRamRole.NotEcsRole', 404);
    expect(roleOf('i-bp1web0001')).toBeNull();
    expect(sim.state.roleTrustsEcs(sim.state.role('EcsAllowedAndDenied')!)).toBe(false);
  });

  test('a caller without ram:PassRole gets 403 InvalidUser.PassRoleForbidden', async () => {
    const noPass = ecsClient(sim, { accessKeyId: 'LTAI5tNoPassRole', accessKeySecret: 'no-pass-role' });
    await expectApiError(attach(noPass, ROLE, ['i-bp1web0001']), 'InvalidUser.PassRoleForbidden', 403);
    expect(roleOf('i-bp1web0001')).toBeNull();
  });

  test('a caller without the action itself gets 403 Forbidden.RAM', async () => {
    const auditor = ecsClient(sim, AUDITOR);
    await expectApiError(attach(auditor, ROLE, ['i-bp1web0001']), 'Forbidden.RAM', 403);
    await expectApiError(detach(auditor, ['i-bp1api0001']), 'Forbidden.RAM', 403);
    expect(roleOf('i-bp1api0001')).toBe(ROLE);
  });

  test('RegionId is required and must be a fleet region', async () => {
    await expectApiError(
      ecs.attachInstanceRamRole(new $Ecs.AttachInstanceRamRoleRequest({ ramRoleName: ROLE, instanceIds: ids('i-bp1web0001') })),
      'MissingParameter.RegionId',
      400,
    );
    await expectApiError(attach(ecs, ROLE, ['i-bp1web0001'], 'eu-central-1'), 'InvalidRegionId.NotFound', 404);
  });
});

describe('DetachInstanceRamRole', () => {
  test('without RamRoleName detaches whatever is attached', async () => {
    await attach(ecs, OTHER_ROLE, ['i-bp1web0001']);
    const body = await detach(ecs, ['i-bp1web0001', 'i-bp1api0001']);
    expect(body.totalCount).toBe(2);
    expect(body.failCount).toBe(0);
    const results = body.detachInstanceRamRoleResults!.detachInstanceRamRoleResult!;
    expect(results.map((r) => [r.instanceId, r.success, r.code])).toEqual([
      ['i-bp1web0001', true, '200'],
      ['i-bp1api0001', true, '200'],
    ]);
    expect(results[0]!.instanceRamRoleSets!.instanceRamRoleSet).toEqual([expect.objectContaining({ instanceId: 'i-bp1web0001', ramRoleName: OTHER_ROLE })]);
    expect(roleOf('i-bp1web0001')).toBeNull();
    expect(roleOf('i-bp1api0001')).toBeNull();
  });

  test('a named role that is not the attached one, or no role at all, fails per instance and changes nothing', async () => {
    await attach(ecs, OTHER_ROLE, ['i-bp1web0001']);
    const body = await detach(ecs, ['i-bp1web0001', 'i-bp1web0002', 'i-bp1api0001'], ROLE);
    expect(body.totalCount).toBe(3);
    expect(body.failCount).toBe(2);
    expect(body.ramRoleName).toBe(ROLE);
    const byId = Object.fromEntries(body.detachInstanceRamRoleResults!.detachInstanceRamRoleResult!.map((r) => [r.instanceId, r]));
    expect(byId['i-bp1web0001']).toMatchObject({ success: false, code: 'InvalidRamRole.NotAttached' });
    expect(byId['i-bp1web0002']).toMatchObject({ success: false, code: 'InvalidRamRole.NotAttached' });
    expect(byId['i-bp1api0001']).toMatchObject({ success: true, code: '200' });
    expect(roleOf('i-bp1web0001')).toBe(OTHER_ROLE);
    expect(roleOf('i-bp1api0001')).toBeNull();
  });

  test('whole-request errors: unknown instance 404, classic 403, unknown role 404, 101 IDs and empty list 400', async () => {
    await expectApiError(detach(ecs, ['i-bp1api0001', 'i-nope']), 'InvalidInstanceId.NotFound', 404);
    await expectApiError(detach(ecs, ['i-bp1api0001', 'i-bp1old0001']), 'InvalidNetworkType.MismatchRamRole', 403);
    await expectApiError(detach(ecs, ['i-bp1api0001'], 'NoSuchRole'), 'InvalidRamRole.NotFound', 404);
    await expectApiError(detach(ecs, genIds(1, 101)), 'InvalidInstanceIds.Malformed', 400);
    await expectApiError(detach(ecs, []), 'MissingParameter.InstanceIds', 400);
    expect(roleOf('i-bp1api0001')).toBe(ROLE);
    const body = await detach(ecs, genIds(1, 100));
    expect(body.failCount).toBe(100);
  });
});

describe('DescribeInstanceRamRole', () => {
  test('by InstanceIds lists every given instance, with RamRoleName "" where none is attached', async () => {
    const body = await describeRoles(ecs, { instanceIds: ['i-bp1web0001', 'i-bp1api0001'], pageSize: 50 });
    expect(body.regionId).toBe('cn-hangzhou');
    expect(body.totalCount).toBe(2);
    expect(roleMap(body)).toEqual({ 'i-bp1web0001': '', 'i-bp1api0001': ROLE });
  });

  test('InstanceIds and RamRoleName together narrow to instances carrying that role', async () => {
    const body = await describeRoles(ecs, { instanceIds: ['i-bp1web0001', 'i-bp1api0001'], ramRoleName: ROLE });
    expect(roleMap(body)).toEqual({ 'i-bp1api0001': ROLE });
    expect(body.totalCount).toBe(1);
  });

  test('by RamRoleName pages through every carrier: PageSize defaults to 10, at most 50', async () => {
    await attach(ecs, OTHER_ROLE, genIds(1, 100));
    await attach(ecs, OTHER_ROLE, genIds(101, 20));
    const first = await describeRoles(ecs, { ramRoleName: OTHER_ROLE });
    expect(first.totalCount).toBe(120);
    expect(first.instanceRamRoleSets!.instanceRamRoleSet).toHaveLength(10);

    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const body = await describeRoles(ecs, { ramRoleName: OTHER_ROLE, pageSize: 50, pageNumber: page });
      const sets = body.instanceRamRoleSets!.instanceRamRoleSet!;
      if (sets.length === 0) break;
      expect(sets.length).toBeLessThanOrEqual(50);
      for (const s of sets) {
        expect(s.ramRoleName).toBe(OTHER_ROLE);
        seen.push(s.instanceId!);
      }
    }
    expect(seen).toEqual(genIds(1, 120));
    await expectApiError(describeRoles(ecs, { ramRoleName: OTHER_ROLE, pageSize: 51 }), 'InvalidParameter.PageSize', 400);
    await expectApiError(describeRoles(ecs, { ramRoleName: OTHER_ROLE, pageNumber: 0 }), 'InvalidParameter.PageNumber', 400);
  });

  test('a role that nobody carries, or that does not exist, lists nothing', async () => {
    expect((await describeRoles(ecs, { ramRoleName: 'FcInvokeRole' })).totalCount).toBe(0);
    const none = await describeRoles(ecs, { ramRoleName: 'NoSuchRole' });
    expect(none.totalCount).toBe(0);
    expect(none.instanceRamRoleSets!.instanceRamRoleSet).toEqual([]);
  });

  test('errors: neither filter 403 AllEmpty, 51 IDs 400, unknown ID 404, classic 403', async () => {
    await expectApiError(describeRoles(ecs, {}), 'InvalidParameter.AllEmpty', 403);
    await expectApiError(describeRoles(ecs, { instanceIds: [] }), 'InvalidParameter.AllEmpty', 403);
    expect((await describeRoles(ecs, { instanceIds: genIds(1, 50), pageSize: 50 })).totalCount).toBe(50);
    await expectApiError(describeRoles(ecs, { instanceIds: genIds(1, 51) }), 'InvalidInstanceIds.Malformed', 400);
    await expectApiError(describeRoles(ecs, { instanceIds: ['i-bp1web0001', 'i-missing'] }), 'InvalidInstanceId.NotFound', 404);
    await expectApiError(describeRoles(ecs, { instanceIds: ['i-bp1old0001'] }), 'InvalidNetworkType.MismatchRamRole', 403);
  });

  test('the read-only auditor key may describe', async () => {
    const body = await describeRoles(ecsClient(sim, AUDITOR), { ramRoleName: ROLE });
    expect(roleMap(body)).toEqual({ 'i-bp1api0001': ROLE });
  });

  test('role change by detach(old) then attach(new) shows up in describe', async () => {
    await detach(ecs, ['i-bp1api0001'], ROLE);
    await attach(ecs, OTHER_ROLE, ['i-bp1api0001']);
    expect(roleMap(await describeRoles(ecs, { instanceIds: ['i-bp1api0001'] }))).toEqual({ 'i-bp1api0001': OTHER_ROLE });
  });
});
