/**
 * Authentication by bearer token (an admin token with full rights, minted service-account
 * tokens) and authorization through RBAC objects in the store, with the real server's 403
 * message format.
 */
import { randomBytes } from 'node:crypto';
import { authorize as rbacAuthorize, type RbacObjects } from './rbac/index.js';
import type { ObjectStore } from './object-store.js';
import type { ServiceAccountTokenIssuer } from './service-account-tokens.js';
import type { AccessAttributes, UserInfo } from './resource-type.js';
import { ApiError, qualifiedResource } from './status.js';

export const ADMIN_USER: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

/** Looks up a ServiceAccount's uid (undefined when it does not exist). */
export type ServiceAccountUid = (namespace: string, name: string) => string | undefined;

export class TokenAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();
  readonly adminToken: string;

  constructor(
    private readonly issuer?: ServiceAccountTokenIssuer,
    private readonly serviceAccountUid?: ServiceAccountUid,
  ) {
    this.adminToken = `admin-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(this.adminToken, ADMIN_USER);
  }

  /** A token that authenticates as the service account `namespace/name`. */
  serviceAccountToken(namespace: string, name: string): string {
    const token = `sa-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, {
      name: `system:serviceaccount:${namespace}:${name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    });
    return token;
  }

  /** The user of an `Authorization: Bearer` header, or undefined when the token is unknown or absent. */
  authenticate(authorization: string | undefined): UserInfo | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return undefined;
    const token = m[1] as string;
    return this.tokens.get(token) ?? this.boundServiceAccount(token);
  }

  /** A TokenRequest token: valid while unexpired and while its ServiceAccount exists with the same uid. */
  private boundServiceAccount(token: string): UserInfo | undefined {
    const claims = this.issuer?.verify(token);
    if (!claims || !this.serviceAccountUid) return undefined;
    const { namespace, serviceaccount } = claims['kubernetes.io'];
    if (this.serviceAccountUid(namespace, serviceaccount.name) !== serviceaccount.uid) return undefined;
    return {
      name: claims.sub,
      uid: serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
    };
  }
}

const RBAC = 'rbac.authorization.k8s.io';

/** The RBAC objects stored right now. */
export function storedRbacObjects(store: ObjectStore): RbacObjects {
  return {
    roles: [...store.list(`${RBAC}/roles`)].map((s) => s.object),
    clusterRoles: [...store.list(`${RBAC}/clusterroles`)].map((s) => s.object),
    roleBindings: [...store.list(`${RBAC}/rolebindings`)].map((s) => s.object),
    clusterRoleBindings: [...store.list(`${RBAC}/clusterrolebindings`)].map((s) => s.object),
  };
}

/** Authorizes with the RBAC objects stored right now; system:masters may do anything. */
export function rbacAuthorizer(store: ObjectStore): (user: UserInfo, attrs: AccessAttributes) => { allowed: boolean; reason: string } {
  return (user, attrs) => {
    if (user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    return rbacAuthorize(storedRbacObjects(store), user, attrs);
  };
}

/**
 * 403 exactly as the real server words it. The RBAC authorizer's denial reason is not part of the
 * real message (kube-apiserver's RBAC authorizer answers "no opinion" without a reason).
 */
export function forbidden(user: UserInfo, attrs: AccessAttributes): ApiError {
  if (attrs.nonResourceURL !== undefined) {
    const msg = `forbidden: User "${user.name}" cannot ${attrs.verb} path "${attrs.nonResourceURL}"`;
    return new ApiError(403, 'Forbidden', msg, {});
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  const why = `User "${user.name}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`;
  const gr = { group: attrs.apiGroup, resource: attrs.resource };
  const message = attrs.name ? `${qualifiedResource(gr)} "${attrs.name}" is forbidden: ${why}` : `${qualifiedResource(gr)} is forbidden: ${why}`;
  return new ApiError(403, 'Forbidden', message, { ...(attrs.name ? { name: attrs.name } : {}), group: attrs.apiGroup, kind: attrs.resource });
}

const SA_PREFIX = 'system:serviceaccount:';

/**
 * Impersonation (`kubectl --as USER --as-group GROUP`): the caller needs `impersonate` on the
 * user (or service account) and on each group; the request then runs as that identity.
 */
export function impersonate(
  caller: UserInfo,
  userHeader: string | undefined,
  groupHeaders: string[],
  authorize: (user: UserInfo, attrs: AccessAttributes) => { allowed: boolean },
): UserInfo {
  if (!userHeader) {
    if (groupHeaders.length > 0) throw new ApiError(500, 'InternalError', 'Internal error occurred: requested [groups] without impersonating a user');
    return caller;
  }
  const check = (attrs: AccessAttributes): void => {
    if (!authorize(caller, attrs).allowed) throw forbidden(caller, attrs);
  };
  let groups: string[];
  if (userHeader.startsWith(SA_PREFIX)) {
    const [namespace = '', name = ''] = userHeader.slice(SA_PREFIX.length).split(':');
    check({ verb: 'impersonate', apiGroup: '', resource: 'serviceaccounts', namespace, name });
    groups = groupHeaders.length > 0 ? groupHeaders : ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
  } else {
    check({ verb: 'impersonate', apiGroup: '', resource: 'users', name: userHeader });
    groups = groupHeaders;
  }
  for (const group of groupHeaders) check({ verb: 'impersonate', apiGroup: '', resource: 'groups', name: group });
  return { name: userHeader, groups: [...new Set([...groups, 'system:authenticated'])] };
}
