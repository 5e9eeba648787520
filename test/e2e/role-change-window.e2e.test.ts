/**
 * Role changes end to end, on each Kubernetes target, measured by the cloud simulator's roleless
 * log (GET /sim/roleless): the operator as its own process (the real CLI, official SDKs) with a detach and an attach quota
 * of one call a second, so the schedule decides the window, not the machine's speed.
 *
 *  - 500 instances change role (five detach batches of 100). Each batch's attach follows its own
 *    detach, so no instance is roleless for longer than ROLELESS_BOUND_MS (two token intervals).
 *    Batched but unpaired (every detach first, then the attaches), the first batch would wait for
 *    the four detaches after it: at one detach a second, at least 4 s, twice the bound.
 *  - Every attach throttled while eight bindings change role: the first swaps detach, their
 *    attaches are throttled, and from then on nothing more is detached: the count of roleless
 *    instances does not grow while the throttling lasts (their attach is retried first; the other
 *    bindings report their role change paused), and everything converges once it stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { CLOUD_WRITE_LOG_MESSAGE } from '../../src/controller/execute.js';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { binding } from './fleet.js';
import { type OperatorProcess, PERMIT_DEFAULT_NAMESPACE, instanceIdsOf, kubectl, kubectlOk, metricValue, parseMetrics, simControl, startOperatorProcess } from './process-helpers.js';
import { eventually } from './world.js';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../support/kube-target.js';

/** The operator's quota for each of Attach and DetachInstanceRamRole, in calls per second. */
const MUTATE_QPS = 1;
const TOKEN_INTERVAL_MS = 1000 / MUTATE_QPS;
/** Two token intervals: one detach call's latency plus one attach token's wait, with room to spare. */
const ROLELESS_BOUND_MS = 2 * TOKEN_INTERVAL_MS;

const SWAP_COUNT = 500;
const THROTTLED_BINDINGS = 8;
const PER_BINDING = 3;
const pad = (n: number) => String(n).padStart(4, '0');
const throttledIds = (b: number) => Array.from({ length: PER_BINDING }, (_, k) => `i-thr${pad(b * PER_BINDING + k + 1)}`);
const ALL_THROTTLED = Array.from({ length: THROTTLED_BINDINGS }, (_, b) => throttledIds(b)).flat();

const FLEET = `
accessKeys:
  - {id: LTAI5tOperator, secret: operator-secret, allow: ["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:PassRole"]}
roles:
  - {name: RoleA, trustedServices: [ecs.aliyuncs.com]}
  - {name: RoleB, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: cn-hangzhou
    generate:
      - {count: ${SWAP_COUNT}, idPrefix: i-swap, digits: 4, start: 1, network: vpc, vpcId: vpc-a, tags: {fleet: swap}}
      - {count: ${ALL_THROTTLED.length}, idPrefix: i-thr, digits: 4, start: 1, network: vpc, vpcId: vpc-a}
limits:
  qps: {AttachInstanceRamRole: 500, DetachInstanceRamRole: 500, DescribeInstanceRamRole: 500, DescribeInstances: 500, GetRole: 500}
`;

interface RolelessSummary {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  currentlyRoleless: number;
}
interface Call {
  action: string;
  code: string;
  params: Record<string, unknown>;
}

