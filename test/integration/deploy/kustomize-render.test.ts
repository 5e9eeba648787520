import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_LEASE_NAME } from '../../../src/runtime/leader-election.js';
import { type KubeObject, REPO_ROOT, kustomize, only } from './render.js';

const NAMESPACE = 'ecs-role-operator-system';
const SERVICE_ACCOUNT = 'ecs-role-operator';
const CREDENTIALS_SECRET = 'ecs-role-operator-credentials';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
}

let objects: KubeObject[];
beforeAll(async () => {
  ({ objects } = await kustomize());
});

const rulesOf = (o: KubeObject) => o.rules as PolicyRule[];
const podSpecOf = (d: KubeObject) => (d.spec as { template: { spec: PodSpec } }).template.spec;

describe('kubectl kustomize deploy/', () => {
  it('renders exactly the operator install: namespace, CRD, RBAC, Deployment, metrics Service', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        `Namespace/${NAMESPACE}`,
        'CustomResourceDefinition/instancerolebindings.roles.ecs.dev',
        'CustomResourceDefinition/instancerolepolicies.roles.ecs.dev',
        `ServiceAccount/${SERVICE_ACCOUNT}`,
        'ClusterRole/ecs-role-operator-manager',
        'ClusterRoleBinding/ecs-role-operator-manager',
        'Role/ecs-role-operator-leader-election',
        'RoleBinding/ecs-role-operator-leader-election',
        'Role/ecs-role-operator-credentials',
        'RoleBinding/ecs-role-operator-credentials',
        'Role/ecs-role-operator-ownership-ledger',
        'RoleBinding/ecs-role-operator-ownership-ledger',
        'ClusterRole/ecs-role-operator-binding-editor',
        'ClusterRole/ecs-role-operator-binding-viewer',
        'Deployment/ecs-role-operator',
        'Service/ecs-role-operator-metrics',
      ].sort(),
    );
    const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
    for (const o of objects) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBeUndefined();
      else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(NAMESPACE);
    }
    expect(only(objects, 'Namespace').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('ships the CRDs of crds/ unchanged but for the part-of label', async () => {
    for (const rendered of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
      const source = await readFile(`${REPO_ROOT}crds/${rendered.metadata.name}.yaml`, 'utf8');
      const { labels, ...renderedMeta } = rendered.metadata;
      expect(labels).toEqual({ 'app.kubernetes.io/part-of': 'ecs-role-operator' });
      expect({ ...rendered, metadata: renderedMeta }).toEqual(parse(source) as KubeObject);
    }
  });

  it('ships CRDs whose schema nodes hold only OpenAPI schema keywords', () => {
    // An unquoted ", " inside a YAML flow mapping ({description: a, b}) silently turns the rest of
    // the text into a key; the API server rejects such a CRD under strict field validation.
    const keywords = new Set([
      'type', 'format', 'description', 'properties', 'items', 'additionalProperties', 'required', 'enum', 'default',
      'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minimum', 'maximum',
      'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'uniqueItems', 'nullable', 'allOf', 'anyOf', 'oneOf', 'not',
      'title', 'example', 'externalDocs', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
      'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
    ]);
    const strays: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
      for (const [key, value] of Object.entries(node)) {
        if (!keywords.has(key)) strays.push(`${path}: "${key}"`);
        if (key === 'properties' && value && typeof value === 'object') {
          for (const [name, child] of Object.entries(value)) walk(child, `${path}.${name}`);
        } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
          walk(value, `${path}[]`);
        } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
          for (const child of value as unknown[]) walk(child, path);
        }
      }
    };
    for (const o of objects.filter((x) => x.kind === 'CustomResourceDefinition')) {
      const crd = o.spec as { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] };
      for (const v of crd.versions) walk(v.schema.openAPIV3Schema, `${o.metadata.name} ${v.name}`);
    }
    expect(strays, 'src/api: only OpenAPI schema keywords belong in a CRD schema').toEqual([]);
  });

  it('grants the controller exactly its verbs on bindings, status, finalizers, policies, namespaces and events', () => {
    expect(rulesOf(only(objects, 'ClusterRole', 'ecs-role-operator-manager'))).toEqual([
      { apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      { apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings/status'], verbs: ['get', 'update', 'patch'] },
      { apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings/finalizers'], verbs: ['update'] },
      { apiGroups: ['roles.ecs.dev'], resources: ['instancerolepolicies'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['roles.ecs.dev'], resources: ['instancerolepolicies/status'], verbs: ['get', 'update', 'patch'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
  });

  it('keeps the ownership ledger in ConfigMaps of its own namespace only, without delete', () => {
    const ledger = only(objects, 'Role', 'ecs-role-operator-ownership-ledger');
    expect(ledger.metadata.namespace).toBe(NAMESPACE);
    expect(rulesOf(ledger)).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'patch'] }]);
  });

  it('ships tenant ClusterRoles for bindings (aggregated to edit/admin and view) that grant neither policies nor binding status', () => {
    const editor = only(objects, 'ClusterRole', 'ecs-role-operator-binding-editor');
    const viewer = only(objects, 'ClusterRole', 'ecs-role-operator-binding-viewer');
    expect(editor.metadata.labels).toMatchObject({ 'rbac.authorization.k8s.io/aggregate-to-edit': 'true', 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' });
    expect(viewer.metadata.labels).toMatchObject({ 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
    expect(rulesOf(editor)).toEqual([
      { apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] },
    ]);
    expect(rulesOf(viewer)).toEqual([{ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings'], verbs: ['get', 'list', 'watch'] }]);
  });

  it('limits leases to its own namespace and lease, and Secrets to the credentials Secret by name', () => {
    const leases = only(objects, 'Role', 'ecs-role-operator-leader-election');
    expect(leases.metadata.namespace).toBe(NAMESPACE);
    expect(rulesOf(leases)).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [DEFAULT_LEASE_NAME], verbs: ['get', 'update'] },
    ]);
    expect(rulesOf(only(objects, 'Role', 'ecs-role-operator-credentials'))).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: [CREDENTIALS_SECRET], verbs: ['get'] },
    ]);
  });

  it('uses no wildcard anywhere in RBAC', () => {
    for (const role of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
      for (const rule of rulesOf(role)) {
        for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames]) {
          expect(field ?? [], `${role.kind}/${role.metadata.name}`).not.toContain('*');
        }
      }
    }
  });

  it('binds every operator role to the operator ServiceAccount in its namespace (the tenant roles are bound per team by the admin)', () => {
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
    expect(bindings).toHaveLength(4);
    for (const binding of bindings) {
      const roleRef = binding.roleRef as { kind: string; name: string; apiGroup: string };
      expect(roleRef.apiGroup).toBe('rbac.authorization.k8s.io');
      expect(roleRef.kind).toBe(binding.kind === 'RoleBinding' ? 'Role' : 'ClusterRole');
      only(objects, roleRef.kind, roleRef.name);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: NAMESPACE }]);
    }
  });

  it('runs two leader-elected replicas under the ServiceAccount with the run flags', () => {
    const deployment = only(objects, 'Deployment');
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
    const pod = podSpecOf(deployment);
    expect(pod.serviceAccountName).toBe(SERVICE_ACCOUNT);
    expect(pod.containers).toHaveLength(1);
    const [c] = pod.containers;
    expect(c!.image).toBe('ecs-role-operator:0.1.0');
    expect(c!.args).toEqual(['run', '--leader-elect', '--metrics-port', '8080', '--health-port', '8081']);
    expect(c!.ports).toEqual([
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
    ]);
    const env = new Map((c!.env ?? []).map((e) => [e.name, e]));
    expect(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(env.get('POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(env.get('ALIBABA_CLOUD_ACCESS_KEY_ID')?.valueFrom?.secretKeyRef).toEqual({
      name: CREDENTIALS_SECRET,
      key: 'access-key-id',
      optional: true,
    });
    expect(env.get('ALIBABA_CLOUD_ACCESS_KEY_SECRET')?.valueFrom?.secretKeyRef).toEqual({
      name: CREDENTIALS_SECRET,
      key: 'access-key-secret',
      optional: true,
    });
    for (const e of c!.env ?? []) expect(e.value ?? '', `${e.name} must not carry a literal secret`).not.toMatch(/LTAI|secret/i);
  });

  it('probes /healthz for liveness and /readyz for readiness on the health port', () => {
    const [c] = podSpecOf(only(objects, 'Deployment')).containers;
    expect(c!.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c!.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c!.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  it('sets resource requests and limits', () => {
    const [c] = podSpecOf(only(objects, 'Deployment')).containers;
    expect(c!.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } });
  });

  it('meets the restricted Pod Security Standard', () => {
    const pod = podSpecOf(only(objects, 'Deployment'));
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext?.runAsUser).not.toBe(0);
    for (const c of pod.containers) {
      expect(c.securityContext, c.name).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect((c.securityContext?.capabilities as { add?: string[] }).add).toBeUndefined();
      expect(c.securityContext?.privileged ?? false).toBe(false);
    }
  });

  it('exposes metrics through a Service port named metrics that selects the operator pods', () => {
    const service = only(objects, 'Service');
    const spec = service.spec as { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
    expect(spec.ports).toEqual([{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
    const podLabels = (only(objects, 'Deployment').spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
      .labels;
    expect(podLabels).toMatchObject(spec.selector);
  });

  it('runs the image as the same non-root user the Dockerfile declares', async () => {
    const dockerfile = await readFile(`${REPO_ROOT}Dockerfile`, 'utf8');
    const user = /^USER (\d+):(\d+)$/m.exec(dockerfile);
    expect(user, 'Dockerfile must declare a numeric USER uid:gid').not.toBeNull();
    expect(Number(user![1])).toBeGreaterThan(0);
    expect(podSpecOf(only(objects, 'Deployment')).securityContext?.runAsUser).toBe(Number(user![1]));
    expect(dockerfile).toMatch(/^CMD \["run"\]$/m);
  });
});
