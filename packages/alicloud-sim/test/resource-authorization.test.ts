import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CloudSimulator, FleetSpec } from '../src/index.js';
import { $Ecs, $Ram, CredentialClient, CredentialConfig, attach, detach, ecsClient, expectApiError, ramClient, startSample, type ClientAuth } from './helpers.js';

/**
 * Issue 13 item 12. Reference (RAM): "ecs:AttachInstanceRamRole / ecs:DetachInstanceRamRole can be
 * scoped to instance ARNs acs:ecs:<region>:<account>:instance/<id>, and ram:PassRole to role ARNs
 * acs:ram::<account>:role/<name> (role names in ARNs are lower-cased in RAM's examples). Policies
 * also take Conditions." and "an explicit Deny overrides any Allow". Fleet access keys and roles
 * carry real policy documents; the simulator evaluates them on every call.
 */

const ACCOUNT = '1234567890123456';
const instance = (id: string, region = 'cn-hangzhou') => `acs:ecs:${region}:${ACCOUNT}:instance/${id}`;
const role = (name: string) => `acs:ram::${ACCOUNT}:role/${name}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '1', Statement });
const DESCRIBE = { Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' };

const KEYS: Record<string, { policy: string }> = {
  // Attach/Detach only on i-bp1web* in cn-hangzhou; PassRole only on one role.
  LTAI5tScoped: {
    policy: doc(
      DESCRIBE,
      { Effect: 'Allow', Action: ['ecs:AttachInstanceRamRole', 'ecs:DetachInstanceRamRole'], Resource: instance('i-bp1web*') },
      { Effect: 'Allow', Action: 'ram:PassRole', Resource: role('ecsramroledocumenttesting') },
    ),
  },
  // Everything, minus explicit Denies.
  LTAI5tDenyWins: {
    policy: doc(
      { Effect: 'Allow', Action: ['ecs:*', 'ram:*'], Resource: '*' },
      { Effect: 'Deny', Action: 'ecs:AttachInstanceRamRole', Resource: [instance('i-bp1web0003')] },
      { Effect: 'Deny', Action: 'ram:PassRole', Resource: role('ecsramrolelogshipper') },
    ),
  },
  // NotAction / NotResource.
  LTAI5tNotMutate: { policy: doc({ Effect: 'Allow', NotAction: ['ecs:Attach*', 'ecs:Detach*'], Resource: '*' }) },
  LTAI5tNotApi: {
    policy: doc(
      DESCRIBE,
      { Effect: 'Allow', Action: 'ecs:AttachInstanceRamRole', NotResource: instance('i-bp1api*') },
      { Effect: 'Allow', Action: 'ram:PassRole', Resource: '*' },
    ),
  },
  // Case matters in resource ARNs: RAM's role ARNs are lower-case.
  LTAI5tMixedCaseArn: {
    policy: doc(
      { Effect: 'Allow', Action: 'ecs:AttachInstanceRamRole', Resource: '*' },
      { Effect: 'Allow', Action: 'ram:PassRole', Resource: role('EcsRamRoleDocumentTesting') },
    ),
  },
  // Conditions on the request context.
  LTAI5tFromLoopback: { policy: doc({ ...DESCRIBE, Condition: { IpAddress: { 'acs:SourceIp': ['127.0.0.0/8'] } } }) },
  LTAI5tFromOffice: { policy: doc({ ...DESCRIBE, Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } }) },
  LTAI5tExpired: { policy: doc({ ...DESCRIBE, Condition: { DateLessThan: { 'acs:CurrentTime': '2000-01-01T00:00:00Z' } } }) },
  LTAI5tUntil2999: { policy: doc({ ...DESCRIBE, Condition: { DateLessThan: { 'acs:CurrentTime': '2999-01-01T00:00:00Z' } } }) },
  LTAI5tHttpsOnly: { policy: doc({ ...DESCRIBE, Condition: { Bool: { 'acs:SecureTransport': 'true' } } }) },
  // A Deny whose negated condition tests a key the request lacks applies (the stricter reading).
  LTAI5tDenyOutsideVpc: {
    policy: doc({ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }, { Effect: 'Deny', Action: 'ecs:*', Resource: '*', Condition: { StringNotEquals: { 'acs:SourceVpc': 'vpc-bp1main' } } }),
  },
  // GetRole scoped to a role name pattern.
  LTAI5tRoleReader: { policy: doc({ Effect: 'Allow', Action: 'ram:GetRole', Resource: role('ecsramrole*') }) },
};

const key = (id: string): ClientAuth => ({ accessKeyId: id, accessKeySecret: `${id}-secret` });

let sim: CloudSimulator;

beforeAll(async () => {
  sim = await startSample((fleet: FleetSpec) => {
    for (const [id, { policy }] of Object.entries(KEYS)) fleet.accessKeys.push({ id, secret: `${id}-secret`, allow: [], policy });
    fleet.policies = [
      {
        name: 'AttachOnWeb4',
        document: doc(
          { Effect: 'Allow', Action: ['ecs:AttachInstanceRamRole', 'ecs:DetachInstanceRamRole'], Resource: instance('i-bp1web0004') },
          { Effect: 'Allow', Action: 'ram:PassRole', Resource: role('ecsram*') },
        ),
      },
    ];
    fleet.accessKeys.push({ id: 'LTAI5tByName', secret: 'LTAI5tByName-secret', allow: [], policies: ['AttachOnWeb4', 'AliyunECSReadOnlyAccess'] });
    fleet.roles.push({
      name: 'EcsScopedOperator',
      trustedServices: ['ecs.aliyuncs.com'],
      policy: doc(
        { Effect: 'Allow', Action: 'ecs:AttachInstanceRamRole', Resource: instance('i-bp1web0002') },
        { Effect: 'Allow', Action: 'ram:PassRole', Resource: '*' },
      ),
    });
  });
});
afterAll(async () => {
  await sim.close();
});

const roleOf = (id: string) => sim.state.instance(id)!.ramRole;
const describeWeb = (auth: ClientAuth) => ecsClient(sim, auth).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 10 }));

describe('instance and role ARNs', () => {
  test('Attach/Detach are allowed only on the instance ARNs the policy names; PassRole only on its role ARNs', async () => {
    const ecs = ecsClient(sim, key('LTAI5tScoped'));
    expect((await attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0001'])).failCount).toBe(0);
    expect((await detach(ecs, ['i-bp1web0001'])).failCount).toBe(0);
    const outside = await expectApiError(attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1bat0001']), 'Forbidden.RAM', 403);
    expect(outside.message).toContain(instance('i-bp1bat0001'));
    await expectApiError(detach(ecs, ['i-bp1api0001']), 'Forbidden.RAM', 403);
    await expectApiError(attach(ecsClient(sim, key('LTAI5tScoped'), 'cn-shanghai'), 'EcsRamRoleDocumentTesting', ['i-uf6web0001'], 'cn-shanghai'), 'Forbidden.RAM', 403);
    await expectApiError(attach(ecs, 'EcsRamRoleLogShipper', ['i-bp1web0001']), 'InvalidUser.PassRoleForbidden', 403);
    expect(roleOf('i-bp1bat0001')).toBeNull();
    expect(roleOf('i-bp1api0001')).toBe('EcsRamRoleDocumentTesting');
  });

  test('one instance outside the policy refuses the whole batch and changes nothing', async () => {
    await expectApiError(attach(ecsClient(sim, key('LTAI5tScoped')), 'EcsRamRoleDocumentTesting', ['i-bp1web0002', 'i-bp1bat0001']), 'Forbidden.RAM', 403);
    expect(roleOf('i-bp1web0002')).toBeNull();
  });

  test('an explicit Deny overrides the Allow, for an instance and for PassRole', async () => {
    const ecs = ecsClient(sim, key('LTAI5tDenyWins'));
    const denied = await expectApiError(attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0003']), 'Forbidden.RAM', 403);
    expect(denied.message).toContain('explicit Deny');
    await expectApiError(attach(ecs, 'EcsRamRoleLogShipper', ['i-bp1bat0001']), 'InvalidUser.PassRoleForbidden', 403);
    expect((await attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1bat0001'])).failCount).toBe(0);
    expect((await detach(ecs, ['i-bp1bat0001'])).failCount).toBe(0);
  });

  test('NotAction and NotResource', async () => {
    await describeWeb(key('LTAI5tNotMutate'));
    await expectApiError(attach(ecsClient(sim, key('LTAI5tNotMutate')), 'EcsRamRoleDocumentTesting', ['i-bp1web0004']), 'Forbidden.RAM', 403);
    const notApi = ecsClient(sim, key('LTAI5tNotApi'));
    expect((await attach(notApi, 'EcsRamRoleDocumentTesting', ['i-bp1web0004'])).failCount).toBe(0);
    await expectApiError(attach(notApi, 'EcsRamRoleDocumentTesting', ['i-bp1api0001']), 'Forbidden.RAM', 403);
    await detach(ecsClient(sim), ['i-bp1web0004']);
  });

  test('resource ARNs compare case-sensitively: a mixed-case role ARN never matches RAM\'s lower-case one', async () => {
    await expectApiError(attach(ecsClient(sim, key('LTAI5tMixedCaseArn')), 'EcsRamRoleDocumentTesting', ['i-bp1web0004']), 'InvalidUser.PassRoleForbidden', 403);
  });

  test('policies referenced by name: a fleet custom policy and a System policy', async () => {
    const ecs = ecsClient(sim, key('LTAI5tByName'));
    await describeWeb(key('LTAI5tByName'));
    expect((await attach(ecs, 'EcsRamRoleLogShipper', ['i-bp1web0004'])).failCount).toBe(0);
    expect((await detach(ecs, ['i-bp1web0004'])).failCount).toBe(0);
    await expectApiError(attach(ecs, 'EcsRamRoleLogShipper', ['i-bp1web0003']), 'Forbidden.RAM', 403);
  });

  test('GetRole is authorized on the role ARN', async () => {
    const reader = ramClient(sim, key('LTAI5tRoleReader'));
    expect((await reader.getRole(new $Ram.GetRoleRequest({ roleName: 'EcsRamRoleLogShipper' }))).body!.role!.roleName).toBe('EcsRamRoleLogShipper');
    await expectApiError(reader.getRole(new $Ram.GetRoleRequest({ roleName: 'FcInvokeRole' })), 'Forbidden.RAM', 403);
  });
});

describe('conditions', () => {
  test('IpAddress on acs:SourceIp: the loopback caller matches 127.0.0.0/8, not 10.0.0.0/8', async () => {
    await describeWeb(key('LTAI5tFromLoopback'));
    await expectApiError(describeWeb(key('LTAI5tFromOffice')), 'Forbidden.RAM', 403);
  });

  test('DateLessThan on acs:CurrentTime', async () => {
    await describeWeb(key('LTAI5tUntil2999'));
    await expectApiError(describeWeb(key('LTAI5tExpired')), 'Forbidden.RAM', 403);
  });

  test('Bool on acs:SecureTransport: the simulator is plain HTTP', async () => {
    await expectApiError(describeWeb(key('LTAI5tHttpsOnly')), 'Forbidden.RAM', 403);
  });

  test('a Deny with a negated condition on a key the request lacks applies', async () => {
    const err = await expectApiError(describeWeb(key('LTAI5tDenyOutsideVpc')), 'Forbidden.RAM', 403);
    expect(err.message).toContain('explicit Deny');
  });
});

describe('role credentials', () => {
  test('STS credentials of a role with a resource-scoped policy may attach only where it allows', async () => {
    sim.state.setInstanceRole('i-bp1web0001', 'EcsScopedOperator');
    const credential = new CredentialClient(
      new CredentialConfig({ type: 'credentials_uri', credentialsURI: `${sim.url}/sim/imds/i-bp1web0001/latest/meta-data/ram/security-credentials/EcsScopedOperator` }),
    );
    const ecs = ecsClient(sim, { credential });
    expect((await attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0002'])).failCount).toBe(0);
    await expectApiError(attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0003']), 'Forbidden.RAM', 403);
    expect(roleOf('i-bp1web0003')).toBeNull();
  });
});
