/**
 * Helpers for end-to-end tests that run the built operator (`node dist/ecs-role-operator.mjs run`) as
 * its own OS process against the in-process simulators: spawning and scraping the operator,
 * a recording pass-through proxy in front of the Kubernetes API emulator (to see every request the
 * operator makes and the status the emulator answered), Prometheus text parsing, kubectl and the
 * cloud simulator's control plane.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type ClientRequest, type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { freePort } from '@ecs-role-operator/sandbox';
import { stringify } from 'yaml';
import type { CallRecord } from './world.js';

/** A free loopback port outside the kernel's ephemeral range, for a child process to bind. */
export { freePort };

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** The bundled CLI: the very file the image runs (scripts/bundle.mjs). */
export const OPERATOR_CLI = join(REPO_ROOT, 'dist/ecs-role-operator.mjs');
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');
export const CRD_PATH = join(REPO_ROOT, 'crds/instancerolebindings.roles.ecs.dev.yaml');
/** Every CRD the operator serves (bindings and policies): an operator without the policy CRD never syncs. */
export const CRD_PATHS = [CRD_PATH, join(REPO_ROOT, 'crds/instancerolepolicies.roles.ecs.dev.yaml')];

/** The operator's namespace (its Lease and ownership ledger). */
export const OPERATOR_NAMESPACE = 'ecs-role-operator-system';

/**
 * What a test cluster needs before a tenancy-enforcing operator acts on bindings of namespace
 * `default`: the operator's namespace, and an InstanceRolePolicy letting `default` bind any role to
 * any instance (with takeover): single-tenant tests say so explicitly, as an admin would.
 */
export const PERMIT_DEFAULT_NAMESPACE = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATOR_NAMESPACE } },
  {
    apiVersion: 'roles.ecs.dev/v1alpha1',
    kind: 'InstanceRolePolicy',
    metadata: { name: 'default-namespace-any-role' },
    spec: { namespaces: ['default'], roles: ['*'], allowTakeover: true },
  },
]
  .map((o) => stringify(o))
  .join('---\n');

export function assertOperatorBuilt(): void {
  if (!existsSync(OPERATOR_CLI)) throw new Error(`${OPERATOR_CLI} is missing: run "npm run build" (make test does) before this test`);
}

/** A port that was free a moment ago (the operator process needs a number up front to be scraped). */
export interface OperatorProcess {
  readonly child: ChildProcess;
  readonly metricsPort: number;
  readonly healthPort: number;
  /** Everything the process wrote to stdout and stderr so far (pino JSON lines). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** GET http://127.0.0.1:<metrics port>/metrics as text. */
  metrics(): Promise<string>;
  /** GET a health endpoint (/healthz, /readyz): status and body. */
  probe(path: '/healthz' | '/readyz'): Promise<{ status: number; body: string }>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
}

export interface OperatorProcessOptions {
  kubeconfigPath: string;
  cloudEndpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** Extra `run` flags (leader election, resync period ...). */
  args?: string[];
  env?: Record<string, string>;
  logLevel?: string;
}

const running = new Set<ChildProcess>();

