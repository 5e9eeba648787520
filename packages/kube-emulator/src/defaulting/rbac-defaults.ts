/**
 * rbac.authorization.k8s.io/v1 binding defaults: roleRef.apiGroup is the RBAC group, and a
 * subject's apiGroup follows its kind (users and groups: the RBAC group; service accounts: core).
 */
import { isJsonObject, type JsonObject } from '../json.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function bindingDefaults(binding: JsonObject): void {
  const roleRef = binding['roleRef'];
  if (isJsonObject(roleRef) && !roleRef['apiGroup']) roleRef['apiGroup'] = RBAC_GROUP;
  const subjects = binding['subjects'];
  if (!Array.isArray(subjects)) return;
  for (const subject of subjects) {
    if (!isJsonObject(subject) || subject['apiGroup']) continue;
    if (subject['kind'] === 'User' || subject['kind'] === 'Group') subject['apiGroup'] = RBAC_GROUP;
    else if (subject['kind'] === 'ServiceAccount') subject['apiGroup'] = '';
  }
}
