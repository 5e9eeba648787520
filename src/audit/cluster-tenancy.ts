/**
 * Tenancy from a cluster: every InstanceRolePolicy and every Namespace's labels, listed through
 * @kubernetes/client-node with the audit's kubeconfig. Errors name what to grant or the way out
 * (--tenancy disabled for a single-tenant operator).
 */
import { ApiException, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_GROUP_VERSION, API_VERSION } from '../api/group.js';
import { POLICY_KIND, POLICY_PLURAL } from '../api/instance-role-policy.js';
import type { NamespaceView } from '../domain/tenancy.js';
import { errorText } from '../util/error-text.js';
import type { AuditPolicy } from './model.js';
import { toTenancyRecord } from './tenancy-records.js';

function explain(err: unknown, what: string, server: string): Error {
  const code = err instanceof ApiException ? Number(err.code) : undefined;
  if (code === 404) return new Error(`${server} does not serve ${what}: install the CRDs (kubectl apply -f crds/), or pass --tenancy disabled if the operator runs with tenancy disabled`);
  if (code === 403) return new Error(`not allowed to list ${what} on ${server} (403): grant list on ${what}, or pass --tenancy disabled if the operator runs with tenancy disabled`);
  return new Error(`cannot list ${what} on ${server}: ${errorText(err)}`);
}

export async function readClusterTenancy(kubeConfig: KubeConfig): Promise<{ policies: AuditPolicy[]; namespaces: NamespaceView[] }> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '(unknown server)';
  let items: unknown[];
  try {
    const list = (await kubeConfig.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: POLICY_PLURAL })) as { items?: unknown[] };
    items = list.items ?? [];
  } catch (err) {
    throw explain(err, `${POLICY_PLURAL}.${API_GROUP}`, server);
  }
  const policies = items.flatMap((item) => {
    const record = toTenancyRecord({ apiVersion: API_GROUP_VERSION, kind: POLICY_KIND, ...(item as object) }, 'cluster');
    return record && 'policy' in record ? [record.policy] : [];
  });
  let namespaces: NamespaceView[];
  try {
    const list = await kubeConfig.makeApiClient(CoreV1Api).listNamespace();
    namespaces = list.items.map((ns) => ({ name: ns.metadata?.name ?? '', labels: { ...(ns.metadata?.labels ?? {}) } })).filter((n) => n.name !== '');
  } catch (err) {
    throw explain(err, 'namespaces', server);
  }
  return { policies, namespaces };
}
