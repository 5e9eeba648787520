import { describe, expect, it } from 'vitest';
import { UNRESTRICTED, holderIdentity, identityOf } from '../../../src/domain/permissions.js';
import { binding, permissionsOf, vpcInstance } from './fixtures.js';

describe('Permissions', () => {
  const permissions = permissionsOf(
    {
      'team-a': { namespaces: ['team-a'], roles: ['TeamA*'], instances: { tags: { team: 'a' } }, allowTakeover: true },
      'team-b': { namespaceSelector: { matchLabels: { tenant: 'b' } }, roles: ['TeamB*'], instances: { regionIds: ['cn-hangzhou'] } },
    },
    { 'team-b': { tenant: 'b' } },
  );
  const web = binding('team-a/web', '2026-01-01T00:00:00Z', { roleName: 'TeamAWorker' });

  it('answers for a binding by its namespace, role and region, and for an instance by the grant of those', () => {
    expect(permissions.enforced).toBe(true);
    expect(permissions.binding(identityOf(web))).toMatchObject({ permitted: true, policies: [expect.objectContaining({ name: 'team-a' })] });
    expect(permissions.instance(identityOf(web), vpcInstance('i-1', { tags: { team: 'a' } }))).toEqual({ permitted: true, policy: 'team-a', allowTakeover: true });
    expect(permissions.instance(identityOf(web), vpcInstance('i-2', { tags: { team: 'b' } }))).toEqual({ permitted: false });
    // The role it holds, not the one it names now, decides a release.
    expect(permissions.binding(holderIdentity(web, 'Admin')).permitted).toBe(false);
  });

  it('judges an instance that was not described by its region alone: tag or VPC constraints permit no unknown ID', () => {
    expect(permissions.instance(identityOf(web), undefined)).toEqual({ permitted: false });
    const api = binding('team-b/api', '2026-01-01T00:00:00Z', { roleName: 'TeamBWorker' });
    expect(permissions.instance(identityOf(api), undefined)).toEqual({ permitted: true, policy: 'team-b', allowTakeover: false });
  });

  it('answers the same for the same question (memoized per namespace, role and region; role names in any case)', () => {
    const first = permissions.binding({ namespace: 'team-a', roleName: 'TeamAWorker', regionId: 'cn-hangzhou' });
    expect(permissions.binding({ namespace: 'team-a', roleName: 'teamaworker', regionId: 'cn-hangzhou' })).toBe(first);
  });

  it('UNRESTRICTED (--tenancy=disabled) permits everything, takeover included', () => {
    expect(UNRESTRICTED.enforced).toBe(false);
    expect(UNRESTRICTED.binding({ namespace: 'any', roleName: 'Admin', regionId: 'x' })).toEqual({ permitted: true, policies: [] });
    expect(UNRESTRICTED.instance(identityOf(web), undefined)).toEqual({ permitted: true, policy: null, allowTakeover: true });
  });
});
