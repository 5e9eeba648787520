import { afterEach, beforeEach, expect, test } from 'vitest';
import { RAM_QUOTAS, SYSTEM_POLICY_NAMES, parseFleet, type CloudSimulator } from '../src/index.js';
import { $Ram, ADMIN, expectApiError, ramClient, startSample, type Ram } from './helpers.js';

/**
 * Issue 13 item 14. Reference (RAM, older limits page): 1,000 roles and 1,500 custom policies per
 * account; 5 custom and 20 system policies attached per role. Reached through the SDK, and
 * refused in a fleet file that would exceed them.
 */

let sim: CloudSimulator;
let ram: Ram;

beforeEach(async () => {
  sim = await startSample();
  ram = ramClient(sim, ADMIN);
});
afterEach(async () => {
  await sim.close();
});

const TRUST = JSON.stringify({ Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.aliyuncs.com' } }], Version: '1' });
const DOC = JSON.stringify({ Statement: [{ Action: 'oss:GetObject', Effect: 'Allow', Resource: '*' }], Version: '1' });

async function inBatches(count: number, make: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => make(i + j)));
}

test('the 1,001st role of an account is 409 LimitExceeded.Role', async () => {
  const existing = sim.state.roleCount();
  await inBatches(RAM_QUOTAS.rolesPerAccount - existing, (i) => ram.createRole(new $Ram.CreateRoleRequest({ roleName: `QuotaRole${i}`, assumeRolePolicyDocument: TRUST })));
  expect(sim.state.roleCount()).toBe(1000);
  await expectApiError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'OneTooMany', assumeRolePolicyDocument: TRUST })), 'LimitExceeded.Role', 409);
  expect(sim.state.role('OneTooMany')).toBeUndefined();
});

test('the 1,501st custom policy of an account is 409 LimitExceeded.Policy', async () => {
  await inBatches(RAM_QUOTAS.customPoliciesPerAccount, (i) => ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: `QuotaPolicy${i}`, policyDocument: DOC })));
  await expectApiError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'OneTooMany', policyDocument: DOC })), 'LimitExceeded.Policy', 409);
  expect(sim.state.customPolicyCount()).toBe(1500);
});

test('a role takes 5 custom and 20 system policies; one more of either is 409 LimitExceeded.Role.Policy', async () => {
  const role = 'EcsRamRoleDocumentTesting';
  for (let i = 0; i < 6; i++) await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: `Custom${i}`, policyDocument: DOC }));
  for (let i = 0; i < 5; i++) await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: `Custom${i}`, roleName: role }));
  await expectApiError(ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'Custom5', roleName: role })), 'LimitExceeded.Role.Policy', 409);
  // System policies count separately.
  expect(SYSTEM_POLICY_NAMES.length).toBeGreaterThan(RAM_QUOTAS.systemPoliciesPerRole);
  for (const name of SYSTEM_POLICY_NAMES.slice(0, 20)) {
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'System', policyName: name, roleName: role }));
  }
  await expectApiError(
    ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'System', policyName: SYSTEM_POLICY_NAMES[20]!, roleName: role })),
    'LimitExceeded.Role.Policy',
    409,
  );
  const attached = sim.state.role(role)!.attachedPolicies;
  expect(attached.filter((a) => a.policyType === 'Custom')).toHaveLength(5);
  expect(attached.filter((a) => a.policyType === 'System')).toHaveLength(20);
});

test('a fleet file beyond the quotas is refused, naming the field', () => {
  const roles = Array.from({ length: 1001 }, (_, i) => `  - {name: R${i}, trustedServices: [ecs.aliyuncs.com]}`).join('\n');
  expect(() => parseFleet(`roles:\n${roles}\nregions: [{id: cn-hangzhou}]\n`)).toThrow('roles: at most 1000 roles per account (RAM quota), got 1001');
  const policies = Array.from({ length: 1501 }, (_, i) => `  - {name: P${i}, document: '${DOC}'}`).join('\n');
  expect(() => parseFleet(`policies:\n${policies}\nregions: [{id: cn-hangzhou}]\n`)).toThrow('policies: at most 1500 custom policies per account (RAM quota), got 1501');
  const six = Array.from({ length: 6 }, (_, i) => `  - {name: P${i}, document: '${DOC}'}`).join('\n');
  expect(() =>
    parseFleet(`policies:\n${six}\nroles:\n  - {name: R, trustedServices: [ecs.aliyuncs.com], policies: [P0, P1, P2, P3, P4, P5]}\nregions: [{id: cn-hangzhou}]\n`),
  ).toThrow('roles[0].policies: at most 5 Custom policies per role (RAM quota), got 6');
  const system = SYSTEM_POLICY_NAMES.slice(0, 21).join(', ');
  expect(() => parseFleet(`roles:\n  - {name: R, trustedServices: [ecs.aliyuncs.com], policies: [${system}]}\nregions: [{id: cn-hangzhou}]\n`)).toThrow(
    'roles[0].policies: at most 20 System policies per role (RAM quota), got 21',
  );
});
