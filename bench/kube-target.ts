/**
 * The Kubernetes API the benchmark runs against: the emulator (in this process) or a real
 * kube-apiserver + etcd (packages/sandbox startRealKube; set REAL_KUBE_CACHE to reuse built
 * binaries). Both count the writes they receive by kind, so a phase's Kubernetes writes are the
 * difference of two snapshots: the emulator sees each request, the real API server reports
 * apiserver_request_total on /metrics.
 */
import { request } from 'node:https';
import { join } from 'node:path';
import { startKubeEmulator } from '@ecs-role-operator/kube-emulator';
import { startRealKube } from '@ecs-role-operator/sandbox';
import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';
import { applyManifests, readManifests } from '../src/kube/manifests.js';
import { sleep } from './wait.js';

export type KubeKind = 'emulator' | 'real';

/** Writes by kind: "finalizer" (binding patch), "status", "event", "ledger" (ConfigMaps), "lease", "other". */
export type WriteCounts = Record<string, number>;

export interface KubeTarget {
  kind: KubeKind;
  kubeconfigPath: string;
  writes(): Promise<WriteCounts>;
  close(): Promise<void>;
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'CREATE', 'UPDATE', 'APPLY']);

/** The kind of a write to `resource` (plural, with "/subresource"). */
export function writeKind(resource: string): string {
  if (resource === 'instancerolebindings') return 'finalizer';
  if (resource === 'instancerolebindings/status') return 'status';
  if (resource === 'events') return 'event';
  if (resource === 'configmaps') return 'ledger';
  if (resource === 'leases') return 'lease';
  if (resource === 'instancerolepolicies/status') return 'policy status';
  return 'other';
}

/** The resource (and subresource) a request path names: /apis/G/V/namespaces/N/R/NAME/SUB -> "R/SUB". */
export function resourceOfPath(path: string): string {
  const segments = (path.split('?')[0] ?? '').split('/').filter(Boolean);
  const rest = segments[0] === 'api' ? segments.slice(2) : segments.slice(3);
  const scoped = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  const [resource = '', , sub] = scoped;
  return sub ? `${resource}/${sub}` : resource;
}

export function diffWrites(after: WriteCounts, before: WriteCounts): WriteCounts {
  const out: WriteCounts = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

export async function startKubeTarget(kind: KubeKind, root: string, dir: string): Promise<KubeTarget> {
  const crdPaths = ['instancerolebindings', 'instancerolepolicies'].map((plural) => join(root, `crds/${plural}.roles.ecs.dev.yaml`));
  if (kind === 'emulator') {
    const counts: WriteCounts = {};
    const kube = await startKubeEmulator({
      port: 0,
      kubeconfigOut: join(dir, 'kubeconfig'),
      crdPaths,
      onRequest: ({ method, url }) => {
        if (!WRITE_VERBS.has(method)) return;
        const k = writeKind(resourceOfPath(url));
        counts[k] = (counts[k] ?? 0) + 1;
      },
    });
    return { kind, kubeconfigPath: kube.kubeconfigPath, writes: async () => ({ ...counts }), close: () => kube.close() };
  }
  const kube = await startRealKube({ kubeconfigOut: join(dir, 'kubeconfig'), controllerManager: false, log: (line) => process.stderr.write(`real-kube: ${line}\n`) });
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  await applyManifests(kc, crdPaths.flatMap((p) => readManifests(p)), 'ecs-role-operator-bench');
  await waitForCrds(kc);
  return {
    kind,
    kubeconfigPath: kube.kubeconfigPath,
    writes: async () => parseRequestTotals(await httpsGet(`${kube.url}/metrics`, kube.caCertificate, kube.adminToken)),
    close: () => kube.stop(),
  };
}

/** Write counts from apiserver_request_total lines (verb, resource, subresource labels). */
export function parseRequestTotals(exposition: string): WriteCounts {
  const counts: WriteCounts = {};
  for (const line of exposition.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!WRITE_VERBS.has(String(labels.verb))) continue;
    const resource = labels.subresource ? `${labels.resource}/${labels.subresource}` : String(labels.resource);
    const k = writeKind(resource);
    counts[k] = (counts[k] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return counts;
}

function httpsGet(url: string, ca: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A real API server serves a CRD's resource only once the CRD is Established. */
async function waitForCrds(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + 60_000;
  for (const name of ['instancerolebindings.roles.ecs.dev', 'instancerolepolicies.roles.ecs.dev']) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established within 60 s`);
      await sleep(200);
    }
  }
}
