/**
 * Run by ecs-ram-role-provider.test.ts inside a network namespace of its own (unshare -n) where
 * 100.100.100.200 is a local address: serves the metadata of the instance named on the command
 * line there on port 80, as a real instance does, and lets the unmodified @alicloud/credentials
 * ECS RAM role provider fetch the role's STS credentials, which then sign ECS calls to the
 * simulator. Prints one JSON report. One instance per process, so no client reuses a connection
 * to another instance's metadata service.
 */
import * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { parseFleet, startCloudSimulator, type CloudSimulator } from '../../src/index.js';
import { CredentialClient, CredentialConfig, EcsClient, type Credential } from '../sdk-clients.js';

export const METADATA_HOST = '100.100.100.200';

export interface ProviderOutcome {
  ok: boolean;
  /** The AccessKey ID the simulator logged for the DescribeInstances call it signed. */
  signedAs?: string;
  error?: string;
}

export interface ModeReport {
  instanceId: string;
  metadataTokens: string;
  /** GET of the role listing without a token. */
  plainGetStatus: number;
  /** PUT /latest/api/token, then the same GET with the token. */
  tokenGetStatus: number;
  providers: Record<string, ProviderOutcome>;
}

const FLEET = `
accessKeys: []
roles:
  - {name: EcsDescribeOnly, trustedServices: [ecs.aliyuncs.com], allow: ["ecs:Describe*"]}
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-normal, network: vpc, vpcId: vpc-1, ramRole: EcsDescribeOnly}
      - {id: i-hardened, network: vpc, vpcId: vpc-1, ramRole: EcsDescribeOnly, metadataTokens: required}
`;

const PROVIDERS: Record<string, () => Credential> = {
  'ecs_ram_role': () => new CredentialClient(new CredentialConfig({ type: 'ecs_ram_role' })),
  'ecs_ram_role, roleName, disableIMDSv1': () => new CredentialClient(new CredentialConfig({ type: 'ecs_ram_role', roleName: 'EcsDescribeOnly', disableIMDSv1: true })),
  'default chain': () => new CredentialClient(),
};

/** Only the instance-role provider of the default chain applies. */
function chainEnvironment(): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name];
  process.env['ALIBABA_CLOUD_CLI_PROFILE_DISABLED'] = 'true';
  process.env['ALIBABA_CLOUD_CREDENTIALS_FILE'] = '/nonexistent/credentials';
}

async function tryProvider(sim: CloudSimulator, credential: Credential): Promise<ProviderOutcome> {
  try {
    const ecs = new EcsClient(new $OpenApiUtil.Config({ endpoint: sim.endpoint, protocol: 'http', regionId: 'cn-hangzhou', credential }));
    await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 10 }));
    const call = sim.calls.entries('DescribeInstances').at(-1);
    return { ok: call?.status === 200, signedAs: call?.accessKeyId ?? '' };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

async function reportFor(sim: CloudSimulator, instanceId: string): Promise<ModeReport> {
  const endpoint = await sim.serveInstanceMetadata(instanceId, { host: METADATA_HOST, port: 80 });
  try {
    const listing = `${endpoint.url}/latest/meta-data/ram/security-credentials/`;
    const plainGetStatus = (await fetch(listing)).status;
    const token = await (await fetch(`${endpoint.url}/latest/api/token`, { method: 'PUT', headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': '60' } })).text();
    const tokenGetStatus = (await fetch(listing, { headers: { 'X-aliyun-ecs-metadata-token': token } })).status;
    const providers: Record<string, ProviderOutcome> = {};
    for (const [name, make] of Object.entries(PROVIDERS)) providers[name] = await tryProvider(sim, make());
    return { instanceId, metadataTokens: sim.state.instance(instanceId)!.metadataTokens, plainGetStatus, tokenGetStatus, providers };
  } finally {
    await endpoint.close();
  }
}

async function main(): Promise<void> {
  chainEnvironment();
  const sim = await startCloudSimulator({ fleet: parseFleet(FLEET) });
  try {
    const instanceId = process.argv[2] ?? '';
    if (!sim.state.instance(instanceId)) throw new Error(`usage: ecs-ram-role-provider.child.ts <instance ID of the fleet>, got "${instanceId}"`);
    process.stdout.write(`${JSON.stringify(await reportFor(sim, instanceId))}\n`);
  } finally {
    await sim.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? `${err.stack} (cause: ${String((err as { cause?: unknown }).cause)})` : String(err)}\n`);
    process.exit(1);
  },
);
