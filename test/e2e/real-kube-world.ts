/**
 * The end-to-end world (world.ts) on the real target: a real kube-apiserver + etcd +
 * kube-controller-manager (test/support/kube-target.ts) with the CRDs and the given manifests
 * installed, the cloud simulator, and the operator in this process (tenancy enforced) — what the
 * sandbox assembles around the emulator. The operator reaches the API server through a TCP proxy
 * that can cut its connections (cutWatches).
 *
 * startWorldOn does the same on a target the caller started and keeps (either target), for
 * suites that need a fresh cloud and operator per test on one control plane.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createAlibabaCloudApi } from '../../src/cloud/alibaba-cloud-api.js';
import { createAccessKeyCredential } from '../../src/cloud/credentials.js';
import { PooledKubeConfig } from '../../src/kube/pooled-kubeconfig.js';
import { type RunningOperator, startOperator } from '../../src/operator/operator.js';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { kubeconfigYaml } from '@ecs-role-operator/kube-emulator';
import { type CuttingProxy, startCuttingProxy } from '../support/cutting-proxy.js';
import { type KubeTarget, startKubeTarget } from '../support/kube-target.js';
import { OPERATOR_NAMESPACE, PERMIT_DEFAULT_NAMESPACE, kubectl as runKubectl, kubectlOk, simControl } from './process-helpers.js';
import type { World, WorldOptions } from './world.js';
import { worldOperations } from './world-operations.js';

export async function startRealKubeWorld(opts: WorldOptions): Promise<World> {
  const kube = await startKubeTarget('real');
  try {
    const world = await startWorldOn(kube, opts);
    return {
      ...world,
      stop: async () => {
        await world.stop();
        await kube.stop();
      },
    };
  } catch (err) {
    await kube.stop();
    throw err;
  }
}

/** The world on a running target: manifests applied, a cloud simulator and the operator; stop() leaves the target running. */
export async function startWorldOn(kube: KubeTarget, opts: WorldOptions): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'irb-e2e-world-'));
  let proxy: CuttingProxy | undefined;
  let cloud: CloudSimulator | undefined;
  let operator: RunningOperator | undefined;
  const stopAll = async (): Promise<void> => {
    await operator?.stop();
    await cloud?.close();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const kubeconfig = kube.kubeconfigPath;
    const manifests = join(dir, 'manifests.yaml');
    writeFileSync(manifests, opts.manifests ?? PERMIT_DEFAULT_NAMESPACE);
    await kubectlOk(kubeconfig, ['apply', '-f', manifests]);
    await kubectlOk(kubeconfig, ['get', 'namespace', OPERATOR_NAMESPACE]);
    const fleet = parseFleet(opts.fleetYaml);
    const key = fleet.accessKeys[0];
    if (!key) throw new Error('the fleet has no access key for the operator');
    cloud = await startCloudSimulator({ fleet, port: 0 });
    proxy = await startCuttingProxy(kube.url);
    const kubeConfig = new PooledKubeConfig();
    kubeConfig.loadFromString(kubeconfigYaml(proxy.url, kube.caCertificate, kube.adminToken));
    operator = await startOperator({
      kubeConfig,
      cloud: createAlibabaCloudApi({ ecsEndpoint: cloud.endpoint, ramEndpoint: cloud.endpoint, protocol: 'http', credential: createAccessKeyCredential(key.id, key.secret) }),
      logger: pino({ level: process.env.E2E_LOG_LEVEL ?? 'silent' }),
      defaultResyncMs: opts.defaultResyncMs ?? 60_000,
      qps: 100,
      concurrency: 4,
      batchWindowMs: 5,
      tenancy: 'enforce',
      ownershipNamespace: OPERATOR_NAMESPACE,
    });
    const cut = proxy.cut;
    return {
      target: kube.name,
      kubeconfig,
      cloudUrl: cloud.url,
      ...worldOperations((args, input) => runKubectl(kubeconfig, args, input), simControl(cloud.url)),
      cutWatches: cut,
      chaos: () => {
        cut();
        kube.emulator?.compact();
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
