/**
 * A benchmark world: the cloud simulator (in this process) with a generated fleet and the
 * quotas, a Kubernetes target with the CRDs, the operator's namespace and a policy letting the
 * bench's namespace bind its roles, then the bindings: `bindings` bindings naming
 * `perBinding` instances each by ID, or one binding selecting every instance by tag.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { PooledKubeConfig } from '../src/kube/pooled-kubeconfig.js';
import { type KubeKind, type KubeTarget, startKubeTarget } from './kube-target.js';
import { QPS } from './quotas.js';
import { type Liveness, forEachParallel } from './wait.js';

export const ROLE_A = 'BenchRole';
export const ROLE_B = 'BenchRoleB';
export const REGION = 'cn-hangzhou';
export const NAMESPACE = 'default';
const SELECTOR_TAG = { key: 'bench', value: 'fleet' };
const GROUP = { group: 'roles.ecs.dev', version: 'v1alpha1', plural: 'instancerolebindings' };
/** Requests the bench sends at once when it creates or patches bindings. */
const CLIENT_PARALLEL = 32;

export interface WorldShape {
  /** Bindings naming instances by ID ("ids"), or a single binding selecting all of them by tag ("selector"). */
  targeting: 'ids' | 'selector';
  bindings: number;
  perBinding: number;
  /** Spare instances for the reaction samples, each bound by its own new binding. */
  spares: number;
  kube: KubeKind;
}

export class World {
  readonly instances: number;
  private readonly objects: CustomObjectsApi;
  private constructor(
    readonly shape: WorldShape,
    readonly cloud: CloudSimulator,
    readonly kube: KubeTarget,
    readonly kubeConfig: PooledKubeConfig,
    private readonly digits: number,
  ) {
    this.instances = shape.bindings * shape.perBinding;
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  static async start(root: string, shape: WorldShape): Promise<World> {
    const total = shape.bindings * shape.perBinding + shape.spares;
    const digits = String(total).length;
    const tags = shape.targeting === 'selector' ? `, tags: {${SELECTOR_TAG.key}: ${SELECTOR_TAG.value}}` : '';
    const fleet = parseFleet(`
accessKeys:
  - {id: LTAI5tBench, secret: bench-secret, allow: ["*"]}
roles:
  - {name: ${ROLE_A}, trustedServices: [ecs.aliyuncs.com]}
  - {name: ${ROLE_B}, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: ${REGION}
    generate:
      - {count: ${shape.bindings * shape.perBinding}, idPrefix: i-bench, digits: ${digits}, network: vpc, vpcId: vpc-bench${tags}}
${shape.spares > 0 ? `      - {count: ${shape.spares}, start: ${shape.bindings * shape.perBinding + 1}, idPrefix: i-bench, digits: ${digits}, network: vpc, vpcId: vpc-bench}` : ''}
limits:
  qps: ${JSON.stringify(QPS)}
`);
    const dir = mkdtempSync(join(tmpdir(), 'irb-bench-'));
    const kube = await startKubeTarget(shape.kube, root, dir);
    const cloud = await startCloudSimulator({ fleet, port: 0, callLogLimit: 1_000_000 });
    // Keep-alive connections: a TLS handshake per request would cost the bench more than the requests.
    const kc = new PooledKubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    // Tenancy is enforced: the operator's namespace (its ownership ledger) and a policy for the bench's namespace.
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'ecs-role-operator-system' } } });
    await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: 'roles.ecs.dev', version: 'v1alpha1', plural: 'instancerolepolicies',
      body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: 'bench' }, spec: { namespaces: [NAMESPACE], roles: [ROLE_A, ROLE_B] } },
    });
    return new World(shape, cloud, kube, kc, digits);
  }

  instanceId(n: number): string {
    return `i-bench${String(n).padStart(this.digits, '0')}`;
  }

  bindingName(b: number): string {
    return `bench-${b}`;
  }

  /** Creates the world's bindings (all with ROLE_A). */
  async createBindings(): Promise<void> {
    const { targeting, bindings, perBinding } = this.shape;
    if (targeting === 'selector') {
      await this.create('bench-selector', { instanceSelector: { tags: { [SELECTOR_TAG.key]: SELECTOR_TAG.value } } });
      return;
    }
    await forEachParallel(Array.from({ length: bindings }, (_, b) => b), CLIENT_PARALLEL, (b) =>
      this.create(this.bindingName(b), { instanceIds: Array.from({ length: perBinding }, (_, k) => this.instanceId(b * perBinding + k + 1)) }).then(() => undefined),
    );
  }

  /** Binds spare instance number `s` (0-based) by a binding of its own. */
  createSpareBinding(s: number): Promise<unknown> {
    return this.create(`react-${s}`, { instanceIds: [this.spareId(s)] });
  }

  spareId(s: number): string {
    return this.instanceId(this.instances + s + 1);
  }

  bindingNames(): string[] {
    return this.shape.targeting === 'selector' ? ['bench-selector'] : Array.from({ length: this.shape.bindings }, (_, b) => this.bindingName(b));
  }

  /** Merge-patches every binding of the world (not the spares), `parallel` at a time. */
  async patchEveryBinding(body: Record<string, unknown>, alive: Liveness): Promise<void> {
    await forEachParallel(this.bindingNames(), CLIENT_PARALLEL, async (name) => {
      await this.objects.patchNamespacedCustomObject({ ...GROUP, namespace: NAMESPACE, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    }, alive);
  }

  /** Instances of the world (spares excluded) carrying `role` now. */
  carrying(role: string): number {
    return this.cloud.state.instancesWithRole(REGION, role).length;
  }

  private create(name: string, target: Record<string, unknown>): Promise<unknown> {
    return this.objects.createNamespacedCustomObject({
      ...GROUP, namespace: NAMESPACE,
      body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', metadata: { name }, spec: { regionId: REGION, roleName: ROLE_A, ...target } },
    });
  }

  async close(): Promise<void> {
    this.kubeConfig.destroyConnections();
    await this.cloud.close();
    await this.kube.close();
  }
}
