/**
 * The API clients' transport (src/kube/node-http-library.ts) over real HTTP on loopback, driven by
 * the real client-node API classes: what the server gets (method, path, query, headers, body) and
 * what the client makes of the answer (parsed objects, a compressed answer, an API error with its
 * status, a response cut short, an aborted request, a refused connection).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ApiException, CoreV1Api, PatchStrategy, RequestContext, HttpMethod, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHttpLibrary } from '../../../src/kube/node-http-library.js';
import { PooledKubeConfig } from '../../../src/kube/pooled-kubeconfig.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
let answer: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function core(): CoreV1Api {
  const kc = new PooledKubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: base, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc.makeApiClient(CoreV1Api);
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: '7' }, data: { k: 'v' } });

describe('node http transport', () => {
  it('sends the method, path, query, headers and body the API class built, and parses the answer', async () => {
    seen.length = 0;
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"apiVersion":"v1","kind":"ConfigMap",');
      res.end(JSON.stringify(configMap('a')).slice(1));
    };
    const patched = await core().patchNamespacedConfigMap(
      { namespace: 'ns', name: 'a', body: { data: { k: 'v' } }, fieldManager: 'ecs-role-operator' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.resourceVersion).toBe('7');
    expect(patched.data).toEqual({ k: 'v' });
    const [request] = seen;
    expect(request?.method).toBe('PATCH');
    expect(request?.url).toBe('/api/v1/namespaces/ns/configmaps/a?fieldManager=ecs-role-operator');
    expect(request?.headers['content-type']).toBe(PatchStrategy.MergePatch);
    expect(request?.headers.authorization).toBe('Bearer test-token');
    expect(request?.headers['content-length']).toBe(String(Buffer.byteLength(request?.body ?? '')));
    expect(JSON.parse(request?.body ?? '')).toEqual({ data: { k: 'v' } });
  });

  it('decodes a gzip answer', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify(configMap('zipped'))));
    };
    const got = await core().readNamespacedConfigMap({ namespace: 'ns', name: 'zipped' });
    expect(got.metadata?.name).toBe('zipped');
  });

  it("turns an error answer into the library's ApiException with the server's status", async () => {
    answer = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "gone" not found' }));
    };
    const err: unknown = await core().readNamespacedConfigMap({ namespace: 'ns', name: 'gone' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<string>).code).toBe(404);
    expect(String((err as ApiException<string>).body)).toContain('configmaps \\"gone\\" not found');
  });

  it('rejects a response cut short instead of parsing half an object', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"apiVersion":"v1",');
      setTimeout(() => res.socket?.destroy(), 5);
    };
    await expect(core().readNamespacedConfigMap({ namespace: 'ns', name: 'cut' })).rejects.toThrow(/aborted|closed the connection before its response ended/);
  });

  it("stops a request when its signal aborts, with the signal's reason", async () => {
    answer = () => undefined; // never answers
    const context = new RequestContext(`${base}/api/v1/namespaces/ns/configmaps/slow`, HttpMethod.GET);
    const abort = new AbortController();
    context.setSignal(abort.signal);
    const pending = nodeHttpLibrary.send(context);
    setTimeout(() => abort.abort(new Error('pass stopped')), 10);
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('refuses a body it cannot send as text, naming the request', async () => {
    const context = new RequestContext(`${base}/api/v1/namespaces`, HttpMethod.POST);
    context.setBody(new URLSearchParams({ a: 'b' }));
    await expect(nodeHttpLibrary.send(context)).rejects.toThrow(`kubernetes request POST ${base}/api/v1/namespaces: only JSON text bodies are sent by this transport`);
  });

  it('passes on a refused connection as the network error it is', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const context = new RequestContext(`http://127.0.0.1:${port}/api/v1/namespaces`, HttpMethod.GET);
    await expect(nodeHttpLibrary.send(context)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
