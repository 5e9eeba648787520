import { describe, expect, it } from 'vitest';
import { computePolicyStatus, permittedBindingsOf, samePolicyStatus } from '../../../src/domain/policy-status.js';
import { normalizePolicy } from '../../../src/domain/tenancy.js';
import { binding, permissionsOf } from './fixtures.js';

const NOW = '2026-11-23T10:00:00.000Z';
const LATER = '2026-11-23T10:05:00.000Z';
const view = normalizePolicy('team-a', { namespaces: ['team-a'], roles: ['TeamA*'] });
const verdict = (s: ReturnType<typeof computePolicyStatus>) => (s.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);

describe('InstanceRolePolicy status', () => {
  it('valid and enforced: Ready PolicyValid with the count of bindings it permits', () => {
    const s = computePolicyStatus({ generation: 2, checked: { view }, permittedBindings: 3, enforced: true, previous: undefined, now: NOW });
    expect(verdict(s)).toEqual(['Ready=True/PolicyValid', 'Reconciling=False/PolicyValid', 'Stalled=False/PolicyValid']);
    expect(s).toMatchObject({ observedGeneration: 2, permittedBindings: 3 });
    expect(s.conditions?.[0]?.message).toBe('in force: permits 3 InstanceRoleBindings now');
  });

  it('invalid: Stalled InvalidPolicy with the field to fix, permitting nothing', () => {
    const s = computePolicyStatus({ generation: 1, checked: { invalid: 'spec.roles is empty: list the RAM role names' }, permittedBindings: 0, enforced: true, previous: undefined, now: NOW });
    expect(verdict(s)).toEqual(['Ready=False/InvalidPolicy', 'Reconciling=False/InvalidPolicy', 'Stalled=True/InvalidPolicy']);
    expect(s.conditions?.[2]?.message).toBe('the policy cannot be used and permits nothing: spec.roles is empty: list the RAM role names');
  });

  it('tenancy disabled: Ready False TenancyDisabled, permitting nothing', () => {
    const s = computePolicyStatus({ generation: 1, checked: { view }, permittedBindings: 3, enforced: false, previous: undefined, now: NOW });
    expect(verdict(s)).toEqual(['Ready=False/TenancyDisabled', 'Reconciling=False/TenancyDisabled', 'Stalled=False/TenancyDisabled']);
    expect(s.permittedBindings).toBe(0);
  });

  it('keeps lastTransitionTime while a condition keeps its status; says when nothing changed', () => {
    const first = computePolicyStatus({ generation: 1, checked: { view }, permittedBindings: 1, enforced: true, previous: undefined, now: NOW });
    const again = computePolicyStatus({ generation: 1, checked: { view }, permittedBindings: 1, enforced: true, previous: first, now: LATER });
    expect(again.conditions?.[0]?.lastTransitionTime).toBe(NOW);
    expect(samePolicyStatus(first, again)).toBe(true);
    const more = computePolicyStatus({ generation: 1, checked: { view }, permittedBindings: 2, enforced: true, previous: first, now: LATER });
    expect(samePolicyStatus(first, more)).toBe(false);
    expect(samePolicyStatus(undefined, more)).toBe(false);
  });

  it('counts the live bindings for which it is a permitting policy', () => {
    const permissions = permissionsOf({ 'team-a': { namespaces: ['team-a'], roles: ['TeamA*'] }, also: { namespaces: ['team-a'], roles: ['*'] } });
    const bindings = [
      binding('team-a/web', '2026-01-01T00:00:00Z', { roleName: 'TeamAWorker' }),
      binding('team-a/admin', '2026-01-01T00:00:00Z', { roleName: 'Admin' }),
      binding('team-a/gone', '2026-01-01T00:00:00Z', { roleName: 'TeamAWorker' }, true),
      binding('team-b/web', '2026-01-01T00:00:00Z', { roleName: 'TeamAWorker' }),
    ];
    expect(permittedBindingsOf('team-a', bindings, permissions)).toBe(1);
    expect(permittedBindingsOf('also', bindings, permissions)).toBe(2);
  });
});
