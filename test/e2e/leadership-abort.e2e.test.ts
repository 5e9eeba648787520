/**
 * A leader that is deposed stops making cloud writes at once: once it logs that leadership is
 * lost (onStoppedLeading), no AttachInstanceRamRole or DetachInstanceRamRole from it reaches the
 * cloud, although throttled attaches were still waiting in its token bucket and passes were in
 * flight. Another replica may already lead; two writers would fight over the same instances.
 */
import { CoordinationV1Api, KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../support/kube-target.js';
import { binding } from './fleet.js';
import { PERMIT_DEFAULT_NAMESPACE, assertOperatorBuilt, killAllOperatorProcesses, kubectlOk, simControl, startOperatorProcess, untilAnswering } from './process-helpers.js';
import { eventually } from './world.js';

const LEASE_NS = 'ecs-role-operator-system';
const LEASE = 'ecs-role-operator-leader';
const ROLES = Array.from({ length: 12 }, (_, n) => `RoleN${n}`);
const FLEET = `
accessKeys:
  - {id: LTAI5tLeader, secret: leader-secret, allow: ["*"]}
roles:
${ROLES.map((r) => `  - {name: ${r}, trustedServices: [ecs.aliyuncs.com]}`).join('\n')}
regions:
  - id: cn-hangzhou
    instances:
${ROLES.map((_, n) => `      - {id: i-depose${String(n).padStart(3, '0')}, network: vpc, vpcId: vpc-a}`).join('\n')}
`;

describeEachTarget('leadership abort', (target) => {
  let kube: KubeTarget;
  let cloud: CloudSimulator;

  beforeAll(async () => {
    assertOperatorBuilt();
    kube = await startKubeTarget(target);
    cloud = await startCloudSimulator({ fleet: parseFleet(FLEET), port: 0 });
    await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NS } }));
    await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], PERMIT_DEFAULT_NAMESPACE);
  });

  afterAll(async () => {
    await killAllOperatorProcesses();
    await cloud?.close();
    await kube?.stop();
  });

  const mutating = (action: string) => action === 'AttachInstanceRamRole' || action === 'DetachInstanceRamRole';

  describe('a deposed leader', () => {
    it('makes no Attach or Detach after it stops leading, with throttled attaches still queued', { timeout: 180_000 }, async () => {
      const sim = simControl(cloud.url);
      const operator = await untilAnswering(await startOperatorProcess({
        kubeconfigPath: kube.kubeconfigPath,
        cloudEndpoint: cloud.endpoint,
        accessKeyId: 'LTAI5tLeader',
        accessKeySecret: 'leader-secret',
        logLevel: 'info',
        args: [
          '--leader-elect', '--leader-election-namespace', LEASE_NS,
          '--leader-election-lease-duration', '4s', '--leader-election-renew-deadline', '3s', '--leader-election-retry-period', '500ms',
          // One attach a second: each binding has a role of its own, so every attach is its own call.
          '--ecs-qps-per-action', 'AttachInstanceRamRole=1',
        ],
      }));
      await eventually('the operator holds the Lease', async () => (await readLease())?.spec?.holderIdentity !== undefined, 30_000);
      const items = ROLES.map((role, n) => JSON.parse(binding(`b${n}`, { roleName: role, instanceIds: [`i-depose${String(n).padStart(3, '0')}`] })) as unknown);
      await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], items.map((item) => stringify(item)).join('---\n'));

      // Depose it right after an attach went out, while the rest wait in its token bucket.
      await eventually('two attaches made', async () => (await sim.calls()).filter((c) => c.action === 'AttachInstanceRamRole').length >= 2, 30_000);
      // The leader renews every 500 ms: a lost update race (409) is read again and retried.
      await eventually('the Lease taken by another replica', async () => {
        const lease = await readLease();
        const body = { ...lease, spec: { ...lease?.spec, holderIdentity: 'another-replica', renewTime: new V1MicroTime(Date.now()), acquireTime: new V1MicroTime(Date.now()) } };
        return leases().replaceNamespacedLease({ name: LEASE, namespace: LEASE_NS, body }).then(
          () => true,
          () => undefined,
        );
      }, 10_000);

      const exit = await operator.exited;
      expect(exit.code, operator.output()).toBe(1);
      const lostAt = lostLeadershipTime(operator.output());
      const calls = await sim.calls();
      const attachedBefore = calls.filter((c) => mutating(c.action) && Date.parse(c.time) <= lostAt);
      const afterwards = calls.filter((c) => mutating(c.action) && Date.parse(c.time) > lostAt);
      expect(attachedBefore.length).toBeGreaterThanOrEqual(2);
      // The proof: most attaches were still to come, and none of them left the process.
      expect(attachedBefore.length).toBeLessThan(ROLES.length);
      expect(afterwards, `calls after leadership was lost at ${new Date(lostAt).toISOString()}`).toEqual([]);
    });
  });

  function leases(): CoordinationV1Api {
    const config = new KubeConfig();
    config.loadFromFile(kube.kubeconfigPath);
    return config.makeApiClient(CoordinationV1Api);
  }

  async function readLease() {
    return leases().readNamespacedLease({ name: LEASE, namespace: LEASE_NS }).catch(() => undefined);
  }

  /** The time of the operator's "leadership lost" log line (its ISO-8601 `time`), in epoch ms. */
  function lostLeadershipTime(output: string): number {
    for (const line of output.split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { msg?: string; time?: string };
      if (entry.msg?.startsWith('leadership lost') && entry.time) return Date.parse(entry.time);
    }
    throw new Error(`the operator never logged that it lost leadership:\n${output.slice(-3000)}`);
  }
});
