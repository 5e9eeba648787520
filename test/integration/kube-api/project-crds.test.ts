/**
 * The CRDs in crds/ on each Kubernetes target: `kubectl apply -f crds/` installs them without a
 * warning (a real kube-apiserver compiles every CEL rule and refuses one over its cost budget), the
 * server keeps every rule and enforces them, `kubectl explain` documents both kinds, and
 * `kubectl get irb -o wide` prints the wide printer columns.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { Kubectl } from './helpers.js';

const CRDS_DIR = new URL('../../../crds/', import.meta.url).pathname;
const CRD_FILES = readdirSync(CRDS_DIR).filter((f) => f.endsWith('.yaml')).sort();

/** Every x-kubernetes-validations rule under a schema, in document order. */
function celRules(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(celRules);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === 'x-kubernetes-validations' && Array.isArray(v) ? [...(v as Array<{ rule: string }>).map((r) => r.rule), ...celRules(v)] : celRules(v),
  );
}

describeEachTarget('the CRDs in crds/', (target) => {
  let kube: KubeTarget;
  let kubectl: Kubectl;

  beforeAll(async () => {
    kube = await startKubeTarget(target, { crdPaths: [] });
    kubectl = new Kubectl(kube);
  });
  afterAll(async () => {
    kubectl?.cleanup();
    await kube?.stop();
  });

  it('install with kubectl apply, without a warning, and become Established with every CEL rule kept', async () => {
    const applied = await kubectl.run(['apply', '-f', CRDS_DIR]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const names = CRD_FILES.map((f) => (parse(readFileSync(join(CRDS_DIR, f), 'utf8')) as { metadata: { name: string } }).metadata.name);
    expect(applied.stdout.trim().split('\n').sort()).toEqual(names.map((n) => `customresourcedefinition.apiextensions.k8s.io/${n} created`).sort());
    await kubectl.ok(['wait', '--for=condition=Established', ...names.map((n) => `crd/${n}`), '--timeout=60s']);
    for (const file of CRD_FILES) {
      const shipped = parse(readFileSync(join(CRDS_DIR, file), 'utf8')) as { metadata: { name: string }; spec: unknown };
      const stored = JSON.parse(await kubectl.ok(['get', 'crd', shipped.metadata.name, '-o', 'json'])) as {
        spec: unknown;
        status: { conditions: Array<{ type: string; status: string }> };
      };
      const conditions = Object.fromEntries(stored.status.conditions.map((c) => [c.type, c.status]));
      expect(conditions, file).toMatchObject({ Established: 'True', NamesAccepted: 'True' });
      expect(conditions['NonStructuralSchema'], file).toBeUndefined();
      // The server returns object keys in its own order: compare the rules as sets.
      expect(celRules(stored.spec).sort(), file).toEqual(celRules(shipped.spec).sort());
      expect(celRules(shipped.spec).length, file).toBeGreaterThan(0);
    }
  });

  it('enforces the CEL rules: on create, and transition rules on update', async () => {
    const noInstances = await kubectl.run(['apply', '-f', '-'], 'apiVersion: roles.ecs.dev/v1alpha1\nkind: InstanceRoleBinding\nmetadata: {name: nothing, namespace: default}\nspec: {regionId: cn-hangzhou, roleName: R}\n');
    expect(noInstances.code).not.toBe(0);
    expect(noInstances.stderr).toContain('name the instances: set spec.instanceIds (at least one ID), spec.instanceSelector, or both');
    const good = (region: string) => `apiVersion: roles.ecs.dev/v1alpha1\nkind: InstanceRoleBinding\nmetadata: {name: moving, namespace: default}\nspec: {regionId: ${region}, roleName: R, instanceIds: [i-abc]}\n`;
    await kubectl.ok(['apply', '-f', '-'], good('cn-hangzhou'));
    const moved = await kubectl.run(['apply', '-f', '-'], good('cn-shanghai'));
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain('regionId is immutable; create a new InstanceRoleBinding for another region');
  });

  it('kubectl explain documents InstanceRoleBinding (irb) and InstanceRolePolicy (irp)', async () => {
    const flat = (s: string) => s.replace(/\s+/g, ' ');
    const irb = flat(await kubectl.ok(['explain', 'irb']));
    expect(irb).toContain('KIND: InstanceRoleBinding');
    expect(irb).toContain('GROUP: roles.ecs.dev');
    expect(irb).toContain('VERSION: v1alpha1');
    expect(irb).toContain('InstanceRoleBinding declares which RAM role a set of Alibaba Cloud ECS instances must carry.');
    expect(flat(await kubectl.ok(['explain', 'irb.spec.mode']))).toContain('Enforce (default) attaches and corrects drift');
    const irp = flat(await kubectl.ok(['explain', 'irp']));
    expect(irp).toContain('KIND: InstanceRolePolicy');
    expect(irp).toContain('says which namespaces may bind which RAM roles to which ECS instances');
  });

  it('kubectl get irb -o wide prints the wide columns (Mode, Conflicts, Errors, Last-Sync); without -o wide they are left out', async () => {
    await kubectl.ok(['apply', '-f', '-'], 'apiVersion: roles.ecs.dev/v1alpha1\nkind: InstanceRoleBinding\nmetadata: {name: wide, namespace: default}\nspec: {regionId: cn-hangzhou, roleName: WebRole, mode: Observe, instanceIds: [i-abc, i-def]}\n');
    const lastSync = new Date(Date.now() - 5_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const status = {
      observedGeneration: 1,
      lastSyncTime: lastSync,
      summary: { desired: 2, bound: 1, conflicts: 1, errors: 0 },
      conditions: [{ type: 'Ready', status: 'False', reason: 'Conflict', message: '1 instance carries another role', lastTransitionTime: lastSync }],
    };
    await kubectl.ok(['patch', 'irb', 'wide', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
    const [header, row] = rows(await kubectl.ok(['get', 'irb', 'wide', '-o', 'wide']));
    expect(header).toEqual(['NAME', 'ROLE', 'REGION', 'BOUND', 'DESIRED', 'READY', 'REASON', 'MODE', 'CONFLICTS', 'ERRORS', 'LAST-SYNC', 'AGE']);
    expect(row).toEqual(['wide', 'WebRole', 'cn-hangzhou', '1', '2', 'False', 'Conflict', 'Observe', '1', '0', expect.stringMatching(/^\d+s$/), expect.stringMatching(/^\d+s$/)]);
    const [narrow] = rows(await kubectl.ok(['get', 'irb', 'wide']));
    expect(narrow).toEqual(['NAME', 'ROLE', 'REGION', 'BOUND', 'DESIRED', 'READY', 'REASON', 'AGE']);
  });
});
