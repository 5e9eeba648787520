// Whether a binding's subject is the user: by user name, group, or service account
// (`system:serviceaccount:<namespace>:<name>`; a RoleBinding's service-account subject without a
// namespace means the binding's namespace).

import type { Subject } from './rbac-objects.js';

export interface SubjectUser {
  name: string;
  groups: string[];
}

const serviceAccountPrefix = 'system:serviceaccount:';

export function subjectMatches(user: SubjectUser, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace.length > 0 ? subject.namespace : bindingNamespace;
      if (namespace.length === 0 || subject.name.length === 0) return false;
      return user.name === `${serviceAccountPrefix}${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}
