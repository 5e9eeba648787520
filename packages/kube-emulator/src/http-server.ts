/**
 * The HTTP face of the emulator: authenticates bearer tokens, authorizes with RBAC, routes
 * discovery, OpenAPI and resource requests, negotiates JSON / Table / PartialObjectMetadata
 * answers, and renders every failure as a Status object.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { forbidden, impersonate, type TokenAuthenticator } from './access-control.js';
import {
  AGGREGATED_DISCOVERY_V2,
  AGGREGATED_DISCOVERY_V2BETA1,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  SERVER_VERSION,
} from './discovery.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { FieldValidation } from './admission.js';
import type { ObjectApi, WriteOptions } from './object-api.js';
import type { ObjectStore } from './object-store.js';
import { nowTimestamp } from './object-meta.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import { acceptsProtobuf, decodeProtobufBody, PROTOBUF } from './protobuf-body.js';
import { APPLY_PATCH, JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from './patches.js';
import { requestInfo, type ResourceRequest } from './request-info.js';
import { groupResource, groupVersion, type Authorizer, type ResourceRegistry, type ResourceType, type SubresourceInfo, type UserInfo } from './resource-type.js';
import { scaleOf, withScale } from './scale-subresource.js';
import type { ServiceAccountTokenIssuer } from './service-account-tokens.js';
import { requestToken } from './token-request.js';
import { roundTripGoJson } from './go-types/go-json.js';
import { ApiError, badRequest, conflict, invalid, methodNotSupported, notFound, routeNotFound, STALE_OBJECT, toApiError, unauthorized } from './status.js';
import { buildTable, type IncludeObject } from './table.js';
import { plainBookmark, serveWatch, type WatchHub } from './watch.js';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ApiServerDeps {
  registry: ResourceRegistry;
  store: ObjectStore;
  api: ObjectApi;
  authenticator: TokenAuthenticator;
  authorize: Authorizer;
  hub: WatchHub;
  tokenIssuer: ServiceAccountTokenIssuer;
  serverAddress: () => string;
}

interface MediaType {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [{ type: 'application/json', params: {} }];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const out: Record<string, string> = {};
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq > 0) out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: (type ?? '').toLowerCase(), params: out };
  });
}

type Rendering = { as: 'json' } | { as: 'table'; version: string } | { as: 'metadata' };

function negotiate(accept: MediaType[]): Rendering | undefined {
  for (const m of accept) {
    if (m.type !== 'application/json' && m.type !== '*/*' && m.type !== 'application/*') continue;
    const as = m.params['as'];
    if (!as) return { as: 'json' };
    if (as === 'Table' && m.params['g'] === 'meta.k8s.io' && (m.params['v'] === 'v1' || m.params['v'] === 'v1beta1')) {
      return { as: 'table', version: m.params['v'] };
    }
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && m.params['g'] === 'meta.k8s.io') return { as: 'metadata' };
  }
  return undefined;
}

/** All values of a request header (repeated headers arrive joined by commas or as a list). */
function headerValues(req: IncomingMessage, name: string): string[] {
  const raw = req.headersDistinct[name];
  return raw ? raw.map((v) => v.trim()).filter((v) => v.length > 0) : [];
}

