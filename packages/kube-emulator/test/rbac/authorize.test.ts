import { describe, expect, it } from 'vitest';
import { authorize, type RbacObjects, type RequestAttributes, type UserInfo } from '../../src/rbac/index.js';

const rbacGroup = 'rbac.authorization.k8s.io';

function clusterRole(name: string, rules: unknown[]): unknown {
  return { apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRole', metadata: { name }, rules };
}

function role(namespace: string, name: string, rules: unknown[]): unknown {
  return { apiVersion: `${rbacGroup}/v1`, kind: 'Role', metadata: { name, namespace }, rules };
}

function clusterRoleBinding(name: string, roleName: string, subjects: unknown[], roleKind = 'ClusterRole'): unknown {
  return { apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: rbacGroup, kind: roleKind, name: roleName }, subjects };
}

function roleBinding(namespace: string, name: string, roleKind: 'Role' | 'ClusterRole', roleName: string, subjects: unknown[]): unknown {
  return { apiVersion: `${rbacGroup}/v1`, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: rbacGroup, kind: roleKind, name: roleName }, subjects };
}

function objects(partial: Partial<RbacObjects>): RbacObjects {
  return { roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [], ...partial };
}

const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const operatorSa: UserInfo = {
  name: 'system:serviceaccount:ecs-role-operator:controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:ecs-role-operator', 'system:authenticated'],
};

const getSecret: RequestAttributes = { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'team-a', name: 'creds' };

describe('ClusterRoleBinding', () => {
  const rbac = objects({
    clusterRoles: [clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }])],
    clusterRoleBindings: [clusterRoleBinding('alice-reads-secrets', 'secret-reader', [{ kind: 'User', apiGroup: rbacGroup, name: 'alice' }])],
  });

  it('grants its ClusterRole in every namespace and at cluster scope, naming the binding', () => {
    expect(authorize(rbac, alice, getSecret)).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "alice-reads-secrets" of ClusterRole "secret-reader" to User "alice"',
    });
    expect(authorize(rbac, alice, { ...getSecret, namespace: 'kube-system' }).allowed).toBe(true);
    expect(authorize(rbac, alice, { verb: 'list', apiGroup: '', resource: 'secrets' }).allowed).toBe(true);
  });

  it('grants nothing beyond the rules: other verbs, resources and users are denied with an explanation', () => {
    const denied = authorize(rbac, alice, { ...getSecret, verb: 'delete' });
    expect(denied.allowed).toBe(false);
    expect(denied.reason).toBe(
      'RBAC: no ClusterRoleBinding or RoleBinding grants User "alice" (groups ["system:authenticated"]) verb "delete" on resource "secrets" in the core API group named "creds" in namespace "team-a"',
    );
    expect(authorize(rbac, alice, { ...getSecret, resource: 'configmaps' }).allowed).toBe(false);
    expect(authorize(rbac, { name: 'bob', groups: [] }, getSecret).allowed).toBe(false);
  });

  it('cannot grant a Role, and says so', () => {
    const rbacWithRoleRef = objects({
      roles: [role('team-a', 'reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }])],
      clusterRoleBindings: [clusterRoleBinding('wrong', 'reader', [{ kind: 'User', name: 'alice' }], 'Role')],
    });
    const decision = authorize(rbacWithRoleRef, alice, getSecret);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toContain('ClusterRoleBinding "wrong" refers to a Role; a ClusterRoleBinding can only grant a ClusterRole');
  });

  it('reports a binding whose ClusterRole does not exist', () => {
    const dangling = objects({ clusterRoleBindings: [clusterRoleBinding('dangling', 'missing', [{ kind: 'User', name: 'alice' }])] });
    const decision = authorize(dangling, alice, getSecret);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toContain('clusterrole.rbac.authorization.k8s.io "missing" not found (bound by ClusterRoleBinding "dangling")');
  });
});

