import { describe, expect, it } from 'vitest';
import { cleanupView, toBindingView } from '../../../src/domain/binding-view.js';
import { compareAge } from '../../../src/domain/claims.js';

const spec = { regionId: 'cn-hangzhou', roleName: 'R', instanceIds: ['i-a'] };

describe('toBindingView', () => {
  it('builds the key, the age, the normalized spec and whether it is deleting', () => {
    const viewed = toBindingView({ namespace: 'ns', name: 'a', uid: 'u-1', creationTimestamp: new Date('2026-01-01T00:00:00Z'), deletionTimestamp: '2026-02-01T00:00:00Z' }, spec, { defaultResyncPeriodMs: 60_000 });
    expect(viewed).toEqual({
      view: { key: 'ns/a', namespace: 'ns', uid: 'u-1', creationTimestamp: '2026-01-01T00:00:00.000Z', deleting: true, spec: expect.objectContaining({ roleName: 'R', resyncPeriodMs: 60_000 }) },
    });
  });

  it('says why a spec cannot be used', () => {
    expect(toBindingView({ namespace: 'ns', name: 'a' }, { regionId: 'cn-hangzhou', roleName: 'R' })).toEqual({
      invalid: 'spec names no instances: set spec.instanceIds, spec.instanceSelector, or both',
    });
  });

  it('gives the finalizer a view of a spec that is no longer valid: its region, deletionPolicy and mode (10.2)', () => {
    expect(cleanupView({ namespace: 'ns', name: 'a', uid: 'u-1', deletionTimestamp: 't' }, { regionId: 'cn-hangzhou', roleName: 'R', instanceIds: [], deletionPolicy: 'Orphan' })).toMatchObject({
      key: 'ns/a',
      uid: 'u-1',
      deleting: true,
      spec: { regionId: 'cn-hangzhou', roleName: 'R', instanceIds: [], deletionPolicy: 'Orphan', mode: 'Enforce' },
    });
    expect(cleanupView({ namespace: 'ns', name: 'a' }, { regionId: 'not a region' })).toBeUndefined();
  });

  it('makes a binding without creationTimestamp the youngest, for the controller and the audit alike', () => {
    const dated = toBindingView({ namespace: 'z', name: 'z', creationTimestamp: '2026-01-01T00:00:00Z' }, spec);
    const undated = toBindingView({ namespace: 'a', name: 'a' }, spec);
    if (!('view' in dated) || !('view' in undated)) throw new Error('valid specs');
    expect(undated.view.creationTimestamp).toBe('');
    expect(compareAge(dated.view, undated.view)).toBeLessThan(0);
  });
});
