/**
 * Bindings from a cluster: every roles.ecs.dev/v1alpha1 InstanceRoleBinding in all namespaces,
 * listed page by page through @kubernetes/client-node with the given kubeconfig (or the default
 * loading rules: $KUBECONFIG, ~/.kube/config, in-cluster service account).
 */
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_GROUP_VERSION, API_VERSION, KIND, PLURAL } from '../api/instance-role-binding.js';
import { type BindingRecord, collectBindingRecords, toBindingRecord } from './binding-records.js';
import type { AuditBinding, InvalidBinding } from './model.js';
import { errorText } from '../util/error-text.js';

const PAGE_SIZE = 500;
const MAX_PAGES = 10_000;

export interface ClusterBindings {
  bindings: AuditBinding[];
  invalidBindings: InvalidBinding[];
  /** The API server the bindings came from. */
  server: string;
}

function explainListFailure(err: unknown, server: string): Error {
  const resource = `${PLURAL}.${API_GROUP}`;
  if (err instanceof ApiException) {
    const code = Number(err.code);
    if (code === 404) {
      return new Error(`${server} does not serve ${resource}/${API_VERSION}: install the CRD (kubectl apply -f crds/instancerolebindings.roles.ecs.dev.yaml)`);
    }
    if (code === 401) return new Error(`${server} rejected the kubeconfig's credentials (401): refresh the token or pick another context`);
    if (code === 403) {
      return new Error(`not allowed to list ${resource} in all namespaces on ${server} (403): grant get/list on ${resource} cluster-wide, or use --manifests DIR`);
    }
    return new Error(`listing ${resource} on ${server} failed with HTTP ${code}: ${err.message}`);
  }
  return new Error(`cannot list ${resource} on ${server}: ${errorText(err)}`);
}

interface ListPage {
  items?: unknown[];
  metadata?: { continue?: string };
}

export async function readClusterBindings(kubeConfig: KubeConfig): Promise<ClusterBindings> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '(unknown server)';
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const records: BindingRecord[] = [];
  let continueToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let list: ListPage;
    try {
      list = (await api.listClusterCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        plural: PLURAL,
        limit: PAGE_SIZE,
        ...(continueToken ? { _continue: continueToken } : {}),
      })) as ListPage;
    } catch (err) {
      throw explainListFailure(err, server);
    }
    // Items of a custom-resource list carry apiVersion and kind; default them in case a server omits them.
    for (const item of list.items ?? []) records.push(toBindingRecord({ apiVersion: API_GROUP_VERSION, kind: KIND, ...(item as object) }, 'cluster'));
    continueToken = list.metadata?.continue || undefined;
    if (!continueToken) return { ...collectBindingRecords(records), server };
  }
  throw new Error(`listing ${PLURAL}.${API_GROUP} on ${server} did not end after ${MAX_PAGES} pages`);
}