describe('RoleBinding', () => {
  const rules = [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }];

  it('grants a Role of its own namespace only inside that namespace', () => {
    const rbac = objects({
      roles: [role('ecs-role-operator', 'leader-election', rules)],
      roleBindings: [roleBinding('ecs-role-operator', 'leader-election', 'Role', 'leader-election', [{ kind: 'User', name: 'alice' }])],
    });
    const renew: RequestAttributes = { verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'ecs-role-operator', name: 'lock' };
    expect(authorize(rbac, alice, renew)).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "leader-election/ecs-role-operator" of Role "leader-election" to User "alice"',
    });
    expect(authorize(rbac, alice, { ...renew, namespace: 'default' }).allowed).toBe(false);
    expect(authorize(rbac, alice, { ...renew, namespace: undefined }).allowed).toBe(false);
  });

  it('does not grant a Role of another namespace with the same name', () => {
    const rbac = objects({
      roles: [role('other', 'leader-election', rules)],
      roleBindings: [roleBinding('ecs-role-operator', 'leader-election', 'Role', 'leader-election', [{ kind: 'User', name: 'alice' }])],
    });
    const decision = authorize(rbac, alice, { verb: 'get', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'ecs-role-operator' });
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toContain('role.rbac.authorization.k8s.io "leader-election" not found in namespace "ecs-role-operator"');
  });

  it('grants a ClusterRole only within the binding namespace', () => {
    const rbac = objects({
      clusterRoles: [clusterRole('edit-leases', rules)],
      roleBindings: [roleBinding('team-a', 'edit', 'ClusterRole', 'edit-leases', [{ kind: 'Group', name: 'team-a-devs' }])],
    });
    const dev: UserInfo = { name: 'carol', groups: ['team-a-devs'] };
    const get: RequestAttributes = { verb: 'get', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'team-a' };
    expect(authorize(rbac, dev, get)).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "edit/team-a" of ClusterRole "edit-leases" to Group "team-a-devs"',
    });
    expect(authorize(rbac, dev, { ...get, namespace: 'team-b' }).allowed).toBe(false);
    expect(authorize(rbac, dev, { ...get, namespace: undefined }).allowed).toBe(false);
  });
});

describe('subjects', () => {
  const readPods = clusterRole('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);
  const getPod: RequestAttributes = { verb: 'get', apiGroup: '', resource: 'pods', namespace: 'ecs-role-operator', name: 'p' };

  it('matches a Group subject against the user groups', () => {
    const rbac = objects({ clusterRoles: [readPods], clusterRoleBindings: [clusterRoleBinding('sas', 'pod-reader', [{ kind: 'Group', name: 'system:serviceaccounts' }])] });
    expect(authorize(rbac, operatorSa, getPod).reason).toBe('RBAC: allowed by ClusterRoleBinding "sas" of ClusterRole "pod-reader" to Group "system:serviceaccounts"');
    expect(authorize(rbac, alice, getPod).allowed).toBe(false);
  });

  it('matches a ServiceAccount subject as system:serviceaccount:<namespace>:<name>', () => {
    const rbac = objects({
      clusterRoles: [readPods],
      clusterRoleBindings: [clusterRoleBinding('operator', 'pod-reader', [{ kind: 'ServiceAccount', name: 'controller', namespace: 'ecs-role-operator' }])],
    });
    expect(authorize(rbac, operatorSa, getPod)).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "operator" of ClusterRole "pod-reader" to ServiceAccount "controller/ecs-role-operator"',
    });
    expect(authorize(rbac, { name: 'system:serviceaccount:other:controller', groups: [] }, getPod).allowed).toBe(false);
    expect(authorize(rbac, { name: 'controller', groups: [] }, getPod).allowed).toBe(false);
  });

  it('requires a namespace on a ServiceAccount subject of a ClusterRoleBinding', () => {
    const rbac = objects({
      clusterRoles: [readPods],
      clusterRoleBindings: [clusterRoleBinding('no-ns', 'pod-reader', [{ kind: 'ServiceAccount', name: 'controller' }])],
    });
    expect(authorize(rbac, operatorSa, getPod).allowed).toBe(false);
  });

  it('defaults a RoleBinding ServiceAccount subject without namespace to the binding namespace', () => {
    const rbac = objects({
      clusterRoles: [readPods],
      roleBindings: [roleBinding('ecs-role-operator', 'local-sa', 'ClusterRole', 'pod-reader', [{ kind: 'ServiceAccount', name: 'controller' }])],
    });
    expect(authorize(rbac, operatorSa, getPod).reason).toBe(
      'RBAC: allowed by RoleBinding "local-sa/ecs-role-operator" of ClusterRole "pod-reader" to ServiceAccount "controller/ecs-role-operator"',
    );
  });

  it('ignores subjects of unknown kinds', () => {
    const rbac = objects({ clusterRoles: [readPods], clusterRoleBindings: [clusterRoleBinding('odd', 'pod-reader', [{ kind: 'Robot', name: 'alice' }])] });
    expect(authorize(rbac, alice, getPod).allowed).toBe(false);
  });
});

