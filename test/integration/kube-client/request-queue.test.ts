/**
 * PooledKubeConfig's request queue, over real HTTP on loopback with the real client: API clients
 * it makes send at most maxRequests requests at once, every queued request gets its answer (the
 * answers are chunked, the case node-fetch 2 misreads when an agent hands a socket straight to a
 * queued request), a config from withOwnPool is not queued behind the first one's requests, and
 * one from background() goes after them.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PooledKubeConfig } from '../../../src/kube/pooled-kubeconfig.js';

let server: Server;
let url: string;
let inFlight = 0;
let maxInFlight = 0;
let release: Array<() => void> = [];
/** Namespaces of the requests, in the order the server got them. */
const arrivals: string[] = [];
/** Requests for this namespace wait until released; the others answer at once. */
const HELD = 'held';

beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.push(/\/namespaces\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '');
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const answer = (): void => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'application/json' });
      // Two writes: a chunked body.
      res.write('{"apiVersion":"v1","kind":"ConfigMapList",');
      res.end('"metadata":{},"items":[]}');
    };
    if (req.url?.includes(`/namespaces/${HELD}/`)) release.push(answer);
    else setTimeout(answer, 2);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function config(maxRequests: number): PooledKubeConfig {
  const kc = new PooledKubeConfig({ maxRequests });
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('PooledKubeConfig request queue', () => {
  it('sends at most maxRequests at once, and answers every queued request', async () => {
    maxInFlight = 0;
    const kc = config(4);
    const core = kc.makeApiClient(CoreV1Api);
    const lists = await Promise.all(Array.from({ length: 200 }, (_, i) => core.listNamespacedConfigMap({ namespace: `ns-${i % 7}` })));
    expect(lists).toHaveLength(200);
    expect(lists.every((l) => Array.isArray(l.items))).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThan(1);
    kc.destroyConnections();
  });

  it('a config with its own pool is not queued behind requests that wait', async () => {
    release = [];
    const kc = config(2);
    const own = kc.withOwnPool({ maxRequests: 2 });
    const core = kc.makeApiClient(CoreV1Api);
    // Fill the first queue with requests the server holds, and one more that must wait behind them.
    const held = [0, 1, 2].map(() => core.listNamespacedConfigMap({ namespace: HELD }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(release).toHaveLength(2);
    const answered = await own.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'lease' });
    expect(answered.items).toEqual([]);
    for (;;) {
      const next = release.shift();
      if (next) next();
      else if (release.length === 0 && (await Promise.race([Promise.all(held).then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]))) break;
    }
    expect(await Promise.all(held)).toHaveLength(3);
    kc.destroyConnections();
    own.destroyConnections();
  });

  it('requests of a background() config start only once no request of the first one waits', async () => {
    release = [];
    arrivals.length = 0;
    const kc = config(1);
    const core = kc.makeApiClient(CoreV1Api);
    const events = kc.background().makeApiClient(CoreV1Api);
    const first = core.listNamespacedConfigMap({ namespace: HELD });
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Queued while the one slot is taken: background ones first, then foreground ones.
    const later = [
      ...[1, 2, 3].map((i) => events.listNamespacedConfigMap({ namespace: `event-${i}` })),
      ...[1, 2, 3].map((i) => core.listNamespacedConfigMap({ namespace: `status-${i}` })),
    ];
    release.shift()?.();
    await Promise.all([first, ...later]);
    expect(arrivals).toEqual([HELD, 'status-1', 'status-2', 'status-3', 'event-1', 'event-2', 'event-3']);
    kc.destroyConnections();
  });
});
