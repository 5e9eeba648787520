/**
 * /metrics, /healthz and /readyz of a running operator, scraped over HTTP during a scenario
 * (attach, a classic-network instance, drift detached out of band and corrected, an injected
 * Throttling fault), with each value checked against what the scenario produced and what the
 * cloud simulator's call log recorded. The operator runs in-process (startOperator with port 0 on
 * 127.0.0.1) over the official SDKs against the cloud simulator and the Kubernetes API emulator,
 * with leader election on.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { createAlibabaCloudApi } from '../../src/cloud/alibaba-cloud-api.js';
import { createAccessKeyCredential } from '../../src/cloud/credentials.js';
import { type RunningOperator, startOperator } from '../../src/operator/operator.js';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../support/kube-target.js';
import { binding } from './fleet.js';
import { PERMIT_DEFAULT_NAMESPACE, type Sample, type SimControl, freePort, kubectlOk, metricValue, parseMetrics, simControl } from './process-helpers.js';
import { condition, eventually } from './world.js';

const M = 'ecs_role_operator_';
const REGION = 'cn-hangzhou';
const FLEET = `
accessKeys:
  - {id: LTAI5tOperator, secret: operator-secret, allow: ["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:PassRole"]}
roles:
  - {name: RoleA, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: ${REGION}
    instances:
      - {id: i-obsweb0001, network: vpc, vpcId: vpc-a, tags: {app: web}}
      - {id: i-obsweb0002, network: vpc, vpcId: vpc-a, tags: {app: web}}
      - {id: i-obsdrift0001, network: vpc, vpcId: vpc-a}
      - {id: i-obsclassic01, network: classic}
`;

describeEachTarget('observability', (target) => {
  let kube: KubeTarget;
  let cloud: CloudSimulator;
  let sim: SimControl;
  let kubeConfig: KubeConfig;
  const operators: RunningOperator[] = [];

  function operatorOn(ecsEndpoint: string, leaderElection: boolean): Promise<RunningOperator> {
    return startOperator({
      kubeConfig,
      cloud: createAlibabaCloudApi({
        ecsEndpoint,
        ramEndpoint: ecsEndpoint,
        protocol: 'http',
        credential: createAccessKeyCredential('LTAI5tOperator', 'operator-secret'),
        connectTimeoutMs: 2_000,
        readTimeoutMs: 5_000,
      }),
      logger: pino({ level: process.env.E2E_LOG_LEVEL ?? 'silent' }),
      defaultResyncMs: 60_000,
      qps: 100,
      concurrency: 2,
      metricsPort: 0,
      httpHost: '127.0.0.1',
      probeRegionId: REGION,
      ...(leaderElection
        ? { leaderElection: { namespace: 'ecs-role-operator-system', name: 'ecs-role-operator-leader', leaseDurationSec: 4, renewDeadlineSec: 3, retryPeriodSec: 1 } }
        : {}),
    }).then((op) => {
      operators.push(op);
      return op;
    });
  }

  async function get(op: RunningOperator, path: string): Promise<{ status: number; body: string; contentType: string }> {
    const port = path === '/metrics' ? op.http!.metricsPort : op.http!.healthPort;
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  }

  async function scrape(op: RunningOperator): Promise<Sample[]> {
    const r = await get(op, '/metrics');
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(r.body);
  }

  const kubectl = (args: string[], input?: string) => kubectlOk(kube.kubeconfigPath, args, input);
  const apply = (yaml: string) => kubectl(['apply', '-f', '-'], yaml);
  const bindingOf = async (name: string) => JSON.parse(await kubectl(['get', 'irb', name, '-o', 'json'])) as InstanceRoleBinding;
  const nudge = (name: string, value: string) =>
    kubectl(['annotate', 'irb', name, '--overwrite', `roles.ecs.dev/reconcile-requested-at=${value}`]);

  beforeAll(async () => {
    kube = await startKubeTarget(target);
    cloud = await startCloudSimulator({ fleet: parseFleet(FLEET), port: 0 });
    sim = simControl(cloud.url);
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kube.kubeconfigPath);
    await apply(PERMIT_DEFAULT_NAMESPACE);
  });

  afterAll(async () => {
    for (const op of operators) await op.stop().catch(() => undefined);
    await cloud?.close();
    await kube?.stop();
  });

  describe('health endpoints', () => {
    it('/readyz is 503 with the reason while the cloud cannot be reached; /healthz stays 200', async () => {
      // A port nobody listens on: every cloud call is refused.
      const op = await operatorOn(`127.0.0.1:${await freePort()}`, false);
      try {
        const readyz = await get(op, '/readyz');
        expect(readyz.status).toBe(503);
        expect(readyz.body).toMatch(/^not ready: cloud API unreachable: .*ECONNREFUSED/);
        expect(await get(op, '/healthz')).toMatchObject({ status: 200, body: 'ok: process running\n' });
        // The failed probe is itself a cloud call the metrics count, under the transport error's code.
        expect(metricValue(await scrape(op), `${M}cloud_api_calls_total`, { action: 'DescribeInstances', code: 'ECONNREFUSED' })).toBe(1);
      } finally {
        await op.stop();
      }
    });
  });

  describe('metrics of a scenario', () => {
    let op: RunningOperator;

    it('/readyz is 200 once elected, synced and the cloud answers; leader is 1', async () => {
      op = await operatorOn(cloud.endpoint, true);
      await eventually('the operator to lead', async () => metricValue(await scrape(op), `${M}leader`) === 1);
      const readyz = await eventually('/readyz 200', async () => {
        const r = await get(op, '/readyz');
        return r.status === 200 ? r : undefined;
      });
      expect(readyz.body).toBe('ok: leader: cache synced, cloud reachable\n');
      expect(await get(op, '/healthz')).toMatchObject({ status: 200 });
    });

    it('counts what attach, a classic instance, drift and Throttling produced', async () => {
      await apply(binding('web', { roleName: 'RoleA', instanceSelector: { tags: { app: 'web' } } }));
      await apply(binding('drift', { roleName: 'RoleA', instanceIds: ['i-obsdrift0001'] }));
      await apply(binding('classic', { roleName: 'RoleA', instanceIds: ['i-obsclassic01'] }));
      for (const name of ['web', 'drift']) {
        await eventually(`${name} Ready`, async () => condition(await bindingOf(name), 'Ready')?.status === 'True');
      }
      await eventually('classic reports NotVpc', async () => (await bindingOf('classic')).status?.instances?.[0]?.state === 'NotVpc');

      // Drift: detached out of band, corrected on the next reconcile.
      await sim.setRole('i-obsdrift0001', null);
      await nudge('drift', 'drift-1');
      await eventually('drift corrected', async () => (await sim.roleOf('i-obsdrift0001')) === 'RoleA');

      // Throttling: the next two DescribeInstanceRamRole calls are throttled; the operator backs off and succeeds.
      await sim.call('POST', '/sim/faults', { action: 'DescribeInstanceRamRole', code: 'Throttling', count: 2 });
      await nudge('web', 'throttled-1');
      await eventually('both throttled calls spent', async () =>
        (await sim.calls()).filter((c) => c.action === 'DescribeInstanceRamRole' && c.code === 'Throttling').length === 2,
      );
      await eventually('web reconciled after the throttling', async () => {
        const calls = await sim.calls();
        const lastThrottled = calls.map((c) => c.code).lastIndexOf('Throttling');
        return calls.slice(lastThrottled + 1).some((c) => c.action === 'DescribeInstanceRamRole' && c.code === '200');
      });

      // Gauges are published every few seconds: wait for the final picture, then check every value.
      const samples = await eventually(
        'bindings and instances gauges to show the scenario',
        async () => {
          const s = await scrape(op);
          const done = metricValue(s, `${M}bindings`, { ready: 'true' }) === 2 && metricValue(s, `${M}instances`, { state: 'Bound' }) === 3;
          return done ? s : undefined;
        },
        20_000,
      );
      expect(metricValue(samples, `${M}bindings`, { ready: 'false' })).toBe(1);
      expect(metricValue(samples, `${M}bindings`, { ready: 'unknown' })).toBe(0);
      expect(metricValue(samples, `${M}instances`, { state: 'NotVpc' })).toBe(1);
      expect(metricValue(samples, `${M}instances`, { state: 'Conflict' })).toBe(0);
      expect(metricValue(samples, `${M}drift_detected_total`)).toBe(1);
      expect(metricValue(samples, `${M}drift_corrected_total`)).toBe(1);
      expect(metricValue(samples, `${M}leader`)).toBe(1);
      expect(metricValue(samples, `${M}reconcile_total`, { result: 'success' })).toBeGreaterThan(0);
      // The throttled reconcile ended in a retry with backoff, not in success.
      const retried = (metricValue(samples, `${M}reconcile_total`, { result: 'requeue' }) ?? 0) + (metricValue(samples, `${M}reconcile_total`, { result: 'error' }) ?? 0);
      expect(retried).toBeGreaterThanOrEqual(1);

      // Cloud calls by action and code agree with the simulator's own call log.
      const calls = await sim.calls();
      const logged = (action: string, code: string) => calls.filter((c) => c.action === action && c.code === code).length;
      expect(metricValue(samples, `${M}cloud_api_calls_total`, { action: 'DescribeInstanceRamRole', code: 'Throttling' })).toBe(2);
      expect(metricValue(samples, `${M}cloud_api_calls_total`, { action: 'AttachInstanceRamRole', code: 'OK' })).toBe(logged('AttachInstanceRamRole', '200'));
      expect(logged('AttachInstanceRamRole', '200')).toBeGreaterThanOrEqual(3);
      expect(metricValue(samples, `${M}cloud_api_calls_total`, { action: 'DescribeInstanceRamRole', code: 'OK' })).toBeGreaterThan(0);
      expect(metricValue(samples, `${M}cloud_api_calls_total`, { action: 'GetRole', code: 'OK' })).toBeGreaterThan(0);
      expect(metricValue(samples, `${M}cloud_api_calls_total`, { action: 'DetachInstanceRamRole' })).toBeUndefined();
      // Every call was timed.
      expect(metricValue(samples, `${M}cloud_api_call_duration_seconds_count`, { action: 'AttachInstanceRamRole' })).toBe(
        metricValue(samples, `${M}cloud_api_calls_total`, { action: 'AttachInstanceRamRole' }),
      );
      expect(metricValue(samples, `${M}reconcile_duration_seconds_count`)).toBe(metricValue(samples, `${M}reconcile_total`));
      expect(metricValue(samples, `${M}queue_depth`)).toBeGreaterThanOrEqual(0);
      expect(metricValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    });
  });
});
