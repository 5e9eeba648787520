import { describe, expect, it } from 'vitest';
import { bindingTargets, compareAge, selectorMatches } from '../../../src/domain/claims.js';
import { REGION, binding, vpcInstance } from './fixtures.js';

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
