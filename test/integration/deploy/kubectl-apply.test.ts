/**
 * `kubectl apply -k deploy/` against the Kubernetes API emulator, then the shipped RBAC exercised
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
import { startKubeEmulator } from '@ecs-role-operator/kube-emulator';
import { OPERATOR_NAMESPACE as NS, OPERATOR_SERVICE_ACCOUNT as SA, installOperator, kubectlAgainst } from './install.js';
import { DEPLOY_DIR, type KubeObject, kustomize } from './render.js';

const APP_NS = 'platform';

let kube: Awaited<ReturnType<typeof startKubeEmulator>>;
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
  kube = await startKubeEmulator();
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
}, 60_000);

afterAll(async () => {
  await kube?.close();
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
    const refused: Record<string, Promise<unknown>> = {
      'delete a binding': custom.deleteNamespacedCustomObject({ ...irb, namespace: APP_NS, name: 'probe' }),
      'create a binding': custom.createNamespacedCustomObject({ ...irb, namespace: APP_NS, body: binding('sneaky') }),
      'get another Secret': core.readNamespacedSecret({ namespace: NS, name: 'unrelated' }),
      'list Secrets': core.listNamespacedSecret({ namespace: NS }),
      'get Secrets elsewhere': core.readNamespacedSecret({ namespace: APP_NS, name: 'ecs-role-operator-credentials' }),
      'get another Lease': leases.readNamespacedLease({ namespace: NS, name: 'someone-elses-lease' }),
      'create a Lease elsewhere': leases.createNamespacedLease({ namespace: APP_NS, body: { metadata: { name: DEFAULT_LEASE_NAME } } }),
      'list ConfigMaps': core.listConfigMapForAllNamespaces(),
      'read the operator Deployment': operator.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'ecs-role-operator' }),
      'read its own Role': operator.makeApiClient(RbacAuthorizationV1Api).readNamespacedRole({ namespace: NS, name: 'ecs-role-operator-leader-election' }),
    };
    for (const [what, request] of Object.entries(refused)) expect(await statusOf(request), what).toBe(403);
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
    // 3 of the ClusterRole's 5 rules and both leader-election rules.
    expect(checked).toBe(5);
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
