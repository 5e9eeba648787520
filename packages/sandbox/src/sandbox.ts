/**
 * The embedded default: one process runs the Kubernetes API emulator, the cloud simulator with a
 * fleet, and the operator wired to both; installs the CRD and applies the example bindings.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import {
  CRD_PATHS,
  EXAMPLES_PATH,
  PooledKubeConfig,
  type RunningOperator,
  applyManifests,
  createAccessKeyCredential,
  createAlibabaCloudApi,
  packageRoot,
  readManifests,
  startOperator,
} from 'ecs-role-operator';
import { type CloudSimulator, type FleetSpec, loadFleetFile, sampleFleetPath, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { type KubeEmulator, startKubeEmulator } from '@ecs-role-operator/kube-emulator';

export interface SandboxOptions {
  logger: Logger;
  kubePort?: number;
  cloudPort?: number;
  /** Fleet YAML; default the sandbox package's fleets/sample.yaml. */
  fleetPath?: string;
  /** A fleet given directly (tests); wins over fleetPath. */
  fleet?: FleetSpec;
  /** Manifests applied after start; default deploy/examples. Empty string: none. */
  examplesPath?: string;
  /** Where the kubeconfig goes; default .sandbox/kubeconfig under the working directory. */
  kubeconfigPath?: string;
  /** AccessKey the operator uses (must exist in the fleet); default the fleet's first key. */
  accessKeyId?: string;
  defaultResyncMs?: number;
  metricsPort?: number;
  concurrency?: number;
  qps?: number;
  batchWindowMs?: number;
}

export interface Sandbox {
  kube: KubeEmulator;
  cloud: CloudSimulator;
  operator: RunningOperator;
  kubeconfigPath: string;
  fleet: FleetSpec;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const root = packageRoot();
  const fleet = opts.fleet ?? loadFleetFile(opts.fleetPath ?? sampleFleetPath());
  const key = opts.accessKeyId ? fleet.accessKeys.find((k) => k.id === opts.accessKeyId) : fleet.accessKeys[0];
  if (!key) {
    throw new Error(
      opts.accessKeyId
        ? `access key ${opts.accessKeyId} is not in the fleet file; add it under accessKeys`
        : 'the fleet file has no accessKeys; add one the operator can use',
    );
  }
  const kubeconfigPath = resolve(opts.kubeconfigPath ?? join('.sandbox', 'kubeconfig'));
  mkdirSync(resolve(kubeconfigPath, '..'), { recursive: true });

  const kube = await startKubeEmulator({
    ...(opts.kubePort !== undefined ? { port: opts.kubePort } : {}),
    kubeconfigOut: kubeconfigPath,
    crdPaths: CRD_PATHS.map((path) => join(root, path)),
  });
  let cloud: CloudSimulator | undefined;
  let operator: RunningOperator | undefined;
  try {
    cloud = await startCloudSimulator({ fleet, ...(opts.cloudPort !== undefined ? { port: opts.cloudPort } : {}) });
    const kubeConfig = new PooledKubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);

    const examples = opts.examplesPath ?? join(root, EXAMPLES_PATH);
    if (examples !== '') await applyManifests(kubeConfig, readManifests(examples), 'ecs-role-operator-sandbox');

    const credential = createAccessKeyCredential(key.id, key.secret);
    const cloudApi = createAlibabaCloudApi({
      ecsEndpoint: cloud.endpoint,
      ramEndpoint: cloud.endpoint,
      protocol: 'http',
      credential,
    });
    operator = await startOperator({
      kubeConfig,
      cloud: cloudApi,
      logger: opts.logger,
      defaultResyncMs: opts.defaultResyncMs ?? 30_000,
      qps: opts.qps ?? 20,
      concurrency: opts.concurrency ?? 4,
      ...(opts.batchWindowMs !== undefined ? { batchWindowMs: opts.batchWindowMs } : {}),
      ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort, httpHost: '127.0.0.1' } : {}),
      ...(fleet.regions[0] ? { probeRegionId: fleet.regions[0].id } : {}),
    });
  } catch (err) {
    await operator?.stop();
    await cloud?.close();
    await kube.close();
    throw err;
  }
  const running = { kube, cloud, operator };
  return {
    ...running,
    kubeconfigPath,
    fleet,
    stop: async () => {
      await running.operator.stop();
      await running.cloud.close();
      await running.kube.close();
    },
  };
}
