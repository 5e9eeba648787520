import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { CloudSimulator } from '../src/index.js';
import {
  $Ecs,
  $Ram,
  ADMIN,
  CredentialClient,
  CredentialConfig,
  attach,
  describeRoles,
  ecsClient,
  expectApiError,
  ramClient,
  startSample,
  type ClientAuth,
} from './helpers.js';

/**
 * The seeds' end-to-end story: an instance's metadata service hands out STS credentials for its
 * role, and the simulator's API accepts them with exactly the role's permissions.
 */

let sim: CloudSimulator;

beforeAll(async () => {
  sim = await startSample((fleet) => {
    fleet.roles.push(
      { name: 'EcsDescribeOnly', trustedServices: ['ecs.aliyuncs.com'], allow: ['ecs:Describe*'] },
      { name: 'EcsEverything', trustedServices: ['ecs.aliyuncs.com'], allow: ['ecs:*'] },
    );
    fleet.regions[0]!.instances!.push({ id: 'i-bp1hard0001', network: 'vpc', vpcId: 'vpc-bp1main', ramRole: 'EcsDescribeOnly', metadataTokens: 'required' });
  });
  const operator = ecsClient(sim);
  await attach(operator, 'EcsDescribeOnly', ['i-bp1web0001']);
  await operator.attachInstanceRamRole(
    new $Ecs.AttachInstanceRamRoleRequest({
      regionId: 'cn-hangzhou',
      ramRoleName: 'EcsEverything',
      instanceIds: JSON.stringify(['i-bp1web0002']),
      policy: JSON.stringify({ Statement: [{ Action: ['ecs:DescribeInstances'], Effect: 'Allow', Resource: '*' }], Version: '1' }),
    }),
  );
});
afterAll(async () => {
  await sim.close();
});

const imds = (instanceId: string, path: string): string => `${sim.url}/sim/imds/${instanceId}${path}`;
const credentialsUrl = (instanceId: string, role: string): string => imds(instanceId, `/latest/meta-data/ram/security-credentials/${role}`);

function viaCredentialsUri(instanceId: string, role: string): ClientAuth {
  return { credential: new CredentialClient(new CredentialConfig({ type: 'credentials_uri', credentialsURI: credentialsUrl(instanceId, role) })) };
}

const describeInstances = (auth: ClientAuth): Promise<unknown> =>
  ecsClient(sim, auth).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 10 }));

