import { describe, expect, it } from 'vitest';
import { CloudError } from '../../../src/cloud/cloud-api.js';
import { CloudRateLimits, rateLimitCloudApi } from '../../../src/cloud/rate-limited-cloud-api.js';
import { RETRY_BUDGET_MAX, SUCCESSES_PER_RETRY, ThrottleRetryBudget } from '../../../src/cloud/throttle-retry.js';
import { FakeCloud, REGION, vpc } from '../fakes/fake-cloud.js';

const throttled = (action: string): CloudError =>
  new CloudError({ action, code: 'Throttling', message: 'Request was denied due to request throttling.', statusCode: 400, retryAfterSeconds: 0 });

const successesPerRetry = SUCCESSES_PER_RETRY;

describe('ThrottleRetryBudget', () => {
  it('starts empty: nothing funds a retry before a call succeeded', () => {
    expect(new ThrottleRetryBudget().take()).toBe(false);
  });

  it('funds one retry for every ten answered calls, and saves at most RETRY_BUDGET_MAX', () => {
    const budget = new ThrottleRetryBudget();
    for (let i = 0; i < successesPerRetry - 1; i++) budget.succeeded();
    expect(budget.take()).toBe(false);
    budget.succeeded();
    expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(false);
    for (let i = 0; i < 100 * successesPerRetry; i++) budget.succeeded();
    let taken = 0;
    while (budget.take()) taken++;
    expect(taken).toBe(RETRY_BUDGET_MAX);
  });
});

describe('rateLimitCloudApi: throttled calls', () => {
  const world = () => new FakeCloud({ instances: [vpc('i-a')], ramRoles: { R: true } });

  it('fails a throttled call at once when no answered call has funded a retry (sustained throttling multiplies nothing)', async () => {
    const cloud = world();
    const limited = rateLimitCloudApi(cloud, new CloudRateLimits({ qps: 1000 }));
    cloud.failures.set('DescribeInstanceRamRole', [throttled('DescribeInstanceRamRole')]);
    await expect(limited.describeInstanceRamRoles(REGION, ['i-a'])).rejects.toThrow('Throttling');
    expect(cloud.actions()).toEqual(['DescribeInstanceRamRole']);
  });

  it('asks again, after a token of its own, once enough calls of the action were answered', async () => {
    const cloud = world();
    const limits = new CloudRateLimits({ qps: 1000 });
    const limited = rateLimitCloudApi(cloud, limits);
    for (let i = 0; i < successesPerRetry; i++) await limited.describeInstanceRamRoles(REGION, ['i-a']);
    cloud.failures.set('DescribeInstanceRamRole', [throttled('DescribeInstanceRamRole')]);
    await expect(limited.describeInstanceRamRoles(REGION, ['i-a'])).resolves.toEqual(new Map([['i-a', null]]));
    expect(cloud.actions().length).toBe(successesPerRetry + 2);
    // The retry used the funded one up: the next throttled answer fails its call.
    cloud.failures.set('DescribeInstanceRamRole', [throttled('DescribeInstanceRamRole')]);
    await expect(limited.describeInstanceRamRoles(REGION, ['i-a'])).rejects.toThrow('Throttling');
  });

  it('keeps one budget for every action: answered reads fund an attach retry, and the retry spends it for all', async () => {
    const cloud = world();
    const limited = rateLimitCloudApi(cloud, new CloudRateLimits({ qps: 1000 }));
    for (let i = 0; i < successesPerRetry; i++) await limited.describeInstanceRamRoles(REGION, ['i-a']);
    cloud.failures.set('AttachInstanceRamRole', [throttled('AttachInstanceRamRole')]);
    await expect(limited.attachInstanceRamRole(REGION, 'R', ['i-a'])).resolves.toEqual([expect.objectContaining({ instanceId: 'i-a', success: true })]);
    expect(cloud.mutations()).toHaveLength(2);
    // The attach's retry used the reads' credit: a throttled read now fails at once.
    cloud.failures.set('DescribeInstanceRamRole', [throttled('DescribeInstanceRamRole')]);
    await expect(limited.describeInstanceRamRoles(REGION, ['i-a'])).rejects.toThrow('Throttling');
  });

  it('never retries an error other than throttling', async () => {
    const cloud = world();
    const limited = rateLimitCloudApi(cloud, new CloudRateLimits({ qps: 1000 }));
    for (let i = 0; i < 3 * successesPerRetry; i++) await limited.getRole('R');
    cloud.failures.set('GetRole', [new CloudError({ action: 'GetRole', code: 'ServiceUnavailable', message: 'down', statusCode: 503 })]);
    await expect(limited.getRole('R')).rejects.toThrow('ServiceUnavailable');
    expect(cloud.actions().filter((a) => a === 'GetRole')).toHaveLength(3 * successesPerRetry + 1);
  });

  it('stops waiting to ask again when the signal aborts', async () => {
    const cloud = world();
    const limited = rateLimitCloudApi(cloud, new CloudRateLimits({ qps: 1000 }));
    for (let i = 0; i < successesPerRetry; i++) await limited.getRole('R');
    cloud.failures.set('GetRole', [new CloudError({ action: 'GetRole', code: 'Throttling', message: 'slow down', statusCode: 400, retryAfterSeconds: 30 })]);
    const pass = new AbortController();
    const call = limited.getRole('R', { signal: pass.signal });
    await new Promise((r) => setTimeout(r, 20));
    pass.abort(new Error('pass ended'));
    await expect(call).rejects.toThrow('pass ended');
    expect(cloud.actions()).toHaveLength(successesPerRetry + 1);
  });
});
