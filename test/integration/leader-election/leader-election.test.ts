/**
 * LeaderElector on each Kubernetes target (the emulator and a real kube-apiserver), through the unmodified @kubernetes/client-node
 * (and kubectl for reading the Lease back).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CoordinationV1Api, KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElector, defaultIdentity, defaultLeaseNamespace } from '../../../src/runtime/leader-election.js';
import { kubeconfigYaml } from '@ecs-role-operator/kube-emulator';
import { startCuttingProxy } from '../../support/cutting-proxy.js';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../../support/kube-target.js';
import { Election, FAST, STEADY, ensureNamespace, eventually, kubeConfigFrom, readLease, singleLeaderFor } from './harness.js';

const NAMESPACE = 'leader-election-test';
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describeEachTarget('leader election', (target) => {
  let kube: KubeTarget;
  let kc: KubeConfig;
  const elections: Election[] = [];
  let leaseCounter = 0;

  function election(timing = FAST): Election {
    const e = new Election(kc, NAMESPACE, `leader-${++leaseCounter}`, timing);
    elections.push(e);
    return e;
  }

  beforeAll(async () => {
    kube = await startKubeTarget(target, { crdPaths: [] });
    kc = kubeConfigFrom(kube.kubeconfigPath);
    await ensureNamespace(kc, NAMESPACE);
  });
  afterEach(async () => {
    await Promise.all(elections.splice(0).map((e) => e.stopAll()));
  });
  afterAll(async () => {
    await kube?.stop();
  });

  describe('LeaderElector on a coordination.k8s.io/v1 Lease', () => {
    it('elects exactly one of two candidates and records it in the Lease with MicroTime stamps', async () => {
      const e = election(STEADY);
      const a = e.start('replica-a');
      const b = e.start('replica-b');
      const leader = await eventually('a leader', () => e.leaders()[0]);
      await singleLeaderFor(e, 1500);
      expect([a, b].filter((x) => x.isLeader())).toEqual([leader]);

      const lease = await readLease(kc, NAMESPACE, e.name);
      expect(lease.spec?.holderIdentity).toBe(leader.identity);
      expect(lease.spec?.leaseDurationSeconds).toBe(8);
      expect(lease.spec?.leaseTransitions).toBe(0);
      // client-node hands MicroTime back as the wire string; kubectl shows the same.
      expect(String(lease.spec?.renewTime)).toMatch(MICRO_TIME);
      expect(String(lease.spec?.acquireTime)).toMatch(MICRO_TIME);
      const { stdout } = await promisify(execFile)('kubectl', [
        '--kubeconfig',
        kube.kubeconfigPath,
        '-n',
        NAMESPACE,
        'get',
        'lease',
        e.name,
        '-o',
        'jsonpath={.spec.holderIdentity} {.spec.renewTime}',
      ]);
      const [holder, renewTime] = stdout.trim().split(' ');
      expect(holder).toBe(leader.identity);
      expect(renewTime).toMatch(MICRO_TIME);
      expect(e.maxConcurrentLeaders).toBe(1);
    });

    it('keeps renewing: the renewTime moves while the leader lives', async () => {
      const e = election(STEADY);
      const a = e.start('replica-a');
      await eventually('a leader', () => (a.isLeader() ? true : undefined));
      const first = String((await readLease(kc, NAMESPACE, e.name)).spec?.renewTime);
      await eventually('a renewal', async () => {
        const now = String((await readLease(kc, NAMESPACE, e.name)).spec?.renewTime);
        return now > first ? now : undefined;
      });
      expect(a.isLeader()).toBe(true);
    });

    it('hands over to the standby once a crashed leader (no release) has not renewed for the lease duration', async () => {
      const e = election();
      e.start('replica-a');
      e.start('replica-b');
      const leader = await eventually('a leader', () => e.leaders()[0]);
      const standby = e.electors.find((x) => x !== leader)!;

      await leader.stop(); // a crash: the Lease still names the old leader
      const stoppedAt = Date.now();
      const held = await readLease(kc, NAMESPACE, e.name);
      expect(held.spec?.holderIdentity).toBe(leader.identity);
      const lastRenew = new Date(String(held.spec?.renewTime)).getTime();

      await eventually('the standby to take over', () => (standby.isLeader() ? true : undefined), 15_000);
      const takeover = e.terms.find((t) => t.identity === standby.identity)!;
      // Never before the crashed holder's lease ran out.
      expect(takeover.startedAt).toBeGreaterThanOrEqual(lastRenew + FAST.leaseDurationSec * 1000);
      expect(takeover.startedAt).toBeGreaterThanOrEqual(stoppedAt);
      const lease = await readLease(kc, NAMESPACE, e.name);
      expect(lease.spec?.holderIdentity).toBe(standby.identity);
      expect(lease.spec?.leaseTransitions).toBe(e.terms.length - 1);
      expect(e.maxConcurrentLeaders).toBe(1);
    });

    it('hands over at once when the leader releases, without waiting out the lease', async () => {
      // A 30s lease: a successor within the 10s polling deadline can only come from the release.
      const e = election({ leaseDurationSec: 30, renewDeadlineSec: 20, retryPeriodSec: 0.2 });
      const a = e.start('replica-a');
      const aRun = e.runs[0]!;
      await eventually('replica-a to lead', () => (a.isLeader() ? true : undefined));
      const b = e.start('replica-b');
      await singleLeaderFor(e, 500);
      expect(b.isLeader()).toBe(false);

      await a.release();
      await aRun; // run() resolves once leadership ended
      expect(a.isLeader()).toBe(false);
      expect(e.terms.find((t) => t.identity === 'replica-a')?.stoppedAt).toBeDefined();

      await eventually('replica-b to take over after the release', () => (b.isLeader() ? true : undefined), 10_000);
      const lease = await readLease(kc, NAMESPACE, e.name);
      expect(lease.spec?.holderIdentity).toBe('replica-b');
      expect(lease.spec?.leaseDurationSeconds).toBe(30);
      expect(lease.spec?.leaseTransitions).toBe(1);
      expect(e.maxConcurrentLeaders).toBe(1);
    });

    it('leaves an empty holder and a 1s duration behind when the last replica releases', async () => {
      const e = election();
      const a = e.start('replica-a');
      await eventually('replica-a to lead', () => (a.isLeader() ? true : undefined));
      await a.release();
      const lease = await readLease(kc, NAMESPACE, e.name);
      expect(lease.spec?.holderIdentity ?? '').toBe('');
      expect(lease.spec?.leaseDurationSeconds).toBe(1);
      expect(String(lease.spec?.renewTime)).toMatch(MICRO_TIME);
    });

    it('never has two leaders while five candidates race for a new lease and then for a crashed one', async () => {
      const e = election();
      for (const id of ['r1', 'r2', 'r3', 'r4', 'r5']) e.start(id);
      const first = await eventually('a leader', () => e.leaders()[0]);
      await singleLeaderFor(e, 1000);

      await first.stop();
      const second = await eventually('a new leader', () => e.leaders().find((x) => x !== first), 15_000);
      await singleLeaderFor(e, 1000);
      await second.stop();
      await eventually('a third leader', () => e.leaders().find((x) => x !== first && x !== second), 15_000);
      await singleLeaderFor(e, 500);

      expect(e.maxConcurrentLeaders).toBe(1);
      // At least the three terms forced here (more if a stalled leader gave up on its own).
      expect(e.terms.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < e.terms.length; i++) {
        expect(e.terms[i]!.startedAt).toBeGreaterThanOrEqual(e.terms[i - 1]!.stoppedAt!);
      }
      expect((await readLease(kc, NAMESPACE, e.name)).spec?.leaseTransitions).toBe(e.terms.length - 1);
    });

    it('gives up leadership when another holder took the lease', async () => {
      const e = election();
      const a = e.start('replica-a');
      await eventually('replica-a to lead', () => (a.isLeader() ? true : undefined));
      // An intruder overwrites the lease (resourceVersion-guarded, as any writer must).
      const api = kc.makeApiClient(CoordinationV1Api);
      await eventually('the intruder write', async () => {
        const lease = await api.readNamespacedLease({ name: e.name, namespace: NAMESPACE });
        const now = new V1MicroTime(Date.now());
        try {
          await api.replaceNamespacedLease({
            name: e.name,
            namespace: NAMESPACE,
            body: { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: now, acquireTime: now, leaseDurationSeconds: 60 } },
          });
          return true;
        } catch (err) {
          if ((err as { code?: number }).code === 409) return undefined; // the leader renewed meanwhile; try again
          throw err;
        }
      });
      await e.runs[0];
      expect(a.isLeader()).toBe(false);
      expect(e.terms[0]?.stoppedAt).toBeDefined();
      expect((await readLease(kc, NAMESPACE, e.name)).spec?.holderIdentity).toBe('intruder');
    });

    it('stops leading within the renew deadline when the API server goes away', async () => {
      // The elector reaches the API server through a proxy; closing the proxy takes the server away.
      const path = await startCuttingProxy(kube.url);
      let closed = false;
      try {
        const lkc = new KubeConfig();
        lkc.loadFromString(kubeconfigYaml(path.url, kube.caCertificate, kube.adminToken));
        const e = new Election(lkc, NAMESPACE, 'leader-unreachable');
        const a = e.start('replica-a');
        await eventually('replica-a to lead', () => (a.isLeader() ? true : undefined));
        await path.close();
        closed = true;
        await e.runs[0];
        expect(a.isLeader()).toBe(false);
        const term = e.terms[0]!;
        expect(term.stoppedAt).toBeDefined();
      } finally {
        if (!closed) await path.close();
      }
    });
  });

  describe('LeaderElector options', () => {
    const base = {
      namespace: NAMESPACE,
      name: 'x',
      identity: 'me',
      logger: pino({ level: 'silent' }),
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
    };

    it('rejects timings that would let two replicas lead', () => {
      expect(() => new LeaderElector({ ...base, kubeConfig: kc, leaseDurationSec: 10, renewDeadlineSec: 10 })).toThrow(
        'leader election: leaseDurationSec (10) must be greater than renewDeadlineSec (10)',
      );
      expect(() => new LeaderElector({ ...base, kubeConfig: kc, renewDeadlineSec: 2, retryPeriodSec: 2 })).toThrow(
        'leader election: renewDeadlineSec (2) must be greater than 1.2 x retryPeriodSec (2)',
      );
      expect(() => new LeaderElector({ ...base, kubeConfig: kc, retryPeriodSec: 0 })).toThrow('retryPeriodSec must be a positive number');
      expect(() => new LeaderElector({ ...base, kubeConfig: kc, identity: '' })).toThrow('identity must not be empty');
    });

    it('derives identity from the pod name with a random suffix, and the namespace from the downward API', () => {
      const one = defaultIdentity({ POD_NAME: 'ecs-role-operator-7d9f-abcde' });
      const two = defaultIdentity({ POD_NAME: 'ecs-role-operator-7d9f-abcde' });
      expect(one).toMatch(/^ecs-role-operator-7d9f-abcde_[0-9a-f]{8}$/);
      expect(one).not.toBe(two);
      expect(defaultLeaseNamespace('fallback', { POD_NAMESPACE: 'ops' })).toBe('ops');
      expect(defaultLeaseNamespace('fallback', {}, '/nonexistent/namespace')).toBe('fallback');
    });
  });
});
