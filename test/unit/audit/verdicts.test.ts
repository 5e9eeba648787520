import type { AuditPolicy } from '../../../src/audit/model.js';
import { auditTenancy } from '../../../src/audit/tenancy-records.js';
import { normalizePolicy } from '../../../src/domain/tenancy.js';
import { describe, expect, it } from 'vitest';
import { computeAudit, auditExitCode } from '../../../src/audit/verdicts.js';
import type { InstanceAudit } from '../../../src/audit/model.js';
import { REGION, binding, classic, input, region, role, vpc } from './fixtures.js';

function row(rows: InstanceAudit[], instanceId: string): InstanceAudit {
  const found = rows.find((r) => r.instanceId === instanceId);
  if (!found) throw new Error(`no row for ${instanceId}`);
  return found;
}

describe('computeAudit verdicts', () => {
  it('InSync when the instance carries the role its binding wants', () => {
    const report = computeAudit(input([region([[vpc('i-a'), 'Web']])], [binding('ns/web', { roleName: 'Web', instanceIds: ['i-a'] })], [role('Web')]));
    expect(row(report.instances, 'i-a')).toMatchObject({ verdict: 'InSync', currentRole: 'Web', desiredRole: 'Web', claimedBy: ['ns/web'] });
    expect(report.findings).toBe(0);
    expect(auditExitCode(report)).toBe(0);
  });

  it('InSync when no binding claims the instance and it carries no role', () => {
    const report = computeAudit(input([region([[vpc('i-a'), null]])], [], []));
    expect(row(report.instances, 'i-a')).toMatchObject({ verdict: 'InSync', currentRole: null, desiredRole: null, claimedBy: [] });
    expect(auditExitCode(report)).toBe(0);
  });

  it('Drifted when the claimed instance carries no role', () => {
    const report = computeAudit(input([region([[vpc('i-a'), null]])], [binding('ns/web', { roleName: 'Web', instanceIds: ['i-a'] })], [role('Web')]));
    const r = row(report.instances, 'i-a');
    expect(r).toMatchObject({ verdict: 'Drifted', currentRole: null, desiredRole: 'Web' });
    expect(r.detail).toContain('carries no role');
    expect(auditExitCode(report)).toBe(3);
  });

  it('Drifted when the claimed instance carries another role, and says whether takeover applies', () => {
    const bindings = [
      binding('ns/web', { roleName: 'Web', instanceIds: ['i-a'] }),
      binding('ns/takeover', { roleName: 'Web', instanceIds: ['i-b'], takeover: true }),
    ];
    const report = computeAudit(input([region([[vpc('i-a'), 'Old'], [vpc('i-b'), 'Old']])], bindings, [role('Web'), role('Old')]));
    expect(row(report.instances, 'i-a')).toMatchObject({ verdict: 'Drifted', currentRole: 'Old', desiredRole: 'Web' });
    expect(row(report.instances, 'i-a').detail).toContain('unless a binding sets takeover: true');
    expect(row(report.instances, 'i-b').detail).toContain('takeover is set');
  });

  it('Drifted detail names a desired role that does not exist or does not trust ECS', () => {
    const bindings = [
      binding('ns/ghost', { roleName: 'Ghost', instanceIds: ['i-a'] }),
      binding('ns/fc', { roleName: 'FcOnly', instanceIds: ['i-b'] }),
    ];
    const report = computeAudit(input([region([[vpc('i-a'), null], [vpc('i-b'), null]])], bindings, [['Ghost', null], role('FcOnly', false)]));
    expect(row(report.instances, 'i-a').detail).toContain('Role Ghost does not exist in RAM');
    expect(row(report.instances, 'i-b').detail).toContain('does not trust ecs.aliyuncs.com');
    expect(report.missingRoles).toEqual(['Ghost']);
    expect(report.untrustedRoles).toEqual(['FcOnly']);
    // two drifted instances + one missing role + one untrusted role
    expect(report.findings).toBe(4);
  });

  it('Unmanaged when the instance carries a role and no binding claims it; not a finding', () => {
    const report = computeAudit(input([region([[vpc('i-a'), 'Stray']])], [], [role('Stray')]));
    expect(row(report.instances, 'i-a')).toMatchObject({ verdict: 'Unmanaged', currentRole: 'Stray', desiredRole: null, claimedBy: [] });
    expect(report.findings).toBe(0);
    expect(auditExitCode(report)).toBe(0);
  });

  it('Conflict when claiming bindings want different roles; the oldest decides the desired role', () => {
    const bindings = [
      binding('b/young', { roleName: 'Young', instanceIds: ['i-a'] }, { created: '2026-02-01T00:00:00Z' }),
      binding('a/old', { roleName: 'Old', instanceSelector: { tags: { app: 'web' } } }, { created: '2026-01-01T00:00:00Z' }),
    ];
    const report = computeAudit(input([region([[vpc('i-a', { app: 'web' }), 'Old']])], bindings, [role('Old'), role('Young')]));
    const r = row(report.instances, 'i-a');
    expect(r).toMatchObject({ verdict: 'Conflict', desiredRole: 'Old', claimedBy: ['a/old', 'b/young'] });
    expect(r.detail).toContain("a/old wants Old and wins: the role it carries is its namespace's");
    expect(r.detail).toContain('b/young wants Young');
    expect(auditExitCode(report)).toBe(3);
  });

  it('shared role: two bindings wanting the same role are not a conflict', () => {
    const bindings = [
      binding('ns/one', { roleName: 'Web', instanceIds: ['i-a'] }),
      binding('ns/two', { roleName: 'Web', instanceSelector: { vpcId: 'vpc-main' } }),
    ];
    const report = computeAudit(input([region([[vpc('i-a'), 'Web']])], bindings, [role('Web')]));
    expect(row(report.instances, 'i-a')).toMatchObject({ verdict: 'InSync', claimedBy: ['ns/one', 'ns/two'] });
  });

  it('Missing when a binding names an instance ID the region does not have', () => {
    const bindings = [
      binding('ns/web', { roleName: 'Web', instanceIds: ['i-a', 'i-gone'] }),
      binding('ns/other', { roleName: 'Web', instanceIds: ['i-gone'] }, { created: '2026-03-01T00:00:00Z' }),
    ];
    const report = computeAudit(input([region([[vpc('i-a'), 'Web']])], bindings, [role('Web')]));
    const r = row(report.instances, 'i-gone');
    expect(r).toMatchObject({ verdict: 'Missing', currentRole: null, desiredRole: 'Web', claimedBy: ['ns/web', 'ns/other'] });
    expect(r.networkType).toBeUndefined();
    expect(r.detail).toContain(`region ${REGION} has no such instance`);
    expect(report.totals.Missing).toBe(1);
  });

  it('NotVpc when a claimed instance is on the classic network; unclaimed classic instances are InSync', () => {
    const bindings = [binding('ns/web', { roleName: 'Web', instanceSelector: { tags: { app: 'web' } } })];
    const report = computeAudit(input([region([[classic('i-old', { app: 'web' }), null], [classic('i-other'), null]])], bindings, [role('Web')]));
    expect(row(report.instances, 'i-old')).toMatchObject({ verdict: 'NotVpc', desiredRole: 'Web', currentRole: null });
    expect(row(report.instances, 'i-old').detail).toContain('Classic-network');
    expect(row(report.instances, 'i-other')).toMatchObject({ verdict: 'InSync', claimedBy: [] });
  });

  it('selector semantics: tags are ANDed and vpcId must match', () => {
    const bindings = [binding('ns/sel', { roleName: 'Web', instanceSelector: { tags: { app: 'web', env: 'prod' }, vpcId: 'vpc-main' } })];
    const report = computeAudit(
      input(
        [
          region([
            [vpc('i-match', { app: 'web', env: 'prod' }), null],
            [vpc('i-onetag', { app: 'web' }), null],
            [vpc('i-othervpc', { app: 'web', env: 'prod' }, 'vpc-other'), null],
          ]),
        ],
        bindings,
        [role('Web')],
      ),
    );
    expect(row(report.instances, 'i-match').verdict).toBe('Drifted');
    expect(row(report.instances, 'i-onetag').claimedBy).toEqual([]);
    expect(row(report.instances, 'i-othervpc').claimedBy).toEqual([]);
  });

  it('a binding being deleted claims nothing', () => {
    const bindings = [binding('ns/web', { roleName: 'Web', instanceIds: ['i-a', 'i-gone'] }, { deleting: true })];
    const report = computeAudit(input([region([[vpc('i-a'), 'Web']])], bindings, [role('Web')]));
    expect(row(report.instances, 'i-a').verdict).toBe('Unmanaged');
    expect(report.instances.some((r) => r.instanceId === 'i-gone')).toBe(false);
  });

  it('bindings of other regions are listed, not evaluated', () => {
    const bindings = [binding('ns/web', { roleName: 'Web', regionId: 'cn-beijing', instanceIds: ['i-a'] })];
    const report = computeAudit(input([region([[vpc('i-a'), null]])], bindings, []));
    expect(row(report.instances, 'i-a').verdict).toBe('InSync');
    expect(report.bindingsOutsideRegions).toEqual(['ns/web']);
  });

  it('an instance is claimed only by bindings of its own region', () => {
    const bindings = [binding('ns/bj', { roleName: 'Web', regionId: 'cn-beijing', instanceSelector: { tags: { app: 'web' } } })];
    const report = computeAudit(
      input([region([[vpc('i-a', { app: 'web' }), null]]), region([[vpc('i-b', { app: 'web' }), 'Web']], 'cn-beijing')], bindings, [role('Web')]),
    );
    expect(row(report.instances, 'i-a').claimedBy).toEqual([]);
    expect(row(report.instances, 'i-b')).toMatchObject({ regionId: 'cn-beijing', verdict: 'InSync' });
    expect(report.regions).toEqual(['cn-beijing', 'cn-hangzhou']);
    expect(report.instances.map((r) => r.regionId)).toEqual(['cn-beijing', 'cn-hangzhou']);
  });

  it('invalid bindings count as findings', () => {
    const report = computeAudit({
      ...input([region([[vpc('i-a'), null]])], [], []),
      invalidBindings: [{ key: 'ns/bad', source: 'x.yaml', message: 'spec.roleName is wrong' }],
    });
    expect(report.findings).toBe(1);
    expect(auditExitCode(report)).toBe(3);
  });
});

