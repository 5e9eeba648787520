import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CloudSimulator } from '../src/index.js';
import { $Ram, ADMIN, AUDITOR, expectApiError, ramClient, startSample, type Ram } from './helpers.js';

let sim: CloudSimulator;
let ram: Ram;

beforeAll(async () => {
  sim = await startSample();
  ram = ramClient(sim, ADMIN);
});
afterAll(async () => {
  await sim.close();
});

const ECS_TRUST = JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.aliyuncs.com' } }], Version: '1' });

test('GetRole returns the role with its trust policy as a JSON string; a missing role is 404 EntityNotExist.Role', async () => {
  const res = await ramClient(sim).getRole(new $Ram.GetRoleRequest({ roleName: 'EcsRamRoleDocumentTesting' }));
  const role = res.body!.role!;
  expect(role).toMatchObject({ roleName: 'EcsRamRoleDocumentTesting', arn: 'acs:ram::1234567890123456:role/ecsramroledocumenttesting', maxSessionDuration: 3600 });
  expect(JSON.parse(role.assumeRolePolicyDocument!)).toEqual({
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } }],
    Version: '1',
  });
  const fc = await ramClient(sim).getRole(new $Ram.GetRoleRequest({ roleName: 'FcInvokeRole' }));
  expect(fc.body!.role!.assumeRolePolicyDocument).toContain('fc.aliyuncs.com');
  await expectApiError(ramClient(sim).getRole(new $Ram.GetRoleRequest({ roleName: 'Nope' })), 'EntityNotExist.Role', 404);
  await expectApiError(ramClient(sim).getRole(new $Ram.GetRoleRequest({})), 'MissingParameter.RoleName', 400);
});

test('ListRoles pages with Marker / IsTruncated and omits trust policies', async () => {
  for (let i = 0; i < 4; i++) {
    await ram.createRole(new $Ram.CreateRoleRequest({ roleName: `PagedRole${i}`, assumeRolePolicyDocument: ECS_TRUST }));
  }
  const names: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const body = (await ramClient(sim, AUDITOR).listRoles(new $Ram.ListRolesRequest({ maxItems: 3, marker }))).body!;
    pages++;
    for (const r of body.roles!.role!) {
      expect(r.arn).toMatch(/^acs:ram::/);
      names.push(r.roleName!);
    }
    marker = body.isTruncated ? body.marker : undefined;
  } while (marker);
  expect(pages).toBe(3);
  expect(names).toEqual(['EcsRamRoleDocumentTesting', 'EcsRamRoleLogShipper', 'FcInvokeRole', 'PagedRole0', 'PagedRole1', 'PagedRole2', 'PagedRole3']);
  await expectApiError(ram.listRoles(new $Ram.ListRolesRequest({ maxItems: 1001 })), 'InvalidParameter.MaxItems', 400);
});

test('CreateRole validates the name and trust policy and refuses duplicates (409 EntityAlreadyExists.Role)', async () => {
  const res = await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'NewEcsRole', assumeRolePolicyDocument: ECS_TRUST, description: 'made by test' }));
  expect(res.body!.role).toMatchObject({ roleName: 'NewEcsRole', description: 'made by test', assumeRolePolicyDocument: ECS_TRUST });
  await expectApiError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'newecsrole', assumeRolePolicyDocument: ECS_TRUST })), 'EntityAlreadyExists.Role', 409);
  await expectApiError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'bad name!', assumeRolePolicyDocument: ECS_TRUST })), 'InvalidParameter.RoleName', 400);
  await expectApiError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'X', assumeRolePolicyDocument: '{not json' })), 'InvalidParameter.AssumeRolePolicyDocument', 400);
  await expectApiError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'Y' })), 'MissingParameter.AssumeRolePolicyDocument', 400);
  expect(sim.state.roleTrustsEcs(sim.state.role('NewEcsRole')!)).toBe(true);
});

