/**
 * Differential conformance: the InstanceRoleBinding CRD and its objects, access reviews and
 * tokens, watches, selectors and events, with the real kubectl, client-node and plain HTTP against
 * the emulator and against a real kube-apiserver + kube-controller-manager.
 */
import { fileURLToPath } from 'node:url';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, V1MicroTime } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareScenario, describeDifferences, type Scenario } from './differential.js';
import type { TargetSession } from './session.js';
import { startTargets, type Targets } from './targets.js';

const CRD = fileURLToPath(new URL('../../crds/instancerolebindings.roles.ecs.dev.yaml', import.meta.url));
const IRBS = '/apis/roles.ecs.dev/v1alpha1';

const binding = (name: string, namespace: string, spec: string, meta = ''): string =>
  `apiVersion: roles.ecs.dev/v1alpha1\nkind: InstanceRoleBinding\nmetadata: {name: ${name}, namespace: ${namespace}${meta}}\nspec: ${spec}\n`;

const SCALER_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: scalers.conformance.example.dev}
spec:
  group: conformance.example.dev
  scope: Namespaced
  names: {kind: Scaler, plural: scalers}
  versions:
    - name: v1
      served: true
      storage: true
      selectableFields: [{jsonPath: .spec.color}]
      subresources:
        status: {}
        scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {replicas: {type: integer}, color: {type: string}}}
            status: {type: object, properties: {replicas: {type: integer}, selector: {type: string}}}
