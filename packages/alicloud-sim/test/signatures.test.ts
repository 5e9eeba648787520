import { createHash, randomUUID } from 'node:crypto';
import { OpenApiUtil } from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CloudSimulator } from '../src/index.js';
import { $Ecs, OPERATOR, ecsClient, expectApiError, sim as control, startSample } from './helpers.js';

/**
 * Authentication. Positive cases and most negative ones go through the real SDK; hand-built
 * requests (signed with the SDK's own OpenApiUtil signer) only where the SDK cannot produce
 * the fault: no signature, a stale date, a replayed nonce, a tampered request.
 */

let sim: CloudSimulator;

beforeAll(async () => {
  sim = await startSample((fleet) => {
    fleet.accessKeys.push({ id: 'LTAI5tDisabled', secret: 'disabled-secret', allow: ['*'], disabled: true });
  });
});
afterAll(async () => {
  await sim.close();
});

const describeReq = (): $Ecs.DescribeInstancesRequest => new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', maxResults: 10 });

interface HandBuilt {
  query?: Record<string, string>;
  date?: string;
  nonce?: string;
  secret?: string;
  accessKeyId?: string;
  action?: string;
  version?: string;
  body?: string;
}

const EMPTY_SHA = createHash('sha256').update('').digest('hex');

function timestamp(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Headers and URL of an ACS3-signed RPC request, signed by the SDK's own signer. */
function signedRequest(h: HandBuilt = {}): { url: string; headers: Record<string, string> } {
  const query = h.query ?? { RegionId: 'cn-hangzhou', MaxResults: '10' };
  const headers: Record<string, string> = {
    host: sim.endpoint,
    'x-acs-version': h.version ?? '2014-05-26',
    'x-acs-action': h.action ?? 'DescribeInstances',
    'x-acs-date': h.date ?? timestamp(),
    'x-acs-signature-nonce': h.nonce ?? randomUUID(),
    'x-acs-content-sha256': h.body === undefined ? EMPTY_SHA : createHash('sha256').update(h.body).digest('hex'),
  };
  const request = { method: 'POST', pathname: '/', query, headers } as unknown as Parameters<typeof OpenApiUtil.getAuthorization>[0];
  headers['authorization'] = OpenApiUtil.getAuthorization(request, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256']!, h.accessKeyId ?? OPERATOR.accessKeyId, h.secret ?? OPERATOR.accessKeySecret);
  return { url: `${sim.url}/?${new URLSearchParams(query).toString()}`, headers };
}

async function send(req: { url: string; headers: Record<string, string> }, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const { host: _host, ...headers } = req.headers; // fetch sets host itself, to the same value
  const res = await fetch(req.url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('ACS3-HMAC-SHA256', () => {
  test('the SDK default signature is accepted', async () => {
    const res = await ecsClient(sim).describeInstances(describeReq());
    expect(res.statusCode).toBe(200);
    expect(res.body!.totalCount).toBe(7);
  });

  test("parameters with !'()* and spaces verify (the server re-encodes the canonical query)", async () => {
    const res = await ecsClient(sim).describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', tag: [{ key: "team's (ops)*!", value: 'a b+c/d~e' }] }));
    expect(res.body!.totalCount).toBe(0);
  });

  test('a hand-built request signed correctly is accepted, and its error body has the documented fields', async () => {
    const ok = await send(signedRequest());
    expect(ok.status).toBe(200);
    const bad = await send(signedRequest({ query: { RegionId: 'cn-hangzhou', MaxResults: 'seven' } }));
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    expect(bad.json['Code']).toBe('InvalidParameter.MaxResults');
    expect(bad.json['HostId']).toBe('ecs.aliyuncs.com');
  });

  test('a wrong secret is IncompleteSignature (400)', async () => {
    const err = await expectApiError(ecsClient(sim, { ...OPERATOR, accessKeySecret: 'wrong' }).describeInstances(describeReq()), 'IncompleteSignature', 400);
    expect(err.message).toContain('server string to sign is');
    expect(err.message).not.toContain('operator-secret');
  });

  test('an unknown AccessKey is InvalidAccessKeyId.NotFound; a disabled one Forbidden.AccessKeyDisabled', async () => {
    await expectApiError(ecsClient(sim, { accessKeyId: 'LTAI5tNobody', accessKeySecret: 'x' }).describeInstances(describeReq()), 'InvalidAccessKeyId.NotFound', 400);
    await expectApiError(ecsClient(sim, { accessKeyId: 'LTAI5tDisabled', accessKeySecret: 'disabled-secret' }).describeInstances(describeReq()), 'Forbidden.AccessKeyDisabled', 403);
  });

  test('a request without any signature is IncompleteSignature', async () => {
    const { authorization: _a, ...unsigned } = signedRequest().headers;
    const res = await send({ url: `${sim.url}/?RegionId=cn-hangzhou`, headers: unsigned });
    expect(res.status).toBe(400);
    expect(res.json['Code']).toBe('IncompleteSignature');
  });

  test('a query changed after signing is IncompleteSignature', async () => {
    const req = signedRequest();
    const res = await send({ ...req, url: req.url.replace('MaxResults=10', 'MaxResults=20') });
    expect(res.json['Code']).toBe('IncompleteSignature');
  });

  test('a body that does not match x-acs-content-sha256 is IncompleteSignature', async () => {
    const res = await send(signedRequest(), 'RegionId=cn-shanghai');
    expect(res.json['Code']).toBe('IncompleteSignature');
  });

  test('an x-acs-date more than 15 minutes off is InvalidTimeStamp.Expired; a malformed one InvalidTimeStamp.Format', async () => {
    const stale = await send(signedRequest({ date: timestamp(-16 * 60 * 1000) }));
    expect(stale.status).toBe(400);
    expect(stale.json['Code']).toBe('InvalidTimeStamp.Expired');
    const future = await send(signedRequest({ date: timestamp(16 * 60 * 1000) }));
    expect(future.json['Code']).toBe('InvalidTimeStamp.Expired');
    const withinSkew = await send(signedRequest({ date: timestamp(-10 * 60 * 1000) }));
    expect(withinSkew.status).toBe(200);
    const malformed = await send(signedRequest({ date: 'yesterday' }));
    expect(malformed.json['Code']).toBe('InvalidTimeStamp.Format');
  });

  test('a reused signature nonce is SignatureNonceUsed', async () => {
    const req = signedRequest();
    expect((await send(req)).status).toBe(200);
    const replay = await send(req);
    expect(replay.status).toBe(400);
    expect(replay.json['Code']).toBe('SignatureNonceUsed');
  });

  test('unknown action 404 InvalidAction.NotFound; unknown version 400 InvalidVersion', async () => {
    const action = await send(signedRequest({ action: 'RunInstances' }));
    expect([action.status, action.json['Code']]).toEqual([404, 'InvalidAction.NotFound']);
    const version = await send(signedRequest({ version: '2099-01-01' }));
    expect([version.status, version.json['Code']]).toEqual([400, 'InvalidVersion']);
  });

  test('failed authentications are in the call log with the claimed AccessKey', async () => {
    await control(sim, 'DELETE', '/calls');
    await expectApiError(ecsClient(sim, { accessKeyId: 'LTAI5tNobody', accessKeySecret: 'x' }).describeInstances(describeReq()), 'InvalidAccessKeyId.NotFound');
    const calls = (await control(sim, 'GET', '/calls')).json as Array<Record<string, unknown>>;
    expect(calls).toEqual([expect.objectContaining({ action: 'DescribeInstances', accessKeyId: 'LTAI5tNobody', status: 400, code: 'InvalidAccessKeyId.NotFound' })]);
  });
});

describe('legacy v2 HMAC-SHA1 query signature', () => {
  const v2 = (secret = OPERATOR.accessKeySecret) => ecsClient(sim, { accessKeyId: OPERATOR.accessKeyId, accessKeySecret: secret, signatureAlgorithm: 'v2' });

  test('the SDK in v2 mode is accepted, special characters included', async () => {
    expect((await v2().describeInstances(describeReq())).body!.totalCount).toBe(7);
    const odd = await v2().describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', tag: [{ key: "it's (x)*!", value: 'a b' }] }));
    expect(odd.body!.totalCount).toBe(0);
  });

  test('a wrong secret is SignatureDoesNotMatch', async () => {
    await expectApiError(v2('wrong').describeInstances(describeReq()), 'SignatureDoesNotMatch', 400);
  });

  test('a replayed v2 request is SignatureNonceUsed; a stale Timestamp InvalidTimeStamp.Expired', async () => {
    const params = (ts: string, nonce: string): Record<string, string> => {
      const p: Record<string, string> = {
        Action: 'DescribeInstances', Version: '2014-05-26', Format: 'json', RegionId: 'cn-hangzhou',
        Timestamp: ts, SignatureNonce: nonce, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', AccessKeyId: OPERATOR.accessKeyId,
      };
      p['Signature'] = OpenApiUtil.getRPCSignature(p, 'POST', OPERATOR.accessKeySecret);
      return p;
    };
    const url = `${sim.url}/?${new URLSearchParams(params(timestamp(), randomUUID())).toString()}`;
    expect((await fetch(url, { method: 'POST' })).status).toBe(200);
    const replay = await fetch(url, { method: 'POST' });
    expect(((await replay.json()) as { Code: string }).Code).toBe('SignatureNonceUsed');
    const stale = await fetch(`${sim.url}/?${new URLSearchParams(params(timestamp(-20 * 60 * 1000), randomUUID())).toString()}`, { method: 'POST' });
    expect(((await stale.json()) as { Code: string }).Code).toBe('InvalidTimeStamp.Expired');
  });
});
