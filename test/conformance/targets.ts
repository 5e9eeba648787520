/**
 * The two Kubernetes targets the conformance suite holds side by side: the project's API emulator
 * and a real kube-apiserver + kube-controller-manager + etcd (packages/sandbox's startRealKube),
 * each with an admin kubeconfig, its URL, CA and admin token, started fresh for one test file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeEmulator } from '@ecs-role-operator/kube-emulator';
import { startRealKube } from '@ecs-role-operator/sandbox';

export type TargetName = 'emulator' | 'real';

export interface Target {
  name: TargetName;
  /** https://127.0.0.1:PORT */
  url: string;
  caCertificate: string;
  adminToken: string;
  kubeconfigPath: string;
  /** A kubeconfig file for another bearer token (written into the target's scratch directory). */
  kubeconfigFileFor(token: string): string;
  stop(): Promise<void>;
}

export interface Targets {
  emulator: Target;
  real: Target;
  stop(): Promise<void>;
}

function scratch(name: TargetName): { dir: string; fileFor: (text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), `conformance-${name}-`));
  let n = 0;
  return {
    dir,
    fileFor: (text) => {
      const path = join(dir, `kubeconfig-${++n}`);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    },
  };
}

export async function startEmulatorTarget(): Promise<Target> {
  const files = scratch('emulator');
  const kube = await startKubeEmulator({ kubeconfigOut: join(files.dir, 'kubeconfig') });
  return {
    name: 'emulator',
    url: kube.httpsUrl,
    caCertificate: kube.caCertificate,
    adminToken: kube.adminToken,
    kubeconfigPath: kube.kubeconfigPath,
    kubeconfigFileFor: (token) => files.fileFor(kube.kubeconfigFor(token)),
    stop: async () => {
      await kube.close();
      rmSync(files.dir, { recursive: true, force: true });
    },
  };
}

export async function startRealTarget(): Promise<Target> {
  const files = scratch('real');
  const kube = await startRealKube({ kubeconfigOut: join(files.dir, 'kubeconfig'), log: () => undefined });
  return {
    name: 'real',
    url: kube.url,
    caCertificate: kube.caCertificate,
    adminToken: kube.adminToken,
    kubeconfigPath: kube.kubeconfigPath,
    kubeconfigFileFor: (token) => files.fileFor(kube.kubeconfigFor(token)),
    stop: async () => {
      await kube.stop();
      rmSync(files.dir, { recursive: true, force: true });
    },
  };
}

export async function startTargets(): Promise<Targets> {
  const started = await Promise.allSettled([startEmulatorTarget(), startRealTarget()]);
  const [emulatorResult, realResult] = started;
  if (emulatorResult.status === 'rejected' || realResult.status === 'rejected') {
    for (const r of started) if (r.status === 'fulfilled') await r.value.stop();
    throw started.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  }
  const emulator = emulatorResult.value;
  const real = realResult.value;
  return {
    emulator,
    real,
    stop: async () => {
      await Promise.all([emulator.stop(), real.stop()]);
    },
  };
}
