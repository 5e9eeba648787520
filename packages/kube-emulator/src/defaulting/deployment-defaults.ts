/**
 * apps/v1 Deployment defaults (SetDefaults_Deployment): 1 replica, the RollingUpdate strategy
 * with 25% surge and unavailability, 10 kept revisions, a 600 s progress deadline; then the pod
 * template's defaults.
 */
import { childObject, isJsonObject, type JsonObject } from '../json.js';
import { podTemplateDefaults } from './pod-spec-defaults.js';

export function deploymentDefaults(deployment: JsonObject): void {
  const spec = childObject(deployment, 'spec');
  if (spec['replicas'] === undefined || spec['replicas'] === null) spec['replicas'] = 1;
  const strategy = childObject(spec, 'strategy');
  if (!strategy['type']) strategy['type'] = 'RollingUpdate';
  if (strategy['type'] === 'RollingUpdate') {
    const rollingUpdate = childObject(strategy, 'rollingUpdate');
    if (rollingUpdate['maxUnavailable'] === undefined || rollingUpdate['maxUnavailable'] === null) rollingUpdate['maxUnavailable'] = '25%';
    if (rollingUpdate['maxSurge'] === undefined || rollingUpdate['maxSurge'] === null) rollingUpdate['maxSurge'] = '25%';
  }
  if (spec['revisionHistoryLimit'] === undefined || spec['revisionHistoryLimit'] === null) spec['revisionHistoryLimit'] = 10;
  if (spec['progressDeadlineSeconds'] === undefined || spec['progressDeadlineSeconds'] === null) spec['progressDeadlineSeconds'] = 600;
  if (isJsonObject(spec['template'])) podTemplateDefaults(spec['template']);
}