function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function parseBody(text: string, mediaType: string): JsonValue {
  if (text.trim() === '') throw badRequest('the request body is empty; send a JSON object');
  if (mediaType === APPLY_PATCH || mediaType === 'application/yaml') {
    try {
      return parseYaml(text) as JsonValue;
    } catch (err) {
      throw badRequest(`error decoding YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function sendJson(res: ServerResponse, code: number, body: JsonValue, contentType = 'application/json', warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private' };
  if (warnings.length > 0) headers['Warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

/** The Go HTTP mux's answer for paths nothing serves. */
function sendPlainNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('404 page not found\n');
}

function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation') ?? '';
  if (v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn" or "Strict", got "${v}"`);
}

function dryRunOf(query: URLSearchParams, body?: JsonObject): boolean {
  const values = query.getAll('dryRun');
  const fromBody = body && Array.isArray(body['dryRun']) ? body['dryRun'].map(String) : [];
  const all = [...values, ...fromBody];
  for (const v of all) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return all.length > 0;
}

function fieldManagerOf(query: URLSearchParams, req: IncomingMessage): string {
  const explicit = query.get('fieldManager');
  if (explicit !== null && explicit !== '') {
    if (explicit.length > 128) throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    return explicit;
  }
  return (req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
}

function optionalInt(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return Number(v);
}

export class ApiHttpHandler {
  constructor(private readonly deps: ApiServerDeps) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.serve(req, res).catch((err: unknown) => {
      const apiError = toApiError(err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, apiError.code, apiError.toStatus());
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const info = requestInfo(method, url.pathname, url.searchParams);
    const caller = this.deps.authenticator.authenticate(req.headers['authorization']);
    if (!caller) {
      req.resume();
      throw unauthorized();
    }
    const user = impersonate(caller, headerValues(req, 'impersonate-user')[0], headerValues(req, 'impersonate-group'), this.deps.authorize);
    if (info.kind === 'nonResource') {
      const decision = this.deps.authorize(user, { verb: info.verb, apiGroup: '', resource: '', nonResourceURL: info.path });
      if (!decision.allowed) throw forbidden(user, { verb: info.verb, apiGroup: '', resource: '', nonResourceURL: info.path });
      if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      this.serveNonResource(req, res, url);
      return;
    }
    const t = this.deps.registry.get(info.group, info.version, info.resource);
    if (!t) {
      req.resume();
      // A group-version the server does not serve at all falls through to the plain mux 404.
      if (!this.deps.registry.hasGroupVersion(info.group, info.version)) return sendPlainNotFound(res);
      throw routeNotFound();
    }
    this.authorizeResource(user, info, t);
    if (info.namespace !== undefined && !t.namespaced && t.plural !== 'namespaces') throw routeNotFound();
    if (info.subresource && !(info.subresource === 'status' && t.hasStatus)) {
      const sub = t.subresources?.find((s) => s.name === info.subresource);
      if (!sub || !info.name) throw routeNotFound();
      await this.serveSubresource(req, res, url.searchParams, info, t, user, sub);
      return;
    }
    await this.serveResource(req, res, url.searchParams, info, t, user);
  }

  private authorizeResource(user: UserInfo, info: ResourceRequest, t: ResourceType): void {
    const attrs = {
      verb: info.verb,
      apiGroup: info.group,
      resource: info.resource,
      ...(info.subresource ? { subresource: info.subresource } : {}),
      ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
      ...(info.name !== undefined ? { name: info.name } : {}),
    };
    if (!t.verbs.includes(info.verb) && !(info.subresource && ['get', 'update', 'patch'].includes(info.verb))) {
      throw methodNotSupported(groupResource(t), info.verb);
    }
    const decision = this.deps.authorize(user, attrs);
    if (!decision.allowed) throw forbidden(user, attrs);
  }

  private serveNonResource(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const { registry } = this.deps;
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = parseAccept(req.headers['accept']);
    const aggregated = accept.find((m) => m.type === 'application/json' && m.params['as'] === 'APIGroupDiscoveryList' && m.params['g'] === 'apidiscovery.k8s.io');
    if (path === '/version') return sendJson(res, 200, SERVER_VERSION);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (path === '/api' || path === '/apis') {
      const core = path === '/api';
      if (aggregated && (aggregated.params['v'] === 'v2' || aggregated.params['v'] === 'v2beta1')) {
        const v = aggregated.params['v'] === 'v2' ? 'v2' : 'v2beta1';
        return sendJson(res, 200, aggregatedDiscovery(registry, core, v), v === 'v2' ? AGGREGATED_DISCOVERY_V2 : AGGREGATED_DISCOVERY_V2BETA1);
      }
      return sendJson(res, 200, core ? apiVersions(this.deps.serverAddress()) : apiGroupList(registry));
    }
    let m = /^\/api\/([^/]+)$/.exec(path);
    if (m && registry.hasGroupVersion('', m[1] as string)) return sendJson(res, 200, apiResourceList(registry, '', m[1] as string));
    m = /^\/apis\/([^/]+)$/.exec(path);
    if (m) {
      const group = apiGroup(registry, m[1] as string);
      if (group) return sendJson(res, 200, group);
    }
    m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (m && registry.hasGroupVersion(m[1] as string, m[2] as string)) return sendJson(res, 200, apiResourceList(registry, m[1] as string, m[2] as string));
    if (path === '/openapi/v3') return sendJson(res, 200, openApiIndex(registry));
    m = /^\/openapi\/v3\/(api|apis)\/(.+)$/.exec(path);
    if (m) {
      const segs = (m[2] as string).split('/');
      const [group, version] = m[1] === 'api' ? ['', segs[0] ?? ''] : [segs[0] ?? '', segs[1] ?? ''];
      const doc = openApiDocument(registry, group, version);
      if (doc) {
        res.setHeader('Cache-Control', url.searchParams.has('hash') ? 'public, immutable' : 'no-cache, private');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(doc));
        return;
      }
    }
    throw routeNotFound();
  }

  private render(t: ResourceType, rendering: Rendering, includeObject: IncludeObject): (obj: JsonObject) => JsonObject {
    if (rendering.as === 'table') {
      return (obj) => {
        const table = buildTable(t, [obj], { resourceVersion: String((obj['metadata'] as JsonObject)['resourceVersion'] ?? '') }, includeObject);
        table['apiVersion'] = `meta.k8s.io/${rendering.version}`;
        return table;
      };
    }
    if (rendering.as === 'metadata') {
      return (obj) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: isJsonObject(obj['metadata']) ? obj['metadata'] : {} });
    }
    return (obj) => obj;
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    info: ResourceRequest,
    t: ResourceType,
    user: UserInfo,
  ): Promise<void> {
    const { api } = this.deps;
    const namespace = t.plural === 'namespaces' && t.group === '' ? '' : (info.namespace ?? '');
    const name = info.name ?? '';
    const rendering = negotiate(parseAccept(req.headers['accept']));
    if (!rendering) {
      req.resume();
      throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
    }
    const includeRaw = query.get('includeObject');
    const includeObject: IncludeObject = includeRaw === 'None' || includeRaw === 'Object' ? includeRaw : 'Metadata';
    const render = this.render(t, rendering, includeObject);

    if (info.verb === 'get') {
      req.resume();
      const obj = api.get(t, namespace, name);
      if (rendering.as === 'table') {
        const table = buildTable(t, [obj], { resourceVersion: String((obj['metadata'] as JsonObject)['resourceVersion'] ?? '') }, includeObject);
        table['apiVersion'] = `meta.k8s.io/${rendering.version}`;
        return sendJson(res, 200, table);
      }
      return sendJson(res, 200, render(obj));
    }
    if (info.verb === 'list') {
      req.resume();
      const scope = t.namespaced ? info.namespace : '';
      const limit = optionalInt(query, 'limit');
      const continueToken = query.get('continue');
      const result = api.list(t, scope, {
        ...(query.get('labelSelector') !== null ? { labelSelector: query.get('labelSelector') as string } : {}),
        ...(query.get('fieldSelector') !== null ? { fieldSelector: query.get('fieldSelector') as string } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(continueToken ? { continueToken } : {}),
      });
      const listMeta: JsonObject = { resourceVersion: result.resourceVersion };
      if (result.continueToken) listMeta['continue'] = result.continueToken;
      if (result.remainingItemCount !== undefined) listMeta['remainingItemCount'] = result.remainingItemCount;
      if (rendering.as === 'table') {
        const table = buildTable(t, result.items, listMeta, includeObject);
        table['apiVersion'] = `meta.k8s.io/${rendering.version}`;
        return sendJson(res, 200, table);
      }
      if (rendering.as === 'metadata') {
        return sendJson(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: result.items.map(render) });
      }
      // Typed lists of built-in kinds carry no kind/apiVersion in their items; custom resource lists
      // are unstructured and always have a `continue`, empty on the last page.
      const items = t.custom ? result.items : result.items.map(({ kind: _k, apiVersion: _v, ...rest }) => rest);
      const metadata = t.custom ? { continue: '', ...listMeta } : listMeta;
      return sendJson(res, 200, { kind: t.listKind, apiVersion: groupVersion(t), metadata, items });
    }
    if (info.verb === 'watch') {
      req.resume();
      if (query.get('sendInitialEvents') === 'true') {
        // kube-apiserver 1.33 serves watch-list streams only with the WatchList feature gate, off by default.
        throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', [
          { reason: 'FieldValueForbidden', field: 'sendInitialEvents', message: 'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' },
        ]);
      }
      const nameSelector = name ? `metadata.name=${name}` : undefined;
      const fieldSelector = [query.get('fieldSelector'), nameSelector].filter((s): s is string => !!s).join(',');
      const timeoutSeconds = optionalInt(query, 'timeoutSeconds');
      const bookmark = (rv: string): JsonObject => plainBookmark(t, rv);
      serveWatch(
        res,
        {
          type: t,
          namespace: t.namespaced ? info.namespace : undefined,
          ...(query.get('labelSelector') ? { labelSelector: query.get('labelSelector') as string } : {}),
          ...(fieldSelector ? { fieldSelector } : {}),
          ...(query.get('resourceVersion') !== null ? { resourceVersion: query.get('resourceVersion') as string } : {}),
          allowBookmarks: query.get('allowWatchBookmarks') === 'true',
          ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
          render,
          renderBookmark: bookmark,
        },
        api,
        this.deps.store,
        this.deps.hub,
      );
      return;
    }

    await this.serveWrite(req, res, query, info, t, user, namespace, name, render);
  }

  /** serviceaccounts/token and the scale subresources. */
  private async serveSubresource(
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    info: ResourceRequest,
    t: ResourceType,
    user: UserInfo,
    sub: SubresourceInfo,
  ): Promise<void> {
    const { api } = this.deps;
    const namespace = t.namespaced ? (info.namespace ?? '') : '';
    const name = info.name ?? '';
    if (!sub.verbs.includes(info.verb)) {
      req.resume();
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    }
    const gv = `${sub.group}/${sub.version}`;
    const mediaType = mediaTypeOf(req.headers['content-type']);
    const readObject = async (): Promise<JsonObject> => {
      const raw = await readBody(req);
      const body = mediaType === PROTOBUF ? decodeProtobufBody(raw, { apiVersion: gv, kind: sub.kind }) : parseBody(raw.toString('utf8'), mediaType);
      if (!isJsonObject(body)) throw badRequest(`the body of the request must be a ${sub.kind} object`);
      return body;
    };
    const opts = (): WriteOptions => ({ dryRun: dryRunOf(query), fieldManager: fieldManagerOf(query, req), fieldValidation: fieldValidationOf(query), warnings: [], user });
    if (sub.name === 'token') {
      const body = await readObject();
      const serviceAccount = api.get(t, namespace, name);
      const who = { manager: fieldManagerOf(query, req), apiVersion: gv, subresource: 'token', time: nowTimestamp() };
      const answer = requestToken(this.deps.tokenIssuer, serviceAccount, body, opts().dryRun, who);
      return sendJson(res, 201, roundTripGoJson('authentication/v1.TokenRequest', answer).value);
    }
    // scale
    if (info.verb === 'get') {
      req.resume();
      return sendJson(res, 200, scaleOf(t, api.get(t, namespace, name)));
    }
    let scale: JsonObject;
    if (info.verb === 'update') {
      scale = await readObject();
    } else {
      const patchTypes = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH, ...(t.custom ? [] : [STRATEGIC_MERGE_PATCH])];
      if (!patchTypes.includes(mediaType) || mediaType === APPLY_PATCH) {
        req.resume();
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(', ')}`);
      }
      const patch = parseBody((await readBody(req)).toString('utf8'), mediaType);
      const current = scaleOf(t, api.get(t, namespace, name), true);
      const patched = api.patchDocument(current, mediaType, patch);
      if (!isJsonObject(patched)) throw badRequest('the patch did not produce an object');
      scale = patched;
    }
    const stored = api.getStored(t, namespace, name);
    const rv = isJsonObject(scale['metadata']) ? scale['metadata']['resourceVersion'] : undefined;
    if (typeof rv === 'string' && rv !== '' && rv !== String(stored.rv)) throw conflict(groupResource(t), name, STALE_OBJECT);
    const next = withScale(t, api.view(t, stored.object), scale);
    const updated = api.update(t, namespace, name, next, undefined, opts());
    return sendJson(res, 200, scaleOf(t, updated));
  }

  /** create, update, patch, delete and deletecollection. */
  private async serveWrite(
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    info: ResourceRequest,
    t: ResourceType,
    user: UserInfo,
    namespace: string,
    name: string,
    render: (obj: JsonObject) => JsonObject,
  ): Promise<void> {
    const { api } = this.deps;
    const mediaType = mediaTypeOf(req.headers['content-type']);
    const raw = await readBody(req);
    const text = raw.toString('utf8');
    const warnings: string[] = [];
    const opts = (body?: JsonObject): WriteOptions => ({
      dryRun: dryRunOf(query, body),
      fieldManager: fieldManagerOf(query, req),
      fieldValidation: fieldValidationOf(query),
      warnings,
      user,
    });

    if (info.verb === 'create' || info.verb === 'update') {
      const protobuf = mediaType === PROTOBUF && !t.custom && acceptsProtobuf(groupVersion(t), t.kind);
      if (!protobuf && mediaType !== '' && mediaType !== 'application/json' && mediaType !== 'application/yaml') {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml${t.custom ? '' : `, ${PROTOBUF}`}`);
      }
      const body = protobuf ? decodeProtobufBody(raw, { apiVersion: groupVersion(t), kind: t.kind }) : parseBody(text, mediaType);
      if (!isJsonObject(body)) throw badRequest(`the body of a ${info.verb} request must be a JSON object of kind ${t.kind}`);
      if (info.verb === 'create') {
        if (name) throw methodNotSupported(groupResource(t), 'create');
        const created = api.create(t, t.namespaced ? namespace : '', body, opts());
        return sendJson(res, 201, render(created), 'application/json', warnings);
      }
      const updated = api.update(t, namespace, name, body, info.subresource, opts());
      return sendJson(res, 200, render(updated), 'application/json', warnings);
    }
    if (info.verb === 'patch') {
      if (![MERGE_PATCH, JSON_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH].includes(mediaType)) {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${[JSON_PATCH, MERGE_PATCH, APPLY_PATCH, ...(t.custom ? [] : [STRATEGIC_MERGE_PATCH])].join(', ')}`);
      }
      const body = parseBody(text, mediaType);
      if (mediaType === APPLY_PATCH && !query.get('fieldManager')) {
        throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ reason: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }]);
      }
      const existed = this.deps.store.get(t.storageKey, t.namespaced ? namespace : '', name) !== undefined;
      const force = query.get('force') === 'true';
      if (force && mediaType !== APPLY_PATCH) throw badRequest('force: Forbidden: may not be specified for non-apply patch');
      const patched = api.patch(t, namespace, name, mediaType, body, info.subresource, { ...opts(), force });
      return sendJson(res, existed ? 200 : 201, render(patched), 'application/json', warnings);
    }
    if (info.verb === 'delete' || info.verb === 'deletecollection') {
      const body = text.trim() === '' ? {} : parseBody(text, 'application/json');
      const options = isJsonObject(body) ? body : {};
      const pre = isJsonObject(options['preconditions']) ? options['preconditions'] : {};
      const deleteOptions = {
        dryRun: dryRunOf(query, options),
        preconditions: {
          ...(typeof pre['uid'] === 'string' ? { uid: pre['uid'] } : {}),
          ...(typeof pre['resourceVersion'] === 'string' ? { resourceVersion: pre['resourceVersion'] } : {}),
        },
      };
      if (info.verb === 'deletecollection') {
        const items = api.deleteCollection(
          t,
          t.namespaced ? info.namespace : '',
          {
            ...(query.get('labelSelector') ? { labelSelector: query.get('labelSelector') as string } : {}),
            ...(query.get('fieldSelector') ? { fieldSelector: query.get('fieldSelector') as string } : {}),
          },
          deleteOptions,
        );
        return sendJson(res, 200, { kind: t.listKind, apiVersion: groupVersion(t), metadata: {}, items });
      }
      const result = api.delete(t, namespace, name, deleteOptions);
      if (result.removed && !t.custom) {
        const meta = result.object['metadata'] as JsonObject;
        return sendJson(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name, group: t.group, kind: t.plural, uid: meta['uid'] ?? '' },
        });
      }
      return sendJson(res, 200, render(result.object));
    }
    req.resume();
    throw notFound(groupResource(t), name);
  }
}
