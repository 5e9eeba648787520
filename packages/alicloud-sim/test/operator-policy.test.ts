import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseFleet, startCloudSimulator, type CloudSimulator } from '../src/index.js';
import { $Ecs, $Ram, attach, describeRoles, detach, ecsClient, expectApiError, ramClient, sampleFleet, type ClientAuth } from './helpers.js';

/**
 * deploy/ram/operator-policy.json, loaded verbatim into a fleet access key, evaluated the RAM way:
 * each call the operator makes succeeds within it and is refused outside it.
 */

const POLICY_PATH = fileURLToPath(new URL('../../../deploy/ram/operator-policy.json', import.meta.url));
const POLICY_TEXT = readFileSync(POLICY_PATH, 'utf8');
const LEAST = { accessKeyId: 'LTAI5tLeastPrivilege', accessKeySecret: 'least-privilege-secret' };

/** The sample fleet plus the least-privilege key, a role outside the name pattern, and an account ID. */
function fleetYaml(accountId: string, form: 'inline' | 'reference'): string {
  const key =
    form === 'inline'
      ? `  - {id: ${LEAST.accessKeyId}, secret: ${LEAST.accessKeySecret}, policy: ${JSON.stringify(POLICY_TEXT)}}`
      : `  - {id: ${LEAST.accessKeyId}, secret: ${LEAST.accessKeySecret}, policies: [EcsRoleOperator]}`;
  return `
accountId: "${accountId}"
policies:
  - {name: EcsRoleOperator, description: deploy/ram/operator-policy.json, document: ${JSON.stringify(POLICY_TEXT)}}
accessKeys:
${key}
roles:
  - {name: EcsRamRoleDocumentTesting, trustedServices: [ecs.aliyuncs.com]}
  - {name: EcsRamRoleLogShipper, trustedServices: [ecs.aliyuncs.com]}
  - {name: AdminInstanceRole, trustedServices: [ecs.aliyuncs.com], allow: ["*"]}
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-bp1web0001, network: vpc, vpcId: vpc-bp1main, tags: {app: web}}
      - {id: i-bp1web0002, network: vpc, vpcId: vpc-bp1main, tags: {app: web}, ramRole: EcsRamRoleLogShipper}
  - id: cn-shanghai
    instances:
      - {id: i-uf6web0001, network: vpc, vpcId: vpc-uf6main, tags: {app: web}}
`;
}

const ACCOUNT = '1234567890123456';
const OTHER_ACCOUNT = '6543210987654321';

let sim: CloudSimulator;
let other: CloudSimulator;

beforeAll(async () => {
  expect(JSON.parse(POLICY_TEXT)).toMatchObject({ Version: '1' });
  // The policy names the account the simulator defaults to (sample.yaml's accountId).
  expect(sampleFleet().accountId).toBe(ACCOUNT);
  sim = await startCloudSimulator({ fleet: parseFleet(fleetYaml(ACCOUNT, 'inline')) });
  other = await startCloudSimulator({ fleet: parseFleet(fleetYaml(OTHER_ACCOUNT, 'reference')) });
});
afterAll(async () => {
  await Promise.all([sim.close(), other.close()]);
});

const ecs = (s: CloudSimulator, region = 'cn-hangzhou') => ecsClient(s, LEAST as ClientAuth, region);
const ram = (s: CloudSimulator) => ramClient(s, LEAST as ClientAuth);