describe('computeAudit role totals', () => {
  it('counts attached, desired, in-sync, drifted and unmanaged instances per role', () => {
    const bindings = [binding('ns/web', { roleName: 'Web', instanceSelector: { tags: { app: 'web' } }, instanceIds: ['i-gone'] })];
    const report = computeAudit(
      input(
        [
          region([
            [vpc('i-1', { app: 'web' }), 'Web'],
            [vpc('i-2', { app: 'web' }), 'Web'],
            [vpc('i-3', { app: 'web' }), null],
            [vpc('i-4', { app: 'web' }), 'Stray'],
            [vpc('i-5'), 'Stray'],
            [vpc('i-6'), 'Web'],
          ]),
        ],
        bindings,
        [role('Web'), role('Stray', false)],
      ),
    );
    const web = report.roles.find((r) => r.roleName === 'Web');
    const stray = report.roles.find((r) => r.roleName === 'Stray');
    expect(web).toEqual({
      roleName: 'Web',
      exists: true,
      trustsEcs: true,
      arn: 'acs:ram::123:role/web',
      attached: 3,
      desired: 4,
      inSync: 2,
      drifted: 2,
      unmanaged: 1,
      bindings: ['ns/web'],
    });
    expect(stray).toMatchObject({ attached: 2, desired: 0, inSync: 0, drifted: 0, unmanaged: 1, trustsEcs: false, bindings: [] });
    expect(report.totals).toEqual({ InSync: 2, Drifted: 2, Unmanaged: 2, Conflict: 0, Missing: 1, NotVpc: 0, Observed: 0, NotPermitted: 0 });
    expect(report.untrustedRoles).toEqual(['Stray']);
  });
});

