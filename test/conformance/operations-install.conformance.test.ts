/**
 * Differential conformance: the install steps of docs/operations.md and the built-in kinds they
 * touch, run with the real kubectl against the emulator and against a real kube-apiserver +
 * kube-controller-manager; every step must look the same on both (after normalization and the
 * deliberate differences).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareScenario, describeDifferences, type Scenario } from './differential.js';
import { startTargets, type Targets } from './targets.js';

const DEPLOY_DIR = fileURLToPath(new URL('../../deploy', import.meta.url));
const NS = 'ecs-role-operator-system';

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

const scenarios: Scenario[] = [
  {
    name: 'the install steps of docs/operations.md',
    run: async (s) => {
      await s.kubectl(['version', '-o', 'json']);
      await s.kubectl(['create', 'namespace', NS]);
      await s.kubectl(['-n', NS, 'create', 'secret', 'generic', 'ecs-role-operator-credentials', '--from-literal=access-key-id=LTAI5tExample', '--from-literal=access-key-secret=example-secret']);
      await s.kubectl(['apply', '-k', DEPLOY_DIR]);
      await s.kubectl(['-n', NS, 'get', 'secret', 'ecs-role-operator-credentials', '-o', 'json']);
      await s.kubectl(['-n', NS, 'get', 'secrets']);
      await s.kubectl(['-n', NS, 'get', 'serviceaccounts']);
      await s.kubectl(['-n', NS, 'get', 'sa', 'ecs-role-operator', '-o', 'json']);
      await s.kubectl(['-n', NS, 'get', 'roles,rolebindings', '-o', 'wide']);
      await s.kubectl(['get', 'clusterrole', 'ecs-role-operator-manager', '-o', 'json']);
      await s.kubectl(['get', 'clusterrolebinding', 'ecs-role-operator-manager', '-o', 'wide']);
      await s.kubectl(['-n', NS, 'get', 'deployment', 'ecs-role-operator', '-o', 'json']);
      await s.kubectl(['-n', NS, 'get', 'services', '-o', 'wide']);
      await s.kubectl(['-n', NS, 'get', 'service', 'ecs-role-operator-metrics', '-o', 'json']);
      await s.kubectl(['get', 'namespace', NS, '-o', 'json']);
      await s.kubectl(['get', 'crd', 'instancerolebindings.roles.ecs.dev']);
      await s.kubectl(['apply', '-k', DEPLOY_DIR], { step: 'apply -k again (unchanged)' });
    },
  },
  {
    name: 'kubectl create of the other built-in kinds',
    run: async (s) => {
      await s.kubectl(['create', 'namespace', 'builtins']);
      await s.kubectl(['-n', 'builtins', 'create', 'configmap', 'settings', '--from-literal=region=cn-hangzhou', '--from-literal=zone=b']);
      await s.kubectl(['-n', 'builtins', 'get', 'configmap', 'settings', '-o', 'json']);
      await s.kubectl(['-n', 'builtins', 'get', 'configmaps']);
      await s.kubectl(['-n', 'builtins', 'create', 'serviceaccount', 'bot']);
      await s.kubectl(['-n', 'builtins', 'create', 'role', 'reader', '--verb=get,list', '--resource=secrets,configmaps', '--resource-name=settings']);
      await s.kubectl(['-n', 'builtins', 'create', 'rolebinding', 'reader', '--role=reader', '--serviceaccount=builtins:bot', '--user=alice', '--group=devs']);
      await s.kubectl(['create', 'clusterrole', 'builtins-viewer', '--verb=get,list,watch', '--resource=deployments.apps,services']);
      await s.kubectl(['create', 'clusterrolebinding', 'builtins-viewer', '--clusterrole=builtins-viewer', '--serviceaccount=builtins:bot']);
      await s.kubectl(['-n', 'builtins', 'get', 'role', 'reader', '-o', 'json']);
      await s.kubectl(['-n', 'builtins', 'get', 'rolebinding', 'reader', '-o', 'json']);
      await s.kubectl(['-n', 'builtins', 'get', 'rolebinding', 'reader', '-o', 'wide']);
      await s.kubectl(['-n', 'builtins', 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=8080']);
      await s.kubectl(['-n', 'builtins', 'get', 'deployment', 'web', '-o', 'json']);
      await s.kubectl(['-n', 'builtins', 'create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
      await s.kubectl(['-n', 'builtins', 'create', 'service', 'nodeport', 'web-np', '--tcp=80:8080']);
      await s.kubectl(['-n', 'builtins', 'create', 'service', 'externalname', 'upstream', '--external-name=example.com']);
      await s.kubectl(['-n', 'builtins', 'create', 'service', 'clusterip', 'headless', '--clusterip=None']);
      await s.kubectl(['-n', 'builtins', 'get', 'services', '-o', 'wide']);
      await s.kubectl(['-n', 'builtins', 'get', 'service', 'web-np', '-o', 'json']);
      await s.kubectl(['-n', 'builtins', 'create', 'configmap', 'frozen', '--from-literal=a=1']);
      await s.kubectl(['-n', 'builtins', 'patch', 'configmap', 'frozen', '--type=merge', '-p', '{"immutable":true}']);
      await s.kubectl(['-n', 'builtins', 'patch', 'configmap', 'frozen', '--type=merge', '-p', '{"data":{"a":"2"}}'], { step: 'change an immutable ConfigMap' });
      await s.kubectl(['-n', 'builtins', 'patch', 'configmap', 'frozen', '--type=merge', '-p', '{"immutable":false}'], { step: 'unset immutable' });
      await s.kubectl(['-n', 'builtins', 'create', 'secret', 'generic', 'empty']);
      await s.kubectl(['-n', 'builtins', 'get', 'secret', 'empty', '-o', 'json']);
      await s.kubectl(['-n', 'builtins', 'get', 'serviceaccounts,configmaps', '-o', 'name']);
      await s.kubectl(['delete', 'namespace', 'builtins', '--timeout=60s']);
      await s.kubectl(['get', 'namespace', 'builtins'], { step: 'the namespace is gone' });
    },
  },
  {
    name: 'built-in validation failures',
    run: async (s) => {
      await s.kubectl(['create', 'namespace', 'invalid']);
      const deployment = (spec: string): string => `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"bad","namespace":"invalid"},"spec":${spec}}`;
      await s.kubectl(['create', '-f', '-'], { stdin: deployment('{}'), step: 'Deployment without selector or template' });
      await s.kubectl(['create', '-f', '-'], { stdin: deployment('{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}'), step: 'selector does not match the template labels' });
      await s.kubectl(['create', '-f', '-'], { stdin: deployment('{"replicas":-1,"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c"}]}}}'), step: 'negative replicas and a container without image' });
      await s.kubectl(['create', '-f', '-'], { stdin: deployment('{"replicas":"two"}'), step: 'wrong type' });
      await s.kubectl(['create', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"bad","namespace":"invalid"},"spec":{}}', step: 'Service without ports' });
      await s.kubectl(['create', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"Bad_Name","namespace":"invalid"},"spec":{"ports":[{"port":80}]}}', step: 'Service name not a DNS-1035 label' });
      await s.kubectl(['create', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"Service","metadata":{"name":"two","namespace":"invalid"},"spec":{"ports":[{"port":80},{"port":81}]}}', step: 'two unnamed Service ports' });
      await s.kubectl(['create', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"invalid"},"data":{"a":1}}', step: 'ConfigMap data of the wrong type' });
      await s.kubectl(['create', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"invalid"},"data":{"bad key":"x"}}', step: 'ConfigMap key with a space' });
      await s.kubectl(['create', '-f', '-'], { stdin: '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","namespace":"invalid"},"rules":[{"apiGroups":[""],"resources":["pods"]}]}', step: 'Role rule without verbs' });
      await s.kubectl(['create', '-f', '-'], { stdin: '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"rb","namespace":"invalid"},"roleRef":{"kind":"Role","name":""},"subjects":[{"kind":"User"}]}', step: 'RoleBinding with empty names' });
      await s.kubectl(['create', 'configmap', 'x'.repeat(254), '-n', 'invalid'], { step: '254-character ConfigMap name' });
      await s.kubectl(['create', 'namespace', 'n'.repeat(64)], { step: '64-character namespace name' });
      await s.kubectl(['create', 'namespace', 'Upper_Case'], { step: 'namespace name with capitals' });
    },
  },
];

describe('differential conformance: the operations install steps and built-in kinds', () => {
  for (const scenario of scenarios) {
    it(scenario.name, () => expectSame(scenario), 120_000);
  }
});
