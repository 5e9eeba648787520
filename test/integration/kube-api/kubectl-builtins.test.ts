/**
 * The real kubectl (1.32) creating and printing built-in kinds against the emulator: the
 * `kubectl create <kind>` commands send protobuf bodies, the objects come back defaulted and
 * shaped like kube-apiserver's (Go JSON round trip), and `kubectl get` prints the real columns.
 *
 * Emulator only: it tests the emulator's own internals (its protobuf body decoder, seen through its
 * onRequest hook, its defaulting and its built-in printers). The same commands run on both the
 * emulator and a real kube-apiserver, with every output compared, in
 * test/conformance/operations-install.conformance.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator, type ObservedRequest } from '@ecs-role-operator/kube-emulator';
import { Kubectl } from './helpers.js';

let emulator: KubeEmulator;
let kubectl: Kubectl;
const requests: ObservedRequest[] = [];

beforeAll(async () => {
  emulator = await startKubeEmulator({ onRequest: (r) => requests.push(r) });
  kubectl = new Kubectl(emulator);
});

afterAll(async () => {
  kubectl?.cleanup();
  await emulator?.close();
});

const json = async (args: string[]): Promise<Record<string, unknown>> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as Record<string, unknown>;

/** The content type of the last POST to a path ending in `suffix`. */
function postedContentType(suffix: string): string | undefined {
  const post = [...requests].reverse().find((r) => r.method === 'POST' && r.url.split('?')[0]?.endsWith(suffix));
  return post?.headers['content-type'];
}

