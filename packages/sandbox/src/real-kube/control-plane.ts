/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC authorization,
 * service-account token signing, TokenRequest) and kube-controller-manager (namespace deletion,
 * garbage collection, service-account tokens, Deployments), with free ports, a throw-away CA and
 * service-account keys in a temporary data directory that stop() removes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServingCertificate, kubeconfigYaml } from '@ecs-role-operator/kube-emulator';
import { type ControlPlaneBinaries, ensureRealKubeBinaries, formatElapsed } from './binaries.js';
import { freePort } from './free-port.js';

export interface RealKubeOptions {
  /** Where the admin kubeconfig goes; default <dataDir>/kubeconfig. Removed by stop(). */
  kubeconfigOut?: string;
  /** Start kube-controller-manager too (default true). */
  controllerManager?: boolean;
  /** Build/launch progress. Default: stderr. */
  log?: (line: string) => void;
  /** Give up when /readyz has not answered within this time. Default 120 s. */
  readyTimeoutMs?: number;
  /** Binary cache directory (see ensureRealKubeBinaries). */
  cacheDir?: string;
}

export interface RealKube {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  readonly kubeconfigPath: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  readonly caCertificate: string;
  /** Bearer token of a system:masters user. */
  readonly adminToken: string;
  readonly versions: ControlPlaneBinaries['versions'];
  readonly dataDir: string;
  /** Kubeconfig YAML for another bearer token (e.g. a ServiceAccount token from TokenRequest). */
  kubeconfigFor(token: string, user?: string): string;
  /** Stops controller-manager, API server and etcd, then removes the data directory and the kubeconfig. */
  stop(): Promise<void>;
}

const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const STOP_GRACE_MS = 10_000;

/** Children that could not be started at all (binary missing, not executable). */
const spawnErrors = new WeakMap<ChildProcess, Error>();

/** Children of every running control plane, killed if this process exits without stop(). */
const living = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of living) child.kill('SIGKILL');
  });
}

/** Starts of a control plane that lost one of its ports to another process before binding it. */
const PORT_RACE_ATTEMPTS = 3;

export async function startRealKube(opts: RealKubeOptions = {}): Promise<RealKube> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRealKubeOnce(opts);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= PORT_RACE_ATTEMPTS || !message.includes('address already in use')) throw err;
      (opts.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(`real-kube: a port was taken before the control plane bound it; starting again with new ports (attempt ${attempt + 1})`);
    }
  }
}

