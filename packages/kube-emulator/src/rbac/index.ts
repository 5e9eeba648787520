// RBAC authorization for the Kubernetes API emulator, with kube-apiserver's semantics:
// ClusterRoleBindings grant a ClusterRole everywhere; RoleBindings grant a Role (of their own
// namespace) or a ClusterRole inside their namespace only; non-resource URLs are granted only
// through ClusterRoleBindings. Subjects match by user name, group, or service account
// (`system:serviceaccount:<namespace>:<name>`; a RoleBinding's service-account subject without a
// namespace means the binding's namespace). The reason names the granting binding like the real
// authorizer (`RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`) or says
// why nothing matched.

import { readBinding, readRole, type BindingView, type RoleView, type Subject } from './rbac-objects.js';
import { ruleAllows, type RuleRequest } from './rule-matching.js';
import { subjectMatches } from './subjects.js';

export { rulesFor, type RulesForUser } from './rules-for.js';

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  nonResourceURL?: string;
}

/**
 * rbac.authorization.k8s.io/v1 objects as stored (plain JSON). Each object is read once and its
 * parsed form cached by identity, so objects must not be mutated after they are passed in (the
 * emulator's store replaces objects on write).
 */
export interface RbacObjects {
  roles: unknown[];
  clusterRoles: unknown[];
  roleBindings: unknown[];
  clusterRoleBindings: unknown[];
}

export interface AuthorizationDecision {
  allowed: boolean;
  reason: string;
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    const namespace = subject.namespace.length > 0 ? subject.namespace : bindingNamespace;
    return `${subject.kind} ${JSON.stringify(`${subject.name}/${namespace}`)}`;
  }
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}

