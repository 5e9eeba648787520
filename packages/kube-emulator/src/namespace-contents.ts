/**
 * What kube-controller-manager puts into every namespace soon after it is created, so that
 * listings match a real cluster: the `default` ServiceAccount (serviceaccount controller) and the
 * `kube-root-ca.crt` ConfigMap with the CA that signs the API server's certificate
 * (root-ca-cert-publisher). The emulator creates both at once instead of a moment later.
 */
import type { JsonObject } from './json.js';
import type { ObjectApi, WriteOptions } from './object-api.js';
import type { ResourceRegistry } from './resource-type.js';
import { ADMIN_USER } from './access-control.js';

const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

const CONTROLLER_MANAGER = 'kube-controller-manager';

export function fillNewNamespaces(api: ObjectApi, registry: ResourceRegistry, caPem: string): void {
  const options = (): WriteOptions => ({ dryRun: false, fieldManager: CONTROLLER_MANAGER, fieldValidation: 'Ignore', warnings: [], user: ADMIN_USER });
  const create = (plural: string, namespace: string, obj: JsonObject): void => {
    const t = registry.get('', 'v1', plural);
    if (t) api.create(t, namespace, obj, options());
  };
  api.onCreate((t, obj) => {
    if (t.group !== '' || t.plural !== 'namespaces') return;
    const namespace = String((obj['metadata'] as JsonObject)['name'] ?? '');
    create('serviceaccounts', namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    create('configmaps', namespace, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
      data: { 'ca.crt': caPem },
    });
  });
}
