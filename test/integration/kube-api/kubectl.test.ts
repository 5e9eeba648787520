/**
 * The real kubectl (1.32) on each Kubernetes target (the emulator and a real kube-apiserver): CRDs, printer columns, watch, wait, explain,
 * validation errors, server-side and client-side apply, finalizers, RBAC under a service account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { DEPLOY_DIR, eventually, GADGET_CRD, Kubectl, PROJECT_CRD_PATH, WIDGET_CRD } from './helpers.js';

describeEachTarget('kubectl', (target) => {
  let kube: KubeTarget;
  let kubectl: Kubectl;

  const widget = (name: string, spec: string, extra = ''): string => `
apiVersion: test.example.dev/v1
kind: Widget
metadata: {name: ${name}, namespace: default${extra}}
spec: ${spec}
`;

  beforeAll(async () => {
    kube = await startKubeTarget(target, { crdPaths: [PROJECT_CRD_PATH] });
    kubectl = new Kubectl(kube);
    await kubectl.ok(['apply', '-f', '-'], WIDGET_CRD + '\n---\n' + GADGET_CRD);
  });

  afterAll(async () => {
    kubectl?.cleanup();
    await kube?.stop();
  });

  describe('kubectl against the kube emulator', () => {
    it('serves a freshly applied CRD: established condition, short name, category, cluster scope', async () => {
      const waited = await kubectl.ok(['wait', '--for', 'condition=established', 'crd/widgets.test.example.dev', '--timeout=10s']);
      expect(waited).toContain('condition met');
      expect(await kubectl.ok(['get', 'crd', 'widgets.test.example.dev', '--no-headers'])).toMatch(/^widgets\.test\.example\.dev\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
      const resources = await kubectl.ok(['api-resources', '--api-group=test.example.dev']);
      expect(resources).toMatch(/widgets\s+wd\s+test\.example\.dev\/v1\s+true\s+Widget/);
      expect(resources).toMatch(/gadgets\s+gd\s+test\.example\.dev\/v1\s+false\s+Gadget/);
      await kubectl.ok(['apply', '-f', '-'], 'apiVersion: test.example.dev/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {anything: [1, 2]}\n');
      expect(await kubectl.ok(['get', 'gd', 'g1', '-o', 'jsonpath={.spec.anything[1]}'])).toBe('2');
      await kubectl.ok(['apply', '-f', '-'], widget('cat1', '{size: 1}'));
      expect(await kubectl.ok(['get', 'testing', '-o', 'name'])).toContain('widget.test.example.dev/cat1');
    });

    it('prints the printer columns of custom kinds, with defaults applied', async () => {
      await kubectl.ok(['apply', '-f', '-'], widget('w1', '{size: 3}'));
      const out = await kubectl.ok(['get', 'wd', 'w1']);
      const [header, row] = out.trim().split('\n');
      expect(header?.split(/\s+/)).toEqual(['NAME', 'SIZE', 'COLOR', 'PHASE', 'AGE']);
      expect(row).toMatch(/^w1\s+3\s+green\s+\S+s$/);

      await kubectl.ok(['apply', '-f', `${DEPLOY_DIR}/examples/oss-readers.yaml`]);
      const irb = await kubectl.ok(['get', 'irb', '-n', 'platform']);
      expect(irb.split('\n')[0]?.split(/\s+/)).toEqual(['NAME', 'ROLE', 'REGION', 'BOUND', 'DESIRED', 'READY', 'REASON', 'AGE']);
      expect(irb).toMatch(/oss-readers\s+EcsRamRoleDocumentTesting\s+cn-hangzhou/);
    });

    it('explains custom kinds from the OpenAPI v3 documents', async () => {
      const spec = await kubectl.ok(['explain', 'widgets.spec']);
      expect(spec).toContain('KIND:       Widget');
      expect(spec).toMatch(/size\s+<integer> -required-/);
      expect(spec).toContain('How big the widget is.');
      const role = await kubectl.ok(['explain', 'instancerolebindings.spec.roleName']);
      expect(role).toContain('Name of the RAM role the instances must carry');
    });

    it('rejects invalid objects with the real server\'s readable messages', async () => {
      const tooSmall = await kubectl.run(['apply', '-f', '-'], widget('bad', '{size: 0}'));
      expect(tooSmall.code).not.toBe(0);
      expect(tooSmall.stderr).toContain('The Widget "bad" is invalid: spec.size: Invalid value: 0');
      const badRole = await kubectl.run(['apply', '-f', '-'], 'apiVersion: roles.ecs.dev/v1alpha1\nkind: InstanceRoleBinding\nmetadata: {name: bad, namespace: default}\nspec: {regionId: cn-hangzhou, roleName: "no spaces!", instanceIds: [i-abc]}\n');
      expect(badRole.stderr).toContain('The InstanceRoleBinding "bad" is invalid: spec.roleName: Invalid value: "no spaces!"');
      const unknown = await kubectl.run(['apply', '-f', '-'], widget('bad', '{size: 2, shape: round}'));
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain('strict decoding error: unknown field "spec.shape"');
      const warned = await kubectl.run(['apply', '--validate=warn', '-f', '-'], widget('lenient', '{size: 2, shape: round}'));
      expect(warned.code).toBe(0);
      expect(warned.stderr).toContain('unknown field "spec.shape"');
      expect(await kubectl.ok(['get', 'wd', 'lenient', '-o', 'jsonpath={.spec}'])).not.toContain('shape');

      await kubectl.ok(['apply', '-f', '-'], widget('owned', '{size: 2, owner: alice}'));
      const changedOwner = await kubectl.run(['apply', '-f', '-'], widget('owned', '{size: 2, owner: bob}'));
      expect(changedOwner.stderr).toContain('spec.owner: Invalid value: "string": owner is immutable');
    });

    it('streams changes to `get -w`', async () => {
      const child = kubectl.spawn(['get', 'wd', '-w']);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await eventually('the initial listing', () => (/\nw1\s+3\s+green/.test(out) ? true : undefined));
        await kubectl.ok(['patch', 'wd', 'w1', '--type=merge', '-p', '{"spec":{"size":5}}']);
        await eventually('the modified row', () => (/\nw1\s+5\s+green/.test(out) ? true : undefined));
      } finally {
        child.kill();
      }
    });

    it('`wait --for=condition=Ready` returns once a status patch sets the condition', async () => {
      const child = kubectl.spawn(['wait', '--for=condition=Ready', 'wd/w1', '--timeout=15s']);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      await kubectl.ok(['patch', 'wd', 'w1', '--subresource=status', '--type=merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Painted"}]}}']);
      expect(await exited).toBe(0);
      expect(out).toContain('widget.test.example.dev/w1 condition met');
      expect(await kubectl.ok(['get', 'wd', 'w1', '--no-headers'])).toMatch(/^w1\s+5\s+green\s+Painted/);
    });

    it('server-side apply owns fields, reports conflicts, and takes them over with --force-conflicts', async () => {
      const file = kubectl.file('w2.yaml', widget('w2', '{size: 2}'));
      expect(await kubectl.ok(['apply', '--server-side', '-f', file])).toContain('widget.test.example.dev/w2 serverside-applied');
      await kubectl.ok(['patch', 'wd', 'w2', '--type=merge', '--field-manager=other-tool', '-p', '{"spec":{"size":7}}']);
      const conflicted = await kubectl.run(['apply', '--server-side', '-f', file]);
      expect(conflicted.code).not.toBe(0);
      expect(conflicted.stderr).toContain('conflict with "other-tool"');
      expect(conflicted.stderr).toContain('.spec.size');
      expect(await kubectl.ok(['get', 'wd', 'w2', '-o', 'jsonpath={.spec.size}'])).toBe('7');
      await kubectl.ok(['apply', '--server-side', '--force-conflicts', '-f', file]);
      expect(await kubectl.ok(['get', 'wd', 'w2', '-o', 'jsonpath={.spec.size}'])).toBe('2');
    });

    it('moves from client-side to server-side apply without conflicts on fields nobody else changed', async () => {
      await kubectl.ok(['apply', '-f', '-'], widget('w4', '{size: 1, color: red}'));
      await kubectl.ok(['apply', '--server-side', '-f', '-'], widget('w4', '{size: 3, color: red}'));
      expect(await kubectl.ok(['get', 'wd', 'w4', '-o', 'jsonpath={.spec.size}'])).toBe('3');
      await kubectl.ok(['apply', '-f', '-'], widget('w5', '{size: 1, color: red}'));
      await kubectl.ok(['patch', 'wd', 'w5', '--type=merge', '--field-manager=other-tool', '-p', '{"spec":{"color":"blue"}}']);
      const conflicted = await kubectl.run(['apply', '--server-side', '-f', '-'], widget('w5', '{size: 3, color: red}'));
      expect(conflicted.code).not.toBe(0);
      expect(conflicted.stderr).toContain('Apply failed with 1 conflict: conflict with "other-tool" using test.example.dev/v1: .spec.color');
    });

    it('client-side apply records last-applied and applies the difference on the second run', async () => {
      await kubectl.ok(['apply', '-f', '-'], widget('w3', '{size: 1, color: red}'));
      const first = await kubectl.ok(['get', 'wd', 'w3', '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}']);
      expect(JSON.parse(first)).toMatchObject({ spec: { size: 1, color: 'red' } });
      expect(await kubectl.ok(['apply', '-f', '-'], widget('w3', '{size: 4}'))).toContain('widget.test.example.dev/w3 configured');
      expect(await kubectl.ok(['get', 'wd', 'w3', '-o', 'jsonpath={.spec.size} {.spec.color} {.metadata.generation}'])).toBe('4 green 2');
      const second = await kubectl.ok(['get', 'wd', 'w3', '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}']);
      expect(JSON.parse(second)).toMatchObject({ spec: { size: 4 } });
      expect(await kubectl.ok(['apply', '-f', '-'], widget('w3', '{size: 4}'))).toContain('widget.test.example.dev/w3 unchanged');
    });

    it('keeps an object with a finalizer Terminating until the finalizer is removed', async () => {
      await kubectl.ok(['patch', 'wd', 'w3', '--type=merge', '-p', '{"metadata":{"finalizers":["test.example.dev/cleanup"]}}']);
      await kubectl.ok(['delete', 'wd', 'w3', '--wait=false']);
      const terminating = await kubectl.ok(['get', 'wd', 'w3', '-o', 'jsonpath={.metadata.deletionTimestamp}|{.metadata.generation}']);
      expect(terminating).toMatch(/^\d{4}-\d\d-\d\dT.*Z\|3$/);
      await kubectl.ok(['patch', 'wd', 'w3', '--type=json', '-p', '[{"op":"test","path":"/metadata/finalizers/0","value":"test.example.dev/cleanup"},{"op":"remove","path":"/metadata/finalizers"}]']);
      const gone = await kubectl.run(['get', 'wd', 'w3']);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toContain('Error from server (NotFound): widgets.test.example.dev "w3" not found');
    });

    it('deletes an object without finalizers, waiting until it is gone, and describes custom objects', async () => {
      const described = await kubectl.ok(['describe', 'wd', 'w1']);
      expect(described).toMatch(/Name:\s+w1/);
      expect(described).toMatch(/Size:\s+5/);
      expect(await kubectl.ok(['delete', 'wd', 'lenient'])).toContain('widget.test.example.dev "lenient" deleted');
      expect((await kubectl.run(['get', 'wd', 'lenient'])).code).not.toBe(0);
    });

    it('client-side applies a built-in kind twice with a strategic merge patch keyed by container name', async () => {
      const deployment = (image: string, env: string): string => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: app, image: ${image}, env: ${env}}
        - {name: sidecar, image: busybox}
`;
      await kubectl.ok(['apply', '-f', '-'], deployment('nginx:1', '[{name: A, value: "1"}, {name: B, value: "2"}]'));
      expect(await kubectl.ok(['apply', '-f', '-'], deployment('nginx:2', '[{name: A, value: "1"}]'))).toContain('deployment.apps/web configured');
      const containers = JSON.parse(await kubectl.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers}'])) as unknown;
      // As kube-apiserver returns them: with the container defaults (pull policy from the tag) and `resources: {}`.
      const defaults = { resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
      expect(containers).toEqual([
        { name: 'app', image: 'nginx:2', env: [{ name: 'A', value: '1' }], imagePullPolicy: 'IfNotPresent', ...defaults },
        { name: 'sidecar', image: 'busybox', imagePullPolicy: 'Always', ...defaults },
      ]);
      expect(await kubectl.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.generation}'])).toBe('2');
    });

    it('stops serving a kind whose CRD is deleted, and deletes its objects', async () => {
      await kubectl.ok(['delete', 'crd', 'gadgets.test.example.dev']);
      const after = await kubectl.run(['get', 'gadgets.test.example.dev', 'g1']);
      expect(after.code).not.toBe(0);
      await kubectl.ok(['apply', '-f', '-'], GADGET_CRD);
      await kubectl.ok(['wait', '--for', 'condition=established', 'crd/gadgets.test.example.dev', '--timeout=10s']);
      expect((await kubectl.ok(['get', 'gadgets.test.example.dev', '-o', 'name'])).trim()).toBe('');
    });

    it('validates built-in kinds: unknown fields, required fields, an immutable roleRef', async () => {
      const typo = await kubectl.run(['apply', '-f', '-'], 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: typo, namespace: default}\nrules:\n  - {apiGroups: [""], resources: [secrets], verb: [get]}\n');
      expect(typo.code).not.toBe(0);
      expect(typo.stderr).toContain('strict decoding error: unknown field "rules[0].verb"');
      const missing = await kubectl.run(['apply', '--validate=false', '-f', '-'], 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: typo, namespace: default}\nrules:\n  - {apiGroups: [""], resources: [secrets]}\n');
      expect(missing.stderr).toContain('The Role "typo" is invalid: rules[0].verbs: Required value');
      const binding = (role: string): string =>
        `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: default}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${role}}\nsubjects: [{kind: ServiceAccount, name: x, namespace: default}]\n`;
      await kubectl.ok(['apply', '-f', '-'], binding('one'));
      const changed = await kubectl.run(['apply', '-f', '-'], binding('two'));
      expect(changed.stderr).toContain('The RoleBinding "rb" is invalid: roleRef: Invalid value');
      expect(changed.stderr).toContain('cannot change roleRef');
    });

    it('answers `auth can-i` and enforces RBAC for a service account token', async () => {
      await kubectl.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: widget-reader, namespace: default}
rules:
  - {apiGroups: [test.example.dev], resources: [widgets], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-reads-widgets, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: widget-reader}
subjects:
  - {kind: ServiceAccount, name: reader, namespace: default}
`);
      const reader = new Kubectl(kube, kube.kubeconfigFor(await kube.serviceAccountToken('default', 'reader')));
      try {
        expect((await reader.ok(['auth', 'can-i', 'list', 'widgets.test.example.dev'])).trim()).toBe('yes');
        const denied = await reader.run(['auth', 'can-i', 'delete', 'widgets.test.example.dev']);
        expect(denied.stdout.trim()).toBe('no');
        expect(denied.code).toBe(1);
        expect((await reader.run(['auth', 'can-i', 'list', 'widgets.test.example.dev', '-n', 'kube-system'])).stdout.trim()).toBe('no');
        expect(await reader.ok(['get', 'wd', '-o', 'name'])).toContain('widget.test.example.dev/w1');
        const forbidden = await reader.run(['delete', 'wd', 'w1']);
        expect(forbidden.stderr).toContain(
          'Error from server (Forbidden): widgets.test.example.dev "w1" is forbidden: User "system:serviceaccount:default:reader" cannot delete resource "widgets" in API group "test.example.dev" in the namespace "default"',
        );
        expect((await reader.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim()).toBe('system:serviceaccount:default:reader');
        // Impersonation: the admin may act as the service account; the service account may not act as anyone.
        const as = ['--as=system:serviceaccount:default:reader'];
        expect((await kubectl.ok(['auth', 'can-i', 'list', 'widgets.test.example.dev', ...as])).trim()).toBe('yes');
        expect((await kubectl.run(['auth', 'can-i', 'delete', 'widgets.test.example.dev', ...as])).stdout.trim()).toBe('no');
        const impersonating = await reader.run(['get', 'wd', '--as=admin']);
        expect(impersonating.stderr).toContain('users "admin" is forbidden: User "system:serviceaccount:default:reader" cannot impersonate resource "users" in API group "" at the cluster scope');
      } finally {
        reader.cleanup();
      }
    });

    it('applies the deploy/ kustomization, whose RBAC lets the operator service account do its job', async () => {
      await kubectl.ok(['apply', '-k', DEPLOY_DIR]);
      const operator = new Kubectl(kube, kube.kubeconfigFor(await kube.serviceAccountToken('ecs-role-operator-system', 'ecs-role-operator')));
      try {
        expect((await operator.ok(['auth', 'can-i', 'watch', 'instancerolebindings.roles.ecs.dev', '--all-namespaces'])).trim()).toBe('yes');
        expect((await operator.ok(['auth', 'can-i', 'patch', 'instancerolebindings.roles.ecs.dev', '--subresource=status', '-n', 'platform'])).trim()).toBe('yes');
        expect((await operator.run(['auth', 'can-i', 'delete', 'instancerolebindings.roles.ecs.dev', '-n', 'platform'])).stdout.trim()).toBe('no');
        expect(await operator.ok(['get', 'irb', '-A', '-o', 'name'])).toContain('instancerolebinding.roles.ecs.dev/oss-readers');
      } finally {
        operator.cleanup();
      }
    });
  });
});