describe('computeAudit tenancy', () => {
  const policies: AuditPolicy[] = [
    { name: 'team-a', source: 'p.yaml', checked: { view: normalizePolicy('team-a', { namespaces: ['team-a'], roles: ['TeamA*'], instances: { tags: { team: 'a' } } }) } },
  ];
  const tenancy = auditTenancy('enforce', policies, []);
  const world = region([
    [vpc('i-a1', { team: 'a' }), null],
    [vpc('i-b1', { team: 'b' }), 'TeamBWorker'],
    [vpc('i-b2', { team: 'b', app: 'web' }), 'TeamBWorker'],
  ]);

  it('names the permitting policy per instance; an ID named only by bindings not permitted there is NotPermitted; a selector match outside the policy is no claim', () => {
    const bindings = [
      binding('team-a/web', { roleName: 'TeamAWorker', instanceIds: ['i-a1', 'i-b1'], instanceSelector: { tags: { app: 'web' } } }),
      binding('team-a/admin', { roleName: 'AccountAdmin', instanceIds: ['i-a1'] }),
    ];
    const report = computeAudit({ ...input([world], bindings, [role('TeamAWorker'), role('TeamBWorker'), role('AccountAdmin')]), tenancy });
    expect(row(report.instances, 'i-a1')).toMatchObject({ verdict: 'Drifted', policy: 'team-a', claimedBy: ['team-a/web'] });
    expect(row(report.instances, 'i-b1')).toMatchObject({ verdict: 'NotPermitted', policy: 'NotPermitted', claimedBy: ['team-a/web'], desiredRole: null });
    expect(row(report.instances, 'i-b1').detail).toBe(
      'team-a/web names i-b1, but no InstanceRolePolicy permits its namespace and role on it: the operator neither reads nor changes it for it. Remove the ID, or have a cluster admin extend a policy\'s spec.instances.',
    );
    expect(row(report.instances, 'i-b2')).toMatchObject({ verdict: 'Unmanaged', policy: null, claimedBy: [] });
    expect(report.notPermittedBindings).toEqual([{ key: 'team-a/admin', source: 'test', message: expect.stringContaining('role AccountAdmin may not be bound here') }]);
    expect(report.policies).toEqual([{ name: 'team-a', source: 'p.yaml', valid: true, bindings: 1, instances: 1 }]);
    expect(report.tenancy).toBe('enforce');
    // Drifted i-a1 + NotPermitted i-b1 + the admin binding
    expect(report.findings).toBe(3);
  });

  it('without tenancy every binding counts as permitted', () => {
    const bindings = [binding('team-a/web', { roleName: 'TeamAWorker', instanceIds: ['i-b1'] })];
    const report = computeAudit({ ...input([world], bindings, [role('TeamAWorker'), role('TeamBWorker')]), tenancy: auditTenancy('disabled', policies, []) });
    expect(row(report.instances, 'i-b1')).toMatchObject({ verdict: 'Drifted', policy: null });
    expect(report.tenancy).toBe('disabled');
  });

  it('compares role names the one way (10.3) and says "wants" for one binding (10.11)', () => {
    const bindings = [
      binding('team-a/lower', { roleName: 'teamaworker', instanceIds: ['i-a1'] }, { created: '2026-01-01T00:00:00Z' }),
      binding('team-a/typo-role', { roleName: 'TeamATypo', instanceIds: ['i-a1'] }, { created: '2026-02-01T00:00:00Z' }),
    ];
    const carrying = region([[vpc('i-a1', { team: 'a' }), 'TeamAWorker']]);
    const report = computeAudit({ ...input([carrying], bindings.slice(0, 1), [role('TeamAWorker')]), tenancy });
    expect(row(report.instances, 'i-a1')).toMatchObject({ verdict: 'InSync' });
    expect(report.roles.map((r) => [r.roleName, r.attached, r.inSync])).toEqual([['TeamAWorker', 1, 1]]);
    const conflict = computeAudit({ ...input([carrying], bindings, [role('TeamAWorker'), role('TeamATypo')]), tenancy });
    expect(row(conflict.instances, 'i-a1').detail).toContain('team-a/typo-role wants TeamATypo');
  });
});
