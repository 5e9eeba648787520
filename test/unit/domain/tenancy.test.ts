import { describe, expect, it } from 'vitest';
import type { InstanceRolePolicySpec } from '../../../src/api/instance-role-policy.js';
import {
  type PolicyView,
  examplePolicy,
  instanceGrant,
  labelSelectorMatches,
  normalizePolicy,
  policyCoversInstance,
  policyNeedsInstanceAttributes,
  policySelectsNamespace,
  tenancyGrant,
} from '../../../src/domain/tenancy.js';

const policy = (name: string, spec: InstanceRolePolicySpec): PolicyView => normalizePolicy(name, spec);
const ns = (name: string, labels: Record<string, string> = {}) => ({ name, labels });
const teamA = policy('team-a', { namespaces: ['team-a'], roles: ['TeamA*'], instances: { regionIds: ['cn-hangzhou'], vpcIds: ['vpc-a'], tags: { team: 'a' } } });
const teamB = policy('team-b', { namespaceSelector: { matchLabels: { tenant: 'b' } }, roles: ['TeamBWorker'], allowTakeover: true });
const binding = (namespace: string, roleName: string, regionId = 'cn-hangzhou') => ({ namespace, roleName, regionId });
const instance = (over: Partial<{ regionId: string; vpcId: string; tags: Record<string, string> }> = {}) => ({ regionId: 'cn-hangzhou', vpcId: 'vpc-a', tags: { team: 'a' }, ...over });

