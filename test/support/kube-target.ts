/**
 * The Kubernetes target a test runs against, one abstraction for both: the project's API emulator
 * (packages/kube-emulator) or a real kube-apiserver + etcd + kube-controller-manager built from Go
 * modules (packages/sandbox's startRealKube). Either comes up with the project's CRDs installed and
 * Established, an admin kubeconfig, and ServiceAccount tokens from the TokenRequest API.
 *
 * KUBE_TARGETS (default "emulator,real") says which targets the suites declared with
 * describeEachTarget run on; one control plane per suite (beforeAll), never per test.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type KubeEmulator, type ObservedRequest, startKubeEmulator } from '@ecs-role-operator/kube-emulator';
import { startRealKube } from '@ecs-role-operator/sandbox';

export type KubeTargetName = 'emulator' | 'real';

export const KUBE_TARGET_NAMES: readonly KubeTargetName[] = ['emulator', 'real'];

const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** The project's CRDs (bindings and policies), as shipped in crds/. */
export const PROJECT_CRD_PATHS = [
  join(REPO_ROOT, 'crds/instancerolebindings.roles.ecs.dev.yaml'),
  join(REPO_ROOT, 'crds/instancerolepolicies.roles.ecs.dev.yaml'),
];

/** KUBE_TARGETS (default "emulator,real"): the Kubernetes targets the tests run on. */
export function kubeTargetNames(): KubeTargetName[] {
  const names = (process.env.KUBE_TARGETS ?? KUBE_TARGET_NAMES.join(',')).split(',').map((t) => t.trim()).filter(Boolean);
  for (const n of names) {
    if (!(KUBE_TARGET_NAMES as readonly string[]).includes(n)) throw new Error(`KUBE_TARGETS: unknown target "${n}" (${KUBE_TARGET_NAMES.join(', ')})`);
  }
  if (names.length === 0) throw new Error(`KUBE_TARGETS is empty (${KUBE_TARGET_NAMES.join(', ')})`);
  return names as KubeTargetName[];
}

/**
 * Declares the suite once per target of KUBE_TARGETS; vitest's names end in "[emulator]" or
 * "[real]" (what .ci/run counts per target by).
 */
export function describeEachTarget(title: string, body: (target: KubeTargetName) => void): void {
  describe.each(kubeTargetNames())(`${title} [%s]`, body);
}

export interface KubeTargetOptions {
  /** Manifests installed (and, for CRDs, Established) before the target is handed over; default the project's CRDs. */
  crdPaths?: string[];
  /** Emulator only (the real server's bookmark interval is its own): how often watches get a BOOKMARK. */
  watchBookmarkIntervalMs?: number;
  /** Emulator only: sees every request as it arrives. */
  onRequest?: (request: ObservedRequest) => void;
}

export interface KubeTarget {
  readonly name: KubeTargetName;
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** PEM of the CA of the serving certificate. */
  readonly caCertificate: string;
  /** Bearer token of a system:masters user. */
  readonly adminToken: string;
  /** Admin kubeconfig file. */
  readonly kubeconfigPath: string;
  /** The admin kubeconfig, loaded. */
  readonly kubeConfig: KubeConfig;
  /** Kubeconfig YAML for another bearer token. */
  kubeconfigFor(token: string): string;
  /** A kubeconfig file (in the target's scratch directory) for another bearer token. */
  kubeconfigFileFor(token: string): string;
  /** A token of an existing ServiceAccount, from the TokenRequest API (what `kubectl create token` asks). */
  serviceAccountToken(namespace: string, name: string, expirationSeconds?: number): Promise<string>;
  /** The emulator itself when name is 'emulator' (for its test hooks), else undefined. */
  readonly emulator: KubeEmulator | undefined;
  stop(): Promise<void>;
}

export async function startKubeTarget(name: KubeTargetName, opts: KubeTargetOptions = {}): Promise<KubeTarget> {
  const dir = mkdtempSync(join(tmpdir(), `kube-target-${name}-`));
  const crdPaths = opts.crdPaths ?? PROJECT_CRD_PATHS;
  let files = 0;
  const fileFor = (text: string): string => {
    const path = join(dir, `kubeconfig-${++files}`);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  if (name === 'emulator') {
    const kube = await startKubeEmulator({
      kubeconfigOut: join(dir, 'kubeconfig'),
      crdPaths,
      ...(opts.watchBookmarkIntervalMs !== undefined ? { watchBookmarkIntervalMs: opts.watchBookmarkIntervalMs } : {}),
      ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
    });
    return assemble({
      name,
      url: kube.httpsUrl,
      caCertificate: kube.caCertificate,
      adminToken: kube.adminToken,
      kubeconfigPath: kube.kubeconfigPath,
      kubeconfigFor: (token) => kube.kubeconfigFor(token),
      fileFor,
      emulator: kube,
      stop: async () => {
        await kube.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  }
  const kube = await startRealKube({
    kubeconfigOut: join(dir, 'kubeconfig'),
    // Build progress (a cold cache) is worth seeing; the per-suite "ready" line is not.
    log: (line) => {
      if (!/ ready at /.test(line)) process.stderr.write(`${line}\n`);
    },
  });
  const stop = async (): Promise<void> => {
    await kube.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await installAndEstablish(kube.kubeconfigPath, crdPaths);
  } catch (err) {
    await stop();
    throw err;
  }
  return assemble({
    name,
    url: kube.url,
    caCertificate: kube.caCertificate,
    adminToken: kube.adminToken,
    kubeconfigPath: kube.kubeconfigPath,
    kubeconfigFor: (token) => kube.kubeconfigFor(token),
    fileFor,
    emulator: undefined,
    stop,
  });
}

interface Parts {
  name: KubeTargetName;
  url: string;
  caCertificate: string;
  adminToken: string;
  kubeconfigPath: string;
  kubeconfigFor(token: string): string;
  fileFor(text: string): string;
  emulator: KubeEmulator | undefined;
  stop(): Promise<void>;
}

function assemble(p: Parts): KubeTarget {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(p.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    name: p.name,
    url: p.url,
    caCertificate: p.caCertificate,
    adminToken: p.adminToken,
    kubeconfigPath: p.kubeconfigPath,
    kubeConfig,
    kubeconfigFor: p.kubeconfigFor,
    kubeconfigFileFor: (token) => p.fileFor(p.kubeconfigFor(token)),
    serviceAccountToken: async (namespace, name, expirationSeconds = 3600) => {
      const answer = await core.createNamespacedServiceAccountToken({
        namespace,
        name,
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds } },
      });
      const token = answer.status?.token;
      if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
      return token;
    },
    emulator: p.emulator,
    stop: p.stop,
  };
}

/** kubectl apply of each manifest, then waits for every CRD among them to be Established. */
async function installAndEstablish(kubeconfigPath: string, paths: string[]): Promise<void> {
  const crds: string[] = [];
  for (const path of paths) {
    await kubectl(kubeconfigPath, ['apply', '--server-side', '--field-manager=test-setup', '-f', path]);
    for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
      const o = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
      if (o?.kind === 'CustomResourceDefinition' && typeof o.metadata?.name === 'string') crds.push(`crd/${o.metadata.name}`);
    }
  }
  if (crds.length > 0) await kubectl(kubeconfigPath, ['wait', '--for=condition=Established', ...crds, '--timeout=60s']);
}

function kubectl(kubeconfigPath: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { timeout: 90_000, env: { ...process.env, KUBECONFIG: '' } }, (err, stdout, stderr) => {
      if (err) fail(new Error(`kubectl ${args.join(' ')}: ${String(stderr) || err.message}`));
      else done(String(stdout));
    });
  });
}
