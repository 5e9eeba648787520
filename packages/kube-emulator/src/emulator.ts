/**
 * Starts the Kubernetes API emulator: wires storage, resource registry (built-ins plus CRDs as
 * they are created), access control and the HTTP handler, installs start-up manifests, and
 * writes the admin kubeconfig.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ADMIN_USER, rbacAuthorizer, storedRbacObjects, TokenAuthenticator } from './access-control.js';
import { rulesFor, type RulesForUser } from './rbac/index.js';
import { bootstrapObjects, builtinResourceTypes, kubernetesService } from './builtins.js';
import { crdNames, resourceTypesFromCrd } from './crd.js';
import { ServiceAddressAllocator } from './defaulting/service-addresses.js';
import { ApiHttpHandler } from './http-server.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { ObjectApi, type WriteOptions } from './object-api.js';
import { fillNewNamespaces } from './namespace-contents.js';
import { ObjectStore } from './object-store.js';
import { metaString } from './object-meta.js';
import { ServiceAccountTokenIssuer } from './service-account-tokens.js';
import { ResourceRegistry, type ResourceType, type UserInfo } from './resource-type.js';
import { ApiError } from './status.js';
import { createServingCertificate } from './tls.js';

export interface KubeEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where to write the admin kubeconfig; default a file in a new temporary directory. */
  kubeconfigOut?: string;
  /** YAML files (CRDs, or any objects) to install at start, in order. */
  crdPaths?: string[];
  /** How often watches that allow bookmarks get a BOOKMARK event; default 60 000 ms. */
  watchBookmarkIntervalMs?: number;
  /** How many changes per resource the watch history keeps; older resourceVersions get 410 Gone. */
  watchHistoryLimit?: number;
  /** Test hook: sees every request as it arrives (method, path with query, headers). */
  onRequest?: (request: ObservedRequest) => void;
}

export interface ObservedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export interface KubeEmulator {
  port: number;
  /** http://HOST:PORT (plain HTTP; the same port also speaks HTTPS). */
  url: string;
  /** https://HOST:PORT, what the kubeconfigs use: kubectl sends tokens only over TLS. */
  httpsUrl: string;
  /** PEM of the CA that signed the serving certificate (in the kubeconfigs as certificate-authority-data). */
  caCertificate: string;
  /** Bearer token with full rights (group system:masters). */
  adminToken: string;
  /** Kubeconfig using the admin token, context "sandbox", namespace default. */
  kubeconfigPath: string;
  /** YAML text of a kubeconfig that uses another token. */
  kubeconfigFor(token: string): string;
  /** Mints a token that authenticates as system:serviceaccount:NAMESPACE:NAME. */
  serviceAccountToken(namespace: string, name: string): string;
  close(): Promise<void>;
  /** Test hook: abruptly ends every open watch connection. */
  dropWatches(): void;
  /** Test hook: forgets the change history, so older resourceVersions get 410 Gone. */
  compact(): void;
}

const INSTALLER = 'ecs-role-operator-emulator';

/** Keeps the registry in step with the stored CRDs. */
function syncCrdTypes(registry: ResourceRegistry, store: ObjectStore, api: ObjectApi, crd: JsonObject | undefined, old: JsonObject | undefined): void {
  const typesOf = (o: JsonObject): ResourceType[] => {
    try {
      return resourceTypesFromCrd(o);
    } catch {
      return [];
    }
  };
  const served = new Set(registry.all().map((t) => t.storageKey));
  if (old) for (const t of typesOf(old)) registry.remove(t.group, t.version, t.plural);
  if (crd) {
    for (const t of typesOf(crd)) {
      if (!served.has(t.storageKey)) store.startWatchWindow(t.storageKey);
      registry.add(t);
    }
  } else if (old) {
    const spec = isJsonObject(old['spec']) ? old['spec'] : {};
    api.dropResource(`${String(spec['group'] ?? '')}/${crdNames(old).plural}`);
  }
}

function readManifestFile(path: string): JsonObject[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  const out: JsonObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${path}: invalid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
    const value = doc.toJS() as JsonValue;
    if (value === null || value === undefined) continue;
    if (!isJsonObject(value)) throw new Error(`${path}: a document is not a Kubernetes object`);
    out.push(value);
  }
  return out;
}

