/**
 * Turns a request path and method into what it asks for, like the real RequestInfoFactory:
 * resource requests (group, version, namespace, resource, name, subresource, verb) versus
 * non-resource paths (discovery, OpenAPI, health).
 */
export interface ResourceRequest {
  kind: 'resource';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** get, list, watch, create, update, patch, delete, deletecollection */
  verb: string;
}

export interface NonResourceRequest {
  kind: 'nonResource';
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w === 'true' || w === '1';
}

export function requestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const lower = method.toLowerCase();
  const nonResource: NonResourceRequest = { kind: 'nonResource', path: pathname, verb: lower === 'head' ? 'get' : lower };
  let parts: string[];
  try {
    parts = pathname.split('/').filter((p) => p.length > 0).map(decodeURIComponent);
  } catch {
    return nonResource;
  }
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return nonResource;
  }
  if (!version || rest.length === 0) return nonResource;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] as string)) rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return nonResource;
  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name ? 'get' : isWatch(query) ? 'watch' : 'list';
      if (name && isWatch(query)) verb = 'watch';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = lower;
  }
  return {
    kind: 'resource',
    group,
    version,
    resource,
    verb,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}