/** Spawns `node dist/ecs-role-operator.mjs run` with the given kubeconfig and the cloud simulator as endpoints. */
export async function startOperatorProcess(opts: OperatorProcessOptions): Promise<OperatorProcess> {
  assertOperatorBuilt();
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      OPERATOR_CLI, 'run',
      '--kubeconfig', opts.kubeconfigPath,
      '--ecs-endpoint', opts.cloudEndpoint,
      '--ram-endpoint', opts.cloudEndpoint,
      '--protocol', 'http',
      '--metrics-port', String(metricsPort),
      '--health-port', String(healthPort),
      '--log-level', opts.logLevel ?? 'warn',
      ...(opts.args ?? []),
    ],
    {
      env: {
        ...process.env,
        ALIBABA_CLOUD_ACCESS_KEY_ID: opts.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: opts.accessKeySecret,
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      ok({ code, signal });
    }),
  );
  const get = async (port: number, path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  };
  return {
    child,
    metricsPort,
    healthPort,
    output: () => output,
    exited,
    metrics: async () => {
      const r = await get(metricsPort, '/metrics');
      if (r.status !== 200) throw new Error(`/metrics answered ${r.status}: ${r.body}`);
      return r.body;
    },
    probe: (path) => get(healthPort, path),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Waits until the process answers /healthz (Node and the SDKs load slowly on a busy machine), so
 * deadlines after it measure the operator, not its start-up. Fails with the output if it exits.
 */
export async function untilAnswering(p: OperatorProcess, timeoutMs = 90_000): Promise<OperatorProcess> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`the operator process exited before answering /healthz:\n${p.output().slice(-3000)}`);
    if ((await p.probe('/healthz').catch(() => undefined))?.status === 200) return p;
    if (Date.now() > deadline) throw new Error(`the operator process did not answer /healthz within ${timeoutMs} ms:\n${p.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILLs every operator process still running (for afterAll). */
export async function killAllOperatorProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (c) =>
        new Promise<void>((ok) => {
          if (c.exitCode !== null || c.signalCode !== null) return ok();
          c.once('exit', () => ok());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (the subset prom-client writes: no timestamps, no exemplars). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    }
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the series `name` whose labels include `labels`; undefined when there is none. */
export function metricValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length === 0) return undefined;
  return found.reduce((sum, s) => sum + s.value, 0);
}

/** What the RBAC authorizer sees of a request: verb, API group, resource (with subresource), namespace, name. */
export interface RequestAttributes {
  verb: string;
  group: string;
  /** "instancerolebindings", or "instancerolebindings/status" for a subresource. */
  resource: string;
  namespace: string;
  name: string;
}

/** Maps a resource request path and method to RBAC attributes the way kube-apiserver does. */
export function requestAttributes(method: string, url: string): RequestAttributes | undefined {
  const parsed = new URL(url, 'http://x');
  const parts = parsed.pathname.split('/').filter(Boolean);
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource, name = '', sub] = rest;
  if (!resource) return undefined;
  const watch = parsed.searchParams.get('watch') === 'true' || parsed.searchParams.get('watch') === '1';
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch' };
  let verb: string;
  if (method === 'GET' || method === 'HEAD') verb = watch ? 'watch' : name ? 'get' : 'list';
  else if (method === 'DELETE') verb = name ? 'delete' : 'deletecollection';
  else verb = verbs[method] ?? method.toLowerCase();
  return { verb, group, resource: sub ? `${resource}/${sub}` : resource, namespace, name };
}

export interface RecordedRequest extends RequestAttributes {
  method: string;
  url: string;
  status: number;
  /** The request's headers as the client sent them. */
  headers: IncomingMessage['headers'];
}

/**
 * A transparent HTTP pass-through in front of a Kubernetes API server (the emulator or the real
 * kube-apiserver; HTTPS upstream is verified with the given CA) that records every request with the
 * status the server answered. It changes nothing: the server still authenticates and authorizes
 * each request. Streams (watches) are piped as they come.
 */
export interface RecordingProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Ends every request passing through (watches included) abruptly, as a network failure would. */
  cut(): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstreamUrl: string, upstreamCa?: string): Promise<RecordingProxy> {
  const upstream = new URL(upstreamUrl);
  const requests: RecordedRequest[] = [];
  const inFlight = new Set<ClientRequest>();
  const forward = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    // The upstream's own Host, as a client connecting to it directly would send.
    const headers = { ...req.headers, host: upstream.host };
    const out = forward(
      { host: upstream.hostname, port: upstream.port, method, path: url, headers, ...(upstreamCa ? { ca: upstreamCa } : {}) },
      (upRes) => {
        const attrs = requestAttributes(method, url);
        if (attrs) requests.push({ ...attrs, method, url, status: upRes.statusCode ?? 0, headers: req.headers });
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        // A watch answers headers long before its first event: pass them on at once.
        res.flushHeaders();
        upRes.pipe(res);
        // An upstream connection that breaks (a dropped watch) breaks the downstream one too.
        upRes.on('close', () => {
          if (!res.writableEnded) res.destroy();
        });
        res.on('close', () => upRes.destroy());
      },
    );
    inFlight.add(out);
    out.on('close', () => inFlight.delete(out));
    out.on('error', (err) => {
      if (res.destroyed) return;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cut: () => {
      for (const out of [...inFlight]) out.destroy();
      server.closeAllConnections();
    },
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/**
 * A kubeconfig (YAML text) that talks plain HTTP on loopback to `server` with a bearer token.
 * client-node sends a token over plain HTTP only with insecure-skip-tls-verify set (there is no
 * TLS to verify).
 */
export function tokenKubeconfig(server: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'e2e', user: { token } }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'e2e', namespace } }],
    'current-context': 'e2e',
  });
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** The real kubectl with the given kubeconfig; never throws for a non-zero exit. */
export function kubectl(kubeconfigPath: string, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((ok) => {
    const child = execFile('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      ok({ stdout, stderr, code });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** kubectl that throws with its stderr on a non-zero exit. */
export async function kubectlOk(kubeconfigPath: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(kubeconfigPath, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** The cloud simulator's unsigned control plane (/sim/). */
export interface SimControl {
  call(method: string, path: string, body?: unknown): Promise<unknown>;
  roleOf(instanceId: string): Promise<string | null>;
  setRole(instanceId: string, roleName: string | null): Promise<void>;
  calls(): Promise<CallRecord[]>;
}

export function simControl(cloudUrl: string): SimControl {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${cloudUrl}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    call,
    roleOf: async (id) => {
      const state = (await call('GET', '/sim/state')) as { regions: Array<{ instances: Array<{ id: string; ramRole?: string | null }> }> };
      const found = state.regions.flatMap((r) => r.instances).find((i) => i.id === id);
      if (!found) throw new Error(`instance ${id} is not in the simulator`);
      return found.ramRole ?? null;
    },
    setRole: async (id, roleName) => {
      await call('PUT', `/sim/instances/${id}/role`, { roleName });
    },
    calls: async () => (await call('GET', '/sim/calls')) as CallRecord[],
  };
}

/** Instance IDs named by a call's InstanceIds parameter (a JSON array string on the wire). */
export function instanceIdsOf(params: Record<string, unknown>): string[] {
  const v = params.InstanceIds;
  return Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? (JSON.parse(v) as string[]) : [];
}
