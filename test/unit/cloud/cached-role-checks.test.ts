import { describe, expect, it } from 'vitest';
import { ApiRoleCloud } from '../../../src/cloud/api-role-cloud.js';
import { CachedRoleChecks } from '../../../src/cloud/cached-role-checks.js';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import { FakeCloud } from '../fakes/fake-cloud.js';

const signal = new AbortController().signal;

function setup() {
  const cloud = new FakeCloud({ ramRoles: { R: true } });
  let now = 0;
  const checks = new CachedRoleChecks(new ApiRoleCloud(cloud), { ttlMs: 60_000, now: () => now });
  return { cloud, checks, advance: (ms: number) => (now += ms) };
}

describe('CachedRoleChecks', () => {
  it('answers from the cache for the TTL, and shares one GetRole between concurrent checks', async () => {
    const { cloud, checks, advance } = setup();
    await Promise.all([checks.checkRole('R', signal), checks.checkRole('R', signal)]);
    await checks.checkRole('R', signal);
    expect(cloud.actions()).toEqual(['GetRole']);
    advance(60_000);
    await checks.checkRole('R', signal);
    expect(cloud.actions()).toEqual(['GetRole', 'GetRole']);
  });

  it('does not cache a failed check, and forgets a role on request', async () => {
    const { cloud, checks, advance } = setup();
    cloud.failures.set('GetRole', [new CloudError({ action: 'GetRole', code: 'Throttling', message: 'slow' })]);
    await expect(checks.checkRole('R', signal)).rejects.toMatchObject({ code: 'Throttling' });
    expect(await checks.checkRole('R', signal)).toEqual({ exists: true, trustsEcs: true });
    advance(5_000);
    checks.forget('R');
    await checks.checkRole('R', signal);
    expect(cloud.actions()).toEqual(['GetRole', 'GetRole', 'GetRole']);
  });

  it('forget keeps a positive answer younger than the grace period, and drops a negative one at once', async () => {
    const { cloud, checks, advance } = setup();
    await checks.checkRole('R', signal);
    advance(1_000);
    for (let i = 0; i < 100; i++) checks.forget('R');
    await checks.checkRole('R', signal);
    expect(cloud.actions()).toEqual(['GetRole']);
    expect(await checks.checkRole('Missing', signal)).toEqual({ exists: false, trustsEcs: false });
    checks.forget('Missing');
    await checks.checkRole('Missing', signal);
    expect(cloud.actions()).toEqual(['GetRole', 'GetRole', 'GetRole']);
  });

  it('stops waiting for a shared check when the caller aborts', async () => {
    const { checks } = setup();
    const pass = new AbortController();
    pass.abort(new Error('stop'));
    await expect(checks.checkRole('R', pass.signal)).rejects.toThrow('stop');
    expect(await checks.checkRole('R', signal)).toEqual({ exists: true, trustsEcs: true });
  });
});