export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const registry = new ResourceRegistry();
  const store = new ObjectStore(opts.watchHistoryLimit);
  const serviceAddresses = new ServiceAddressAllocator(() => [...store.list('/services')].map((s) => s.object));
  const rulesForUser = (user: UserInfo, namespace: string): RulesForUser => rulesFor(storedRbacObjects(store), user, namespace);
  for (const t of builtinResourceTypes({ serviceAddresses, rulesFor: rulesForUser })) registry.add(t);
  const tokenIssuer = new ServiceAccountTokenIssuer();
  const authenticator = new TokenAuthenticator(tokenIssuer, (namespace, name) => {
    const sa = store.get('/serviceaccounts', namespace, name);
    return sa ? metaString(sa.object, 'uid') : undefined;
  });
  const authorize = rbacAuthorizer(store);
  const api = new ObjectApi(store, authorize);
  api.setNamespacedResources(() => registry.all().filter((t) => t.namespaced));
  api.onCrdChange((crd, old) => syncCrdTypes(registry, store, api, crd, old));

  const installOptions = (): WriteOptions => ({ dryRun: false, fieldManager: INSTALLER, fieldValidation: 'Strict', warnings: [], user: ADMIN_USER });
  const install = (obj: JsonObject, source: string): void => {
    const apiVersion = String(obj['apiVersion'] ?? '');
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
    const t = registry.byKind(group, version, String(obj['kind'] ?? ''));
    if (!t) throw new Error(`${source}: the emulator does not serve ${String(obj['kind'])} in ${apiVersion}; install its CRD first`);
    const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
    const namespace = t.namespaced ? String(meta['namespace'] ?? 'default') : '';
    try {
      api.create(t, namespace, obj, installOptions());
    } catch (err) {
      const why = err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
      throw new Error(`${source}: cannot install ${String(obj['kind'])} "${String(meta['name'] ?? '')}": ${why}`);
    }
  };
  const host = opts.host ?? '127.0.0.1';
  const tls = await createServingCertificate(host === '0.0.0.0' || host === '::' ? [] : [host]);
  fillNewNamespaces(api, registry, tls.caPem);
  for (const obj of bootstrapObjects()) install(obj, 'bootstrap');
  for (const path of opts.crdPaths ?? []) for (const obj of readManifestFile(path)) install(obj, path);

  const watches = new Set<() => void>();
  const hub = {
    bookmarkIntervalMs: opts.watchBookmarkIntervalMs ?? 60_000,
    track(abort: () => void): () => void {
      watches.add(abort);
      return () => watches.delete(abort);
    },
  };
  let address = '';
  const handler = new ApiHttpHandler({ registry, store, api, authenticator, authorize, hub, tokenIssuer, serverAddress: () => address });
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    opts.onRequest?.({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    handler.handle(req, res);
  };
  const sockets = new Set<Socket>();
  const httpServer = createHttpServer(serve);
  const httpsServer = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, serve);
  httpServer.keepAliveTimeout = 60_000;
  httpsServer.keepAliveTimeout = 60_000;
  // One port, both protocols: a TLS ClientHello starts with byte 0x16, plain HTTP with a method name.
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? httpsServer : httpServer).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', fail);
      ready();
    });
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  install(kubernetesService(serviceAddresses.apiServerAddress, port), 'bootstrap');
  // Watches start where a freshly started API server's watch caches start: now.
  for (const t of registry.all()) store.startWatchWindow(t.storageKey);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `http://${hostPart}:${port}`;
  const httpsUrl = `https://${hostPart}:${port}`;

  let tempDir: string | undefined;
  let kubeconfigPath: string;
  if (opts.kubeconfigOut) {
    kubeconfigPath = resolve(opts.kubeconfigOut);
    mkdirSync(dirname(kubeconfigPath), { recursive: true });
  } else {
    tempDir = mkdtempSync(join(tmpdir(), 'kube-emulator-'));
    kubeconfigPath = join(tempDir, 'kubeconfig');
  }
  writeFileSync(kubeconfigPath, kubeconfigYaml(httpsUrl, tls.caPem, authenticator.adminToken), { mode: 0o600 });

  let closed = false;
  return {
    port,
    url,
    httpsUrl,
    caCertificate: tls.caPem,
    adminToken: authenticator.adminToken,
    kubeconfigPath,
    kubeconfigFor: (token) => kubeconfigYaml(httpsUrl, tls.caPem, token, 'user'),
    serviceAccountToken: (namespace, name) => authenticator.serviceAccountToken(namespace, name),
    dropWatches: () => {
      for (const abort of [...watches]) abort();
    },
    compact: () => store.compact(),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const abort of [...watches]) abort();
      await new Promise<void>((done) => {
        server.close(() => done());
        httpServer.closeAllConnections();
        httpsServer.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
