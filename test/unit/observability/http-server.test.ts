import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ObservabilityServer, type ReadinessResult, startObservabilityServer } from '../../../src/observability/http-server.js';
import { OperatorMetrics } from '../../../src/observability/metrics.js';

const servers: ObservabilityServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describe('startObservabilityServer', () => {
  it('serves /metrics on the metrics port and /healthz, /readyz on the health port', async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    metrics.reconcile('success', 0.1);
    metrics.setLeader(true);
    let readiness: ReadinessResult = { ready: false, reason: 'binding cache not synced yet' };
    const server = await startObservabilityServer({
      host: '127.0.0.1',
      metricsPort: 0,
      healthPort: 0,
      metrics,
      readiness: async () => readiness,
      liveness: () => ({ alive: true, reason: 'process running' }),
    });
    servers.push(server);
    // Port 0 twice is one shared server.
    expect(server.healthPort).toBe(server.metricsPort);

    const scraped = await get(server.metricsPort, '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(scraped.body).toMatch(/^ecs_role_operator_reconcile_total\{result="success"\} 1$/m);
    expect(scraped.body).toMatch(/^ecs_role_operator_leader 1$/m);

    expect(await get(server.healthPort, '/healthz')).toMatchObject({ status: 200, body: 'ok: process running\n' });
    expect(await get(server.healthPort, '/readyz')).toMatchObject({
      status: 503,
      body: 'not ready: binding cache not synced yet\n',
    });
    readiness = { ready: true, reason: 'cache synced, cloud reachable' };
    expect(await get(server.healthPort, '/readyz')).toMatchObject({ status: 200, body: 'ok: cache synced, cloud reachable\n' });
    expect(await get(server.healthPort, '/readyz', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('splits metrics and health over two ports when asked', async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    const probe = await freePort();
    const server = await startObservabilityServer({
      host: '127.0.0.1',
      metricsPort: 0,
      healthPort: probe,
      metrics,
      readiness: async () => ({ ready: true, reason: 'standby: waiting for the leader lease' }),
      liveness: () => ({ alive: false, reason: 'lost the kube API for good' }),
    });
    servers.push(server);
    expect(server.healthPort).toBe(probe);
    expect(server.metricsPort).not.toBe(probe);
    expect((await get(server.metricsPort, '/metrics')).status).toBe(200);
    expect((await get(server.metricsPort, '/healthz')).status).toBe(404);
    expect((await get(server.healthPort, '/metrics')).status).toBe(404);
    expect(await get(server.healthPort, '/healthz')).toMatchObject({ status: 503, body: 'not alive: lost the kube API for good\n' });
    expect(await get(server.healthPort, '/readyz')).toMatchObject({ status: 200, body: 'ok: standby: waiting for the leader lease\n' });
    expect((await get(server.healthPort, '/readyz', 'POST')).status).toBe(405);
  });

  it('answers 503 with the reason when the readiness check throws or hangs', async () => {
    let mode: 'throw' | 'hang' = 'throw';
    const server = await startObservabilityServer({
      host: '127.0.0.1',
      metricsPort: 0,
      healthPort: 0,
      metrics: new OperatorMetrics({ processMetrics: false }),
      readiness: () =>
        mode === 'throw' ? Promise.reject(new Error('Forbidden.RAM')) : new Promise<ReadinessResult>(() => undefined),
      liveness: () => ({ alive: true, reason: 'process running' }),
      readinessTimeoutMs: 100,
    });
    servers.push(server);
    expect(await get(server.healthPort, '/readyz')).toMatchObject({
      status: 503,
      body: 'not ready: readiness check failed: Forbidden.RAM\n',
    });
    mode = 'hang';
    expect(await get(server.healthPort, '/readyz')).toMatchObject({
      status: 503,
      body: 'not ready: readiness check failed: timed out after 100 ms\n',
    });
  });

  it('names the flag when a port is taken', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await expect(
        startObservabilityServer({
          host: '127.0.0.1',
          metricsPort: 0,
          healthPort: port,
          metrics: new OperatorMetrics({ processMetrics: false }),
          readiness: async () => ({ ready: true, reason: '' }),
          liveness: () => ({ alive: true, reason: '' }),
        }),
      ).rejects.toThrow(`port ${port} is already in use; choose another with --health-port`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}
