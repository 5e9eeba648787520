import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readManifestBindings } from '../../../src/audit/manifest-bindings.js';
import type { AuditReport } from '../../../src/audit/model.js';
import { runAudit } from '../../../src/audit/run-audit.js';
import { createAlibabaCloudApi } from '../../../src/cloud/alibaba-cloud-api.js';
import { createAccessKeyCredential } from '../../../src/cloud/credentials.js';
import type { CloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { AUDITOR, BINDINGS, EXPECTED_VERDICTS, NO_RAM, VALID_POLICIES, removeTree, runAuditCommand, startAuditCloud, writeTree } from './fixtures.js';

let sim: CloudSimulator;
let manifests: string;
let shanghaiOnly: string;

beforeAll(async () => {
  sim = await startAuditCloud();
  manifests = writeTree(BINDINGS);
  shanghaiOnly = writeTree({ 'sh.yaml': BINDINGS['shanghai/sh.yaml']!, 'policies.yaml': VALID_POLICIES });
});
afterAll(async () => {
  await sim.close();
  removeTree(manifests);
  removeTree(shanghaiOnly);
});
beforeEach(async () => {
  await fetch(`${sim.url}/sim/calls`, { method: 'DELETE' });
});

async function simCalls(action: string): Promise<Array<{ params: Record<string, unknown> }>> {
  const calls = (await (await fetch(`${sim.url}/sim/calls`)).json()) as Array<{ action: string; params: Record<string, unknown> }>;
  return calls.filter((c) => c.action === action);
}

describe('bindings from a manifest directory', () => {
  it('reads every InstanceRoleBinding recursively, multi-document and List items, skipping the rest', async () => {
    const read = await readManifestBindings(manifests);
    expect(read.bindings.map((b) => [b.view.key, b.source]).sort()).toEqual([
      ['backend/api', 'apps/api/list.yaml'],
      ['backend/fc', 'apps/api/list.yaml'],
      ['backend/observer', 'apps/observe/observer.yaml'],
      ['guest/intruder', 'apps/guest/guest.yaml'],
      ['platform/batch', 'apps/web/bindings.yaml (document 3)'],
      ['platform/sh-web', 'shanghai/sh.yaml'],
      ['platform/web', 'apps/web/bindings.yaml (document 1)'],
    ]);
    expect(read.invalidBindings).toEqual([
      { key: 'backend/no-targets', source: 'apps/bad/bad.yml', message: expect.stringContaining('spec names no instances') },
    ]);
    expect(read.warnings).toEqual([expect.stringMatching(/^charts\/web\/templates\/deployment\.yaml: skipped: does not parse as YAML/)]);
    expect(read.files).toBe(9); // .git is not walked
    expect(read.policies.map((p) => [p.name, 'view' in p.checked])).toEqual([['platform', true], ['backend', true], ['broken', false]]);
    expect(read.namespaces).toEqual([{ name: 'backend', labels: { tier: 'backend' } }]);
  });

  it('reports an unparseable file that mentions InstanceRoleBinding as an invalid binding', async () => {
    const dir = writeTree({ 'broken.yaml': 'kind: InstanceRoleBinding\nmetadata: {name: x\n' });
    try {
      const read = await readManifestBindings(dir);
      expect(read.bindings).toEqual([]);
      expect(read.invalidBindings).toEqual([
        { key: '', source: 'broken.yaml', message: expect.stringMatching(/mentions InstanceRoleBinding but does not parse as YAML/) },
      ]);
    } finally {
      removeTree(dir);
    }
  });

  it('fails clearly when the directory does not exist', async () => {
    await expect(readManifestBindings('/nonexistent/manifests')).rejects.toThrow('--manifests /nonexistent/manifests: no such directory');
  });
});

describe('ecs-role-operator audit --manifests DIR', () => {
  it('json: every verdict, role totals, untrusted roles, invalid bindings; exit status 3', async () => {
    const { stdout, stderr, exitCode } = await runAuditCommand(sim, ['--region', 'cn-hangzhou', '--manifests', manifests, '--output', 'json']);
    const report = JSON.parse(stdout) as AuditReport;
    const verdicts = Object.fromEntries(report.instances.map((i) => [i.instanceId, i.verdict]));
    expect(verdicts).toMatchObject(EXPECTED_VERDICTS);
    expect(report.instances.filter((i) => i.instanceId.startsWith('i-batch')).every((i) => i.verdict === 'InSync' && i.currentRole === 'ApiRole')).toBe(true);
    expect(report.totals).toEqual({ InSync: 122, Drifted: 3, Unmanaged: 1, Conflict: 1, Missing: 1, NotVpc: 1, Observed: 1, NotPermitted: 1 });
    expect(report.tenancy).toBe('enforce');
    expect(report.instances.find((i) => i.instanceId === 'i-guest1')).toMatchObject({ policy: 'NotPermitted', claimedBy: ['guest/intruder'], desiredRole: null });
    expect(report.instances.find((i) => i.instanceId === 'i-sync1')?.policy).toBe('platform');
    expect(report.instances.find((i) => i.instanceId === 'i-batch001')?.policy).toBe('platform');
    expect(report.instances.find((i) => i.instanceId === 'i-stray1')?.policy).toBeNull();
    expect(report.notPermittedBindings).toEqual([{ key: 'guest/intruder', source: 'apps/guest/guest.yaml', message: expect.stringContaining('no InstanceRolePolicy selects namespace guest') }]);
    expect(report.policies.map((p) => [p.name, p.valid, p.bindings, p.instances])).toEqual([
      ['backend', true, 3, 2],
      ['broken', false, 0, 0],
      ['platform', true, 3, 126],
    ]);
    expect(report.instances.find((i) => i.instanceId === 'i-conf1')).toMatchObject({
      currentRole: 'WebRole',
      desiredRole: 'WebRole',
      claimedBy: ['platform/web', 'backend/api'],
    });
    expect(report.instances.find((i) => i.instanceId === 'i-drift2')).toMatchObject({ currentRole: 'StrayRole', desiredRole: 'WebRole', claimedBy: ['platform/web'] });
    expect(report.roles.map((r) => [r.roleName, r.exists, r.trustsEcs, r.attached, r.desired, r.inSync, r.drifted, r.unmanaged])).toEqual([
      ['ApiRole', true, true, 120, 120, 120, 0, 0],
      ['FcRole', true, false, 0, 1, 0, 1, 0],
      ['StrayRole', true, true, 4, 0, 0, 0, 1],
      ['WebRole', true, true, 2, 5, 1, 2, 0],
    ]);
    expect(report.untrustedRoles).toEqual(['FcRole']);
    expect(report.missingRoles).toEqual([]);
    expect(report.invalidBindings.map((b) => b.key)).toEqual(['backend/no-targets']);
    expect(report.bindingsOutsideRegions).toEqual(['platform/sh-web']);
    // 7 finding instances + 1 invalid binding + 1 binding not permitted + 1 invalid policy + 1 untrusted role
    expect(report.findings).toBe(11);
    expect(exitCode).toBe(3);
    expect(stderr).toContain('warning: charts/web/templates/deployment.yaml: skipped');
  });

  it('reads the cloud in batches: whole-region pages of 100, roles 50 at a time, each role once', async () => {
    await runAuditCommand(sim, ['--region', 'cn-hangzhou', '--manifests', manifests, '--output', 'json']);
    const describes = await simCalls('DescribeInstances');
    expect(describes.map((c) => c.params.MaxResults)).toEqual(['100', '100']);
    const roleReads = await simCalls('DescribeInstanceRamRole');
    expect(roleReads.map((c) => (c.params.InstanceIds as string[]).length).sort((a, b) => b - a)).toEqual([50, 50, 29]);
    expect(roleReads.every((c) => !(c.params.InstanceIds as string[]).includes('i-classic1'))).toBe(true);
    expect((await simCalls('GetRole')).map((c) => c.params.RoleName).sort()).toEqual(['ApiRole', 'FcRole', 'StrayRole', 'WebRole']);
    expect(await simCalls('AttachInstanceRamRole')).toEqual([]);
    expect(await simCalls('DetachInstanceRamRole')).toEqual([]);
  });

  it('table (default): one row per instance with its verdict, role totals and a summary line', async () => {
    const { stdout, exitCode } = await runAuditCommand(sim, ['--region', 'cn-hangzhou', '--manifests', manifests]);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^REGION\s+INSTANCE\s+NETWORK\s+ROLE\s+DESIRED\s+BINDINGS\s+POLICY\s+VERDICT\s+DETAIL$/);
    for (const [id, verdict] of Object.entries(EXPECTED_VERDICTS)) {
      expect(lines.find((l) => l.split(/\s+/)[1] === id)).toMatch(new RegExp(`\\s${verdict}\\s`));
    }
    expect(stdout).toMatch(/^FcRole\s+yes\s+no\s+0\s+1\s+0\s+1\s+0\s+backend\/fc$/m);
    expect(stdout).toContain('Roles whose trust policy does not allow ECS: FcRole');
    expect(stdout).toContain('backend/no-targets in apps/bad/bad.yml');
    expect(stdout).toContain('Bindings of other regions (not audited): platform/sh-web');
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^131 instances: 122 InSync, 3 Drifted, 1 Unmanaged, 1 Conflict, 1 Missing, 1 NotVpc, 1 Observed, 1 NotPermitted\. 11 findings/);
    expect(exitCode).toBe(3);
  });

  it('csv: a header and one row per instance', async () => {
    const { stdout, exitCode } = await runAuditCommand(sim, ['--region', 'cn-hangzhou', '--manifests', manifests, '-o', 'csv']);
    const rows = stdout.trimEnd().split('\r\n');
    expect(rows[0]).toBe('region,instance_id,network,vpc_id,status,current_role,desired_role,claimed_by,policy,verdict,detail');
    expect(rows).toHaveLength(1 + 131);
    const byId = new Map(rows.slice(1).map((r) => [r.split(',')[1], r.split(',')]));
    for (const [id, verdict] of Object.entries(EXPECTED_VERDICTS)) expect(byId.get(id)?.[9]).toBe(verdict);
    expect(byId.get('i-conf1')?.slice(0, 10)).toEqual(['cn-hangzhou', 'i-conf1', 'vpc', 'vpc-main', 'Running', 'WebRole', 'WebRole', 'platform/web backend/api', 'platform', 'Conflict']);
    expect(byId.get('i-missing1')?.slice(0, 10)).toEqual(['cn-hangzhou', 'i-missing1', '', '', '', '', 'WebRole', 'platform/web', 'platform', 'Missing']);
    expect(exitCode).toBe(3);
  });

  it('--only-findings lists only the findings; totals still count everything', async () => {
    const { stdout } = await runAuditCommand(sim, ['--region', 'cn-hangzhou', '--manifests', manifests, '-o', 'json', '--only-findings']);
    const report = JSON.parse(stdout) as AuditReport;
    expect(report.instances.map((i) => i.instanceId).sort()).toEqual(['i-classic1', 'i-conf1', 'i-drift1', 'i-drift2', 'i-fc1', 'i-guest1', 'i-missing1']);
    expect(report.totals.InSync).toBe(122);
  });

  it('audits every region the bindings name when --region is not given', async () => {
    const { stdout } = await runAuditCommand(sim, ['--manifests', manifests, '-o', 'json']);
    const report = JSON.parse(stdout) as AuditReport;
    expect(report.regions).toEqual(['cn-hangzhou', 'cn-shanghai']);
    expect(report.instances.find((i) => i.instanceId === 'i-sh1')).toMatchObject({ verdict: 'InSync', claimedBy: ['platform/sh-web'] });
    expect(report.bindingsOutsideRegions).toEqual([]);
  });

  it('exit status 0 when everything is in sync, then 3 once a role drifts out of band', async () => {
    const clean = await runAuditCommand(sim, ['--region', 'cn-shanghai', '--manifests', shanghaiOnly]);
    expect(clean.exitCode).toBe(0);
    expect(clean.stdout.trimEnd().split('\n').at(-1)).toBe('2 instances: 2 InSync, 0 Drifted, 0 Unmanaged, 0 Conflict, 0 Missing, 0 NotVpc, 0 Observed, 0 NotPermitted. in sync.');

    const put = await fetch(`${sim.url}/sim/instances/i-sh1/role`, { method: 'PUT', body: JSON.stringify({ roleName: null }) });
    expect(put.status).toBe(200);
    try {
      const drifted = await runAuditCommand(sim, ['--region', 'cn-shanghai', '--manifests', shanghaiOnly, '-o', 'json']);
      expect(drifted.exitCode).toBe(3);
      const report = JSON.parse(drifted.stdout) as AuditReport;
      expect(report.instances.find((i) => i.instanceId === 'i-sh1')).toMatchObject({ verdict: 'Drifted', currentRole: null, desiredRole: 'WebRole' });
    } finally {
      await fetch(`${sim.url}/sim/instances/i-sh1/role`, { method: 'PUT', body: JSON.stringify({ roleName: 'WebRole' }) });
    }
  });

  it('fails with a clear message on an unknown region, a missing directory, or nothing to audit', async () => {
    await expect(runAuditCommand(sim, ['--region', 'cn-nowhere', '--manifests', shanghaiOnly])).rejects.toThrow(
      /audit failed: DescribeInstances: InvalidRegionId\.NotFound: .*\(Fix spec\.regionId/,
    );
    await expect(runAuditCommand(sim, ['--region', 'cn-hangzhou', '--manifests', '/nonexistent/dir'])).rejects.toThrow(/no such directory/);
    const empty = writeTree({ 'readme.yaml': 'title: nothing here\n' });
    try {
      await expect(runAuditCommand(sim, ['--manifests', empty])).rejects.toThrow(/no region to audit: .*pass --region REGION/);
    } finally {
      removeTree(empty);
    }
    await expect(runAuditCommand(sim, ['--region', 'Hangzhou', '--manifests', empty])).rejects.toThrow(/--region must be a region ID/);
    await expect(runAuditCommand(sim, ['--manifests', shanghaiOnly, '-o', 'yaml'])).rejects.toThrow(/--output must be one of table, json, csv/);
    await expect(runAuditCommand(sim, ['--manifests', shanghaiOnly, '--kubeconfig', '/tmp/kc'])).rejects.toThrow(/cannot be used with/);
  });

  it('names the missing permission when the identity may not read RAM roles', async () => {
    await expect(runAuditCommand(sim, ['--manifests', shanghaiOnly], NO_RAM)).rejects.toThrow(
      /audit failed: GetRole: Forbidden\.RAM: .*\(the audit's RAM identity needs ecs:DescribeInstances, ecs:DescribeInstanceRamRole and ram:GetRole\)/,
    );
  });

  it('rides out throttling and server errors by retrying', async () => {
    const fault = (body: object) => fetch(`${sim.url}/sim/faults`, { method: 'POST', body: JSON.stringify(body) });
    await fault({ action: 'DescribeInstanceRamRole', code: 'Throttling', status: 400, count: 2 });
    await fault({ action: 'GetRole', code: 'ServiceUnavailable', status: 503, count: 1 });
    try {
      const cloud = createAlibabaCloudApi({
        ecsEndpoint: sim.endpoint,
        ramEndpoint: sim.endpoint,
        protocol: 'http',
        credential: createAccessKeyCredential(AUDITOR.id, AUDITOR.secret),
      });
      const { report } = await runAudit({ regions: ['cn-hangzhou'], bindings: { kind: 'manifests', dir: manifests }, cloud, inventory: { retryBaseMs: 10 } });
      expect(report.totals).toEqual({ InSync: 122, Drifted: 3, Unmanaged: 1, Conflict: 1, Missing: 1, NotVpc: 1, Observed: 1, NotPermitted: 1 });
      const calls = (await (await fetch(`${sim.url}/sim/calls`)).json()) as Array<{ action: string; code: string }>;
      expect(calls.filter((c) => c.code === 'Throttling')).toHaveLength(2);
      expect(calls.filter((c) => c.code === 'ServiceUnavailable')).toHaveLength(1);
    } finally {
      await fetch(`${sim.url}/sim/faults`, { method: 'DELETE' });
    }
  });

  it('reports broken manifests even without --region or any valid binding (exit 3), instead of "no region to audit"', async () => {
    const dir = writeTree({ 'bad.yaml': BINDINGS['apps/bad/bad.yml']! });
    try {
      const { stdout, stderr, exitCode } = await runAuditCommand(sim, ['--manifests', dir]);
      expect(stdout).toContain('Invalid bindings (ignored):');
      expect(stdout).toContain('backend/no-targets in bad.yaml: spec names no instances');
      expect(stderr).toContain('no valid binding names a region, so no instance was audited: pass --region REGION');
      expect(exitCode).toBe(3);
    } finally {
      removeTree(dir);
    }
  });

  it('--only-findings on a region without findings says so, not that it has no instances', async () => {
    const dir = writeTree({ 'ok.yaml': BINDINGS['shanghai/sh.yaml']!, 'policies.yaml': VALID_POLICIES });
    try {
      const { stdout, exitCode } = await runAuditCommand(sim, ['--manifests', dir, '--only-findings']);
      expect(stdout.split('\n')[0]).toBe('No findings among the 2 instances of cn-shanghai.');
      expect(exitCode).toBe(0);
    } finally {
      removeTree(dir);
    }
  });

  it('an HTTPS request to a plain-HTTP endpoint suggests --protocol http', async () => {
    await expect(runAuditCommand(sim, ['--region', 'cn-hangzhou', '--manifests', manifests, '--protocol', 'https'])).rejects.toThrow(
      /audit failed: [\s\S]*\(the endpoint answers plain HTTP, not HTTPS: pass --protocol http, as for the cloud simulator\)/,
    );
  });

  it('a cloud error that outlasts the retries tells the audit user to run it again, not that "the operator retries"', async () => {
    await fetch(`${sim.url}/sim/faults`, { method: 'POST', body: JSON.stringify({ action: 'DescribeInstances', code: 'ServiceUnavailable', status: 503, count: 1000 }) });
    try {
      const failure = runAuditCommand(sim, ['--region', 'cn-hangzhou', '--manifests', manifests]);
      await expect(failure).rejects.toThrow(/ServiceUnavailable.*\(a transient cloud error: run the audit again/);
      await expect(failure).rejects.not.toThrow(/operator/);
    } finally {
      await fetch(`${sim.url}/sim/faults`, { method: 'DELETE' });
    }
  }, 60_000);
});
