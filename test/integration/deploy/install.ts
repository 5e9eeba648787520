/**
 * Installs deploy/ into a Kubernetes API emulator with the real kubectl and hands back a
 * KubeConfig that authenticates as the operator's ServiceAccount, for tests that run the
 * operator under the shipped RBAC.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeEmulator } from '@ecs-role-operator/kube-emulator';
import { DEPLOY_DIR } from './render.js';

export const OPERATOR_NAMESPACE = 'ecs-role-operator-system';
export const OPERATOR_SERVICE_ACCOUNT = 'ecs-role-operator';

export async function kubectlAgainst(kube: Pick<KubeEmulator, 'kubeconfigPath'>, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], {
    maxBuffer: 8 * 1024 * 1024,
  });
  return stdout;
}

/** `kubectl apply -k deploy/`, then the operator ServiceAccount's KubeConfig. */
export async function installOperator(kube: KubeEmulator): Promise<{ serviceAccount: KubeConfig; applyOutput: string }> {
  const applyOutput = await kubectlAgainst(kube, 'apply', '-k', DEPLOY_DIR);
  const serviceAccount = new KubeConfig();
  serviceAccount.loadFromString(kube.kubeconfigFor(kube.serviceAccountToken(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT)));
  return { serviceAccount, applyOutput };
}
