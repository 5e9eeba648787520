import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, FINALIZER, PLURAL } from '../../../src/api/instance-role-binding.js';
import type { AuditReport } from '../../../src/audit/model.js';
import type { CloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { BINDINGS, EXPECTED_VERDICTS, removeTree, runAuditCommand, startAuditCloud, writeTree } from './fixtures.js';

const CRDS = ['instancerolebindings', 'instancerolepolicies'].map((plural) => join(packageRoot(), 'crds', `${plural}.roles.ecs.dev.yaml`));

describeEachTarget('cluster audit', (target) => {
  let sim: CloudSimulator;
  let kube: KubeTarget;
  let scratch: string;

  /** The valid bindings of the manifest fixture, as objects to create in the cluster. */
  function fixtureBindings(): Array<{ metadata: { name: string; namespace: string }; [k: string]: unknown }> {
    const out: Array<{ metadata: { name: string; namespace: string }; [k: string]: unknown }> = [];
    for (const file of ['apps/web/bindings.yaml', 'apps/api/list.yaml', 'apps/observe/observer.yaml', 'apps/guest/guest.yaml', 'shanghai/sh.yaml']) {
      for (const doc of parseAllDocuments(BINDINGS[file]!)) {
        const value = doc.toJS() as { kind: string; items?: unknown[] };
        const objects = (value.kind === 'List' ? value.items : [value]) as Array<{ kind: string; metadata: { name: string; namespace: string; creationTimestamp?: string } }>;
        for (const object of objects) {
          if (object.kind !== 'InstanceRoleBinding') continue;
          delete object.metadata.creationTimestamp; // the server sets it
          out.push(object);
        }
      }
    }
    return out;
  }

  beforeAll(async () => {
    sim = await startAuditCloud();
    kube = await startKubeTarget(target, { crdPaths: CRDS });
    scratch = writeTree({});
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    for (const name of ['platform', 'leaving', 'guest']) await core.createNamespace({ body: { metadata: { name } } });
    // The fixture's tenancy: the backend namespace with its label, and the policies.
    for (const doc of parseAllDocuments(BINDINGS['tenancy/policies.yaml']!)) {
      const object = doc.toJS() as { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: unknown };
      if (object.kind === 'Namespace') await core.createNamespace({ body: { metadata: object.metadata } });
      // The invalid policy of the manifests cannot pass the CRD's validation: the cluster has the others.
      else if (object.metadata.name !== 'broken') await custom.createClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: 'instancerolepolicies', body: object });
    }
    for (const body of fixtureBindings()) {
      await custom.createNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: PLURAL, namespace: body.metadata.namespace, body });
    }
    // A binding being deleted (its finalizer keeps it, with a deletionTimestamp): it claims nothing.
    await custom.createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      plural: PLURAL,
      namespace: 'leaving',
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'InstanceRoleBinding',
        metadata: { name: 'gone-soon', finalizers: [FINALIZER] },
        spec: { regionId: 'cn-hangzhou', roleName: 'StrayRole', instanceIds: ['i-free1', 'i-neverexisted'] },
      },
    });
    await custom.deleteNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: PLURAL, namespace: 'leaving', name: 'gone-soon' });
  });

  afterAll(async () => {
    await kube?.stop();
    await sim?.close();
    if (scratch) removeTree(scratch);
  });

  describe('ecs-role-operator audit --kubeconfig FILE', () => {
    it('json: bindings listed from every namespace of the cluster give every verdict', async () => {
      const { stdout, exitCode } = await runAuditCommand(sim, ['--kubeconfig', kube.kubeconfigPath, '--region', 'cn-hangzhou', '-o', 'json']);
      const report = JSON.parse(stdout) as AuditReport;
      expect(Object.fromEntries(report.instances.map((i) => [i.instanceId, i.verdict]))).toMatchObject(EXPECTED_VERDICTS);
      expect(report.totals).toEqual({ InSync: 122, Drifted: 3, Unmanaged: 1, Conflict: 1, Missing: 1, NotVpc: 1, Observed: 1, NotPermitted: 1 });
      // Tenancy from the cluster: the policies, and the namespace label the backend policy selects by.
      expect(report.policies.map((p) => [p.name, p.valid, p.bindings])).toEqual([['backend', true, 3], ['platform', true, 3]]);
      expect(report.instances.find((i) => i.instanceId === 'i-fc1')?.policy).toBe('backend');
      expect(report.notPermittedBindings.map((b) => b.key)).toEqual(['guest/intruder']);
      const conflict = report.instances.find((i) => i.instanceId === 'i-conf1')!;
      expect([...conflict.claimedBy].sort()).toEqual(['backend/api', 'platform/web']);
      // It carries WebRole, which platform/web wants: platform owns the role there and keeps it, as the
      // controller decides (a binding of another namespace never displaces it, however old).
      expect(conflict.desiredRole).toBe('WebRole');
      expect(conflict.detail).toContain("platform/web wants WebRole and wins: the role it carries is its namespace's");
      expect(report.instances.find((i) => i.instanceId === 'i-free1')?.claimedBy).toEqual([]);
      expect(report.instances.some((i) => i.instanceId === 'i-neverexisted')).toBe(false);
      expect(report.untrustedRoles).toEqual(['FcRole']);
      expect(report.invalidBindings).toEqual([]);
      expect(report.bindingsOutsideRegions).toEqual(['platform/sh-web']);
      // 7 finding instances + 1 binding not permitted + 1 untrusted role
      expect(report.findings).toBe(9);
      expect(exitCode).toBe(3);
    });

    it('--tenancy disabled judges every binding as permitted, as an operator run with --tenancy=disabled would', async () => {
      const { stdout } = await runAuditCommand(sim, ['--kubeconfig', kube.kubeconfigPath, '--region', 'cn-hangzhou', '--tenancy', 'disabled', '-o', 'json']);
      const report = JSON.parse(stdout) as AuditReport;
      expect(report.tenancy).toBe('disabled');
      expect(report.instances.find((i) => i.instanceId === 'i-guest1')).toMatchObject({ verdict: 'Drifted', policy: null, claimedBy: ['guest/intruder'] });
      expect(report.notPermittedBindings).toEqual([]);
    });

    it('table and csv from the cluster', async () => {
      const table = await runAuditCommand(sim, ['--kubeconfig', kube.kubeconfigPath, '--region', 'cn-hangzhou']);
      const lines = table.stdout.split('\n');
      for (const [id, verdict] of Object.entries(EXPECTED_VERDICTS)) {
        expect(lines.find((l) => l.split(/\s+/)[1] === id)).toMatch(new RegExp(`\\s${verdict}\\s`));
      }
      expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(/^131 instances: 122 InSync, 3 Drifted, 1 Unmanaged, 1 Conflict, 1 Missing, 1 NotVpc, 1 Observed, 1 NotPermitted\. 9 findings/);
      expect(table.exitCode).toBe(3);

      const csv = await runAuditCommand(sim, ['--kubeconfig', kube.kubeconfigPath, '--region', 'cn-hangzhou', '--output', 'csv']);
      const rows = csv.stdout.trimEnd().split('\r\n');
      expect(rows).toHaveLength(132);
      const verdictOf = new Map(rows.slice(1).map((r) => [r.split(',')[1], r.split(',')[9]]));
      for (const [id, verdict] of Object.entries(EXPECTED_VERDICTS)) expect(verdictOf.get(id)).toBe(verdict);
      expect(csv.exitCode).toBe(3);
    });

    it('in sync: exit status 0', async () => {
      const { stdout, exitCode } = await runAuditCommand(sim, ['--kubeconfig', kube.kubeconfigPath, '--region', 'cn-shanghai', '-o', 'json']);
      const report = JSON.parse(stdout) as AuditReport;
      expect(report.totals.InSync).toBe(2);
      expect(report.findings).toBe(0);
      expect(exitCode).toBe(0);
    });

    it('an identity that may not list bindings gets a message naming the permission', async () => {
      const path = join(scratch, 'nobody.kubeconfig');
      await kube.kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'nobody' } } });
      writeFileSync(path, kube.kubeconfigFor(await kube.serviceAccountToken('default', 'nobody')));
      await expect(runAuditCommand(sim, ['--kubeconfig', path, '--region', 'cn-hangzhou'])).rejects.toThrow(
        /not allowed to list instancerolebindings\.roles\.ecs\.dev in all namespaces .*\(403\): grant get\/list/,
      );
    });

    it('a kubeconfig that cannot be read is named, with the fix', async () => {
      await expect(runAuditCommand(sim, ['--kubeconfig', join(scratch, 'missing.kubeconfig'), '--region', 'cn-hangzhou'])).rejects.toThrow(
        /--kubeconfig .*missing\.kubeconfig: .*missing\.kubeconfig does not exist; pass the path of a kubeconfig file/,
      );
      await expect(runAuditCommand(sim, ['--kubeconfig', scratch, '--region', 'cn-hangzhou'])).rejects.toThrow(/is a directory; pass the path of a kubeconfig file/);
    });
  });
});