describe('rules', () => {
  function allowedBy(rule: unknown, attrs: RequestAttributes): boolean {
    const rbac = objects({ clusterRoles: [clusterRole('r', [rule])], clusterRoleBindings: [clusterRoleBinding('b', 'r', [{ kind: 'User', name: 'alice' }])] });
    return authorize(rbac, alice, attrs).allowed;
  }
  const bindings: RequestAttributes = { verb: 'patch', apiGroup: 'roles.ecs.dev', resource: 'instancerolebindings', namespace: 'ns', name: 'web' };

  it('matches verbs exactly or through *', () => {
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings'], verbs: ['get', 'patch'] }, bindings)).toBe(true);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings'], verbs: ['get'] }, bindings)).toBe(false);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings'], verbs: ['*'] }, bindings)).toBe(true);
  });

  it('matches API groups exactly or through *; the core group is the empty string', () => {
    expect(allowedBy({ apiGroups: ['*'], resources: ['instancerolebindings'], verbs: ['patch'] }, bindings)).toBe(true);
    expect(allowedBy({ apiGroups: [''], resources: ['instancerolebindings'], verbs: ['patch'] }, bindings)).toBe(false);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['*'], verbs: ['*'] }, { ...bindings, apiGroup: 'apps' })).toBe(false);
  });

  it('matches resources exactly or through *', () => {
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['*'], verbs: ['patch'] }, bindings)).toBe(true);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebinding'], verbs: ['patch'] }, bindings)).toBe(false);
  });

  it('grants a subresource only through resource/subresource, */subresource or *', () => {
    const statusPatch: RequestAttributes = { ...bindings, subresource: 'status' };
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings'], verbs: ['patch'] }, statusPatch)).toBe(false);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings/status'], verbs: ['patch'] }, statusPatch)).toBe(true);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings/status'], verbs: ['patch'] }, bindings)).toBe(false);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings/finalizers'], verbs: ['patch'] }, statusPatch)).toBe(false);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['*/status'], verbs: ['patch'] }, statusPatch)).toBe(true);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['*/status'], verbs: ['patch'] }, bindings)).toBe(false);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['*/scale'], verbs: ['patch'] }, statusPatch)).toBe(false);
    expect(allowedBy({ apiGroups: ['roles.ecs.dev'], resources: ['*'], verbs: ['patch'] }, statusPatch)).toBe(true);
  });

  it('restricts by resourceNames, which never match a request without a name', () => {
    const secretRule = { apiGroups: [''], resources: ['secrets'], resourceNames: ['alibaba-credentials'], verbs: ['get', 'list'] };
    const get: RequestAttributes = { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'ecs-role-operator', name: 'alibaba-credentials' };
    expect(allowedBy(secretRule, get)).toBe(true);
    expect(allowedBy(secretRule, { ...get, name: 'other' })).toBe(false);
    expect(allowedBy(secretRule, { ...get, verb: 'list', name: undefined })).toBe(false);
  });

  it('matches nonResourceURLs exactly, through *, or by a trailing * prefix', () => {
    const healthz: RequestAttributes = { verb: 'get', apiGroup: '', resource: '', nonResourceURL: '/healthz' };
    expect(allowedBy({ nonResourceURLs: ['/healthz'], verbs: ['get'] }, healthz)).toBe(true);
    expect(allowedBy({ nonResourceURLs: ['/healthz'], verbs: ['post'] }, healthz)).toBe(false);
    expect(allowedBy({ nonResourceURLs: ['*'], verbs: ['get'] }, { ...healthz, nonResourceURL: '/metrics' })).toBe(true);
    expect(allowedBy({ nonResourceURLs: ['/apis/*'], verbs: ['get'] }, { ...healthz, nonResourceURL: '/apis/roles.ecs.dev/v1alpha1' })).toBe(true);
    expect(allowedBy({ nonResourceURLs: ['/apis/*'], verbs: ['get'] }, { ...healthz, nonResourceURL: '/api/v1' })).toBe(false);
    expect(allowedBy({ nonResourceURLs: ['/healthz'], verbs: ['get'] }, { ...healthz, nonResourceURL: '/healthz/ready' })).toBe(false);
  });

  it('does not let resource rules grant non-resource URLs or the reverse', () => {
    expect(allowedBy({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { verb: 'get', apiGroup: '', resource: '', nonResourceURL: '/metrics' })).toBe(false);
    expect(allowedBy({ nonResourceURLs: ['*'], verbs: ['*'] }, bindings)).toBe(false);
  });

  it('grants non-resource URLs through ClusterRoleBindings only', () => {
    const metricsReader = clusterRole('metrics-reader', [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    const metrics: RequestAttributes = { verb: 'get', apiGroup: '', resource: '', nonResourceURL: '/metrics', namespace: 'ecs-role-operator' };
    const viaRoleBinding = objects({ clusterRoles: [metricsReader], roleBindings: [roleBinding('ecs-role-operator', 'm', 'ClusterRole', 'metrics-reader', [{ kind: 'User', name: 'alice' }])] });
    expect(authorize(viaRoleBinding, alice, metrics).allowed).toBe(false);
    const viaClusterRoleBinding = objects({ clusterRoles: [metricsReader], clusterRoleBindings: [clusterRoleBinding('m', 'metrics-reader', [{ kind: 'User', name: 'alice' }])] });
    expect(authorize(viaClusterRoleBinding, alice, metrics)).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "m" of ClusterRole "metrics-reader" to User "alice"',
    });
  });

  it('tolerates malformed stored objects without granting anything', () => {
    const rbac = objects({ clusterRoles: [{ metadata: { name: 'r' }, rules: 'not-a-list' }], clusterRoleBindings: [{ metadata: { name: 'b' } }, null] });
    expect(authorize(rbac, alice, bindings).allowed).toBe(false);
  });
});

