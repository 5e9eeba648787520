/** Flux and Argo CD (with ServerSideApply) install with server-side apply: deploy/ must take it too. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { DEPLOY_DIR, kustomize } from './render.js';

const run = promisify(execFile);
describeEachTarget('server-side apply of deploy/', (target) => {
  let kube: KubeTarget;

  async function kubectl(...args: string[]): Promise<string> {
    const { stdout } = await run('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], { maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  }

  beforeAll(async () => {
    // deploy/ carries the CRDs: the target starts bare.
    kube = await startKubeTarget(target, { crdPaths: [] });
  });
  afterAll(async () => {
    await kube?.stop();
  });

  describe('kubectl apply --server-side -k deploy/', () => {
    it('creates every object and re-applies without change', async () => {
      const { objects } = await kustomize();
      const first = await kubectl('apply', '--server-side', '--field-manager=gitops', '-k', DEPLOY_DIR);
      expect(first.trim().split('\n')).toHaveLength(objects.length);
      for (const line of first.trim().split('\n')) expect(line).toMatch(/ serverside-applied$/);

      const deployment = JSON.parse(
        await kubectl('get', 'deployment', 'ecs-role-operator', '-n', 'ecs-role-operator-system', '-o', 'json'),
      ) as { spec: { replicas: number; template: { spec: { serviceAccountName: string } } } };
      expect(deployment.spec.replicas).toBe(2);
      expect(deployment.spec.template.spec.serviceAccountName).toBe('ecs-role-operator');

      const again = await kubectl('apply', '--server-side', '--field-manager=gitops', '-k', DEPLOY_DIR);
      for (const line of again.trim().split('\n')) expect(line).toMatch(/ serverside-applied$/);
      const after = JSON.parse(
        await kubectl('get', 'deployment', 'ecs-role-operator', '-n', 'ecs-role-operator-system', '-o', 'json'),
      ) as { metadata: { generation: number } };
      expect(after.metadata.generation).toBe(1);
    });
  });
});
