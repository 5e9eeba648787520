/**
 * Two operator replicas (`node dist/ecs-role-operator.mjs run --leader-elect`) against one Kubernetes
 * API emulator and one cloud simulator: exactly one holds the Lease and reconciles, SIGKILL of the
 * leader hands over to the other after the lease runs out, the cloud's call log shows no
 * instance attached twice, and SIGTERM releases the Lease so a third replica takes over at once. Each replica signs with its own AccessKey, so the call log tells which
 * replica made every cloud call.
 */
import { CoordinationV1Api, KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../support/kube-target.js';
import { binding } from './fleet.js';
import {
  PERMIT_DEFAULT_NAMESPACE,
  type OperatorProcess,
  type SimControl,
  assertOperatorBuilt,
  instanceIdsOf,
  killAllOperatorProcesses,
  kubectlOk,
  metricValue,
  parseMetrics,
  simControl,
  startOperatorProcess,
  untilAnswering,
} from './process-helpers.js';
import { condition, eventually } from './world.js';

const LEASE_NS = 'ecs-role-operator-system';
const LEASE_NAME = 'ecs-role-operator-leader';
const LEASE_DURATION_SEC = 4;
const RETRY_PERIOD_SEC = 1;
const KEYS = {
  a: { id: 'LTAI5tReplicaA', secret: 'replica-a-secret' },
  b: { id: 'LTAI5tReplicaB', secret: 'replica-b-secret' },
  c: { id: 'LTAI5tReplicaC', secret: 'replica-c-secret' },
} as const;
type ReplicaKey = keyof typeof KEYS;
const OPERATOR_ACTIONS = '["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:PassRole"]';

const FLEET = `
accessKeys:
  - {id: ${KEYS.a.id}, secret: ${KEYS.a.secret}, allow: ${OPERATOR_ACTIONS}}
  - {id: ${KEYS.b.id}, secret: ${KEYS.b.secret}, allow: ${OPERATOR_ACTIONS}}
  - {id: ${KEYS.c.id}, secret: ${KEYS.c.secret}, allow: ${OPERATOR_ACTIONS}}
roles:
  - {name: RoleA, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-rep0001, network: vpc, vpcId: vpc-a}
      - {id: i-rep0002, network: vpc, vpcId: vpc-a}
      - {id: i-rep0003, network: vpc, vpcId: vpc-a}
      - {id: i-rep0004, network: vpc, vpcId: vpc-a}
`;

describeEachTarget('two and three replicas', (target) => {
  let kube: KubeTarget;
  let cloud: CloudSimulator;
  let sim: SimControl;
  let leases: CoordinationV1Api;
  const replicas: Record<ReplicaKey, OperatorProcess | undefined> = { a: undefined, b: undefined, c: undefined };

  async function startReplica(key: ReplicaKey): Promise<OperatorProcess> {
    return untilAnswering(await startOperatorProcess({
      kubeconfigPath: kube.kubeconfigPath,
      cloudEndpoint: cloud.endpoint,
      accessKeyId: KEYS[key].id,
      accessKeySecret: KEYS[key].secret,
      args: [
        '--leader-elect',
        '--leader-election-namespace', LEASE_NS,
        '--leader-election-id', LEASE_NAME,
        '--leader-election-lease-duration', `${LEASE_DURATION_SEC}s`,
        '--leader-election-renew-deadline', '3s',
        '--leader-election-retry-period', `${RETRY_PERIOD_SEC}s`,
        '--resync-period', '60s',
      ],
    }));
  }

  async function readLease(): Promise<V1Lease | undefined> {
    try {
      return await leases.readNamespacedLease({ namespace: LEASE_NS, name: LEASE_NAME });
    } catch {
      return undefined;
    }
  }

  interface ReplicaView {
    leader: number;
    reconciles: number;
  }

  async function view(replica: OperatorProcess): Promise<ReplicaView> {
    const samples = parseMetrics(await replica.metrics());
    return {
      leader: metricValue(samples, 'ecs_role_operator_leader') ?? Number.NaN,
      reconciles: metricValue(samples, 'ecs_role_operator_reconcile_total') ?? Number.NaN,
    };
  }

  async function ready(name: string): Promise<boolean> {
    const out = await kubectlOk(kube.kubeconfigPath, ['get', 'irb', '-n', 'default', name, '-o', 'json']);
    return condition(JSON.parse(out) as Parameters<typeof condition>[0], 'Ready')?.status === 'True';
  }

  beforeAll(async () => {
    assertOperatorBuilt();
    kube = await startKubeTarget(target);
    cloud = await startCloudSimulator({ fleet: parseFleet(FLEET), port: 0 });
    sim = simControl(cloud.url);
    const admin = new KubeConfig();
    admin.loadFromFile(kube.kubeconfigPath);
    leases = admin.makeApiClient(CoordinationV1Api);
    await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NS } }));
    await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], PERMIT_DEFAULT_NAMESPACE);
  });

  afterAll(async () => {
    await killAllOperatorProcesses();
    await cloud?.close();
    await kube?.stop();
  });

  // Each test starts operator processes and waits for them to answer before its own deadlines.
  describe('two replicas with --leader-elect', { timeout: 150_000 }, () => {
    let leaderKey: 'a' | 'b';
    let standbyKey: 'a' | 'b';
    let firstHolder: string;

    it('exactly one replica holds the Lease and reconciles; the other stays idle', async () => {
      [replicas.a, replicas.b] = await Promise.all([startReplica('a'), startReplica('b')]);
      const lease = await eventually('a replica holds the lease', async () => {
        const l = await readLease();
        return l?.spec?.holderIdentity ? l : undefined;
      });
      firstHolder = lease.spec!.holderIdentity!;

      await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], binding('first', { roleName: 'RoleA', instanceIds: ['i-rep0001', 'i-rep0002'] }));
      await eventually('binding "first" Ready', () => ready('first'), 30_000);

      const views = { a: await view(replicas.a), b: await view(replicas.b) };
      const leaders = (['a', 'b'] as const).filter((k) => views[k].leader === 1);
      expect(leaders, JSON.stringify(views)).toHaveLength(1);
      leaderKey = leaders[0]!;
      standbyKey = leaderKey === 'a' ? 'b' : 'a';
      expect(views[leaderKey].reconciles).toBeGreaterThan(0);
      expect(views[standbyKey]).toEqual({ leader: 0, reconciles: 0 });
      // The standby is ready (it must not block a rolling update) and says why.
      const standbyReady = await replicas[standbyKey]!.probe('/readyz');
      expect(standbyReady).toEqual({ status: 200, body: expect.stringMatching(/standby/) });

      // Every cloud call so far was signed by the leader's AccessKey.
      const signers = new Set((await sim.calls()).map((c) => c.accessKeyId));
      expect([...signers]).toEqual([KEYS[leaderKey].id]);
      // The Lease still names the first holder: no flapping.
      expect((await readLease())?.spec?.holderIdentity).toBe(firstHolder);
    });

    it('SIGKILL of the leader: the standby takes the Lease once it runs out and reconciles new bindings', async () => {
      const before = await readLease();
      const transitionsBefore = before?.spec?.leaseTransitions ?? 0;
      const killedAt = Date.now();
      await replicas[leaderKey]!.kill();

      // Deadline: the lease duration, plus one jittered retry period, plus room for a loaded machine.
      const takeoverDeadlineMs = (LEASE_DURATION_SEC + 1.2 * RETRY_PERIOD_SEC) * 1000 + 10_000;
      const lease = await eventually(
        'the standby to take over the Lease',
        async () => {
          const l = await readLease();
          const holder = l?.spec?.holderIdentity;
          return holder && holder !== firstHolder ? l : undefined;
        },
        takeoverDeadlineMs,
      );
      const takeoverMs = Date.now() - killedAt;
      console.info(`replicas: Lease taken over ${takeoverMs} ms after SIGKILL (lease duration ${LEASE_DURATION_SEC}s)`);
      expect(lease.spec?.leaseTransitions).toBe(transitionsBefore + 1);

      const standby = replicas[standbyKey]!;
      await eventually('the new leader reports leader 1', async () => (await view(standby)).leader === 1);

      await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], binding('second', { roleName: 'RoleA', instanceIds: ['i-rep0003'] }));
      await eventually('binding "second" Ready through the new leader', () => ready('second'), 30_000);
      console.info(`replicas: new binding Ready ${Date.now() - killedAt} ms after SIGKILL`);
      expect(await sim.roleOf('i-rep0003')).toBe('RoleA');
      expect((await view(standby)).reconciles).toBeGreaterThan(0);
    });

    it('the call log shows no instance attached twice and each replica calling only while it led', async () => {
      const calls = await sim.calls();
      const attaches = calls.filter((c) => c.action === 'AttachInstanceRamRole');
      const perInstance = new Map<string, number>();
      for (const c of attaches) for (const id of instanceIdsOf(c.params)) perInstance.set(id, (perInstance.get(id) ?? 0) + 1);
      expect(Object.fromEntries(perInstance)).toEqual({ 'i-rep0001': 1, 'i-rep0002': 1, 'i-rep0003': 1 });
      expect(calls.filter((c) => c.action === 'DetachInstanceRamRole')).toEqual([]);

      // The old leader's calls all come before the new leader's first call: never both at once.
      const firstOfNew = calls.findIndex((c) => c.accessKeyId === KEYS[standbyKey].id);
      const lastOfOld = calls.map((c) => c.accessKeyId).lastIndexOf(KEYS[leaderKey].id);
      expect(firstOfNew).toBeGreaterThan(lastOfOld);
      // The new leader attached only the new binding's instance: "first" was adopted as it was.
      const newLeaderAttaches = attaches.filter((c) => c.accessKeyId === KEYS[standbyKey].id).flatMap((c) => instanceIdsOf(c.params));
      expect(newLeaderAttaches).toEqual(['i-rep0003']);
    });

    it('SIGTERM of the leader: it releases the Lease and exits 0, a third replica takes over without waiting out the lease', async () => {
      replicas.c = await startReplica('c');
      const leader = replicas[standbyKey]!;
      const holder = (await readLease())?.spec?.holderIdentity;
      // The newcomer is a standby until the leader lets go.
      await eventually('the third replica up as a standby', async () => (await view(replicas.c!)).leader === 0);
      expect((await readLease())?.spec?.holderIdentity).toBe(holder);

      const stoppedAt = Date.now();
      leader.child.kill('SIGTERM');
      expect(await leader.exited).toEqual({ code: 0, signal: null });
      const lease = await eventually('the third replica to take the released Lease', async () => {
        const l = await readLease();
        return l?.spec?.holderIdentity && l.spec.holderIdentity !== holder ? l : undefined;
      }, 20_000);
      console.info(`replicas: Lease taken over ${Date.now() - stoppedAt} ms after SIGTERM (released; lease duration ${LEASE_DURATION_SEC}s)`);
      expect(lease.spec?.holderIdentity).not.toBe(holder);

      const callsBefore = (await sim.calls()).length;
      await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], binding('third', { roleName: 'RoleA', instanceIds: ['i-rep0004'] }));
      await eventually('binding "third" Ready through the third replica', () => ready('third'), 30_000);
      const newCalls = (await sim.calls()).slice(callsBefore);
      expect(new Set(newCalls.map((c) => c.accessKeyId))).toEqual(new Set([KEYS.c.id]));
      expect(newCalls.filter((c) => c.action === 'AttachInstanceRamRole').flatMap((c) => instanceIdsOf(c.params))).toEqual(['i-rep0004']);
    });
  });
});
