/**
 * The end-to-end world (world.ts) on the emulator target: the sandbox (packages/sandbox) runs the
 * Kubernetes API emulator, the cloud simulator and the operator in this process.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startSandbox } from '@ecs-role-operator/sandbox';
import { parseFleet } from '@ecs-role-operator/alicloud-sim';
import { PERMIT_DEFAULT_NAMESPACE, kubectl as runKubectl, simControl } from './process-helpers.js';
import type { World, WorldOptions } from './world.js';
import { worldOperations } from './world-operations.js';

export async function startEmulatorWorld(opts: WorldOptions): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'irb-e2e-'));
  const manifests = join(dir, 'manifests');
  mkdirSync(manifests);
  writeFileSync(join(manifests, 'tenancy.yaml'), opts.manifests ?? PERMIT_DEFAULT_NAMESPACE);
  const sandbox = await startSandbox({
    logger: pino({ level: process.env.E2E_LOG_LEVEL ?? 'silent' }),
    kubePort: 0,
    cloudPort: 0,
    fleet: parseFleet(opts.fleetYaml),
    examplesPath: manifests,
    kubeconfigPath: join(dir, 'kubeconfig'),
    defaultResyncMs: opts.defaultResyncMs ?? 60_000,
    concurrency: 4,
    qps: 100,
    batchWindowMs: 5,
  });
  const kubeconfig = sandbox.kubeconfigPath;
  const kube = sandbox.kube;
  return {
    target: 'emulator',
    kubeconfig,
    cloudUrl: sandbox.cloud.url,
    ...worldOperations((args, input) => runKubectl(kubeconfig, args, input), simControl(sandbox.cloud.url)),
    cutWatches: () => kube.dropWatches(),
    chaos: () => {
      kube.dropWatches();
      kube.compact();
    },
    stop: () => sandbox.stop(),
  };
}
