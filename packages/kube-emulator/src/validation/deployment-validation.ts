/**
 * apps/v1 Deployment validation (apps/validation ValidateDeploymentSpec): non-negative replicas,
 * a required non-empty selector that matches the template's labels, the pod template (common
 * part, see pod-template-validation.ts) with restartPolicy Always, the strategy (no rollingUpdate
 * with Recreate, surge and unavailability not both 0), and progressDeadlineSeconds above
 * minReadySeconds.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import type { FieldError } from '../status.js';
import { forbidden, goStringMap, invalid, nonNegative, notSupported, required } from './field-errors.js';
import { podTemplateErrors } from './pod-template-validation.js';

function selectorMatches(selector: JsonObject, labels: Record<string, string>): boolean {
  const matchLabels = isJsonObject(selector['matchLabels']) ? selector['matchLabels'] : {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  const expressions = Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'].filter(isJsonObject) : [];
  for (const e of expressions) {
    const key = String(e['key'] ?? '');
    const values = Array.isArray(e['values']) ? e['values'].map(String) : [];
    const has = key in labels;
    switch (e['operator']) {
      case 'In':
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

function intOrPercent(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) return Number(value.slice(0, -1));
  return undefined;
}

function strategyErrors(strategy: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const type = strategy['type'];
  if (type === 'Recreate') {
    if (strategy['rollingUpdate'] !== undefined && strategy['rollingUpdate'] !== null) errors.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    const ru = isJsonObject(strategy['rollingUpdate']) ? strategy['rollingUpdate'] : {};
    for (const k of ['maxUnavailable', 'maxSurge']) {
      const v = ru[k];
      if (typeof v === 'string' && !/^\d+%$/.test(v)) errors.push(invalid(`spec.strategy.rollingUpdate.${k}`, JSON.stringify(v), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
      else if (typeof v === 'number' && v < 0) errors.push(invalid(`spec.strategy.rollingUpdate.${k}`, String(v), 'must be greater than or equal to 0'));
    }
    if (intOrPercent(ru['maxUnavailable']) === 0 && intOrPercent(ru['maxSurge']) === 0) {
      errors.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', JSON.stringify(ru['maxUnavailable']), 'may not be 0 when `maxSurge` is 0'));
    }
    const unavailable = ru['maxUnavailable'];
    if (typeof unavailable === 'string' && /^\d+%$/.test(unavailable) && Number(unavailable.slice(0, -1)) > 100) {
      errors.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', JSON.stringify(unavailable), 'must not be greater than 100%'));
    }
  } else {
    errors.push(notSupported('spec.strategy', String(type ?? ''), ['Recreate', 'RollingUpdate']));
  }
  return errors;
}

export function validateDeployment(obj: JsonObject): FieldError[] {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const errors: FieldError[] = [...nonNegative('spec.replicas', spec['replicas'])];
  const selector = spec['selector'];
  const template = isJsonObject(spec['template']) ? spec['template'] : {};
  const templateMeta = isJsonObject(template['metadata']) ? template['metadata'] : {};
  const labels: Record<string, string> = {};
  if (isJsonObject(templateMeta['labels'])) for (const [k, v] of Object.entries(templateMeta['labels'])) labels[k] = String(v);
  if (!isJsonObject(selector)) {
    errors.push(required('spec.selector'));
  } else if (Object.keys(isJsonObject(selector['matchLabels']) ? selector['matchLabels'] : {}).length + (Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'].length : 0) === 0) {
    errors.push(invalid('spec.selector', '&v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}', 'empty selector is invalid for deployment'));
  }
  const emptySelector = isJsonObject(selector) && Object.keys(isJsonObject(selector['matchLabels']) ? selector['matchLabels'] : {}).length === 0 && !(Array.isArray(selector['matchExpressions']) && selector['matchExpressions'].length > 0);
  if (!emptySelector && (!isJsonObject(selector) || !selectorMatches(selector, labels))) {
    errors.push(invalid('spec.template.metadata.labels', goStringMap(templateMeta['labels']), '`selector` does not match template `labels`'));
  }
  errors.push(...podTemplateErrors(template, 'spec.template'));
  const templateSpec = isJsonObject(template['spec']) ? template['spec'] : {};
  if (templateSpec['restartPolicy'] !== undefined && templateSpec['restartPolicy'] !== 'Always') {
    errors.push(notSupported('spec.template.spec.restartPolicy', String(templateSpec['restartPolicy']), ['Always']));
  }
  if (templateSpec['activeDeadlineSeconds'] !== undefined) errors.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  errors.push(...strategyErrors(isJsonObject(spec['strategy']) ? spec['strategy'] : {}));
  errors.push(...nonNegative('spec.minReadySeconds', spec['minReadySeconds']));
  errors.push(...nonNegative('spec.revisionHistoryLimit', spec['revisionHistoryLimit']));
  const deadline = spec['progressDeadlineSeconds'];
  if (typeof deadline === 'number') {
    errors.push(...nonNegative('spec.progressDeadlineSeconds', deadline));
    if (deadline <= (typeof spec['minReadySeconds'] === 'number' ? spec['minReadySeconds'] : 0)) errors.push(invalid('spec.progressDeadlineSeconds', String(deadline), 'must be greater than minReadySeconds'));
  }
  return errors;
}
