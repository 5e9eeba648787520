/** Kubeconfig files pointing kubectl and client libraries at the emulator. */
import { stringify } from 'yaml';

export const CONTEXT_NAME = 'sandbox';

export function kubeconfigYaml(server: string, caPem: string, token: string, user = 'admin'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server, 'certificate-authority-data': Buffer.from(caPem, 'utf8').toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user, namespace: 'default' } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}
