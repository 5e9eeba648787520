/**
 * The end-to-end world of world.ts on the other Kubernetes target: a real kube-apiserver + etcd +
 * kube-controller-manager (packages/sandbox's startRealKube, binaries built from Go modules on first
 * use), with the CRDs and the given manifests installed, the cloud simulator, and the operator in
 * this process (tenancy enforced) — what the sandbox assembles around the emulator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { createAlibabaCloudApi } from '../../src/cloud/alibaba-cloud-api.js';
import { createAccessKeyCredential } from '../../src/cloud/credentials.js';
import { PooledKubeConfig } from '../../src/kube/pooled-kubeconfig.js';
import { type RunningOperator, startOperator } from '../../src/operator/operator.js';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { type RealKube, startRealKube } from '@ecs-role-operator/sandbox';
import { CRD_PATHS, OPERATOR_NAMESPACE, PERMIT_DEFAULT_NAMESPACE, kubectl as runKubectl, kubectlOk, simControl } from './process-helpers.js';
import type { World, WorldOptions } from './world.js';

/** The World of world.ts without the sandbox (there is none: the operator runs on its own). */
export type TargetWorld = Omit<World, 'sandbox'>;

export type KubeTargetName = 'emulator' | 'real';

/** KUBE_TARGETS (default "emulator,real"): the targets an end-to-end test runs on. */
export function kubeTargetNames(): KubeTargetName[] {
  const names = (process.env.KUBE_TARGETS ?? 'emulator,real').split(',').map((t) => t.trim()).filter(Boolean);
  for (const n of names) if (n !== 'emulator' && n !== 'real') throw new Error(`KUBE_TARGETS: unknown target "${n}" (emulator, real)`);
  return names as KubeTargetName[];
}

export async function startRealKubeWorld(opts: WorldOptions): Promise<TargetWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'irb-e2e-real-'));
  const kube: RealKube = await startRealKube({ kubeconfigOut: join(dir, 'kubeconfig'), log: () => undefined });
  let cloud: CloudSimulator | undefined;
  let operator: RunningOperator | undefined;
  try {
    const kubeconfig = kube.kubeconfigPath;
    for (const crd of CRD_PATHS) await kubectlOk(kubeconfig, ['apply', '-f', crd]);
    await kubectlOk(kubeconfig, ['wait', '--for=condition=Established', 'crd/instancerolebindings.roles.ecs.dev', 'crd/instancerolepolicies.roles.ecs.dev', '--timeout=60s']);
    const manifests = join(dir, 'manifests.yaml');
    writeFileSync(manifests, opts.manifests ?? PERMIT_DEFAULT_NAMESPACE);
    await kubectlOk(kubeconfig, ['apply', '-f', manifests]);
    await kubectlOk(kubeconfig, ['get', 'namespace', OPERATOR_NAMESPACE]);
    const fleet = parseFleet(opts.fleetYaml);
    const key = fleet.accessKeys[0];
    if (!key) throw new Error('the fleet has no access key for the operator');
    cloud = await startCloudSimulator({ fleet, port: 0 });
    const kubeConfig = new PooledKubeConfig();
    kubeConfig.loadFromFile(kubeconfig);
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
    const control = simControl(cloud.url);
    const kubectl: TargetWorld['kubectl'] = (args, input) => runKubectl(kubeconfig, args, input);
    const running = { cloud, operator };
    return {
      kubeconfig,
      cloudUrl: cloud.url,
      kubectl,
      apply: async (yaml) => {
        const r = await kubectl(['apply', '-f', '-'], yaml);
        if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
      },
      binding: async (namespace, name) => {
        const r = await kubectl(['get', 'irb', '-n', namespace, name, '-o', 'json']);
        return r.code === 0 ? (JSON.parse(r.stdout) as InstanceRoleBinding) : undefined;
      },
      roleOf: control.roleOf,
      setRole: control.setRole,
      calls: control.calls,
      clearCalls: async () => {
        await control.call('DELETE', '/sim/calls');
      },
      sim: control.call,
      stop: async () => {
        await running.operator.stop();
        await running.cloud.close();
        await kube.stop();
      },
    };
  } catch (err) {
    await operator?.stop();
    await cloud?.close();
    await kube.stop();
    throw err;
  }
}
