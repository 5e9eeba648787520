/**
 * `kubectl apply -k deploy/` on each Kubernetes target (the emulator and a real kube-apiserver), then the shipped RBAC exercised
 * with the operator ServiceAccount's own token: each request the operator needs is allowed, and
 * what it does not need is refused. Finally every rule is removed in turn to show each one is
 * needed by at least one of those requests.
 */
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type V1ClusterRole,
  type V1Role,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_NAME } from '../../../src/runtime/leader-election.js';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { OPERATOR_NAMESPACE as NS, OPERATOR_SERVICE_ACCOUNT as SA, installOperator, kubectlAgainst } from './install.js';
import { DEPLOY_DIR, type KubeObject, kustomize } from './render.js';

const APP_NS = 'platform';

describeEachTarget('kubectl apply -k deploy/', (target) => {
  let kube: KubeTarget;
  let admin: KubeConfig;
  let operator: KubeConfig;
  let rendered: KubeObject[];

  function kubeConfigFromFile(path: string): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    return kc;
  }

  const kubectl = (...args: string[]) => kubectlAgainst(kube, ...args);

  /** HTTP status of a request made with the operator's token: 2xx, 403, 404, 409 ... */
  async function statusOf(request: Promise<unknown>): Promise<number> {
    try {
      await request;
      return 200;
    } catch (err) {
      if (err instanceof ApiException) return err.code as number;
      throw err;
    }
  }

  const binding = (name: string) => ({
    apiVersion: 'roles.ecs.dev/v1alpha1',
    kind: 'InstanceRoleBinding',
    metadata: { name, namespace: APP_NS },
    spec: { regionId: 'cn-hangzhou', roleName: 'EcsRamRoleDocumentTesting', instanceIds: ['i-bp1abc'] },
  });
  const irb = { group: 'roles.ecs.dev', version: 'v1alpha1', plural: 'instancerolebindings' };
  const irp = { group: 'roles.ecs.dev', version: 'v1alpha1', plural: 'instancerolepolicies' };
  const LEDGER_SHARD = 'ecs-role-operator-ownership-00';
  const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  /**
   * What the operator does with its token: each request must get past authorization (any answer
   * but 403). The key says which rule of deploy/rbac it relies on.
   */
  function operatorRequests(kc: KubeConfig): Record<string, () => Promise<unknown>> {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const core = kc.makeApiClient(CoreV1Api);
    const leases = kc.makeApiClient(CoordinationV1Api);
    return {
      'list bindings in all namespaces': () => custom.listClusterCustomObject({ ...irb }),
      'get a binding': () => custom.getNamespacedCustomObject({ ...irb, namespace: APP_NS, name: 'probe' }),
      'patch a binding (finalizers)': () =>
        custom.patchNamespacedCustomObject(
          { ...irb, namespace: APP_NS, name: 'probe', body: { metadata: { annotations: { probe: String(Date.now()) } } } },
          mergePatch(),
        ),
      'patch binding status': () =>
        custom.patchNamespacedCustomObjectStatus(
          { ...irb, namespace: APP_NS, name: 'probe', body: { status: { observedGeneration: 1 } } },
          mergePatch(),
        ),
      'create a core/v1 Event': () => core.createNamespacedEvent({ namespace: APP_NS, body: probeEvent() }),
      'patch a core/v1 Event (aggregated count)': () =>
        core.patchNamespacedEvent({ namespace: APP_NS, name: 'probe-event', body: { count: 2 } }, mergePatch()),
      'create the leader lease': () =>
        leases.createNamespacedLease({ namespace: NS, body: { metadata: { name: DEFAULT_LEASE_NAME }, spec: { leaseDurationSeconds: 15 } } }),
      'get the leader lease': () => leases.readNamespacedLease({ namespace: NS, name: DEFAULT_LEASE_NAME }),
      'update the leader lease': async () => {
        const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: NS, name: DEFAULT_LEASE_NAME });
        return leases.replaceNamespacedLease({ namespace: NS, name: DEFAULT_LEASE_NAME, body: lease });
      },
      'list policies': () => custom.listClusterCustomObject({ ...irp }),
      'patch policy status': () => custom.patchClusterCustomObjectStatus({ ...irp, name: 'probe', body: { status: { permittedBindings: 0 } } }, mergePatch()),
      'list namespaces': () => core.listNamespace(),
      'list the ledger ConfigMaps': () => core.listNamespacedConfigMap({ namespace: NS }),
      'create a ledger shard': () => core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { generateName: 'ecs-role-operator-ownership-probe-' } } }),
      'patch a ledger shard (changed entries)': () =>
        core.patchNamespacedConfigMap({ namespace: NS, name: LEDGER_SHARD, body: { data: { probe: String(Date.now()) } } }, mergePatch()),
    };
  }

  /**
   * Rules deploy/rbac grants although no request of today's operator needs them, and why they stay.
   * Keyed "<Kind>/<name> <apiGroup>/<resource>" (first group and resource of the rule; "core" for "").
   */
  const GRANTED_FOR_COMPATIBILITY: Record<string, string> = {
    'ClusterRole/ecs-role-operator-manager roles.ecs.dev/instancerolebindings/finalizers':
      'checked only by the OwnerReferencesPermissionEnforcement admission plugin (OpenShift) for ownerReferences to a binding',
    'ClusterRole/ecs-role-operator-manager events.k8s.io/events':
      'the events.k8s.io/v1 API; the recorder writes core/v1 Events today (that rule is exercised)',
    'Role/ecs-role-operator-credentials core/secrets':
      'reading the AccessKey through the API (rotation without restart); the Deployment env uses the kubelet, not this Role',
    'ClusterRole/ecs-role-operator-binding-editor roles.ecs.dev/instancerolebindings': 'a tenant role, bound to no operator identity',
    'ClusterRole/ecs-role-operator-binding-viewer roles.ecs.dev/instancerolebindings': 'a tenant role, bound to no operator identity',
  };

  function probeEvent(name?: string) {
    return {
      metadata: name ? { name } : { generateName: 'probe.' },
      involvedObject: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', name: 'probe', namespace: APP_NS },
      reason: 'Probe',
      message: 'rbac probe',
      type: 'Normal',
    };
  }

  beforeAll(async () => {
    // deploy/ carries the CRDs: the target starts bare.
    kube = await startKubeTarget(target, { crdPaths: [] });
    admin = kubeConfigFromFile(kube.kubeconfigPath);
    ({ objects: rendered } = await kustomize());
    ({ serviceAccount: operator } = await installOperator(kube));

    // Fixtures the requests act on, created as admin.
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: APP_NS } } });
    await core.createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name: 'ecs-role-operator-credentials' }, stringData: { 'access-key-id': 'LTAI5tOperator', 'access-key-secret': 's' } },
    });
    await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'unrelated' }, stringData: { k: 'v' } } });
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...irb, namespace: APP_NS, body: binding('probe') });
    await admin.makeApiClient(CoordinationV1Api).createNamespacedLease({
      namespace: NS,
      body: { metadata: { name: DEFAULT_LEASE_NAME }, spec: { leaseDurationSeconds: 15 } },
    });
    await core.createNamespacedEvent({ namespace: APP_NS, body: probeEvent('probe-event') });
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: LEDGER_SHARD } } });
    await admin.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      ...irp,
      body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: 'probe' }, spec: { namespaces: [APP_NS], roles: ['R'] } },
    });
  });

  afterAll(async () => {
    await kube?.stop();
  });

  describe('kubectl apply -k deploy/', () => {
    it('creates every rendered object on the server', async () => {
      const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
      const core = admin.makeApiClient(CoreV1Api);
      for (const o of rendered) {
        const args = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
        const kind = o.apiVersion.includes('/') ? `${o.kind}.${o.apiVersion.split('/')[0]}` : o.kind;
        const name = await kubectl('get', kind, o.metadata.name, ...args, '-o', 'jsonpath={.metadata.name}');
        expect(name, `${o.kind}/${o.metadata.name}`).toBe(o.metadata.name);
      }
      const role = await rbac.readClusterRole({ name: 'ecs-role-operator-manager' });
      expect(role.rules?.map((r) => r.resources?.[0])).toEqual([
        'instancerolebindings',
        'instancerolebindings/status',
        'instancerolebindings/finalizers',
        'instancerolepolicies',
        'instancerolepolicies/status',
        'namespaces',
        'events',
        'events',
      ]);
      const deployment = await admin.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'ecs-role-operator' });
      expect(deployment.spec?.replicas).toBe(2);
      expect((await core.readNamespacedServiceAccount({ namespace: NS, name: SA })).metadata?.name).toBe(SA);
    });

    it('is idempotent: a second apply reports every object unchanged', async () => {
      const out = await kubectl('apply', '-k', DEPLOY_DIR);
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(rendered.length);
      for (const line of lines) expect(line).toMatch(/ unchanged$/);
    });
  });

  describe('a tenant bound to the shipped binding-editor ClusterRole in its namespace', () => {
    it('may manage bindings there, and nothing of tenancy: no policy, no binding status, no other namespace', async () => {
      await kubectl('create', 'namespace', 'team-a');
      await kubectl('create', 'serviceaccount', 'deployer', '-n', 'team-a');
      await kubectl('create', 'rolebinding', 'bindings', '-n', 'team-a', '--clusterrole', 'ecs-role-operator-binding-editor', '--serviceaccount', 'team-a:deployer');
      const tenant = new KubeConfig();
      tenant.loadFromString(kube.kubeconfigFor(await kube.serviceAccountToken('team-a', 'deployer')));
      const custom = tenant.makeApiClient(CustomObjectsApi);
      const mine = { ...binding('mine'), metadata: { name: 'mine', namespace: 'team-a' } };
      expect(await statusOf(custom.createNamespacedCustomObject({ ...irb, namespace: 'team-a', body: mine }))).toBe(200);
      expect(await statusOf(custom.patchNamespacedCustomObject({ ...irb, namespace: 'team-a', name: 'mine', body: { spec: { takeover: true } } }, mergePatch()))).toBe(200);
      const refused: Record<string, () => Promise<unknown>> = {
        'write binding status': () => custom.patchNamespacedCustomObjectStatus({ ...irb, namespace: 'team-a', name: 'mine', body: { status: { observedGeneration: 9 } } }, mergePatch()),
        'create a policy': () => custom.createClusterCustomObject({
          ...irp,
          body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: 'mine' }, spec: { namespaces: ['team-a'], roles: ['*'] } },
        }),
        'list policies': () => custom.listClusterCustomObject({ ...irp }),
        'create a binding in another namespace': () => custom.createNamespacedCustomObject({ ...irb, namespace: APP_NS, body: binding('theirs') }),
        'label its namespace': () => tenant.makeApiClient(CoreV1Api).patchNamespace({ name: 'team-a', body: { metadata: { labels: { tenant: 'b' } } } }, mergePatch()),
        'read the ledger': () => tenant.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: NS }),
      };
      for (const [what, request] of Object.entries(refused)) expect(await statusOf(request()), what).toBe(403);
      expect(await statusOf(custom.deleteNamespacedCustomObject({ ...irb, namespace: 'team-a', name: 'mine' }))).toBe(200);
    });
  });

  describe('the ServiceAccount token under the shipped RBAC', () => {
    it('may make every request the operator makes', async () => {
      for (const [what, request] of Object.entries(operatorRequests(operator))) {
        expect(await statusOf(request()), what).not.toBe(403);
      }
    });

    it('may read the credentials Secret by name', async () => {
      const secret = await operator.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: NS, name: 'ecs-role-operator-credentials' });
      expect(Buffer.from(secret.data?.['access-key-id'] ?? '', 'base64').toString()).toBe('LTAI5tOperator');
    });

    it('is refused everything else it was not granted', async () => {
      const custom = operator.makeApiClient(CustomObjectsApi);
      const core = operator.makeApiClient(CoreV1Api);
      const leases = operator.makeApiClient(CoordinationV1Api);
      const refused: Record<string, () => Promise<unknown>> = {
        'delete a binding': () => custom.deleteNamespacedCustomObject({ ...irb, namespace: APP_NS, name: 'probe' }),
        'create a binding': () => custom.createNamespacedCustomObject({ ...irb, namespace: APP_NS, body: binding('sneaky') }),
        'get another Secret': () => core.readNamespacedSecret({ namespace: NS, name: 'unrelated' }),
        'list Secrets': () => core.listNamespacedSecret({ namespace: NS }),
        'get Secrets elsewhere': () => core.readNamespacedSecret({ namespace: APP_NS, name: 'ecs-role-operator-credentials' }),
        'get another Lease': () => leases.readNamespacedLease({ namespace: NS, name: 'someone-elses-lease' }),
        'create a Lease elsewhere': () => leases.createNamespacedLease({ namespace: APP_NS, body: { metadata: { name: DEFAULT_LEASE_NAME } } }),
        'list ConfigMaps': () => core.listConfigMapForAllNamespaces(),
        'list ConfigMaps of a tenant namespace': () => core.listNamespacedConfigMap({ namespace: APP_NS }),
        'delete a ledger shard': () => core.deleteNamespacedConfigMap({ namespace: NS, name: LEDGER_SHARD }),
        'replace a ledger shard (update)': async () => {
          const shard = await admin.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: NS, name: LEDGER_SHARD });
          return core.replaceNamespacedConfigMap({ namespace: NS, name: LEDGER_SHARD, body: shard });
        },
        'create a policy': () => custom.createClusterCustomObject({
          ...irp,
          body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: 'sneaky' }, spec: { namespaces: [APP_NS], roles: ['*'] } },
        }),
        'change a policy': () => custom.patchClusterCustomObject({ ...irp, name: 'probe', body: { spec: { roles: ['*'] } } }, mergePatch()),
        'read the operator Deployment': () => operator.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'ecs-role-operator' }),
        'read its own Role': () => operator.makeApiClient(RbacAuthorizationV1Api).readNamespacedRole({ namespace: NS, name: 'ecs-role-operator-leader-election' }),
      };
      for (const [what, request] of Object.entries(refused)) expect(await statusOf(request()), what).toBe(403);
    });

    it('needs every rule: with any one removed, some operator request is refused', async () => {
      const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
      const roles = rendered.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
      const requests = operatorRequests(operator);
      let checked = 0;
      for (const role of roles) {
        const rules = (role.rules as { apiGroups: string[]; resources: string[] }[]) ?? [];
        for (let i = 0; i < rules.length; i++) {
          const key = `${role.kind}/${role.metadata.name} ${rules[i]!.apiGroups[0] || 'core'}/${rules[i]!.resources[0]}`;
          if (key in GRANTED_FOR_COMPATIBILITY) continue;
          checked++;
          const without = { ...role, rules: rules.filter((_, j) => j !== i) } as V1ClusterRole & V1Role;
          await replaceRole(rbac, role, without);
          try {
            const refused: string[] = [];
            for (const [what, request] of Object.entries(requests)) {
              if ((await statusOf(request())) === 403) refused.push(what);
            }
            expect(refused, `${key} (rule ${i}) is needed by no operator request`).not.toEqual([]);
          } finally {
            await replaceRole(rbac, role, role as V1ClusterRole & V1Role);
          }
        }
      }
      // 6 of the manager ClusterRole's 8 rules, both leader-election rules and the ledger rule.
      expect(checked).toBe(9);
    });
  });

  async function replaceRole(rbac: RbacAuthorizationV1Api, role: KubeObject, body: V1ClusterRole & V1Role): Promise<void> {
    if (role.kind === 'ClusterRole') {
      const current = await rbac.readClusterRole({ name: role.metadata.name });
      await rbac.replaceClusterRole({ name: role.metadata.name, body: { ...body, metadata: { ...current.metadata } } });
    } else {
      const namespace = role.metadata.namespace!;
      const current = await rbac.readNamespacedRole({ namespace, name: role.metadata.name });
      await rbac.replaceNamespacedRole({ namespace, name: role.metadata.name, body: { ...body, metadata: { ...current.metadata } } });
    }
  }
});