describe('the operator permissions a deploy/ manifest would grant', () => {
  const rbac = objects({
    clusterRoles: [clusterRole('ecs-role-operator', [
      { apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      { apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings/status', 'instancerolebindings/finalizers'], verbs: ['get', 'update', 'patch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ])],
    roles: [role('ecs-role-operator', 'ecs-role-operator', [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['alibaba-credentials'], verbs: ['get'] },
    ])],
    clusterRoleBindings: [clusterRoleBinding('ecs-role-operator', 'ecs-role-operator', [{ kind: 'ServiceAccount', name: 'controller', namespace: 'ecs-role-operator' }])],
    roleBindings: [roleBinding('ecs-role-operator', 'ecs-role-operator', 'Role', 'ecs-role-operator', [{ kind: 'ServiceAccount', name: 'controller', namespace: 'ecs-role-operator' }])],
  });

  it.each<[string, RequestAttributes, boolean]>([
    ['watch bindings in any namespace', { verb: 'watch', apiGroup: 'roles.ecs.dev', resource: 'instancerolebindings' }, true],
    ['patch status', { verb: 'patch', apiGroup: 'roles.ecs.dev', resource: 'instancerolebindings', subresource: 'status', namespace: 'team-a', name: 'web' }, true],
    ['update finalizers', { verb: 'update', apiGroup: 'roles.ecs.dev', resource: 'instancerolebindings', subresource: 'finalizers', namespace: 'team-a', name: 'web' }, true],
    ['delete bindings', { verb: 'delete', apiGroup: 'roles.ecs.dev', resource: 'instancerolebindings', namespace: 'team-a', name: 'web' }, false],
    ['create events.k8s.io events', { verb: 'create', apiGroup: 'events.k8s.io', resource: 'events', namespace: 'team-a' }, true],
    ['renew its lease', { verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'ecs-role-operator', name: 'ecs-role-operator' }, true],
    ['touch leases elsewhere', { verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'x' }, false],
    ['read its credentials secret', { verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'ecs-role-operator', name: 'alibaba-credentials' }, true],
    ['list secrets', { verb: 'list', apiGroup: '', resource: 'secrets', namespace: 'ecs-role-operator' }, false],
  ])('%s', (_label, attrs, expected) => {
    expect(authorize(rbac, operatorSa, attrs).allowed).toBe(expected);
  });
});