function describeRequest(attrs: RequestAttributes): string {
  if (attrs.nonResourceURL !== undefined) return `verb ${JSON.stringify(attrs.verb)} on non-resource URL ${JSON.stringify(attrs.nonResourceURL)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const group = attrs.apiGroup.length > 0 ? ` in API group ${JSON.stringify(attrs.apiGroup)}` : ' in the core API group';
  const name = attrs.name ? ` named ${JSON.stringify(attrs.name)}` : '';
  const scope = attrs.namespace ? ` in namespace ${JSON.stringify(attrs.namespace)}` : ' at cluster scope';
  return `verb ${JSON.stringify(attrs.verb)} on resource ${JSON.stringify(resource)}${group}${name}${scope}`;
}

/** Looks roles up by name, reading the stored lists only when a binding needs one. */
class RoleLookup {
  private roles: Map<string, RoleView> | undefined;
  private clusterRoles: Map<string, RoleView> | undefined;

  constructor(readonly objects: RbacObjects) {}

  clusterRole(name: string): RoleView | undefined {
    this.clusterRoles ??= new Map(this.objects.clusterRoles.map(readRole).map((role) => [role.name, role]));
    return this.clusterRoles.get(name);
  }

  role(namespace: string, name: string): RoleView | undefined {
    this.roles ??= new Map(this.objects.roles.map(readRole).map((role) => [`${role.namespace}/${role.name}`, role]));
    return this.roles.get(`${namespace}/${name}`);
  }
}

interface Evaluation {
  decision: AuthorizationDecision | undefined;
  problems: string[];
}

function grantingSubject(user: UserInfo, binding: BindingView, bindingNamespace: string): Subject | undefined {
  return binding.subjects.find((subject) => subjectMatches(user, subject, bindingNamespace));
}

function checkClusterRoleBindings(index: RoleLookup, user: UserInfo, request: RuleRequest, evaluation: Evaluation): void {
  for (const binding of index.objects.clusterRoleBindings.map(readBinding)) {
    const subject = grantingSubject(user, binding, '');
    if (subject === undefined) continue;
    if (binding.roleRef.kind !== 'ClusterRole') {
      evaluation.problems.push(`ClusterRoleBinding ${JSON.stringify(binding.name)} refers to a ${binding.roleRef.kind || 'role of no kind'}; a ClusterRoleBinding can only grant a ClusterRole`);
      continue;
    }
    const role = index.clusterRole(binding.roleRef.name);
    if (role === undefined) {
      evaluation.problems.push(`clusterrole.rbac.authorization.k8s.io ${JSON.stringify(binding.roleRef.name)} not found (bound by ClusterRoleBinding ${JSON.stringify(binding.name)})`);
      continue;
    }
    if (role.rules.some((rule) => ruleAllows(rule, request))) {
      evaluation.decision = {
        allowed: true,
        reason: `RBAC: allowed by ClusterRoleBinding ${JSON.stringify(binding.name)} of ClusterRole ${JSON.stringify(role.name)} to ${describeSubject(subject, '')}`,
      };
      return;
    }
  }
}

function checkRoleBindings(index: RoleLookup, user: UserInfo, request: RuleRequest, namespace: string, evaluation: Evaluation): void {
  for (const binding of index.objects.roleBindings.map(readBinding)) {
    if (binding.namespace !== namespace) continue;
    const subject = grantingSubject(user, binding, namespace);
    if (subject === undefined) continue;
    let role: RoleView | undefined;
    if (binding.roleRef.kind === 'Role') {
      role = index.role(namespace, binding.roleRef.name);
      if (role === undefined) {
        evaluation.problems.push(`role.rbac.authorization.k8s.io ${JSON.stringify(binding.roleRef.name)} not found in namespace ${JSON.stringify(namespace)} (bound by RoleBinding ${JSON.stringify(binding.name)})`);
        continue;
      }
    } else if (binding.roleRef.kind === 'ClusterRole') {
      role = index.clusterRole(binding.roleRef.name);
      if (role === undefined) {
        evaluation.problems.push(`clusterrole.rbac.authorization.k8s.io ${JSON.stringify(binding.roleRef.name)} not found (bound by RoleBinding ${JSON.stringify(`${binding.name}/${namespace}`)})`);
        continue;
      }
    } else {
      evaluation.problems.push(`RoleBinding ${JSON.stringify(`${binding.name}/${namespace}`)} refers to unknown role kind ${JSON.stringify(binding.roleRef.kind)}`);
      continue;
    }
    if (role.rules.some((rule) => ruleAllows(rule, request))) {
      evaluation.decision = {
        allowed: true,
        reason: `RBAC: allowed by RoleBinding ${JSON.stringify(`${binding.name}/${namespace}`)} of ${binding.roleRef.kind} ${JSON.stringify(role.name)} to ${describeSubject(subject, namespace)}`,
      };
      return;
    }
  }
}

/**
 * Decides whether `user` may make the request. Resource requests in a namespace consult
 * ClusterRoleBindings and that namespace's RoleBindings; cluster-scoped and non-resource
 * requests consult ClusterRoleBindings only.
 */
export function authorize(rbac: RbacObjects, user: UserInfo, attrs: RequestAttributes): AuthorizationDecision {
  const index = new RoleLookup(rbac);
  const request: RuleRequest = {
    verb: attrs.verb,
    apiGroup: attrs.apiGroup,
    resource: attrs.resource,
    subresource: attrs.subresource,
    name: attrs.name,
    nonResourceURL: attrs.nonResourceURL,
  };
  const evaluation: Evaluation = { decision: undefined, problems: [] };
  checkClusterRoleBindings(index, user, request, evaluation);
  const namespace = attrs.nonResourceURL === undefined ? attrs.namespace ?? '' : '';
  if (evaluation.decision === undefined && namespace.length > 0) {
    checkRoleBindings(index, user, request, namespace, evaluation);
  }
  if (evaluation.decision !== undefined) return evaluation.decision;
  const groups = user.groups.length > 0 ? ` (groups ${JSON.stringify(user.groups)})` : '';
  const problems = evaluation.problems.length > 0 ? `; ${evaluation.problems.join('; ')}` : '';
  return {
    allowed: false,
    reason: `RBAC: no ClusterRoleBinding${namespace ? ' or RoleBinding' : ''} grants User ${JSON.stringify(user.name)}${groups} ${describeRequest(attrs)}${problems}`,
  };
}
