/**
 * RBAC validation (rbac/validation): every rule needs verbs; resource rules need apiGroups and
 * resources, non-resource rules only in ClusterRoles and not mixed with resources; a binding's
 * roleRef names a Role or ClusterRole of the RBAC group and cannot change; each subject has a
 * name, a known kind with the right apiGroup, and ServiceAccounts of ClusterRoleBindings a
 * namespace.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import type { FieldError } from '../status.js';
import { dns1123Subdomain } from '../object-meta-validation.js';
import { goLiteral, invalid, notSupported, required } from './field-errors.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

const strings = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.map(String) : []);
const text = (o: JsonObject, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

function ruleErrors(rule: JsonObject, namespaced: boolean, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (strings(rule['verbs']).length === 0) errors.push(required(`${field}.verbs`, 'verbs must contain at least one value'));
  const urls = strings(rule['nonResourceURLs']);
  if (urls.length > 0) {
    if (namespaced) errors.push(invalid(`${field}.nonResourceURLs`, goLiteral(urls), 'namespaced rules cannot apply to non-resource URLs'));
    if (strings(rule['apiGroups']).length > 0 || strings(rule['resources']).length > 0 || strings(rule['resourceNames']).length > 0) {
      errors.push(invalid(`${field}.nonResourceURLs`, goLiteral(urls), 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errors;
  }
  if (strings(rule['apiGroups']).length === 0) errors.push(required(`${field}.apiGroups`, 'resource rules must supply at least one api group'));
  if (strings(rule['resources']).length === 0) errors.push(required(`${field}.resources`, 'resource rules must supply at least one resource'));
  return errors;
}

/** Role (namespaced rules) and ClusterRole. */
export function roleValidator(namespaced: boolean): (obj: JsonObject) => FieldError[] {
  return (obj) => {
    const rules = Array.isArray(obj['rules']) ? obj['rules'] : [];
    const errors = rules.flatMap((r, i) => ruleErrors(isJsonObject(r) ? r : {}, namespaced, `rules[${i}]`));
    const aggregation = obj['aggregationRule'];
    const selectors = isJsonObject(aggregation) ? aggregation['clusterRoleSelectors'] : undefined;
    if (!namespaced && isJsonObject(aggregation) && (!Array.isArray(selectors) || selectors.length === 0)) {
      errors.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    return errors;
  };
}

function roleRefLiteral(ref: JsonObject): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(text(ref, 'apiGroup'))}, Kind:${JSON.stringify(text(ref, 'kind'))}, Name:${JSON.stringify(text(ref, 'name'))}}`;
}

function subjectErrors(subject: JsonObject, namespaced: boolean, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const name = text(subject, 'name');
  const apiGroup = text(subject, 'apiGroup');
  if (!name) errors.push(required(`${field}.name`));
  switch (text(subject, 'kind')) {
    case 'ServiceAccount':
      if (name) for (const m of dns1123Subdomain(name)) errors.push(invalid(`${field}.name`, JSON.stringify(name), m));
      if (apiGroup) errors.push(notSupported(`${field}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !text(subject, 'namespace')) errors.push(required(`${field}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errors.push(notSupported(`${field}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errors.push(notSupported(`${field}.kind`, text(subject, 'kind'), ['ServiceAccount', 'User', 'Group']));
  }
  return errors;
}

/** RoleBinding (roleRef to a Role or ClusterRole) and ClusterRoleBinding (ClusterRole only). */
export function bindingValidator(namespaced: boolean): (obj: JsonObject, old: JsonObject | undefined) => FieldError[] {
  return (obj, old) => {
    const errors: FieldError[] = [];
    const ref = isJsonObject(obj['roleRef']) ? obj['roleRef'] : {};
    if (text(ref, 'apiGroup') !== RBAC_GROUP) errors.push(notSupported('roleRef.apiGroup', text(ref, 'apiGroup'), [RBAC_GROUP]));
    const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
    if (!kinds.includes(text(ref, 'kind'))) errors.push(notSupported('roleRef.kind', text(ref, 'kind'), kinds));
    const refName = text(ref, 'name');
    if (!refName) errors.push(required('roleRef.name'));
    else for (const m of pathSegmentErrors(refName)) errors.push(invalid('roleRef.name', JSON.stringify(refName), m));
    const subjects = Array.isArray(obj['subjects']) ? obj['subjects'] : [];
    subjects.forEach((s, i) => errors.push(...subjectErrors(isJsonObject(s) ? s : {}, namespaced, `subjects[${i}]`)));
    if (old) {
      const oldRef = isJsonObject(old['roleRef']) ? old['roleRef'] : {};
      if (['apiGroup', 'kind', 'name'].some((k) => text(oldRef, k) !== text(ref, k))) errors.push(invalid('roleRef', roleRefLiteral(ref), 'cannot change roleRef'));
    }
    return errors;
  };
}
