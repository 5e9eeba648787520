import { describe, expect, it } from 'vitest';
import type { InstanceRoleBindingSpec } from '../../../src/api/instance-role-binding.js';
import { DEFAULT_RESYNC_PERIOD_MS, normalizeSpec } from '../../../src/domain/binding-spec.js';

const base: InstanceRoleBindingSpec = { regionId: 'cn-hangzhou', roleName: 'EcsRamRoleDocumentTesting', instanceIds: ['i-bp1b', 'i-bp1a'] };

describe('normalizeSpec', () => {
  it('applies the DESIGN defaults', () => {
    expect(normalizeSpec(base)).toEqual({
      regionId: 'cn-hangzhou',
      roleName: 'EcsRamRoleDocumentTesting',
      instanceIds: ['i-bp1a', 'i-bp1b'],
      deletionPolicy: 'Detach',
      mode: 'Enforce',
      takeover: false,
      suspend: false,
      resyncPeriodMs: DEFAULT_RESYNC_PERIOD_MS,
    });
    expect(DEFAULT_RESYNC_PERIOD_MS).toBe(300_000);
  });

  it("uses the operator's default resync period when the spec sets none", () => {
    expect(normalizeSpec(base, { defaultResyncPeriodMs: 60_000 }).resyncPeriodMs).toBe(60_000);
    expect(normalizeSpec({ ...base, resyncPeriod: '90s' }, { defaultResyncPeriodMs: 60_000 }).resyncPeriodMs).toBe(90_000);
  });

  it('keeps every explicit field and deduplicates instance IDs', () => {
    const spec = normalizeSpec({
      ...base,
      instanceIds: ['i-b', 'i-a', 'i-b'],
      instanceSelector: { tags: { app: 'web' }, vpcId: 'vpc-bp1xyz' },
      deletionPolicy: 'Orphan',
      mode: 'Observe',
      takeover: true,
      suspend: true,
      resyncPeriod: '1h30m',
    });
    expect(spec).toMatchObject({
      instanceIds: ['i-a', 'i-b'],
      selector: { tags: { app: 'web' }, vpcId: 'vpc-bp1xyz' },
      deletionPolicy: 'Orphan',
      mode: 'Observe',
      takeover: true,
      suspend: true,
      resyncPeriodMs: 5_400_000,
    });
  });

  it('accepts a selector alone, with tags only or a VPC only', () => {
    expect(normalizeSpec({ regionId: 'cn-hangzhou', roleName: 'R', instanceSelector: { tags: { app: 'web' } } }).selector).toEqual({ tags: { app: 'web' } });
    expect(normalizeSpec({ regionId: 'cn-hangzhou', roleName: 'R', instanceSelector: { vpcId: 'vpc-1' } }).selector).toEqual({ tags: {}, vpcId: 'vpc-1' });
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['bad region', { ...base, regionId: 'Hangzhou' }, /spec\.regionId "Hangzhou"/],
    ['missing role', { ...base, roleName: undefined }, /spec\.roleName \(unset\)/],
    ['bad role', { ...base, roleName: 'has space' }, /spec\.roleName "has space" must be 1-64/],
    ['long role', { ...base, roleName: 'r'.repeat(65) }, /spec\.roleName/],
    ['bad instance id', { ...base, instanceIds: ['i-ok', 'web-1'] }, /spec\.instanceIds entry "web-1"/],
    ['no instances', { regionId: 'cn-hangzhou', roleName: 'R', instanceIds: [] }, /names no instances/],
    ['empty selector', { regionId: 'cn-hangzhou', roleName: 'R', instanceSelector: { tags: {} } }, /instanceSelector is empty/],
    ['bad vpc', { ...base, instanceSelector: { vpcId: 'net-1' } }, /spec\.instanceSelector\.vpcId "net-1"/],
    ['bad policy', { ...base, deletionPolicy: 'Delete' }, /spec\.deletionPolicy "Delete" must be Detach or Orphan/],
    ['bad mode', { ...base, mode: 'DryRun' }, /spec\.mode "DryRun" must be Enforce or Observe/],
    ['bad takeover', { ...base, takeover: 'yes' }, /spec\.takeover/],
    ['bad suspend', { ...base, suspend: 1 }, /spec\.suspend/],
    ['bad resync', { ...base, resyncPeriod: '5 minutes' }, /spec\.resyncPeriod: invalid duration/],
    ['short resync', { ...base, resyncPeriod: '10s' }, /shorter than the minimum 30s/],
    ['long resync (a timer overflow)', { ...base, resyncPeriod: '1000h' }, /spec\.resyncPeriod "1000h" is longer than the maximum 24h0m0s/],
    ['long tag key', { ...base, instanceSelector: { tags: { ['k'.repeat(200)]: 'v' } } }, /tags key "k{20}\.\.\." is longer than 128 characters \(the ECS limit\)/],
    ['long tag value', { ...base, instanceSelector: { tags: { app: 'v'.repeat(129) } } }, /spec\.instanceSelector\.tags\.app is longer than 128 characters/],
    ['too many ids', { ...base, instanceIds: Array.from({ length: 1001 }, (_, i) => `i-${i}`) }, /at most 1000/],
  ];
  it.each(invalid)('rejects %s with a message naming the field', (_name, spec, message) => {
    expect(() => normalizeSpec(spec as InstanceRoleBindingSpec)).toThrow(message);
  });

  it('accepts exactly the minimum and the maximum resync period', () => {
    expect(normalizeSpec({ ...base, resyncPeriod: '30s' }).resyncPeriodMs).toBe(30_000);
    expect(normalizeSpec({ ...base, resyncPeriod: '24h' }).resyncPeriodMs).toBe(86_400_000);
  });
});
