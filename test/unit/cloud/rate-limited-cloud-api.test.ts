import { describe, expect, it } from 'vitest';
import { CloudRateLimits, cloudBurst, rateLimitCloudApi } from '../../../src/cloud/rate-limited-cloud-api.js';
import { FakeCloud, REGION, vpc } from '../fakes/fake-cloud.js';

describe('rateLimitCloudApi', () => {
  it('takes a token per call from the bucket of its action', async () => {
    const cloud = new FakeCloud({ instances: [vpc('i-a')], ramRoles: { R: true } });
    const limits = new CloudRateLimits({ qps: 1, qpsPerAction: { GetRole: 1000 } });
    const limited = rateLimitCloudApi(cloud, limits);
    // One DescribeInstances token (burst 1) goes at once; the next waits about a second.
    await limited.describeInstances(REGION, { instanceIds: ['i-a'] });
    let second = false;
    const pending = limited.describeInstances(REGION, { instanceIds: ['i-a'] }).then(() => (second = true));
    // Another action has its own bucket.
    for (let i = 0; i < 5; i++) await limited.getRole('R');
    await new Promise((r) => setTimeout(r, 50));
    expect(second).toBe(false);
    expect(cloud.actions()).toEqual(['DescribeInstances', 'GetRole', 'GetRole', 'GetRole', 'GetRole', 'GetRole']);
    await pending;
    expect(second).toBe(true);
  });

  it('sends nothing once the signal aborts a call waiting for its token', async () => {
    const cloud = new FakeCloud({ instances: [vpc('i-a')], ramRoles: { R: true } });
    const limited = rateLimitCloudApi(cloud, new CloudRateLimits({ qps: 1 }));
    await limited.attachInstanceRamRole(REGION, 'R', ['i-a']);
    const pass = new AbortController();
    const waiting = limited.detachInstanceRamRole(REGION, 'R', ['i-a'], { signal: pass.signal });
    const blocked = limited.attachInstanceRamRole(REGION, 'R', ['i-a'], { signal: pass.signal });
    pass.abort(new Error('stop'));
    await expect(waiting).resolves.toBeDefined(); // the detach bucket had a token
    await expect(blocked).rejects.toThrow('stop');
    expect(cloud.mutations().map((c) => c.action)).toEqual(['AttachInstanceRamRole', 'DetachInstanceRamRole']);
  });

  it('tells when a call of an action could go out, taking nothing', async () => {
    const limits = new CloudRateLimits({ qps: 1 });
    await limits.whenAvailable('GetRole');
    await limits.whenAvailable('GetRole');
    await limits.acquire('GetRole'); // the token is still there
  });

  it('lets half a second of calls out at once after a quiet spell, leaving room in the cloud bucket for bunched arrivals', async () => {
    expect([cloudBurst(0.5), cloudBurst(1), cloudBurst(20), cloudBurst(50), cloudBurst(7)]).toEqual([1, 1, 10, 25, 4]);
    const limits = new CloudRateLimits({ qps: 20 });
    let granted = 0;
    for (let i = 0; i < 30; i++) void limits.acquire('AttachInstanceRamRole').then(() => granted++);
    await new Promise((r) => setTimeout(r, 20));
    // Ten at once (the burst), and at 20 a second no more than one other in these 20 ms.
    expect(granted).toBeGreaterThanOrEqual(10);
    expect(granted).toBeLessThanOrEqual(11);
  });
});
