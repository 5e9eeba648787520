/**
 * Installs deploy/ into a Kubernetes target with the real kubectl and hands back a KubeConfig
 * that authenticates as the operator's ServiceAccount (a token from the TokenRequest API), for
 * tests that run the operator under the shipped RBAC.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeTarget } from '../../support/kube-target.js';
import { DEPLOY_DIR } from './render.js';

export const OPERATOR_NAMESPACE = 'ecs-role-operator-system';
export const OPERATOR_SERVICE_ACCOUNT = 'ecs-role-operator';

export async function kubectlAgainst(kube: Pick<KubeTarget, 'kubeconfigPath'>, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], {
    maxBuffer: 8 * 1024 * 1024,
  });
  return stdout;
}

/** `kubectl apply -k deploy/`, then the operator ServiceAccount's KubeConfig. */
export async function installOperator(kube: KubeTarget): Promise<{ serviceAccount: KubeConfig; applyOutput: string }> {
  const applyOutput = await kubectlAgainst(kube, 'apply', '-k', DEPLOY_DIR);
  const serviceAccount = new KubeConfig();
  serviceAccount.loadFromString(kube.kubeconfigFor(await kube.serviceAccountToken(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT)));
  return { serviceAccount, applyOutput };
}