describe('within the policy', () => {
  test('the key carries the file verbatim', () => {
    expect(sim.state.snapshot().accessKeys.find((k) => k.id === LEAST.accessKeyId)!.policies).toEqual([POLICY_TEXT]);
  });

  test('DescribeInstances, DescribeInstanceRamRole and ListTagResources on everything', async () => {
    const listed = await ecs(sim).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 100 }));
    expect(listed.body!.instances!.instance!.map((i) => i.instanceId)).toEqual(['i-bp1web0001', 'i-bp1web0002']);
    expect((await describeRoles(ecs(sim), { ramRoleName: 'EcsRamRoleLogShipper' })).totalCount).toBe(1);
    const tags = await ecs(sim).listTagResources(new $Ecs.ListTagResourcesRequest({ regionId: 'cn-hangzhou', resourceType: 'instance', tag: [{ key: 'app', value: 'web' }] }));
    expect(tags.body!.tagResources!.tagResource).toHaveLength(2);
  });

  test('GetRole and PassRole on EcsRamRole* roles; Attach and Detach on the account\'s instances in any region', async () => {
    const role = await ram(sim).getRole(new $Ram.GetRoleRequest({ roleName: 'EcsRamRoleDocumentTesting' }));
    expect(role.body!.role!.arn).toBe(`acs:ram::${ACCOUNT}:role/ecsramroledocumenttesting`);
    expect((await attach(ecs(sim), 'EcsRamRoleDocumentTesting', ['i-bp1web0001'])).failCount).toBe(0);
    expect((await detach(ecs(sim), ['i-bp1web0002'], 'EcsRamRoleLogShipper')).failCount).toBe(0);
    expect((await attach(ecs(sim, 'cn-shanghai'), 'EcsRamRoleLogShipper', ['i-uf6web0001'], 'cn-shanghai')).failCount).toBe(0);
    expect(sim.state.instance('i-bp1web0001')!.ramRole).toBe('EcsRamRoleDocumentTesting');
    expect(sim.state.instance('i-bp1web0002')!.ramRole).toBeNull();
    expect(sim.state.instance('i-uf6web0001')!.ramRole).toBe('EcsRamRoleLogShipper');
  });
});

describe('outside the policy', () => {
  test('a role outside ecsramrole*: PassRole is 403 InvalidUser.PassRoleForbidden, GetRole 403 Forbidden.RAM', async () => {
    const err = await expectApiError(attach(ecs(sim), 'AdminInstanceRole', ['i-bp1web0002']), 'InvalidUser.PassRoleForbidden', 403);
    expect(err.message).toContain(`acs:ram::${ACCOUNT}:role/admininstancerole`);
    expect(sim.state.instance('i-bp1web0002')!.ramRole).toBeNull();
    await expectApiError(ram(sim).getRole(new $Ram.GetRoleRequest({ roleName: 'AdminInstanceRole' })), 'Forbidden.RAM', 403);
  });

  test('actions the policy does not name are 403 Forbidden.RAM', async () => {
    await expectApiError(ram(sim).listRoles(new $Ram.ListRolesRequest({})), 'Forbidden.RAM', 403);
    const trust = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs.aliyuncs.com' } }] });
    await expectApiError(ram(sim).createRole(new $Ram.CreateRoleRequest({ roleName: 'EcsRamRoleNew', assumeRolePolicyDocument: trust })), 'Forbidden.RAM', 403);
    await expectApiError(
      ram(sim).attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'System', policyName: 'AdministratorAccess', roleName: 'EcsRamRoleDocumentTesting' })),
      'Forbidden.RAM',
      403,
    );
  });

  test('instances and roles of another account: Attach, Detach and GetRole are 403 Forbidden.RAM, Describe still works (Resource *)', async () => {
    expect(other.state.accountId).toBe(OTHER_ACCOUNT);
    await expectApiError(attach(ecs(other), 'EcsRamRoleDocumentTesting', ['i-bp1web0001']), 'Forbidden.RAM', 403);
    await expectApiError(detach(ecs(other), ['i-bp1web0002']), 'Forbidden.RAM', 403);
    await expectApiError(ram(other).getRole(new $Ram.GetRoleRequest({ roleName: 'EcsRamRoleDocumentTesting' })), 'Forbidden.RAM', 403);
    expect(other.state.instance('i-bp1web0002')!.ramRole).toBe('EcsRamRoleLogShipper');
    const listed = await ecs(other).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 10 }));
    expect(listed.body!.instances!.instance).toHaveLength(2);
  });
});
