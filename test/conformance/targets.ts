/**
 * The two Kubernetes targets the conformance suite holds side by side (test/support/kube-target.ts):
 * the project's API emulator and a real kube-apiserver + kube-controller-manager + etcd, both
 * bare (no CRDs: the scenarios install what they use), started fresh for one test file.
 */
import { type KubeTarget, startKubeTarget } from '../support/kube-target.js';

export type Target = KubeTarget;

export interface Targets {
  emulator: Target;
  real: Target;
  stop(): Promise<void>;
}

export async function startTargets(): Promise<Targets> {
  const started = await Promise.allSettled([startKubeTarget('emulator', { crdPaths: [] }), startKubeTarget('real', { crdPaths: [] })]);
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
