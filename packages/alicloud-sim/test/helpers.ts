import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as $Ecs from '@alicloud/ecs20140526';
import * as $Ram from '@alicloud/ram20150501';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { expect } from 'vitest';
import { parseFleet, startCloudSimulator, type CloudSimulator, type FleetSpec } from '../src/index.js';
import { EcsClient, RamClient, type Credential, type Ecs, type Ram } from './sdk-clients.js';

export { $Ecs, $Ram };
export { CredentialClient, CredentialConfig, EcsClient, RamClient, type Credential, type Ecs, type Ram } from './sdk-clients.js';

export const OPERATOR = { accessKeyId: 'LTAI5tOperator', accessKeySecret: 'operator-secret' };
export const AUDITOR = { accessKeyId: 'LTAI5tAuditor', accessKeySecret: 'auditor-secret' };
export const ADMIN = { accessKeyId: 'LTAI5tAdmin', accessKeySecret: 'admin-secret' };

export const SAMPLE_FLEET_PATH = fileURLToPath(new URL('../fleets/sample.yaml', import.meta.url));

export function sampleFleet(): FleetSpec {
  return parseFleet(readFileSync(SAMPLE_FLEET_PATH, 'utf8'));
}

export async function startSample(mutate?: (fleet: FleetSpec) => void): Promise<CloudSimulator> {
  const fleet = sampleFleet();
  mutate?.(fleet);
  return startCloudSimulator({ fleet, faultSeed: 42 });
}

export interface ClientAuth {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  credential?: Credential;
  signatureAlgorithm?: 'v2';
}

function config(sim: CloudSimulator, auth: ClientAuth, regionId?: string): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({ endpoint: sim.endpoint, protocol: 'http', regionId: regionId ?? 'cn-hangzhou', ...auth });
}

export function ecsClient(sim: CloudSimulator, auth: ClientAuth = OPERATOR, regionId?: string): Ecs {
  return new EcsClient(config(sim, auth, regionId));
}

export function ramClient(sim: CloudSimulator, auth: ClientAuth = OPERATOR): Ram {
  return new RamClient(config(sim, auth));
}

/** Awaits a rejected SDK call and checks its code (and HTTP status when given). */
export async function expectApiError(call: Promise<unknown>, code: string, statusCode?: number): Promise<{ code: string; statusCode: number; message: string; name: string; retryAfter?: number; data?: Record<string, unknown> }> {
  let caught: unknown;
  try {
    await call;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeDefined();
  const err = caught as { code: string; statusCode: number; message: string; name: string; retryAfter?: number; data?: Record<string, unknown> };
  expect(err.code).toBe(code);
  if (statusCode !== undefined) expect(err.statusCode).toBe(statusCode);
  return err;
}

export const ids = (...list: string[]): string => JSON.stringify(list);

/** JSON from the unsigned /sim/ control plane. */
export async function sim(simulator: CloudSimulator, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${simulator.url}/sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

export async function attach(client: Ecs, roleName: string, instanceIds: string[], regionId = 'cn-hangzhou'): Promise<$Ecs.AttachInstanceRamRoleResponseBody> {
  const res = await client.attachInstanceRamRole(new $Ecs.AttachInstanceRamRoleRequest({ regionId, ramRoleName: roleName, instanceIds: JSON.stringify(instanceIds) }));
  return res.body!;
}

export async function detach(client: Ecs, instanceIds: string[], roleName?: string, regionId = 'cn-hangzhou'): Promise<$Ecs.DetachInstanceRamRoleResponseBody> {
  const res = await client.detachInstanceRamRole(new $Ecs.DetachInstanceRamRoleRequest({ regionId, ramRoleName: roleName, instanceIds: JSON.stringify(instanceIds) }));
  return res.body!;
}

export async function describeRoles(client: Ecs, req: { instanceIds?: string[]; ramRoleName?: string; pageSize?: number; pageNumber?: number }, regionId = 'cn-hangzhou'): Promise<$Ecs.DescribeInstanceRamRoleResponseBody> {
  const res = await client.describeInstanceRamRole(
    new $Ecs.DescribeInstanceRamRoleRequest({
      regionId,
      instanceIds: req.instanceIds ? JSON.stringify(req.instanceIds) : undefined,
      ramRoleName: req.ramRoleName,
      pageSize: req.pageSize,
      pageNumber: req.pageNumber,
    }),
  );
  return res.body!;
}

/** instanceId -> role ("" for none) as DescribeInstanceRamRole reports it. */
export function roleMap(body: $Ecs.DescribeInstanceRamRoleResponseBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of body.instanceRamRoleSets?.instanceRamRoleSet ?? []) out[s.instanceId!] = s.ramRoleName!;
  return out;
}