describe('kubectl create of built-in kinds (protobuf request bodies)', () => {
  it('creates the objects of the install steps in docs/operations.md', async () => {
    expect(await kubectl.ok(['create', 'namespace', 'ops'])).toBe('namespace/ops created\n');
    expect(postedContentType('/api/v1/namespaces')).toBe('application/vnd.kubernetes.protobuf');
    expect(await kubectl.ok(['-n', 'ops', 'create', 'secret', 'generic', 'creds', '--from-literal=access-key-id=LTAI', '--from-literal=access-key-secret=s3cret'])).toBe('secret/creds created\n');
    expect(postedContentType('/namespaces/ops/secrets')).toBe('application/vnd.kubernetes.protobuf');
    const secret = await json(['-n', 'ops', 'get', 'secret', 'creds']);
    expect(secret['type']).toBe('Opaque');
    expect(secret['data']).toEqual({ 'access-key-id': Buffer.from('LTAI').toString('base64'), 'access-key-secret': Buffer.from('s3cret').toString('base64') });

    await kubectl.ok(['-n', 'ops', 'create', 'configmap', 'settings', '--from-literal=region=cn-hangzhou']);
    expect((await json(['-n', 'ops', 'get', 'cm', 'settings']))['data']).toEqual({ region: 'cn-hangzhou' });
    await kubectl.ok(['-n', 'ops', 'create', 'serviceaccount', 'operator']);
    await kubectl.ok(['-n', 'ops', 'create', 'role', 'reader', '--verb=get,list', '--resource=secrets', '--resource-name=creds']);
    expect((await json(['-n', 'ops', 'get', 'role', 'reader']))['rules']).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['creds'], verbs: ['get', 'list'] }]);
    await kubectl.ok(['-n', 'ops', 'create', 'rolebinding', 'reader', '--role=reader', '--serviceaccount=ops:operator', '--user=alice']);
    expect((await json(['-n', 'ops', 'get', 'rolebinding', 'reader']))['subjects']).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      { kind: 'ServiceAccount', name: 'operator', namespace: 'ops' },
    ]);
    await kubectl.ok(['create', 'clusterrole', 'irb-reader', '--verb=get,list,watch', '--resource=secrets']);
    await kubectl.ok(['create', 'clusterrolebinding', 'irb-reader', '--clusterrole=irb-reader', '--group=readers']);
    expect((await json(['get', 'clusterrolebinding', 'irb-reader']))['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'irb-reader' });
  });

  it('gives a created Deployment the real server defaults and Go zero-value shapes', async () => {
    await kubectl.ok(['-n', 'ops', 'create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
    expect(postedContentType('/namespaces/ops/deployments')).toBe('application/vnd.kubernetes.protobuf');
    const deployment = await json(['-n', 'ops', 'get', 'deploy', 'web']);
    expect(deployment['spec']).toEqual({
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'nginx', image: 'nginx', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'Always' }],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
          schedulerName: 'default-scheduler',
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(deployment['status']).toEqual({});
    await kubectl.ok(['-n', 'ops', 'create', 'deployment', 'pinned', '--image=nginx:1.27']);
    expect(await kubectl.ok(['-n', 'ops', 'get', 'deploy', 'pinned', '-o', 'jsonpath={.spec.template.spec.containers[0].imagePullPolicy}'])).toBe('IfNotPresent');
  });

  it('allocates a Service a cluster IP, node ports, and the Service defaults', async () => {
    await kubectl.ok(['-n', 'ops', 'create', 'service', 'nodeport', 'metrics', '--tcp=8080:http']);
    const service = await json(['-n', 'ops', 'get', 'svc', 'metrics']);
    const spec = service['spec'] as Record<string, unknown>;
    expect(spec['clusterIP']).toMatch(/^10\.0\.0\.\d+$/);
    expect(spec['clusterIPs']).toEqual([spec['clusterIP']]);
    expect(spec).toMatchObject({ type: 'NodePort', sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    const [port] = spec['ports'] as Record<string, unknown>[];
    expect(port).toMatchObject({ name: '8080-http', port: 8080, protocol: 'TCP', targetPort: 'http' });
    expect(port?.['nodePort']).toBeGreaterThanOrEqual(30000);
    expect(service['status']).toEqual({ loadBalancer: {} });
    const kubernetes = await json(['-n', 'default', 'get', 'svc', 'kubernetes']);
    expect((kubernetes['spec'] as Record<string, unknown>)['clusterIP']).toBe('10.0.0.1');
  });

  it('puts the default ServiceAccount and kube-root-ca.crt into every new namespace', async () => {
    await kubectl.ok(['create', 'namespace', 'fresh']);
    expect(await kubectl.ok(['-n', 'fresh', 'get', 'sa,cm', '-o', 'name'])).toBe('serviceaccount/default\nconfigmap/kube-root-ca.crt\n');
    expect(await kubectl.ok(['-n', 'fresh', 'get', 'cm', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}'])).toBe(emulator.caCertificate);
  });
});

describe('kubectl get of built-in kinds prints the real columns', () => {
  const rows = (out: string): string[][] => out.trim().split('\n').map((line) => line.trim().split(/\s{2,}/));

  it('ServiceAccount SECRETS, Service EXTERNAL-IP and PORT(S), Deployment counts and wide columns', async () => {
    expect(rows(await kubectl.ok(['-n', 'ops', 'get', 'sa', 'operator']))).toEqual([['NAME', 'SECRETS', 'AGE'], ['operator', '0', expect.stringMatching(/^\d+s$/)]]);
    const [header, row] = rows(await kubectl.ok(['-n', 'ops', 'get', 'svc', 'metrics', '-o', 'wide']));
    expect(header).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    expect(row).toEqual(['metrics', 'NodePort', expect.stringMatching(/^10\.0\.0\.\d+$/), '<none>', expect.stringMatching(/^8080:3\d{4}\/TCP$/), expect.stringMatching(/^\d+s$/), 'app=metrics']);
    expect(rows(await kubectl.ok(['-n', 'ops', 'get', 'deploy', 'web', '-o', 'wide']))).toEqual([
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['web', '0/2', '0', '0', expect.stringMatching(/^\d+s$/), 'nginx', 'nginx', 'app=web'],
    ]);
    expect(rows(await kubectl.ok(['-n', 'ops', 'get', 'rolebinding', 'reader', '-o', 'wide']))).toEqual([
      ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS'],
      ['reader', 'Role/reader', expect.stringMatching(/^\d+s$/), 'alice', 'ops/operator'],
    ]);
  });

  it('Events: no leading NAME column; NAME, COUNT and SOURCE only with -o wide', async () => {
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.1', namespace: 'ops' },
      involvedObject: { kind: 'Deployment', name: 'web', namespace: 'ops' },
      reason: 'Scaled',
      message: 'scaled up ',
      type: 'Normal',
      source: { component: 'tester' },
      count: 3,
      firstTimestamp: new Date(Date.now() - 120_000).toISOString(),
      lastTimestamp: new Date().toISOString(),
    };
    await kubectl.ok(['create', '-f', '-'], JSON.stringify(event));
    expect(rows(await kubectl.ok(['-n', 'ops', 'get', 'events']))).toEqual([
      ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
      [expect.stringMatching(/^\d+s$/), 'Normal', 'Scaled', 'deployment/web', 'scaled up'],
    ]);
    const wide = rows(await kubectl.ok(['-n', 'ops', 'get', 'events', '-o', 'wide']));
    expect(wide[0]).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME']);
    expect(wide[1]).toEqual([expect.stringMatching(/^\d+s$/), 'Normal', 'Scaled', 'deployment/web', 'tester', 'scaled up', expect.stringMatching(/^(119s|2m\d*s?)$/), '3', 'web.1']);
  });
});

describe('names as kube-apiserver checks and generates them', () => {
  const event = (meta: string): string =>
    `apiVersion: v1\nkind: Event\nmetadata: {${meta}, namespace: ops}\nreason: Bound\ntype: Normal\ninvolvedObject: {kind: InstanceRoleBinding, name: x, namespace: ops}\n`;

  it('a 254-character name fails on its length, not on the pattern', async () => {
    const name = 'a'.repeat(254);
    const r = await kubectl.run(['-n', 'ops', 'create', 'configmap', name]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ConfigMap "${name}" is invalid: metadata.name: Invalid value: "${name}": must be no more than 253 characters`);
    expect(r.stderr).not.toContain('RFC 1123');
    const ns = await kubectl.run(['create', 'namespace', 'n'.repeat(64)]);
    expect(ns.stderr).toContain('metadata.name: Invalid value: "' + 'n'.repeat(64) + '": must be no more than 63 characters');
    expect(ns.stderr).toContain('metadata.labels: Invalid value: "' + 'n'.repeat(64) + '": must be no more than 63 characters');
  });

  it('generateName keeps at most 58 characters of the prefix, so an event about a 253-character binding gets a valid name', async () => {
    const out = await kubectl.ok(['create', '-f', '-', '-o', 'name'], event(`generateName: ${'g'.repeat(253)}.`));
    expect(out).toMatch(new RegExp(`^event/${'g'.repeat(58)}[a-z0-9]{5}\\n$`));
  });
});

describe('built-in validation with the real field errors', () => {
  it('refuses invalid Deployments, Services, ConfigMaps and RBAC objects like kube-apiserver', async () => {
    await kubectl.ok(['create', 'namespace', 'invalid']);
    const create = async (json: string): Promise<string> => (await kubectl.run(['create', '-f', '-'], json)).stderr;
    expect(await create('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"bad","namespace":"invalid"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}')).toBe(
      'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`\n',
    );
    expect(await create('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"bad","namespace":"invalid"},"spec":{"replicas":"two"}}')).toBe(
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32\n',
    );
    expect(await create('{"apiVersion":"v1","kind":"Service","metadata":{"name":"bad","namespace":"invalid"},"spec":{}}')).toBe('The Service "bad" is invalid: spec.ports: Required value\n');
    expect(await create('{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","namespace":"invalid"},"rules":[{"apiGroups":[""],"resources":["pods"]}]}')).toBe(
      'The Role "r" is invalid: rules[0].verbs: Required value: verbs must contain at least one value\n',
    );
    await kubectl.ok(['-n', 'invalid', 'create', 'configmap', 'frozen', '--from-literal=a=1']);
    await kubectl.ok(['-n', 'invalid', 'patch', 'configmap', 'frozen', '--type=merge', '-p', '{"immutable":true}']);
    const changed = await kubectl.run(['-n', 'invalid', 'patch', 'configmap', 'frozen', '--type=merge', '-p', '{"data":{"a":"2"}}']);
    expect(changed.stderr).toBe('The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set\n');
  });
});

describe('managedFields', () => {
  it('are returned per manager, with map-list items and atomic structs as kube-apiserver records them', async () => {
    const out = await kubectl.ok(['-n', 'ops', 'get', 'deploy', 'web', '-o', 'jsonpath={.metadata.managedFields}', '--show-managed-fields']);
    const [entry] = JSON.parse(out) as { manager: string; operation: string; fieldsType: string; fieldsV1: Record<string, Record<string, unknown>> }[];
    expect(entry).toMatchObject({ manager: 'kubectl-create', operation: 'Update', fieldsType: 'FieldsV1' });
    const spec = entry?.fieldsV1['f:spec'] as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    expect(spec['f:selector']).toEqual({});
    // The zero Deployment already has `containers: null`, so the list itself is not new ("." absent); the item is.
    expect(Object.keys(spec['f:template']?.['f:spec']?.['f:containers'] ?? {})).toEqual(['k:{"name":"nginx"}']);
    expect(Object.keys(spec['f:template']?.['f:spec']?.['f:containers']?.['k:{"name":"nginx"}'] ?? {})).toContain('.');
    expect(await kubectl.ok(['-n', 'ops', 'get', 'deploy', 'web', '-o', 'json'])).not.toContain('managedFields');
  });
});