describeEachTarget('role changes', (target) => {
  let kube: KubeTarget;
  let cloud: CloudSimulator;
  let operator: OperatorProcess;
  const sim = (method: string, path: string, body?: unknown): Promise<unknown> => simControl(cloud.url).call(method, path, body);
  const roleless = async (): Promise<RolelessSummary> => ((await sim('GET', '/sim/roleless')) as { summary: RolelessSummary }).summary;
  const calls = async (): Promise<Call[]> => (await sim('GET', '/sim/calls')) as Call[];
  const apply = (yaml: string): Promise<string> => kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], yaml);
  async function rolesOf(ids: readonly string[]): Promise<Map<string, string | null>> {
    const state = (await sim('GET', '/sim/state')) as { regions: Array<{ instances: Array<{ id: string; ramRole?: string | null }> }> };
    const wanted = new Set(ids);
    return new Map(state.regions.flatMap((r) => r.instances).filter((i) => wanted.has(i.id)).map((i) => [i.id, i.ramRole ?? null]));
  }
  async function allCarry(ids: readonly string[], role: string): Promise<boolean> {
    return [...(await rolesOf(ids)).values()].every((r) => r === role);
  }
  async function bindingNamed(name: string): Promise<InstanceRoleBinding | undefined> {
    const r = await kubectl(kube.kubeconfigPath, ['get', 'irb', name, '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as InstanceRoleBinding) : undefined;
  }
  const succeededDetaches = (log: Call[]) => log.filter((c) => c.action === 'DetachInstanceRamRole' && c.code === '200');
  const throttledAttaches = (log: Call[]) => log.filter((c) => c.action === 'AttachInstanceRamRole' && c.code === 'Throttling');

  beforeAll(async () => {
    kube = await startKubeTarget(target);
    await apply(PERMIT_DEFAULT_NAMESPACE);
    cloud = await startCloudSimulator({ fleet: parseFleet(FLEET), port: 0 });
    operator = await startOperatorProcess({
      kubeconfigPath: kube.kubeconfigPath,
      cloudEndpoint: cloud.endpoint,
      accessKeyId: 'LTAI5tOperator',
      accessKeySecret: 'operator-secret',
      args: [
        '--ecs-qps', '50',
        '--ecs-qps-per-action', `AttachInstanceRamRole=${MUTATE_QPS},DetachInstanceRamRole=${MUTATE_QPS}`,
        '--concurrency', '2',
        '--resync-period', '10m',
      ],
      logLevel: 'info',
    });
  }, 120_000);

  afterAll(async () => {
    await operator?.kill();
    await cloud?.close();
    await kube?.stop();
  });

  describe('role change: the roleless window per instance', { timeout: 180_000 }, () => {
    it(`500 instances from RoleA to RoleB: none is roleless for more than ${ROLELESS_BOUND_MS} ms; the metrics count every window`, async () => {
      await apply(binding('fleet', { roleName: 'RoleA', instanceSelector: { tags: { fleet: 'swap' } } }));
      const swapIds = Array.from({ length: SWAP_COUNT }, (_, k) => `i-swap${pad(k + 1)}`);
      await eventually('RoleA on all 500', () => allCarry(swapIds, 'RoleA'), 60_000);
      await sim('DELETE', '/sim/roleless');
      await sim('DELETE', '/sim/calls');

      await apply(binding('fleet', { roleName: 'RoleB', instanceSelector: { tags: { fleet: 'swap' } } }));
      await eventually('RoleB on all 500', () => allCarry(swapIds, 'RoleB'), 60_000);

      const summary = await roleless();
      expect(summary.count).toBe(SWAP_COUNT);
      expect(summary.currentlyRoleless).toBe(0);
      expect(summary.maxMs).not.toBeNull();
      expect(summary.maxMs as number).toBeLessThan(ROLELESS_BOUND_MS);
      // The change took five full detach batches and five full attach batches: no call more than needed.
      const log = await calls();
      const mutations = log.filter((c) => c.action === 'AttachInstanceRamRole' || c.action === 'DetachInstanceRamRole');
      expect(mutations.filter((c) => c.action === 'DetachInstanceRamRole').map((c) => instanceIdsOf(c.params).length)).toEqual([100, 100, 100, 100, 100]);
      expect(mutations.filter((c) => c.action === 'AttachInstanceRamRole').map((c) => instanceIdsOf(c.params).length)).toEqual([100, 100, 100, 100, 100]);
      // Back to back: each attach names exactly the instances of the detach before it.
      const pairs = mutations.map((c) => `${c.action}:${instanceIdsOf(c.params).sort().join()}`);
      for (let k = 0; k < pairs.length; k++) {
        if (pairs[k]?.startsWith('AttachInstanceRamRole')) expect(pairs.slice(0, k).some((p) => p === pairs[k]?.replace('AttachInstanceRamRole', 'DetachInstanceRamRole'))).toBe(true);
      }

      // Every write is logged at info: binding, action, role, instances and the cloud's RequestId; never the secret.
      const writes = operator
        .output()
        .split('\n')
        .filter((l) => l.includes(CLOUD_WRITE_LOG_MESSAGE))
        .map((l) => JSON.parse(l) as { level: string; binding: string; action: string; roleName: string; instanceIds: string[]; requestId?: string });
      const attachLines = writes.filter((w) => w.action === 'AttachInstanceRamRole' && w.roleName === 'RoleB');
      expect(attachLines.flatMap((w) => w.instanceIds).sort()).toEqual(swapIds);
      expect(writes.filter((w) => w.action === 'DetachInstanceRamRole' && w.roleName === 'RoleA').flatMap((w) => w.instanceIds).sort()).toEqual(swapIds);
      expect(writes.filter((w) => !(w.level === 'info' && w.binding === 'default/fleet' && typeof w.requestId === 'string' && w.requestId.length > 0))).toEqual([]);
      expect(operator.output()).not.toContain('operator-secret');

      const samples = parseMetrics(await operator.metrics());
      expect(metricValue(samples, 'ecs_role_operator_roleless_instances')).toBe(0);
      expect(metricValue(samples, 'ecs_role_operator_roleless_window_seconds_count')).toBe(SWAP_COUNT);
    });

    it('every attach throttled during a role change of eight bindings: no growth in roleless instances while throttled, then all converge', async () => {
      const names = Array.from({ length: THROTTLED_BINDINGS }, (_, b) => `thr-${b}`);
      await apply(names.map((name, b) => binding(name, { roleName: 'RoleA', instanceIds: throttledIds(b) })).join('\n'));
      await eventually('RoleA on the 24', () => allCarry(ALL_THROTTLED, 'RoleA'), 60_000);
      await sim('DELETE', '/sim/roleless');
      await sim('DELETE', '/sim/calls');
      await sim('POST', '/sim/faults', { action: 'AttachInstanceRamRole', code: 'Throttling', status: 400, rate: 1 });

      await apply(names.map((name, b) => binding(name, { roleName: 'RoleB', instanceIds: throttledIds(b) })).join('\n'));
      await eventually('three throttled attaches', async () => throttledAttaches(await calls()).length >= 3, 30_000);
      const first = await roleless();
      const detachesAtFirst = succeededDetaches(await calls()).length;
      // The throttled attaches keep being retried (with backoff) ...
      await eventually('four more throttled attaches', async () => throttledAttaches(await calls()).length >= 7, 60_000);
      const later = await roleless();
      const log = await calls();
      // ... and nothing more is detached meanwhile: the roleless count stays where it was.
      expect(later.currentlyRoleless).toBe(first.currentlyRoleless);
      expect(succeededDetaches(log).length).toBe(detachesAtFirst);
      expect(first.currentlyRoleless).toBeGreaterThan(0);
      expect(first.currentlyRoleless).toBeLessThan(ALL_THROTTLED.length);
      expect(metricValue(parseMetrics(await operator.metrics()), 'ecs_role_operator_roleless_instances')).toBe(first.currentlyRoleless);

      // Status: the detached instances are Attaching with the throttling as reason; the others wait, role kept.
      const statuses = (await Promise.all(names.map(bindingNamed))).flatMap((b) => b?.status?.instances ?? []);
      const rolelessNow = [...(await rolesOf(ALL_THROTTLED))].filter(([, role]) => role === null).map(([id]) => id);
      for (const id of rolelessNow) {
        await eventually(`${id} reported Attaching`, async () => {
          const all = (await Promise.all(names.map(bindingNamed))).flatMap((b) => b?.status?.instances ?? []);
          const s = all.find((i) => i.instanceId === id);
          return s?.state === 'Attaching' && /Throttling/.test(s.message ?? '');
        });
      }
      expect(statuses.filter((s) => s.state === 'Bound' && s.observedRole === 'RoleB')).toEqual([]);

      await sim('DELETE', '/sim/faults');
      await eventually('RoleB on the 24', () => allCarry(ALL_THROTTLED, 'RoleB'), 90_000);
      expect((await roleless()).currentlyRoleless).toBe(0);
      await eventually('the gauge back at 0', async () => metricValue(parseMetrics(await operator.metrics()), 'ecs_role_operator_roleless_instances') === 0);
    });
  });
});
