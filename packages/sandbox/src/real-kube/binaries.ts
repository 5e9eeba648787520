/**
 * kube-apiserver, kube-controller-manager and etcd built from the pinned Go modules into a
 * git-ignored cache keyed by version (packages/sandbox/.cache/real-kube/<component>-<version>/),
 * built once and reused. A missing Go toolchain or a refused module download ends with a message
 * naming what is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ControlPlaneVersions, goModulesDir, pinnedVersions } from './versions.js';

export interface ControlPlaneBinaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  etcd: string;
  versions: ControlPlaneVersions;
}

export interface EnsureBinariesOptions {
  /** Default: $REAL_KUBE_CACHE, else packages/sandbox/.cache/real-kube. */
  cacheDir?: string;
  /** Progress lines (build start, heartbeats, duration). Default: stderr. */
  log?: (line: string) => void;
}

export class RealKubeBuildError extends Error {
  override readonly name = 'RealKubeBuildError';
}

const HEARTBEAT_MS = 30_000;
/** Wait this long for another process's build before giving up on its lock. */
const LOCK_WAIT_MS = 45 * 60_000;

export function defaultCacheDir(): string {
  return process.env.REAL_KUBE_CACHE ?? join(dirname(goModulesDir()), '.cache', 'real-kube');
}

/** Where each binary lives for the pinned versions (whether or not it is built yet). */
export function binaryPaths(cacheDir = defaultCacheDir(), versions = pinnedVersions()): ControlPlaneBinaries {
  const kubeDir = join(cacheDir, `kubernetes-${versions.kubernetes}`);
  return {
    kubeApiserver: join(kubeDir, 'kube-apiserver'),
    kubeControllerManager: join(kubeDir, 'kube-controller-manager'),
    etcd: join(cacheDir, `etcd-${versions.etcd}`, 'etcd'),
    versions,
  };
}

export async function ensureRealKubeBinaries(opts: EnsureBinariesOptions = {}): Promise<ControlPlaneBinaries> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const modules = goModulesDir();
  const bins = binaryPaths(cacheDir, pinnedVersions(modules));
  const { kubernetes, etcd } = bins.versions;
  const minor = /^v(\d+)\.(\d+)\./.exec(kubernetes);
  const versionFlags = minor
    ? [
        `-X k8s.io/component-base/version.gitVersion=${kubernetes}`,
        `-X k8s.io/component-base/version.gitMajor=${minor[1]}`,
        `-X k8s.io/component-base/version.gitMinor=${minor[2]}`,
        '-X k8s.io/component-base/version.gitTreeState=clean',
      ]
    : [];
  await buildOnce(
    {
      what: `kube-apiserver and kube-controller-manager ${kubernetes}`,
      outputs: [bins.kubeApiserver, bins.kubeControllerManager],
      moduleDir: join(modules, 'kubernetes'),
      args: ['-ldflags', versionFlags.join(' '), 'k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kube-controller-manager'],
    },
    log,
  );
  await buildOnce(
    { what: `etcd ${etcd}`, outputs: [bins.etcd], moduleDir: join(modules, 'etcd'), args: ['go.etcd.io/etcd/server/v3'] },
    log,
  );
  return bins;
}

interface BuildSpec {
  what: string;
  /** Every output lands in the directory of the first. */
  outputs: string[];
  moduleDir: string;
  /** go build arguments after -o. */
  args: string[];
}

async function buildOnce(spec: BuildSpec, log: (line: string) => void): Promise<void> {
  if (spec.outputs.every(isExecutable)) return;
  const outDir = dirname(spec.outputs[0] as string);
  mkdirSync(dirname(outDir), { recursive: true });
  const lock = `${outDir}.lock`;
  const waitUntil = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (spec.outputs.every(isExecutable)) return;
      if (Date.now() > waitUntil) throw new RealKubeBuildError(`gave up waiting for another build of ${spec.what} (lock ${lock}); remove the lock if no build is running`);
      await sleep(2_000);
    }
  }
  try {
    if (spec.outputs.every(isExecutable)) return;
    checkGo();
    const staging = `${outDir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    await goBuild(spec, staging, log);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isExecutable(path: string): boolean {
  try {
    return statSync(path).isFile() && (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function checkGo(): void {
  const probe = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new RealKubeBuildError(
      'the real Kubernetes API server tier needs Go (the `go` command was not found on PATH): it builds kube-apiserver, ' +
        'kube-controller-manager and etcd from Go modules on first use. Install Go 1.24 or newer with access to the Go module ' +
        'proxy, or run only the emulator tier (KUBE_TARGETS=emulator).',
    );
  }
}

async function goBuild(spec: BuildSpec, outDir: string, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  log(`real-kube: building ${spec.what} from Go modules into ${outDir.replace(/\.partial$/, '')} (first use only)`);
  // One package builds to a file of the output's name (a module path ending in /v3 would otherwise
  // name the binary "server"); several build into the directory under their own names.
  const target = spec.outputs.length === 1 ? join(outDir, basename(spec.outputs[0] as string)) : `${outDir}/`;
  const child = spawn('go', ['build', '-v', '-trimpath', '-o', target, ...spec.args], {
    cwd: spec.moduleDir,
    env: { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local', CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let packages = 0;
  const errorLines: string[] = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  let pending = '';
  child.stderr.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // -v names each package as it is compiled; anything else is a diagnostic worth keeping.
      if (/^[\w.-]+(\/[\w.~+-]+)+$/.test(line.trim()) || /^[\w-]+$/.test(line.trim())) packages += 1;
      else if (line.trim()) errorLines.push(line);
    }
  });
  child.stdout.on('data', () => undefined);
  const heartbeat = setInterval(() => {
    log(`real-kube: still building ${spec.what}: ${formatElapsed(Date.now() - started)}, ${packages} packages compiled`);
  }, HEARTBEAT_MS);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (c) => resolve(c));
  });
  clearInterval(heartbeat);
  if (pending.trim()) errorLines.push(pending);
  if (code !== 0) throw new RealKubeBuildError(buildFailureMessage(spec, errorLines));
  log(`real-kube: built ${spec.what} in ${formatElapsed(Date.now() - started)} (${packages} packages)`);
}

function buildFailureMessage(spec: BuildSpec, lines: string[]): string {
  const tail = lines.slice(-15).join('\n');
  const download = lines.find((l) => /reading https?:\/\/|dial tcp|proxy\.golang\.org|410 Gone|404 Not Found|verifying .*: checksum mismatch|module lookup disabled/.test(l));
  if (download) {
    return (
      `could not build ${spec.what}: the Go module download was refused (${download.trim()}). ` +
      `The real-server tier needs the Go module proxy (GOPROXY=${process.env.GOPROXY ?? 'default'}) to fetch the modules pinned in ${spec.moduleDir}/go.mod.\n${tail}`
    );
  }
  const toolchain = lines.find((l) => /requires go >=|toolchain/.test(l));
  if (toolchain) return `could not build ${spec.what}: ${toolchain.trim()} (this machine's Go is too old; install the Go version go.mod names)\n${tail}`;
  return `could not build ${spec.what} (go build in ${spec.moduleDir} failed):\n${tail}`;
}

export function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** True when every binary of the pinned versions is already in the cache. */
export function binariesPresent(cacheDir = defaultCacheDir()): boolean {
  const bins = binaryPaths(cacheDir);
  return [bins.kubeApiserver, bins.kubeControllerManager, bins.etcd].every((p) => existsSync(p));
}
