import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlibabaCloudApi } from '../../../src/cloud/alibaba-cloud-api.js';
import {
  candidateCredentialSources,
  createDefaultCredential,
  describeCredentialSource,
  resolvedCredentialSource,
} from '../../../src/cloud/credentials.js';
import type { CloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { OPERATOR, REGION, loggedCalls, startTestCloud } from './helpers.js';

const CHAIN_VARIABLES = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALIBABA_CLOUD_ROLE_ARN',
  'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
  'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
  'ALIBABA_CLOUD_CLI_PROFILE_DISABLED',
  'ALIBABA_CLOUD_CREDENTIALS_FILE',
  'ALIBABA_CLOUD_ECS_METADATA_DISABLED',
  'ALIBABA_CLOUD_CREDENTIALS_URI',
];

let sim: CloudSimulator;
let emptyHome: string;
const saved = new Map(CHAIN_VARIABLES.map((name) => [name, process.env[name]]));

/** Only the given chain variables set; the CLI profile and credentials file point nowhere. */
function chainEnvironment(vars: Record<string, string>): void {
  for (const name of CHAIN_VARIABLES) delete process.env[name];
  process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'true';
  process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = join(emptyHome, 'no-credentials-file');
  Object.assign(process.env, vars);
}

beforeAll(async () => {
  sim = await startTestCloud();
  emptyHome = mkdtempSync(join(tmpdir(), 'cred-home-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(emptyHome, { recursive: true, force: true });
});
afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function apiWithDefaultChain() {
  return createAlibabaCloudApi({ ecsEndpoint: sim.endpoint, ramEndpoint: sim.endpoint, protocol: 'http', credential: createDefaultCredential() });
}

describe('default credential chain', () => {
  it('uses the environment AccessKey first, and never reveals it', async () => {
    chainEnvironment({ ALIBABA_CLOUD_ACCESS_KEY_ID: OPERATOR.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: OPERATOR.secret, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' });
    const description = describeCredentialSource();
    expect(description).toBe('default chain: environment AccessKey');
    expect(description).not.toContain(OPERATOR.secret);
    expect(description).not.toContain(OPERATOR.id);

    const credential = createDefaultCredential();
    const api = createAlibabaCloudApi({ ecsEndpoint: sim.endpoint, ramEndpoint: sim.endpoint, protocol: 'http', credential });
    expect(await api.describeInstances(REGION, { instanceIds: ['i-web1'] })).toHaveLength(1);
    expect(await resolvedCredentialSource(credential)).toBe('default/env');
    const [call] = (await loggedCalls(sim, 'DescribeInstances')).slice(-1);
    expect(call!.accessKeyId).toBe(OPERATOR.id);
  });

  it('falls through to ALIBABA_CLOUD_CREDENTIALS_URI: STS credentials of an instance role (the simulator metadata service)', async () => {
    chainEnvironment({
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
      ALIBABA_CLOUD_CREDENTIALS_URI: `${sim.url}/sim/imds/i-web1/latest/meta-data/ram/security-credentials/WebRole`,
    });
    expect(describeCredentialSource()).toBe('default chain: credentials URI');
    const api = apiWithDefaultChain();
    // WebRole may describe and read roles; the calls are signed with its temporary key.
    expect((await api.describeInstances(REGION, { instanceIds: ['i-web1'] }))[0]?.instanceId).toBe('i-web1');
    expect((await api.getRole('WebRole'))?.trustsEcs).toBe(true);
    const [call] = (await loggedCalls(sim, 'DescribeInstances')).slice(-1);
    expect(call!.accessKeyId).not.toBe(OPERATOR.id);
    expect(call!.code).toBe('200');
    // ...and nothing more: attaching needs permissions the role does not have.
    await expect(api.attachInstanceRamRole(REGION, 'OtherRole', ['i-gen001'])).rejects.toMatchObject({ code: 'Forbidden.RAM' });
  });

  it('with nothing configured, calls fail with InvalidCredentials naming the chain', async () => {
    chainEnvironment({ ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' });
    expect(candidateCredentialSources(process.env, emptyHome)).toEqual([]);
    expect(describeCredentialSource(process.env, emptyHome)).toMatch(/no provider applies/);
    await expect(apiWithDefaultChain().describeInstances(REGION, {})).rejects.toMatchObject({
      code: 'InvalidCredentials',
      message: expect.stringContaining('unable to get credentials'),
    });
  });

  it('keeps failing with InvalidCredentials and the fix on every later call, then works once credentials appear', async () => {
    chainEnvironment({ ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' });
    const api = apiWithDefaultChain();
    // The library's chain, after one failure, sent every later call to "https://undefined/"
    // (ENOTFOUND, retried as a network error forever). Each call must stay InvalidCredentials.
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(api.describeInstances(REGION, {})).rejects.toMatchObject({
        code: 'InvalidCredentials',
        message: expect.stringContaining('Give the operator credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET'),
      });
    }
    // The same credential object picks up a provider that starts to apply (e.g. a mounted Secret).
    Object.assign(process.env, { ALIBABA_CLOUD_ACCESS_KEY_ID: OPERATOR.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: OPERATOR.secret });
    expect(await api.describeInstances(REGION, { instanceIds: ['i-web1'] })).toHaveLength(1);
  });

  it('lists every applicable provider in chain order', () => {
    expect(
      candidateCredentialSources(
        {
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
          ALIBABA_CLOUD_SECURITY_TOKEN: 'token',
          ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/r',
          ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1:oidc-provider/p',
          ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/var/run/token',
          ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:1/creds',
        },
        emptyHome,
      ),
    ).toEqual(['environment STS token', 'RRSA/OIDC role', 'ECS instance role', 'credentials URI']);
  });
});