describe('metadata service protocol', () => {
  test('token PUT, role listing and credentials, as the SDK credential providers expect', async () => {
    const tokenRes = await fetch(imds('i-bp1api0001', '/latest/api/token'), { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '21600' } });
    expect(tokenRes.status).toBe(200);
    const token = await tokenRes.text();
    const headers = { 'X-aliyun-ecs-metadata-token': token };

    const listing = await fetch(imds('i-bp1api0001', '/latest/meta-data/ram/security-credentials/'), { headers });
    expect(await listing.text()).toBe('EcsRamRoleDocumentTesting');

    const credsRes = await fetch(credentialsUrl('i-bp1api0001', 'EcsRamRoleDocumentTesting'), { headers });
    expect(credsRes.status).toBe(200);
    const creds = (await credsRes.json()) as Record<string, string>;
    expect(creds).toMatchObject({ Code: 'Success', AccessKeyId: expect.stringMatching(/^STS\./), AccessKeySecret: expect.any(String), SecurityToken: expect.any(String) });
    expect(creds['Expiration']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(creds['Expiration']!)).toBeGreaterThan(Date.now() + 5 * 3600_000);
    expect(creds['LastUpdated']).toMatch(/Z$/);

    // The same credentials until close to expiry, as a real instance does.
    const again = (await (await fetch(credentialsUrl('i-bp1api0001', 'EcsRamRoleDocumentTesting'), { headers })).json()) as Record<string, string>;
    expect(again['AccessKeyId']).toBe(creds['AccessKeyId']);

    expect((await fetch(imds('i-bp1api0001', '/latest/meta-data/instance-id'), { headers }).then((r) => r.text()))).toBe('i-bp1api0001');
    expect((await fetch(imds('i-bp1api0001', '/latest/meta-data/region-id'), { headers }).then((r) => r.text()))).toBe('cn-hangzhou');
  });

  test('refusals: bad or foreign token 401, TTL out of range 400, no role / other role / unknown instance 404', async () => {
    expect((await fetch(imds('i-bp1api0001', '/latest/meta-data/ram/security-credentials/'), { headers: { 'X-aliyun-ecs-metadata-token': 'forged' } })).status).toBe(401);
    const other = await (await fetch(imds('i-bp1web0003', '/latest/api/token'), { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).text();
    expect((await fetch(imds('i-bp1api0001', '/latest/meta-data/ram/security-credentials/'), { headers: { 'X-aliyun-ecs-metadata-token': other } })).status).toBe(401);
    expect((await fetch(imds('i-bp1api0001', '/latest/api/token'), { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '0' } })).status).toBe(400);
    expect((await fetch(imds('i-bp1api0001', '/latest/api/token'), { method: 'PUT' })).status).toBe(400);
    expect((await fetch(imds('i-bp1web0003', '/latest/meta-data/ram/security-credentials/'))).status).toBe(404);
    expect((await fetch(credentialsUrl('i-bp1api0001', 'EcsRamRoleLogShipper'))).status).toBe(404);
    expect((await fetch(imds('i-nope', '/latest/api/token'), { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).status).toBe(404);
  });
});

// Issue 13 item 13. ECS docs ("Access instance metadata in security hardening mode only"): an
// instance created with HttpTokens=required serves metadata only to requests with a token.
// The SDK's own ECS RAM role provider is covered in netns/ecs-ram-role-provider.test.ts.
describe('security hardening mode (fleet metadataTokens: required)', () => {
  const listing = (id: string) => imds(id, '/latest/meta-data/ram/security-credentials/');
  const token = async (id: string) =>
    (await fetch(imds(id, '/latest/api/token'), { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).text();

  test('plain GETs are refused with 403; with a token the same reads are answered', async () => {
    const plain = await fetch(listing('i-bp1hard0001'));
    expect(plain.status).toBe(403);
    expect(await plain.text()).toContain('/latest/api/token');
    expect((await fetch(imds('i-bp1hard0001', '/latest/meta-data/instance-id'))).status).toBe(403);
    const headers = { 'X-aliyun-ecs-metadata-token': await token('i-bp1hard0001') };
    expect(await (await fetch(listing('i-bp1hard0001'), { headers })).text()).toBe('EcsDescribeOnly');
    const creds = (await (await fetch(credentialsUrl('i-bp1hard0001', 'EcsDescribeOnly'), { headers })).json()) as Record<string, string>;
    expect(creds).toMatchObject({ Code: 'Success', AccessKeyId: expect.stringMatching(/^STS\./) });
    expect((await fetch(listing('i-bp1hard0001'), { headers: { 'X-aliyun-ecs-metadata-token': 'forged' } })).status).toBe(401);
  });

  test('normal mode (the default) answers plain GETs', async () => {
    expect(sim.state.instance('i-bp1api0001')!.metadataTokens).toBe('optional');
    expect((await fetch(listing('i-bp1api0001'))).status).toBe(200);
  });

  test('the credentials_uri provider (plain GETs) works in normal mode and fails in hardened mode', async () => {
    await describeInstances(viaCredentialsUri('i-bp1web0001', 'EcsDescribeOnly'));
    let caught: unknown;
    try {
      await viaCredentialsUri('i-bp1hard0001', 'EcsDescribeOnly').credential!.getCredential();
    } catch (err) {
      caught = err;
    }
    expect(String(caught)).toContain('403');
  });

  test('the control plane launches hardened instances, and snapshots show the mode', async () => {
    const res = await fetch(`${sim.url}/sim/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ regionId: 'cn-hangzhou', id: 'i-bp1hard0002', network: 'vpc', vpcId: 'vpc-bp1main', metadataTokens: 'required' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: 'i-bp1hard0002', metadataTokens: 'required' });
    expect((await fetch(listing('i-bp1hard0002'))).status).toBe(403);
    const described = await ecsClient(sim).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', instanceIds: JSON.stringify(['i-bp1hard0002', 'i-bp1api0001']) }));
    expect(described.body!.instances!.instance!.map((i) => [i.instanceId, i.metadataOptions?.httpTokens])).toEqual([
      ['i-bp1api0001', 'optional'],
      ['i-bp1hard0002', 'required'],
    ]);
  });
});

describe('STS credentials from the metadata service, through @alicloud/credentials', () => {
  test('the credentials_uri provider fetches them and the ECS SDK signs with them (x-acs-security-token)', async () => {
    const auth = viaCredentialsUri('i-bp1web0001', 'EcsDescribeOnly');
    const cred = await auth.credential!.getCredential();
    expect(cred.accessKeyId).toMatch(/^STS\./);
    expect(cred.securityToken).toBeTruthy();
    await describeInstances(auth);
    const calls = sim.calls.entries('DescribeInstances');
    expect(calls.at(-1)).toMatchObject({ accessKeyId: cred.accessKeyId, status: 200 });
  });

  test('they carry the role permissions: ecs:Describe* may describe but gets Forbidden.RAM on attach', async () => {
    const ecs = ecsClient(sim, viaCredentialsUri('i-bp1web0001', 'EcsDescribeOnly'));
    const roles = await describeRoles(ecs, { instanceIds: ['i-bp1web0001'] });
    expect(roles.instanceRamRoleSets!.instanceRamRoleSet![0]!.ramRoleName).toBe('EcsDescribeOnly');
    await expectApiError(attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0003']), 'Forbidden.RAM', 403);
  });

  test('an OSS-only role may call no ECS action at all', async () => {
    await expectApiError(describeInstances(viaCredentialsUri('i-bp1api0001', 'EcsRamRoleDocumentTesting')), 'Forbidden.RAM', 403);
  });

  test('the Policy given on attach narrows the role: ecs:* role limited to DescribeInstances', async () => {
    const auth = viaCredentialsUri('i-bp1web0002', 'EcsEverything');
    await describeInstances(auth);
    await expectApiError(describeRoles(ecsClient(sim, auth), { instanceIds: ['i-bp1web0002'] }), 'Forbidden.RAM', 403);
  });

  test('a policy attached to the role later (RAM CreatePolicy + AttachPolicyToRole) widens what its credentials may do', async () => {
    const ram = ramClient(sim, ADMIN);
    await ram.createPolicy(new $Ram.CreatePolicyRequest({
      policyName: 'AttachEcsRoles',
      policyDocument: JSON.stringify({ Statement: [{ Action: ['ecs:AttachInstanceRamRole', 'ram:PassRole'], Effect: 'Allow', Resource: '*' }], Version: '1' }),
    }));
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ policyType: 'Custom', policyName: 'AttachEcsRoles', roleName: 'EcsDescribeOnly' }));
    const ecs = ecsClient(sim, viaCredentialsUri('i-bp1web0001', 'EcsDescribeOnly'));
    const body = await attach(ecs, 'EcsRamRoleDocumentTesting', ['i-bp1web0003']);
    expect(body.failCount).toBe(0);
    expect(sim.state.instance('i-bp1web0003')!.ramRole).toBe('EcsRamRoleDocumentTesting');
  });

  test('STS credentials also work with the legacy v2 signature', async () => {
    const cred = await viaCredentialsUri('i-bp1web0001', 'EcsDescribeOnly').credential!.getCredential();
    await describeInstances({ accessKeyId: cred.accessKeyId!, accessKeySecret: cred.accessKeySecret!, securityToken: cred.securityToken!, signatureAlgorithm: 'v2' });
  });

  test('a wrong security token is InvalidSecurityToken.MismatchWithAccessKey; an expired one InvalidSecurityToken.Expired', async () => {
    const cred = await viaCredentialsUri('i-bp1web0001', 'EcsDescribeOnly').credential!.getCredential();
    await expectApiError(describeInstances({ accessKeyId: cred.accessKeyId!, accessKeySecret: cred.accessKeySecret!, securityToken: 'CAISforged' }), 'InvalidSecurityToken.MismatchWithAccessKey', 400);
    // Credentials issued 7 hours ago expired an hour ago (they live 6 hours).
    sim.state.launchInstance('cn-hangzhou', { id: 'i-bp1sts0001', network: 'vpc', vpcId: 'vpc-bp1main', ramRole: 'EcsDescribeOnly' });
    const stale = sim.state.credentialsForInstance('i-bp1sts0001', new Date(Date.now() - 7 * 3600_000));
    await expectApiError(
      describeInstances({ accessKeyId: stale.accessKeyId, accessKeySecret: stale.accessKeySecret, securityToken: stale.securityToken }),
      'InvalidSecurityToken.Expired',
      400,
    );
  });
});

describe('the default credential chain', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('ALIBABA_CLOUD_CREDENTIALS_URI with the ECS metadata provider disabled reaches the simulator', async () => {
    for (const name of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_PROFILE']) delete process.env[name];
    process.env['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true';
    process.env['ALIBABA_CLOUD_CREDENTIALS_URI'] = credentialsUrl('i-bp1web0001', 'EcsDescribeOnly');
    process.env['ALIBABA_CLOUD_CLI_PROFILE_DISABLED'] = 'true';
    process.env['ALIBABA_CLOUD_CREDENTIALS_FILE'] = '/nonexistent/credentials';
    const credential = new CredentialClient();
    await describeInstances({ credential });
    const cred = await credential.getCredential();
    expect(cred.accessKeyId).toMatch(/^STS\./);
  });
});
