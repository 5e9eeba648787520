import { describe, expect, it } from 'vitest';
import type { InstanceRoleBindingSpec } from '../../../src/api/instance-role-binding.js';
import {
  DEFAULT_RESYNC_PERIOD_MS,
  bindingTargets,
  compareAge,
  normalizeSpec,
  selectorMatches,
} from '../../../src/domain/claims.js';
import { REGION, binding, vpcInstance } from './fixtures.js';

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
    ['too many ids', { ...base, instanceIds: Array.from({ length: 1001 }, (_, i) => `i-${i}`) }, /at most 1000/],
  ];
  it.each(invalid)('rejects %s with a message naming the field', (_name, spec, message) => {
    expect(() => normalizeSpec(spec as InstanceRoleBindingSpec)).toThrow(message);
  });

  it('accepts exactly the minimum resync period', () => {
    expect(normalizeSpec({ ...base, resyncPeriod: '30s' }).resyncPeriodMs).toBe(30_000);
  });
});

describe('selectorMatches', () => {
  const web = vpcInstance('i-1', { tags: { app: 'web', tier: 'front' }, vpcId: 'vpc-a' });
  it.each([
    ['one matching tag', { tags: { app: 'web' } }, true],
    ['all tags (AND)', { tags: { app: 'web', tier: 'front' } }, true],
    ['one tag differs', { tags: { app: 'web', tier: 'back' } }, false],
    ['tag missing', { tags: { team: 'x' } }, false],
    ['vpc matches', { tags: {}, vpcId: 'vpc-a' }, true],
    ['vpc differs', { tags: { app: 'web' }, vpcId: 'vpc-b' }, false],
    ['tags and vpc', { tags: { app: 'web' }, vpcId: 'vpc-a' }, true],
    ['empty selector matches nothing', { tags: {} }, false],
  ])('%s', (_name, selector, expected) => {
    expect(selectorMatches(selector, web)).toBe(expected);
  });

  it('an absent selector matches nothing', () => {
    expect(selectorMatches(undefined, web)).toBe(false);
  });

  it('does not match inherited properties as tags', () => {
    expect(selectorMatches({ tags: { toString: 'x' } }, vpcInstance('i-2'))).toBe(false);
  });
});

describe('bindingTargets', () => {
  const b = binding('ns/b', '2026-01-01T00:00:00Z', { instanceIds: ['i-named'], selector: { tags: { app: 'web' } } });
  it('targets explicit IDs, even when the instance was not described', () => {
    expect(bindingTargets(b, vpcInstance('i-named'), 'i-named')).toBe(true);
    expect(bindingTargets(b, undefined, 'i-named')).toBe(true);
  });
  it('targets selector matches only', () => {
    expect(bindingTargets(b, vpcInstance('i-web', { tags: { app: 'web' } }), 'i-web')).toBe(true);
    expect(bindingTargets(b, vpcInstance('i-db', { tags: { app: 'db' } }), 'i-db')).toBe(false);
    expect(bindingTargets(b, undefined, 'i-web')).toBe(false);
  });
  it('never targets an instance of another region', () => {
    expect(bindingTargets(b, vpcInstance('i-named', { regionId: 'cn-beijing' }), 'i-named')).toBe(false);
    expect(bindingTargets(b, vpcInstance('i-web', { regionId: 'cn-beijing', tags: { app: 'web' } }), 'i-web')).toBe(false);
    expect(REGION).toBe(b.spec.regionId);
  });
});

describe('compareAge', () => {
  const at = (key: string, t: string) => binding(key, t);
  it('orders by creationTimestamp first', () => {
    expect(compareAge(at('z/z', '2026-01-01T00:00:00Z'), at('a/a', '2026-01-02T00:00:00Z'))).toBeLessThan(0);
    expect(compareAge(at('a/a', '2026-01-02T00:00:00Z'), at('z/z', '2026-01-01T00:00:00Z'))).toBeGreaterThan(0);
  });
  it('compares instants, not strings', () => {
    expect(compareAge(at('z/z', '2026-01-01T01:00:00+02:00'), at('a/a', '2026-01-01T00:00:00Z'))).toBeLessThan(0);
  });
  it('breaks ties by namespace, then name', () => {
    const t = '2026-01-01T00:00:00Z';
    const sorted = [at('team-b/x', t), at('team/z', t), at('team/a', t), at('alpha/z', t)].sort(compareAge).map((b) => b.key);
    expect(sorted).toEqual(['alpha/z', 'team/a', 'team/z', 'team-b/x']);
    expect(compareAge(at('ns/a', t), at('ns/a', t))).toBe(0);
  });
  it('sorts an unreadable timestamp as the youngest', () => {
    expect(compareAge(at('a/a', 'not a time'), at('z/z', '2026-01-01T00:00:00Z'))).toBeGreaterThan(0);
  });
});
