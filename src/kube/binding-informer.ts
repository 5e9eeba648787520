/**
 * The InstanceRoleBinding watch: an ObjectInformer (restart with capped backoff, trimmed cache)
 * over every binding of the cluster, listed in pages through the custom objects API.
 */
import type { CustomObjectsApi, KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { API_GROUP, API_VERSION, type InstanceRoleBinding, PLURAL } from '../api/instance-role-binding.js';
import { ObjectInformer, type ObjectWatchHandlers } from './object-informer.js';
import { trimBinding } from './trim.js';

export type BindingWatchHandlers = ObjectWatchHandlers<InstanceRoleBinding>;

export interface BindingInformerOptions {
  kubeConfig: KubeConfig;
  customObjects: CustomObjectsApi;
  logger: Logger;
  handlers: BindingWatchHandlers;
}

export function bindingInformer(opts: BindingInformerOptions): ObjectInformer<InstanceRoleBinding> {
  const { customObjects } = opts;
  return new ObjectInformer<InstanceRoleBinding>({
    kubeConfig: opts.kubeConfig,
    path: `/apis/${API_GROUP}/${API_VERSION}/${PLURAL}`,
    // Custom objects arrive as plain JSON (timestamps are strings): the API type describes them.
    list: async ({ limit, continueToken }) =>
      (await customObjects.listClusterCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        plural: PLURAL,
        limit,
        ...(continueToken ? { _continue: continueToken } : {}),
      })) as KubernetesListObject<KubernetesObject>,
    trim: trimBinding,
    what: 'InstanceRoleBinding',
    logger: opts.logger,
    handlers: opts.handlers,
  });
}