async function startRealKubeOnce(opts: RealKubeOptions): Promise<RealKube> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bins = await ensureRealKubeBinaries({ log, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
  installExitHook();
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'real-kube-'));
  const kubeconfigPath = resolve(opts.kubeconfigOut ?? join(dataDir, 'kubeconfig'));
  const children: ChildProcess[] = [];
  const logsDir = join(dataDir, 'logs');
  mkdirSync(logsDir);

  const stopAll = async (): Promise<void> => {
    for (const child of [...children].reverse()) await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    if (kubeconfigPath !== join(dataDir, 'kubeconfig')) rmSync(kubeconfigPath, { force: true });
  };

  try {
    const pki = join(dataDir, 'pki');
    mkdirSync(pki);
    const tls = await createServingCertificate(['127.0.0.1', 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc']);
    writeFileSync(join(pki, 'ca.crt'), tls.caPem);
    writeFileSync(join(pki, 'apiserver.crt'), tls.certPem);
    writeFileSync(join(pki, 'apiserver.key'), tls.keyPem, { mode: 0o600 });
    const serviceAccountKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(pki, 'sa.key'), serviceAccountKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(pki, 'sa.pub'), serviceAccountKeys.publicKey.export({ type: 'spki', format: 'pem' }));
    const adminToken = randomBytes(24).toString('hex');
    const controllerManagerToken = randomBytes(24).toString('hex');
    // token,user,uid,"group1,group2"
    writeFileSync(
      join(pki, 'tokens.csv'),
      `${adminToken},admin,admin-uid,"system:masters"\n${controllerManagerToken},system:kube-controller-manager,kcm-uid,"system:masters"\n`,
      { mode: 0o600 },
    );

    const [etcdClientPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    children.push(
      launch('etcd', bins.etcd, [
        `--data-dir=${join(dataDir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
        '--log-level=warn',
        '--quota-backend-bytes=4294967296',
      ], logsDir),
    );
    await waitFor('etcd', () => httpOk(`${etcdUrl}/health`), 30_000, children, logsDir);

    const url = `https://127.0.0.1:${apiPort}`;
    children.push(
      launch('kube-apiserver', bins.kubeApiserver, [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${pki}`,
        `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
        `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
        `--client-ca-file=${join(pki, 'ca.crt')}`,
        `--token-auth-file=${join(pki, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--service-account-key-file=${join(pki, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
        `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=false',
        '--profiling=false',
        '--v=1',
      ], logsDir),
    );
    await waitFor('kube-apiserver /readyz', () => httpsOk(`${url}/readyz`, adminToken, tls.caPem), opts.readyTimeoutMs ?? 120_000, children, logsDir);

    const adminKubeconfig = kubeconfigYaml(url, tls.caPem, adminToken);
    if (opts.controllerManager ?? true) {
      const kcmKubeconfig = join(pki, 'controller-manager.kubeconfig');
      writeFileSync(kcmKubeconfig, kubeconfigYaml(url, tls.caPem, controllerManagerToken, 'system:kube-controller-manager'), { mode: 0o600 });
      children.push(
        launch('kube-controller-manager', bins.kubeControllerManager, [
          `--kubeconfig=${kcmKubeconfig}`,
          '--secure-port=0',
          '--leader-elect=false',
          `--service-account-private-key-file=${join(pki, 'sa.key')}`,
          `--root-ca-file=${join(pki, 'ca.crt')}`,
          '--use-service-account-credentials=false',
          '--controllers=*,-nodeipam,-nodelifecycle,-persistentvolume-binder,-attachdetach,-persistentvolume-expander,-cloud-node-lifecycle,-ttl',
          '--concurrent-gc-syncs=5',
          '--v=1',
        ], logsDir),
      );
      // The service-account controller creating "default" in namespace default shows it is up.
      await waitFor(
        'kube-controller-manager',
        () => httpsOk(`${url}/api/v1/namespaces/default/serviceaccounts/default`, adminToken, tls.caPem),
        60_000,
        children,
        logsDir,
      );
    }

    mkdirSync(dirname(kubeconfigPath), { recursive: true });
    writeFileSync(kubeconfigPath, adminKubeconfig, { mode: 0o600 });
    log(`real-kube: Kubernetes ${bins.versions.kubernetes} (etcd ${bins.versions.etcd}) ready at ${url} in ${formatElapsed(Date.now() - started)}`);
    return {
      url,
      kubeconfigPath,
      caCertificate: tls.caPem,
      adminToken,
      versions: bins.versions,
      dataDir,
      kubeconfigFor: (token, user = 'user') => kubeconfigYaml(url, tls.caPem, token, user),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function launch(name: string, binary: string, args: string[], logsDir: string): ChildProcess {
  const out = openSync(join(logsDir, `${name}.log`), 'a');
  const child = spawn(binary, args, { stdio: ['ignore', out, out] });
  closeSync(out);
  living.add(child);
  child.once('exit', () => living.delete(child));
  child.once('error', (err) => {
    living.delete(child);
    spawnErrors.set(child, err);
  });
  Object.defineProperty(child, 'componentName', { value: name });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (spawnErrors.has(child) || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = sleep(STOP_GRACE_MS).then(() => 'timeout' as const);
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, children: ChildProcess[], logsDir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const unstarted = children.find((c) => spawnErrors.has(c));
    if (unstarted) throw new Error(`real-kube: could not start ${componentOf(unstarted)}: ${spawnErrors.get(unstarted)?.message ?? 'spawn failed'}`);
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`real-kube: ${componentOf(dead)} exited (${dead.exitCode ?? dead.signalCode}) while waiting for ${what}:\n${logTail(logsDir, componentOf(dead))}`);
    if (await check()) return;
    if (Date.now() > deadline) {
      const last = children[children.length - 1];
      throw new Error(`real-kube: ${what} not ready within ${formatElapsed(timeoutMs)}:\n${last ? logTail(logsDir, componentOf(last)) : ''}`);
    }
    await sleep(250);
  }
}

function componentOf(child: ChildProcess): string {
  return (child as ChildProcess & { componentName?: string }).componentName ?? 'process';
}

function logTail(logsDir: string, name: string): string {
  try {
    return readFileSync(join(logsDir, `${name}.log`), 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

function httpsOk(url: string, token: string, ca: string): Promise<boolean> {
  return new Promise((done) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, agent: new Agent({ ca }), timeout: 2_000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