describe('labelSelectorMatches (metav1.LabelSelector)', () => {
  const labels = { tenant: 'a', tier: 'gold' };
  it.each([
    [{}, true],
    [{ matchLabels: { tenant: 'a' } }, true],
    [{ matchLabels: { tenant: 'b' } }, false],
    [{ matchLabels: { tenant: 'a', tier: 'gold' } }, true],
    [{ matchExpressions: [{ key: 'tenant', operator: 'In' as const, values: ['a', 'c'] }] }, true],
    [{ matchExpressions: [{ key: 'tenant', operator: 'In' as const, values: ['c'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'In' as const, values: ['x'] }] }, false],
    [{ matchExpressions: [{ key: 'tenant', operator: 'NotIn' as const, values: ['b'] }] }, true],
    [{ matchExpressions: [{ key: 'tenant', operator: 'NotIn' as const, values: ['a'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn' as const, values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'missing', operator: 'Exists' as const }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'DoesNotExist' as const }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' as const }] }, false],
    [{ matchLabels: { tenant: 'a' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' as const }] }, false],
  ])('%j → %s', (selector, expected) => {
    expect(labelSelectorMatches(selector, labels)).toBe(expected);
  });
});

describe('policySelectsNamespace', () => {
  it('selects by name or by labels', () => {
    expect(policySelectsNamespace(teamA, ns('team-a'))).toBe(true);
    expect(policySelectsNamespace(teamA, ns('team-b', { tenant: 'a' }))).toBe(false);
    expect(policySelectsNamespace(teamB, ns('anything', { tenant: 'b' }))).toBe(true);
    expect(policySelectsNamespace(teamB, ns('team-b'))).toBe(false);
  });
});

describe('tenancyGrant', () => {
  it('denies by default: no policy at all', () => {
    const grant = tenancyGrant(binding('team-a', 'TeamAWorker'), ns('team-a'), []);
    expect(grant).toEqual({
      permitted: false,
      message: `no InstanceRolePolicy selects namespace team-a, so role TeamAWorker may not be bound here; a cluster admin can permit it with: ${examplePolicy('team-a', 'TeamAWorker')}`,
    });
  });

  it('denies a role the selecting policy does not permit, naming the policy and what it permits', () => {
    const grant = tenancyGrant(binding('team-a', 'AdminRole'), ns('team-a'), [teamA, teamB]);
    expect(grant.permitted).toBe(false);
    if (!grant.permitted) {
      expect(grant.message).toContain('InstanceRolePolicy team-a selects namespace team-a but permits only roles TeamA*');
      expect(grant.message).toContain('role AdminRole may not be bound here');
      expect(grant.message).toContain('"roles":["AdminRole"]');
    }
  });

  it("never lets one team's policy permit another namespace", () => {
    expect(tenancyGrant(binding('team-a', 'TeamBWorker'), ns('team-a'), [teamA, teamB]).permitted).toBe(false);
    expect(tenancyGrant(binding('team-b', 'TeamAWorker'), ns('team-b', { tenant: 'b' }), [teamA, teamB]).permitted).toBe(false);
  });

  it('permits through every policy that selects the namespace and permits the role, matching role patterns without regard to case', () => {
    const alsoA = policy('a-extra', { namespaces: ['team-a'], roles: ['teamaworker'] });
    const grant = tenancyGrant(binding('team-a', 'TeamAWorker'), ns('team-a'), [teamB, teamA, alsoA]);
    expect(grant.permitted && grant.policies.map((p) => p.name)).toEqual(['a-extra', 'team-a']);
  });

  it('denies a region no permitting policy covers, saying which field to change', () => {
    const grant = tenancyGrant(binding('team-a', 'TeamAWorker', 'cn-beijing'), ns('team-a'), [teamA]);
    expect(grant).toEqual({
      permitted: false,
      message: 'InstanceRolePolicy team-a permits namespace team-a to bind role TeamAWorker but not in region cn-beijing; a cluster admin can add cn-beijing to spec.instances.regionIds',
    });
  });

  it('treats a namespace it cannot see as one without labels', () => {
    expect(tenancyGrant(binding('team-b', 'TeamBWorker'), undefined, [teamB]).permitted).toBe(false);
    expect(tenancyGrant(binding('team-a', 'TeamAWorker'), undefined, [teamA]).permitted).toBe(true);
  });
});

describe('instance constraints', () => {
  it('needs every given constraint to hold', () => {
    expect(policyCoversInstance(teamA, instance())).toBe(true);
    expect(policyCoversInstance(teamA, instance({ regionId: 'cn-beijing' }))).toBe(false);
    expect(policyCoversInstance(teamA, instance({ vpcId: 'vpc-b' }))).toBe(false);
    expect(policyCoversInstance(teamA, { regionId: 'cn-hangzhou', tags: { team: 'a' } })).toBe(false);
    expect(policyCoversInstance(teamA, instance({ tags: { team: 'b' } }))).toBe(false);
    expect(policyCoversInstance(teamA, instance({ tags: {} }))).toBe(false);
    expect(policyCoversInstance(teamA, instance({ tags: { team: 'a', extra: 'x' } }))).toBe(true);
  });

  it('covers every instance when the policy gives no constraints', () => {
    expect(policyCoversInstance(teamB, instance({ regionId: 'eu-central-1', vpcId: 'vpc-z', tags: {} }))).toBe(true);
    expect(policyNeedsInstanceAttributes(teamB)).toBe(false);
    expect(policyNeedsInstanceAttributes(teamA)).toBe(true);
    expect(policyNeedsInstanceAttributes(policy('r', { namespaces: ['x'], roles: ['R'], instances: { regionIds: ['cn-hangzhou'] } }))).toBe(false);
  });

  it('grants an instance through any permitting policy that covers it, with takeover only where a covering policy allows it', () => {
    const wideA = policy('a-wide', { namespaces: ['team-a'], roles: ['TeamA*'], allowTakeover: true, instances: { vpcIds: ['vpc-shared'] } });
    const grant = tenancyGrant(binding('team-a', 'TeamAWorker'), ns('team-a'), [teamA, wideA]);
    expect(instanceGrant(grant, instance())).toEqual({ permitted: true, policy: 'team-a', allowTakeover: false });
    expect(instanceGrant(grant, instance({ vpcId: 'vpc-shared', tags: {} }))).toEqual({ permitted: true, policy: 'a-wide', allowTakeover: true });
    expect(instanceGrant(grant, instance({ vpcId: 'vpc-b' }))).toEqual({ permitted: false });
    const denied = tenancyGrant(binding('team-a', 'Admin'), ns('team-a'), [teamA]);
    expect(instanceGrant(denied, instance())).toEqual({ permitted: false });
  });
});

describe('normalizePolicy', () => {
  it.each([
    [{ roles: ['R'] }, 'spec names no namespaces'],
    [{ namespaces: ['a'], roles: [] }, 'spec.roles is empty'],
    [{ namespaceSelector: { matchLabels: { 'bad key!': 'x' } }, roles: ['R'] }, '"bad key!" is not a valid label key'],
    [{ namespaceSelector: { matchExpressions: [{ key: 'k', operator: 'In' as const }] }, roles: ['R'] }, 'operator In on "k" needs values'],
    [{ namespaceSelector: { matchExpressions: [{ key: 'k', operator: 'Exists' as const, values: ['x'] }] }, roles: ['R'] }, 'operator Exists on "k" takes no values'],
  ])('rejects %j: %s', (spec, message) => {
    expect(() => normalizePolicy('p', spec as InstanceRolePolicySpec)).toThrow(message);
  });

  it('defaults allowTakeover to false and drops empty constraint lists', () => {
    const p = normalizePolicy('p', { namespaces: ['a'], roles: ['R'], instances: { regionIds: [], tags: {} } });
    expect(p.allowTakeover).toBe(false);
    expect(p.instances).toBeUndefined();
  });
});
