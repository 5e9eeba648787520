/**
 * Writes the status of InstanceRolePolicies (cluster-scoped) through the status subresource: a
 * merge patch with the merge-patch content type and the operator's field manager. Lists the
 * policies for the informer and the audit.
 */
import { type CustomObjectsApi, type KubernetesListObject, type KubernetesObject, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { API_GROUP, API_GROUP_VERSION, API_VERSION } from '../api/group.js';
import { POLICY_KIND, POLICY_PLURAL, type InstanceRolePolicyStatus } from '../api/instance-role-policy.js';
import { FIELD_MANAGER } from './wire-identity.js';

export interface PolicyStatusApi {
  patchStatus(name: string, status: InstanceRolePolicyStatus): Promise<void>;
}

export const POLICY_WATCH_PATH = `/apis/${API_GROUP}/${API_VERSION}/${POLICY_PLURAL}`;

export class KubePolicyApi implements PolicyStatusApi {
  constructor(private readonly customObjects: CustomObjectsApi) {}

  async patchStatus(name: string, status: InstanceRolePolicyStatus): Promise<void> {
    await this.customObjects.patchClusterCustomObjectStatus(
      { group: API_GROUP, version: API_VERSION, plural: POLICY_PLURAL, name, body: { apiVersion: API_GROUP_VERSION, kind: POLICY_KIND, status }, fieldManager: FIELD_MANAGER },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** One page of InstanceRolePolicies (every one without a limit). */
  async list(page: { limit?: number; continueToken?: string | undefined } = {}): Promise<KubernetesListObject<KubernetesObject>> {
    return (await this.customObjects.listClusterCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      plural: POLICY_PLURAL,
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.continueToken ? { _continue: page.continueToken } : {}),
    })) as KubernetesListObject<KubernetesObject>;
  }
}
