// Every rule that applies to a user in a namespace, the way kube-apiserver's RBAC rule resolver
// visits them for a SelfSubjectRulesReview (`kubectl auth can-i --list`): the ClusterRoles of
// matching ClusterRoleBindings, then the Roles and ClusterRoles of the namespace's matching
// RoleBindings. Bindings to roles that do not exist are reported, and the list is then incomplete.

import { readBinding, readRole, type PolicyRule, type RoleView } from './rbac-objects.js';
import { subjectMatches, type SubjectUser } from './subjects.js';

export interface RulesForUser {
  rules: PolicyRule[];
  /** Why the list may be incomplete (missing roles), worded like the real resolver's errors. */
  problems: string[];
}

interface RbacLists {
  roles: unknown[];
  clusterRoles: unknown[];
  roleBindings: unknown[];
  clusterRoleBindings: unknown[];
}

export function rulesFor(rbac: RbacLists, user: SubjectUser, namespace: string): RulesForUser {
  const clusterRoles = new Map<string, RoleView>(rbac.clusterRoles.map(readRole).map((r) => [r.name, r]));
  const roles = new Map<string, RoleView>(rbac.roles.map(readRole).map((r) => [`${r.namespace}/${r.name}`, r]));
  const rules: PolicyRule[] = [];
  const problems: string[] = [];
  for (const binding of rbac.clusterRoleBindings.map(readBinding)) {
    if (!binding.subjects.some((s) => subjectMatches(user, s, ''))) continue;
    const role = binding.roleRef.kind === 'ClusterRole' ? clusterRoles.get(binding.roleRef.name) : undefined;
    if (role) rules.push(...role.rules);
    else problems.push(`clusterrole.rbac.authorization.k8s.io "${binding.roleRef.name}" not found`);
  }
  if (namespace) {
    for (const binding of rbac.roleBindings.map(readBinding)) {
      if (binding.namespace !== namespace || !binding.subjects.some((s) => subjectMatches(user, s, namespace))) continue;
      const role = binding.roleRef.kind === 'Role' ? roles.get(`${namespace}/${binding.roleRef.name}`) : binding.roleRef.kind === 'ClusterRole' ? clusterRoles.get(binding.roleRef.name) : undefined;
      if (role) rules.push(...role.rules);
      else problems.push(`${binding.roleRef.kind === 'Role' ? 'role' : 'clusterrole'}.rbac.authorization.k8s.io "${binding.roleRef.name}" not found`);
    }
  }
  return { rules, problems };
}
