/**
 * Shared setup for the CloudApi integration tests: a fleet written for them, the simulator
 * started in-process, and the simulator's HTTP control plane (/sim/...).
 */
import { createAlibabaCloudApi, type AlibabaCloudApiOptions } from '../../../src/cloud/alibaba-cloud-api.js';
import type { CloudApi } from '../../../src/cloud/cloud-api.js';
import { createAccessKeyCredential } from '../../../src/cloud/credentials.js';
import { instrumentCloudApi } from '../../../src/cloud/instrumented-cloud-api.js';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';

export const REGION = 'cn-hangzhou';
export const OPERATOR = { id: 'LTAI5tClientTest', secret: 'client-test-secret' };
/** May describe and attach, but not pass roles. */
export const NO_PASS_ROLE = { id: 'LTAI5tNoPassRole', secret: 'no-pass-role-secret' };

/** IDs i-gen001 .. i-gen250: VPC, tag fleet=big, no role. */
export const GENERATED = Array.from({ length: 250 }, (_, n) => `i-gen${String(n + 1).padStart(3, '0')}`);
/** IDs i-wr001 .. i-wr120: VPC, carrying WebRole. */
export const WITH_ROLE = Array.from({ length: 120 }, (_, n) => `i-wr${String(n + 1).padStart(3, '0')}`);

export const FLEET_YAML = `
accessKeys:
  - {id: ${OPERATOR.id}, secret: ${OPERATOR.secret}, allow: ["ecs:*", "ram:GetRole", "ram:PassRole"]}
  - {id: ${NO_PASS_ROLE.id}, secret: ${NO_PASS_ROLE.secret}, allow: ["ecs:*", "ram:GetRole"]}
roles:
  - {name: WebRole, trustedServices: [ecs.aliyuncs.com], allow: ["ecs:Describe*", "ram:GetRole"]}
  - {name: OtherRole, trustedServices: [ecs.aliyuncs.com]}
  - name: StringPrincipal
    assumeRolePolicyDocument: '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ecs.aliyuncs.com"}}],"Version":"1"}'
  - name: ArrayEverything
    assumeRolePolicyDocument: '{"Statement":[{"Action":["sts:AssumeRole"],"Effect":"Allow","Principal":{"Service":["fc.aliyuncs.com","ecs.aliyuncs.com"]}}],"Version":"1"}'
  - name: FcOnly
    assumeRolePolicyDocument: '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["fc.aliyuncs.com"]}}],"Version":"1"}'
  - name: DenyEcs
    assumeRolePolicyDocument: '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Deny","Principal":{"Service":"ecs.aliyuncs.com"}}],"Version":"1"}'
  - name: AccountOnly
    assumeRolePolicyDocument: '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}],"Version":"1"}'
regions:
  - id: ${REGION}
    instances:
      - {id: i-web1, name: web-1, network: vpc, vpcId: vpc-main, status: Running, tags: {app: web, env: prod}, ramRole: WebRole}
      - {id: i-web2, network: vpc, vpcId: vpc-main, status: Stopped, tags: {app: web, env: staging}}
      - {id: i-api1, network: vpc, vpcId: vpc-other, status: Running, tags: {app: api}, ramRole: OtherRole}
      - {id: i-old1, network: classic, status: Running, tags: {app: legacy}}
    generate:
      - {count: 250, idPrefix: i-gen, digits: 3, network: vpc, vpcId: vpc-big, tags: {fleet: big}}
      - {count: 120, idPrefix: i-wr, digits: 3, network: vpc, vpcId: vpc-big, tags: {fleet: roles}, ramRole: WebRole}
  - id: cn-shanghai
    instances:
      - {id: i-sh1, network: vpc, vpcId: vpc-sh, tags: {app: web}}
`;

export async function startTestCloud(): Promise<CloudSimulator> {
  return startCloudSimulator({ fleet: parseFleet(FLEET_YAML), faultSeed: 7 });
}

/** One call as the instrumentation decorator reports it (what the operator's metrics count). */
export interface CallEvent {
  action: string;
  code: string;
  seconds: number;
}

export interface ApiUnderTest {
  api: CloudApi;
  events: CallEvent[];
}

/** The SDK adapter against the simulator, instrumented the way the operator instruments it. */
export function apiFor(sim: CloudSimulator, key = OPERATOR, extra: Partial<AlibabaCloudApiOptions> = {}): ApiUnderTest {
  const events: CallEvent[] = [];
  const sdk = createAlibabaCloudApi({
    ecsEndpoint: sim.endpoint,
    ramEndpoint: sim.endpoint,
    protocol: 'http',
    credential: createAccessKeyCredential(key.id, key.secret),
    ...extra,
  });
  const api = instrumentCloudApi(sdk, { cloudCall: (action, code, seconds) => events.push({ action, code, seconds }) });
  return { api, events };
}

/** A record of the simulator's call log (GET /sim/calls). */
export interface LoggedCall {
  action: string;
  params: Record<string, unknown>;
  status: number;
  code: string;
  accessKeyId: string;
}

async function control(sim: CloudSimulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.url}/sim${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  if (!res.ok) throw new Error(`${method} /sim${path}: HTTP ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

export async function loggedCalls(sim: CloudSimulator, action?: string): Promise<LoggedCall[]> {
  const all = (await control(sim, 'GET', '/calls')) as LoggedCall[];
  return action ? all.filter((c) => c.action === action) : all;
}

export const clearCalls = (sim: CloudSimulator) => control(sim, 'DELETE', '/calls');
export const setRole = (sim: CloudSimulator, instanceId: string, roleName: string | null) =>
  control(sim, 'PUT', `/instances/${instanceId}/role`, { roleName });
export const addFault = (sim: CloudSimulator, fault: Record<string, unknown>) => control(sim, 'POST', '/faults', fault);
export const clearFaults = (sim: CloudSimulator) => control(sim, 'DELETE', '/faults');
