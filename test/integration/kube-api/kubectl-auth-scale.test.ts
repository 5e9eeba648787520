/**
 * The real kubectl (1.32) on each Kubernetes target (the emulator and a real kube-apiserver): `auth can-i --list` (SelfSubjectRulesReview),
 * `create token` (TokenRequest) and the bound tokens it mints, `scale` on a CRD's and a
 * Deployment's scale subresource, CRD selectableFields with `--field-selector`, and the standard
 * apiVersion/kind fields of a CRD's published OpenAPI in `kubectl explain`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { Kubectl, PROJECT_CRD_PATH, eventually } from './helpers.js';

describeEachTarget('kubectl auth, token, scale and explain', (target) => {
  let kube: KubeTarget;
  let kubectl: Kubectl;

  const SCALER_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: scalers.test.example.dev}
spec:
  group: test.example.dev
  scope: Namespaced
  names: {kind: Scaler, plural: scalers}
  versions:
    - name: v1
      served: true
      storage: true
      selectableFields: [{jsonPath: .spec.color}, {jsonPath: .spec.size}]
      subresources:
        status: {}
        scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {replicas: {type: integer}, color: {type: string}, size: {type: integer}}}
            status: {type: object, properties: {replicas: {type: integer}, selector: {type: string}}}
`;

  beforeAll(async () => {
    kube = await startKubeTarget(target, { crdPaths: [PROJECT_CRD_PATH] });
    kubectl = new Kubectl(kube);
    await kubectl.ok(['create', 'namespace', 'team']);
    await kubectl.ok(['-n', 'team', 'create', 'serviceaccount', 'bot']);
  });

  afterAll(async () => {
    kubectl?.cleanup();
    await kube?.stop();
  });

  describe('kubectl auth can-i --list (SelfSubjectRulesReview)', () => {
    it('lists the rules of the caller: its own roles plus what every authenticated identity may do', async () => {
      await kubectl.ok(['-n', 'team', 'create', 'role', 'cm-reader', '--verb=get,list', '--resource=configmaps', '--resource-name=settings']);
      await kubectl.ok(['-n', 'team', 'create', 'rolebinding', 'bot-cm', '--role=cm-reader', '--serviceaccount=team:bot']);
      await kubectl.ok(['create', 'clusterrole', 'metrics-reader', '--verb=get', '--non-resource-url=/metrics']);
      await kubectl.ok(['create', 'clusterrolebinding', 'bot-metrics', '--clusterrole=metrics-reader', '--serviceaccount=team:bot']);
      const out = await kubectl.ok(['-n', 'team', 'auth', 'can-i', '--list', '--as=system:serviceaccount:team:bot']);
      const lines = out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
      expect(lines[0]).toEqual(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
      expect(lines).toContainEqual(['configmaps', '[]', '[settings]', '[get list]']);
      expect(lines).toContainEqual(['selfsubjectrulesreviews.authorization.k8s.io', '[]', '[]', '[create]']);
      expect(lines).toContainEqual(['[/metrics]', '[]', '[get]']);
      expect(lines).toContainEqual(['[/.well-known/openid-configuration]', '[]', '[get]']);
      const elsewhere = await kubectl.ok(['-n', 'default', 'auth', 'can-i', '--list', '--as=system:serviceaccount:team:bot']);
      expect(elsewhere).not.toContain('configmaps');
    });
  });

  describe('kubectl create token (TokenRequest)', () => {
    it('mints a bound JWT that authenticates as the ServiceAccount until the account is deleted', async () => {
      const token = (await kubectl.ok(['-n', 'team', 'create', 'token', 'bot'])).trim();
      const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>);
      expect(header?.['alg']).toBe('RS256');
      const uid = (await kubectl.ok(['-n', 'team', 'get', 'sa', 'bot', '-o', 'jsonpath={.metadata.uid}'])).trim();
      expect(payload).toMatchObject({ sub: 'system:serviceaccount:team:bot', 'kubernetes.io': { namespace: 'team', serviceaccount: { name: 'bot', uid } } });
      expect((payload?.['exp'] as number) - (payload?.['iat'] as number)).toBe(3600);

      const asBot = new Kubectl(kube, kube.kubeconfigFor(token));
      try {
        const whoami = await asBot.ok(['auth', 'whoami']);
        expect(whoami).toMatch(/Username\s+system:serviceaccount:team:bot/);
        expect(whoami).toMatch(new RegExp(`UID\\s+${uid}`));
        expect(whoami).toMatch(/Extra: authentication\.kubernetes\.io\/credential-id\s+\[JTI=[0-9a-f-]+\]/);
        expect(await asBot.ok(['-n', 'team', 'auth', 'can-i', 'get', 'configmaps/settings'])).toBe('yes\n');
        await kubectl.ok(['-n', 'team', 'delete', 'sa', 'bot']);
        // A real API server looks the account up in its informer cache, which learns of the
        // deletion a moment later: the token stops working soon after, not at once.
        const after = await eventually('the token to stop authenticating', async () => {
          const r = await asBot.run(['-n', 'team', 'get', 'configmaps']);
          return r.stderr.includes('Unauthorized') ? r : undefined;
        });
        expect(after.code).toBe(1);
        expect(after.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
      } finally {
        asBot.cleanup();
        await kubectl.run(['-n', 'team', 'create', 'serviceaccount', 'bot']);
      }
    });

    it('refuses a missing ServiceAccount and a duration under 10 minutes like kube-apiserver', async () => {
      const missing = await kubectl.run(['-n', 'team', 'create', 'token', 'nobody']);
      expect(missing.stderr).toBe('error: failed to create token: serviceaccounts "nobody" not found\n');
      const short = await kubectl.run(['-n', 'team', 'create', 'token', 'bot', '--duration=5m']);
      expect(short.stderr).toBe('error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes\n');
    });
  });

  describe('kubectl scale and --field-selector on a CRD', () => {
    beforeAll(async () => {
      await kubectl.ok(['apply', '-f', '-'], SCALER_CRD);
      await kubectl.ok(['wait', '--for=condition=established', 'crd/scalers.test.example.dev', '--timeout=10s']);
      await kubectl.ok(['-n', 'team', 'apply', '-f', '-'], 'apiVersion: test.example.dev/v1\nkind: Scaler\nmetadata: {name: red}\nspec: {replicas: 2, color: red, size: 3}\n---\napiVersion: test.example.dev/v1\nkind: Scaler\nmetadata: {name: blue}\nspec: {color: blue}\n');
    });

    it('scales through the scale subresource; reading the Scale of an object without spec replicas is a 500, setting it works', async () => {
      expect(await kubectl.ok(['-n', 'team', 'scale', 'scaler', 'red', '--replicas=5'])).toBe('scaler.test.example.dev/red scaled\n');
      expect(await kubectl.ok(['-n', 'team', 'get', 'scaler', 'red', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
      const read = await kubectl.run(['get', '--raw', '/apis/test.example.dev/v1/namespaces/team/scalers/blue/scale']);
      expect(read.stderr).toContain('Error from server (InternalError): Internal error occurred: the spec replicas field ".spec.replicas" does not exist');
      expect(await kubectl.ok(['-n', 'team', 'scale', 'scaler', 'blue', '--replicas=1'])).toBe('scaler.test.example.dev/blue scaled\n');
      expect(await kubectl.ok(['-n', 'team', 'get', 'scaler', 'blue', '-o', 'jsonpath={.spec.replicas}'])).toBe('1');
      const resources = await kubectl.ok(['api-resources', '--api-group=test.example.dev', '-o', 'name']);
      expect(resources).toContain('scalers.test.example.dev');
      await kubectl.ok(['-n', 'team', 'create', 'deployment', 'web', '--image=nginx']);
      await kubectl.ok(['-n', 'team', 'scale', 'deployment', 'web', '--replicas=3']);
      expect(await kubectl.ok(['-n', 'team', 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('3');
    });

    it('selects on selectableFields and refuses other fields', async () => {
      expect(await kubectl.ok(['-n', 'team', 'get', 'scalers', '--field-selector', 'spec.color=red', '-o', 'name'])).toBe('scaler.test.example.dev/red\n');
      expect(await kubectl.ok(['-n', 'team', 'get', 'scalers', '--field-selector', 'spec.size=3', '-o', 'name'])).toBe('scaler.test.example.dev/red\n');
      expect(await kubectl.ok(['-n', 'team', 'get', 'scalers', '--field-selector', 'spec.color!=red', '-o', 'name'])).toBe('scaler.test.example.dev/blue\n');
      const refused = await kubectl.run(['-n', 'team', 'get', 'scalers', '--field-selector', 'spec.replicas=5']);
      expect(refused.stderr).toContain('field label not supported: spec.replicas');
    });
  });

  describe('kubectl explain of a CRD', () => {
    it('shows apiVersion and kind with the standard descriptions', async () => {
      const out = await kubectl.ok(['explain', 'irb']);
      expect(out).toMatch(/apiVersion\s+<string>\n\s+APIVersion defines the versioned schema of this representation of an object.\n\s+Servers should convert recognized schemas/);
      expect(out).toMatch(/kind\s+<string>\n\s+Kind is a string value representing the REST resource this object\n\s+represents. Servers may infer this from the endpoint/);
      expect(out).toMatch(/metadata\s+<ObjectMeta>/);
    });
  });
});