test('CreatePolicy and AttachPolicyToRole, with their 404 and 409 codes', async () => {
  const doc = JSON.stringify({ Statement: [{ Action: ['oss:PutObject'], Effect: 'Allow', Resource: '*' }], Version: '1' });
  const created = await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'OssWriter', policyDocument: doc }));
  expect(created.body!.policy).toMatchObject({ policyName: 'OssWriter', policyType: 'Custom', defaultVersion: 'v1' });
  await expectApiError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'OssWriter', policyDocument: doc })), 'EntityAlreadyExists.Policy', 409);
  await expectApiError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'Broken', policyDocument: '{"Statement":[{"Effect":"Maybe","Action":"x"}]}' })), 'InvalidParameter.PolicyDocument', 400);

  await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'OssWriter', roleName: 'EcsRamRoleDocumentTesting' }));
  await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AliyunECSReadOnlyAccess', roleName: 'EcsRamRoleDocumentTesting' }));
  const perms = sim.state.rolePermissions(sim.state.role('EcsRamRoleDocumentTesting')!);
  expect(perms.allows('oss:PutObject')).toBe(true);
  expect(perms.allows('ecs:DescribeInstances')).toBe(true);
  expect(perms.allows('ecs:AttachInstanceRamRole')).toBe(false);

  await expectApiError(ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'OssWriter', roleName: 'EcsRamRoleDocumentTesting' })), 'EntityAlreadyExists.Role.Policy', 409);
  await expectApiError(ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'Nope', roleName: 'EcsRamRoleDocumentTesting' })), 'EntityNotExist.Policy', 404);
  await expectApiError(ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'OssWriter', roleName: 'Nope' })), 'EntityNotExist.Role', 404);
  await expectApiError(ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'Managed', policyName: 'OssWriter', roleName: 'Nope' })), 'InvalidParameter.PolicyType', 400);
});

// Issue 13 item 10. SDK CreateRoleRequest.description: "The description must be 1 to 1,024 characters in length."
test('CreateRole takes a Description of up to 1,024 characters; 1,025 is InvalidParameter.Description', async () => {
  const ok = await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'LongDescription', assumeRolePolicyDocument: ECS_TRUST, description: 'd'.repeat(1024) }));
  expect(ok.body!.role!.description).toHaveLength(1024);
  await expectApiError(
    ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'TooLongDescription', assumeRolePolicyDocument: ECS_TRUST, description: 'd'.repeat(1025) })),
    'InvalidParameter.Description',
    400,
  );
  expect(sim.state.role('TooLongDescription')).toBeUndefined();
});

// Issue 13 item 11. SDK CreatePolicyRequest.policyDocument: "The document must be 1 to 6,144 characters in length."
test('CreatePolicy takes a PolicyDocument of up to 6,144 characters; 6,145 is InvalidParameter.PolicyDocument', async () => {
  const documentOf = (length: number): string => {
    const base = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:bucket/'] }] });
    const padded = base.replace('bucket/', `bucket/${'x'.repeat(length - base.length)}`);
    expect(padded).toHaveLength(length);
    return padded;
  };
  await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'AtTheLimit', policyDocument: documentOf(6144) }));
  await expectApiError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'OverTheLimit', policyDocument: documentOf(6145) })), 'InvalidParameter.PolicyDocument', 400);
  expect(sim.state.policy('Custom', 'OverTheLimit')).toBeUndefined();
  await expectApiError(
    ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'LongDescription', policyDocument: documentOf(200), description: 'd'.repeat(1025) })),
    'InvalidParameter.Description',
    400,
  );
});

test('RAM actions need their own permissions: the operator key may read roles but not create them', async () => {
  await expectApiError(ramClient(sim).createRole(new $Ram.CreateRoleRequest({ roleName: 'Sneaky', assumeRolePolicyDocument: ECS_TRUST })), 'Forbidden.RAM', 403);
  await expectApiError(ramClient(sim, AUDITOR).createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'P', policyDocument: '{}' })), 'Forbidden.RAM', 403);
  expect(sim.state.role('Sneaky')).toBeUndefined();
});