`;

let targets: Targets;

beforeAll(async () => {
  targets = await startTargets();
}, 600_000);

afterAll(async () => {
  await targets?.stop();
});

async function expectSame(scenario: Scenario): Promise<void> {
  const comparison = await compareScenario(targets, scenario);
  expect(comparison.steps).toBeGreaterThan(0);
  expect(comparison.differences, describeDifferences(comparison)).toEqual([]);
}

/** Installs the project CRD (once per target) and waits until it is served. */
async function installCrd(s: TargetSession): Promise<void> {
  await s.runKubectl(['apply', '--server-side', '-f', CRD]);
  await s.runKubectl(['wait', '--for=condition=established', 'crd/instancerolebindings.roles.ecs.dev', '--timeout=30s']);
}

const scenarios: Scenario[] = [
  {
    name: 'installing the CRD of crds/ and explaining it',
    run: async (s) => {
      await s.kubectl(['apply', '-f', CRD]);
      await s.kubectl(['wait', '--for=condition=established', 'crd/instancerolebindings.roles.ecs.dev', '--timeout=30s']);
      await s.kubectl(['get', 'crd', 'instancerolebindings.roles.ecs.dev', '-o', 'json']);
      await s.kubectl(['api-resources', '--api-group=roles.ecs.dev']);
      // kube-apiserver publishes a new CRD's OpenAPI a moment after it is established.
      await s.kubectlUntilOk(['explain', 'irb.status.conditions']);
      await s.kubectl(['explain', 'irb']);
      await s.kubectl(['explain', 'irb.spec']);
      await s.kubectl(['explain', 'irb.status.conditions']);
      await s.kubectl(['apply', '-f', CRD], { step: 'apply the CRD again' });
    },
  },
  {
    name: 'bindings: printer columns, apply, generation, status subresource',
    run: async (s) => {
      await installCrd(s);
      await s.kubectl(['create', 'namespace', 'apps']);
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('web', 'apps', '{regionId: cn-hangzhou, roleName: WebRole, instanceIds: [i-web1, i-web2]}', ', labels: {tier: web}') });
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('db', 'apps', '{regionId: cn-hangzhou, roleName: DbRole, instanceSelector: {tags: {app: db}}}', ', labels: {tier: db}') });
      await s.kubectl(['-n', 'apps', 'get', 'irb']);
      await s.kubectl(['-n', 'apps', 'get', 'irb', '-o', 'wide']);
      await s.kubectl(['get', 'irb', '-A']);
      await s.kubectl(['-n', 'apps', 'get', 'irb', 'web', '-o', 'json']);
      await s.http('GET', `${IRBS}/namespaces/apps/instancerolebindings/web`, undefined, {}, 'GET web (managedFields)');
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('web', 'apps', '{regionId: cn-hangzhou, roleName: WebRole, instanceIds: [i-web1, i-web2]}', ', labels: {tier: web}'), step: 'apply unchanged' });
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('web', 'apps', '{regionId: cn-hangzhou, roleName: WebRole2, instanceIds: [i-web1]}', ', labels: {tier: web}'), step: 'apply a changed spec' });
      await s.kubectl(['-n', 'apps', 'get', 'irb', 'web', '-o', 'jsonpath={.metadata.generation} {.spec.roleName} {.spec.instanceIds}']);
      await s.kubectl(['-n', 'apps', 'label', 'irb', 'web', 'team=blue'], { step: 'label (no generation change)' });
      await s.kubectl(['-n', 'apps', 'get', 'irb', 'web', '-o', 'jsonpath={.metadata.generation}']);
      const status = '{"status":{"observedGeneration":2,"boundInstances":1,"desiredInstances":1,"conditions":[{"type":"Ready","status":"True","reason":"Bound","message":"all bound","lastTransitionTime":"2026-01-01T00:00:00Z","observedGeneration":2}]}}';
      await s.kubectl(['-n', 'apps', 'patch', 'irb', 'web', '--subresource=status', '--type=merge', '-p', status]);
      await s.kubectl(['-n', 'apps', 'patch', 'irb', 'web', '--type=merge', '-p', '{"status":{"boundInstances":9}}'], { step: 'status through the main resource is ignored' });
      await s.kubectl(['-n', 'apps', 'get', 'irb', 'web', '-o', 'jsonpath={.metadata.generation} {.status.boundInstances}']);
      await s.kubectl(['-n', 'apps', 'get', 'irb', 'web', '-o', 'wide']);
      await s.http('GET', `${IRBS}/namespaces/apps/instancerolebindings/web`, undefined, {}, 'GET web after status (managedFields)');
    },
  },
  {
    name: 'server-side apply: ownership, conflicts, force, removal',
    run: async (s) => {
      await installCrd(s);
      await s.kubectl(['create', 'namespace', 'ssa']);
      const applied = binding('gitops', 'ssa', '{regionId: cn-hangzhou, roleName: Applied, instanceIds: [i-a, i-b]}');
      await s.kubectl(['apply', '--server-side', '--field-manager=flux', '-f', '-'], { stdin: applied });
      await s.kubectl(['apply', '--server-side', '--field-manager=argo', '-f', '-'], { stdin: binding('gitops', 'ssa', '{regionId: cn-hangzhou, instanceIds: [i-c, i-a]}'), step: 'second manager co-owns and adds a set item' });
      await s.kubectl(['-n', 'ssa', 'get', 'irb', 'gitops', '-o', 'jsonpath={.spec.instanceIds}']);
      await s.kubectl(['-n', 'ssa', 'patch', 'irb', 'gitops', '--type=merge', '--field-manager=hotfix', '-p', '{"spec":{"roleName":"Hotfix"}}']);
      await s.kubectl(['apply', '--server-side', '--field-manager=flux', '-f', '-'], { stdin: applied, step: 'conflict with an Update manager' });
      await s.kubectl(['apply', '--server-side', '--field-manager=argo', '-f', '-'], { stdin: binding('gitops', 'ssa', '{regionId: cn-hangzhou, roleName: Argo, instanceIds: [i-c]}'), step: 'conflicts with two managers' });
      await s.kubectl(['apply', '--server-side', '--field-manager=flux', '--force-conflicts', '-f', '-'], { stdin: applied, step: 'force takes the field' });
      await s.kubectl(['apply', '--server-side', '--field-manager=argo', '-f', '-'], { stdin: binding('gitops', 'ssa', '{regionId: cn-hangzhou, instanceIds: [i-a]}'), step: 'argo stops applying i-c' });
      await s.kubectl(['-n', 'ssa', 'get', 'irb', 'gitops', '-o', 'jsonpath={.spec.roleName} {.spec.instanceIds}']);
      await s.http('GET', `${IRBS}/namespaces/ssa/instancerolebindings/gitops`, undefined, {}, 'managedFields after the applies');
      await s.kubectl(['apply', '--server-side', '-f', '-'], { stdin: binding('csa', 'ssa', '{regionId: cn-hangzhou, roleName: A, instanceIds: [i-a]}'), step: 'server-side apply creates' });
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('legacy', 'ssa', '{regionId: cn-hangzhou, roleName: A, instanceIds: [i-a]}'), step: 'client-side apply creates' });
      await s.kubectl(['apply', '--server-side', '-f', '-'], { stdin: binding('legacy', 'ssa', '{regionId: cn-hangzhou, roleName: B, instanceIds: [i-a]}'), step: 'server-side apply takes over from client-side apply' });
      await s.http('PATCH', `${IRBS}/namespaces/ssa/instancerolebindings/gitops`, { spec: { roleName: 'x' } }, { 'content-type': 'application/apply-patch+yaml' }, 'apply without fieldManager');
    },
  },
  {
    name: 'finalizers, deletionTimestamp and validation messages',
    run: async (s) => {
      await installCrd(s);
      await s.kubectl(['create', 'namespace', 'life']);
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('held', 'life', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a]}', ', finalizers: [roles.ecs.dev/detach]') });
      await s.kubectl(['-n', 'life', 'delete', 'irb', 'held', '--wait=false']);
      await s.kubectl(['-n', 'life', 'get', 'irb', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp}|{.metadata.deletionGracePeriodSeconds}|{.metadata.generation}|{.metadata.finalizers}']);
      await s.kubectl(['-n', 'life', 'patch', 'irb', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":["roles.ecs.dev/detach","other/x"]}}'], { step: 'no new finalizers while deleting' });
      await s.kubectl(['-n', 'life', 'patch', 'irb', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
      await s.kubectl(['-n', 'life', 'get', 'irb', 'held'], { step: 'gone once the finalizer is removed' });
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('bad', 'life', '{regionId: cn-hangzhou, roleName: "no spaces!", instanceIds: [i-a]}'), step: 'pattern violation' });
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('bad', 'life', '{regionId: cn-hangzhou, roleName: R}'), step: 'CEL rule violation' });
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('bad', 'life', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a], colour: red}'), step: 'unknown field (strict)' });
      await s.kubectl(['apply', '--validate=false', '-f', '-'], { stdin: binding('lenient', 'life', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a], colour: red}'), step: 'unknown field (ignored)' });
      await s.kubectl(['apply', '-f', '-'], { stdin: binding('bad', 'life', '{regionId: cn-hangzhou, instanceIds: [i-a, i-a]}'), step: 'missing required and duplicate set items' });
      await s.kubectl(['create', '-f', '-'], { stdin: binding('a'.repeat(254), 'life', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a]}'), step: '254-character name' });
      await s.kubectl(['create', '-f', '-'], { stdin: binding('Bad_Name', 'life', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a]}'), step: 'invalid name' });
      await s.kubectl(['create', '-o', 'name', '-f', '-'], { stdin: binding('', 'life', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a]}').replace('name: ,', `generateName: ${'g'.repeat(253)}.,`), step: 'generateName with a 253-character prefix' });
      await s.kubectl(['create', '-o', 'name', '-f', '-'], { stdin: binding('', 'life', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a]}').replace('name: ,', 'generateName: gen-,'), step: 'generateName' });
    },
    generatedPrefixes: ['g'.repeat(58), 'gen-'],
  },
  {
    name: 'label and field selectors',
    run: async (s) => {
      await installCrd(s);
      await s.kubectl(['create', 'namespace', 'sel']);
      for (const [name, labels] of [['a', '{app: web, tier: front}'], ['b', '{app: web, tier: back}'], ['c', '{app: db}']] as const) {
        await s.runKubectl(['apply', '-f', '-'], { stdin: binding(name, 'sel', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a]}', `, labels: ${labels}`) });
      }
      for (const selector of ['app=web', 'app!=web', 'tier in (front,back)', 'tier notin (front)', '!tier', 'tier', 'app=web,tier=back']) {
        await s.kubectl(['-n', 'sel', 'get', 'irb', '-l', selector, '-o', 'name']);
      }
      await s.kubectl(['-n', 'sel', 'get', 'irb', '-l', 'bad key=x'], { step: 'malformed label selector' });
      await s.kubectl(['-n', 'sel', 'get', 'irb', '--field-selector', 'metadata.name=b', '-o', 'name']);
      await s.kubectl(['get', 'irb', '-A', '--field-selector', 'metadata.namespace=sel', '-o', 'name']);
      await s.kubectl(['-n', 'sel', 'get', 'irb', '--field-selector', 'spec.roleName=R'], { step: 'unsupported field selector' });
      await s.kubectl(['-n', 'sel', 'get', 'irb', '--field-selector', 'metadata.name!=a', '-o', 'name']);
      await s.http('GET', `${IRBS}/namespaces/sel/instancerolebindings?limit=2`, undefined, {}, 'paginated list');
      await s.kubectl(['apply', '-f', '-'], { stdin: SCALER_CRD });
      await s.runKubectl(['wait', '--for=condition=established', 'crd/scalers.conformance.example.dev', '--timeout=30s']);
      await s.runKubectl(['-n', 'sel', 'apply', '-f', '-'], { stdin: 'apiVersion: conformance.example.dev/v1\nkind: Scaler\nmetadata: {name: red}\nspec: {replicas: 2, color: red}\n---\napiVersion: conformance.example.dev/v1\nkind: Scaler\nmetadata: {name: blue}\nspec: {color: blue}\n' });
      await s.kubectl(['-n', 'sel', 'get', 'scalers', '--field-selector', 'spec.color=red', '-o', 'name'], { step: 'selectableFields' });
      await s.kubectl(['-n', 'sel', 'get', 'scalers', '--field-selector', 'spec.replicas=2'], { step: 'not a selectable field' });
      await s.kubectl(['-n', 'sel', 'scale', 'scaler', 'red', '--replicas=4']);
      await s.http('GET', '/apis/conformance.example.dev/v1/namespaces/sel/scalers/red/scale', undefined, {}, 'GET scale');
      await s.kubectl(['-n', 'sel', 'scale', 'scaler', 'blue', '--replicas=1'], { step: 'scale without spec replicas' });
      await s.http('GET', '/apis/conformance.example.dev/v1', undefined, {}, 'discovery of the scale subresource');
    },
  },
  {
    name: 'watch, resume and 410 Gone',
    run: async (s) => {
      await installCrd(s);
      await s.kubectl(['create', 'namespace', 'watch']);
      await s.runKubectl(['apply', '-f', '-'], { stdin: binding('w1', 'watch', '{regionId: cn-hangzhou, roleName: R, instanceIds: [i-a]}') });
      const listed = await s.rawHttp('GET', `${IRBS}/namespaces/watch/instancerolebindings`);
      const rv = String(((listed.body as { metadata?: { resourceVersion?: string } }).metadata ?? {}).resourceVersion ?? '');
      await s.runKubectl(['-n', 'watch', 'patch', 'irb', 'w1', '--type=merge', '-p', '{"spec":{"roleName":"R2"}}']);
      await s.runKubectl(['-n', 'watch', 'delete', 'irb', 'w1']);
      await s.http('GET', `${IRBS}/namespaces/watch/instancerolebindings?watch=true&resourceVersion=${rv}&timeoutSeconds=1`, undefined, {}, 'watch from a list resourceVersion replays the changes');
      await s.http('GET', `${IRBS}/namespaces/watch/instancerolebindings?watch=true&resourceVersion=1&timeoutSeconds=1`, undefined, {}, 'watch from a compacted resourceVersion');
      await s.http('GET', `${IRBS}/namespaces/watch/instancerolebindings?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`, undefined, {}, 'watch with initial events');
    },
  },
  {
    name: 'events: kubectl get events and kubectl events',
    run: async (s) => {
      await s.kubectl(['create', 'namespace', 'ev']);
      const event = (name: string, reason: string, type: string, count: number): string =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace: 'ev' },
          involvedObject: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', name: 'web', namespace: 'ev' },
          reason,
          message: `${reason} happened`,
          type,
          count,
          source: { component: 'ecs-role-operator' },
          firstTimestamp: '2026-01-01T00:00:00Z',
          lastTimestamp: '2026-01-01T00:00:00Z',
        });
      await s.kubectl(['create', '-f', '-'], { stdin: event('web.1', 'Attached', 'Normal', 1) });
      await s.kubectl(['create', '-f', '-'], { stdin: event('web.2', 'Throttled', 'Warning', 3) });
      await s.kubectl(['-n', 'ev', 'get', 'events']);
      await s.kubectl(['-n', 'ev', 'get', 'events', '-o', 'wide']);
      await s.kubectl(['-n', 'ev', 'get', 'events', '--field-selector', 'type=Warning', '-o', 'name']);
      await s.kubectl(['-n', 'ev', 'get', 'events.events.k8s.io']);
      await s.kubectl(['-n', 'ev', 'events']);
      await s.kubectl(['-n', 'ev', 'events', '--types=Warning']);
      await s.kubectl(['-n', 'ev', 'get', 'event', 'web.2', '-o', 'json']);
      await s.kubectl(['-n', 'ev', 'get', 'events.v1.events.k8s.io', 'web.2', '-o', 'json']);
    },
  },
  {
    name: 'access: auth can-i --list, create token, whoami',
    run: async (s) => {
      await s.kubectl(['create', 'namespace', 'team']);
      await s.kubectl(['-n', 'team', 'create', 'serviceaccount', 'bot']);
      await s.kubectl(['-n', 'team', 'create', 'role', 'cm-reader', '--verb=get,list', '--resource=configmaps', '--resource-name=settings']);
      await s.kubectl(['-n', 'team', 'create', 'rolebinding', 'bot-cm', '--role=cm-reader', '--serviceaccount=team:bot']);
      await s.kubectl(['create', 'clusterrole', 'conformance-metrics', '--verb=get', '--non-resource-url=/metrics']);
      await s.kubectl(['create', 'clusterrolebinding', 'conformance-metrics', '--clusterrole=conformance-metrics', '--serviceaccount=team:bot']);
      await s.kubectl(['-n', 'team', 'auth', 'can-i', '--list', '--as=system:serviceaccount:team:bot']);
      await s.kubectl(['-n', 'team', 'auth', 'can-i', 'get', 'configmaps/settings', '--as=system:serviceaccount:team:bot']);
      await s.kubectl(['-n', 'team', 'auth', 'can-i', 'list', 'secrets', '--as=system:serviceaccount:team:bot']);
      const token = await s.kubectl(['-n', 'team', 'create', 'token', 'bot']);
      await s.kubectl(['-n', 'team', 'create', 'token', 'bot', '--duration=5m'], { step: 'a token shorter than 10 minutes' });
      await s.kubectl(['-n', 'team', 'create', 'token', 'nobody'], { step: 'a token for a missing ServiceAccount' });
      const asBot = s.target.kubeconfigFileFor(token.stdout.trim());
      await s.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: asBot, step: 'whoami with the token' });
      await s.kubectl(['-n', 'team', 'get', 'configmaps'], { kubeconfig: asBot, step: 'forbidden list with the token' });
      await s.kubectl(['-n', 'team', 'auth', 'can-i', '--list'], { kubeconfig: asBot, step: 'can-i --list with the token' });
      await s.http('POST', '/api/v1/namespaces/team/serviceaccounts/bot/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['vault'], expirationSeconds: 7200 } }, {}, 'TokenRequest over HTTP');
      const api = s.kubeConfig.makeApiClient(CustomObjectsApi);
      await s.client('client-node: list bindings of a missing CRD group', () => api.listNamespacedCustomObject({ group: 'nothing.example.dev', version: 'v1', namespace: 'team', plural: 'things' }));
    },
  },
  {
    name: "client-node: the operator's calls",
    run: async (s) => {
      await installCrd(s);
      const objects = s.kubeConfig.makeApiClient(CustomObjectsApi);
      const core = s.kubeConfig.makeApiClient(CoreV1Api);
      const leases = s.kubeConfig.makeApiClient(CoordinationV1Api);
      const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      const ref = { group: 'roles.ecs.dev', version: 'v1alpha1', namespace: 'op', plural: 'instancerolebindings' };
      await s.client('create namespace', () => core.createNamespace({ body: { metadata: { name: 'op' } } }));
      await s.client('create binding', () =>
        objects.createNamespacedCustomObject({ ...ref, body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', metadata: { name: 'b1' }, spec: { regionId: 'cn-hangzhou', roleName: 'R', instanceIds: ['i-1'] } } }),
      );
      const listed = (await s.client('list bindings', () => objects.listNamespacedCustomObject(ref))) as { metadata?: { resourceVersion?: string }; items?: { metadata?: { resourceVersion?: string } }[] } | undefined;
      const rv = listed?.items?.[0]?.metadata?.resourceVersion ?? '';
      await s.client('add a finalizer with the resourceVersion', () =>
        objects.patchNamespacedCustomObject({ ...ref, name: 'b1', body: { metadata: { finalizers: ['roles.ecs.dev/detach'], resourceVersion: rv } }, fieldManager: 'ecs-role-operator' }, mergePatch),
      );
      await s.client('a stale resourceVersion conflicts', () =>
        objects.patchNamespacedCustomObject({ ...ref, name: 'b1', body: { metadata: { finalizers: [], resourceVersion: rv } }, fieldManager: 'ecs-role-operator' }, mergePatch),
      );
      await s.client('patch status', () =>
        objects.patchNamespacedCustomObjectStatus(
          { ...ref, name: 'b1', body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'Pending', message: 'not yet', lastTransitionTime: '2026-01-01T00:00:00Z' }] } }, fieldManager: 'ecs-role-operator' },
          mergePatch,
        ),
      );
      await s.client('a strategic merge patch of a custom resource is refused', () =>
        objects.patchNamespacedCustomObject({ ...ref, name: 'b1', body: { spec: { roleName: 'S' } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
      );
      await s.client('get binding', () => objects.getNamespacedCustomObject({ ...ref, name: 'b1' }));
      await s.client('record an event', () =>
        core.createNamespacedEvent({
          namespace: 'op',
          body: {
            metadata: { name: 'b1.event', namespace: 'op' },
            involvedObject: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', name: 'b1', namespace: 'op' },
            reason: 'Attached',
            message: 'attached R',
            type: 'Normal',
            count: 1,
            source: { component: 'ecs-role-operator' },
            firstTimestamp: new Date('2026-01-01T00:00:00Z'),
            lastTimestamp: new Date('2026-01-01T00:00:00Z'),
          },
        }),
      );
      await s.client('bump the event count', () => core.patchNamespacedEvent({ namespace: 'op', name: 'b1.event', body: { count: 2 } }, mergePatch));
      await s.client('list events by involved object', () => core.listNamespacedEvent({ namespace: 'op', fieldSelector: 'involvedObject.name=b1,reason=Attached' }));
      const at = new V1MicroTime(Date.parse('2026-01-01T00:00:00.123Z'));
      const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'leader', namespace: 'op' }, spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: at, renewTime: at, leaseTransitions: 0 } };
      await s.client('a Lease with plain Dates (milliseconds) is refused', () =>
        leases.createNamespacedLease({ namespace: 'op', body: { ...lease, metadata: { name: 'dates', namespace: 'op' }, spec: { ...lease.spec, acquireTime: new Date(0), renewTime: new Date(0) } } }),
      );
      const created = await s.client('create the Lease', () => leases.createNamespacedLease({ namespace: 'op', body: lease, fieldManager: 'ecs-role-operator' }));
      await s.client('replace the Lease', () =>
        leases.replaceNamespacedLease({ name: 'leader', namespace: 'op', body: { ...lease, metadata: { ...lease.metadata, resourceVersion: created?.metadata?.resourceVersion ?? '' }, spec: { ...lease.spec, holderIdentity: 'pod-b', leaseTransitions: 1 } }, fieldManager: 'ecs-role-operator' }),
      );
      await s.client('replace the Lease with a stale resourceVersion', () =>
        leases.replaceNamespacedLease({ name: 'leader', namespace: 'op', body: { ...lease, metadata: { ...lease.metadata, resourceVersion: created?.metadata?.resourceVersion ?? '' } }, fieldManager: 'ecs-role-operator' }),
      );
      await s.client('delete with a wrong uid precondition', () =>
        objects.deleteNamespacedCustomObject({ ...ref, name: 'b1', body: { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } } }),
      );
      await s.client('delete the binding (finalizer keeps it)', () => objects.deleteNamespacedCustomObject({ ...ref, name: 'b1' }));
      await s.client('get the deleting binding', () => objects.getNamespacedCustomObject({ ...ref, name: 'b1' }));
    },
  },
];

describe('differential conformance: custom resources, access, watches and events', () => {
  for (const scenario of scenarios) {
    it(scenario.name, () => expectSame(scenario), 120_000);
  }
});
