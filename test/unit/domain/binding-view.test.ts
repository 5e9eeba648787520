import { describe, expect, it } from 'vitest';
import { toBindingView } from '../../../src/domain/binding-view.js';
import { compareAge } from '../../../src/domain/claims.js';

const spec = { regionId: 'cn-hangzhou', roleName: 'R', instanceIds: ['i-a'] };

describe('toBindingView', () => {
  it('builds the key, the age, the normalized spec and whether it is deleting', () => {
    const viewed = toBindingView({ namespace: 'ns', name: 'a', creationTimestamp: new Date('2026-01-01T00:00:00Z'), deletionTimestamp: '2026-02-01T00:00:00Z' }, spec, { defaultResyncPeriodMs: 60_000 });
    expect(viewed).toEqual({
      view: { key: 'ns/a', creationTimestamp: '2026-01-01T00:00:00.000Z', deleting: true, spec: expect.objectContaining({ roleName: 'R', resyncPeriodMs: 60_000 }) },
    });
  });

  it('says why a spec cannot be used', () => {
    expect(toBindingView({ namespace: 'ns', name: 'a' }, { regionId: 'cn-hangzhou', roleName: 'R' })).toEqual({
      invalid: 'spec names no instances: set spec.instanceIds, spec.instanceSelector, or both',
    });
  });

  it('makes a binding without creationTimestamp the youngest, for the controller and the audit alike', () => {
    const dated = toBindingView({ namespace: 'z', name: 'z', creationTimestamp: '2026-01-01T00:00:00Z' }, spec);
    const undated = toBindingView({ namespace: 'a', name: 'a' }, spec);
    if (!('view' in dated) || !('view' in undated)) throw new Error('valid specs');
    expect(undated.view.creationTimestamp).toBe('');
    expect(compareAge(dated.view, undated.view)).toBeLessThan(0);
  });
});
