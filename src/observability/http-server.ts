/**
 * The operator's observability endpoints over plain HTTP:
 *   GET /metrics  Prometheus text exposition            (on metricsPort)
 *   GET /healthz  liveness: 200 while the process works  (on healthPort)
 *   GET /readyz   readiness: 200 when ready, else 503    (on healthPort)
 * When healthPort equals metricsPort one server answers all three.
 * The response body is one line of text with the reason, so `kubectl describe pod` shows why a
 * probe failed.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { errorText } from '../util/error-text.js';

export interface ProbeResult {
  reason: string;
}
export interface ReadinessResult extends ProbeResult {
  ready: boolean;
}
export interface LivenessResult extends ProbeResult {
  alive: boolean;
}

export interface MetricsSource {
  exposition(): Promise<string>;
  readonly contentType: string;
}

export interface ObservabilityServerOptions {
  metricsPort: number;
  /** May equal metricsPort (one server for everything). */
  healthPort: number;
  /** Interface to listen on; default all interfaces (as a pod needs for probes and scrapes). */
  host?: string;
  metrics: MetricsSource;
  readiness: () => Promise<ReadinessResult>;
  liveness: () => LivenessResult;
  /** A readiness check slower than this answers 503 ("readiness check timed out"). Default 5000. */
  readinessTimeoutMs?: number;
  logger?: Logger;
}

export interface ObservabilityServer {
  /** The ports actually bound (differs from the options when they asked for port 0). */
  readonly metricsPort: number;
  readonly healthPort: number;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export async function startObservabilityServer(options: ObservabilityServerOptions): Promise<ObservabilityServer> {
  const host = options.host ?? '0.0.0.0';
  const timeoutMs = options.readinessTimeoutMs ?? 5000;

  const metricsRoute: Route = async (_req, res) => {
    try {
      const body = await options.metrics.exposition();
      send(res, 200, body, options.metrics.contentType);
    } catch (err) {
      options.logger?.error({ err: errorText(err) }, 'metrics exposition failed');
      send(res, 500, `metrics exposition failed: ${errorText(err)}\n`);
    }
  };
  const livenessRoute: Route = async (_req, res) => {
    let result: LivenessResult;
    try {
      result = options.liveness();
    } catch (err) {
      result = { alive: false, reason: `liveness check failed: ${errorText(err)}` };
    }
    send(res, result.alive ? 200 : 503, `${result.alive ? 'ok' : 'not alive'}: ${result.reason}\n`);
  };
  const readinessRoute: Route = async (_req, res) => {
    const result = await withTimeout(options.readiness(), timeoutMs).catch(
      (err: unknown): ReadinessResult => ({ ready: false, reason: `readiness check failed: ${errorText(err)}` }),
    );
    send(res, result.ready ? 200 : 503, `${result.ready ? 'ok' : 'not ready'}: ${result.reason}\n`);
  };

  const metricsRoutes = new Map<string, Route>([['/metrics', metricsRoute]]);
  const healthRoutes = new Map<string, Route>([
    ['/healthz', livenessRoute],
    ['/livez', livenessRoute],
    ['/readyz', readinessRoute],
  ]);

  const shared = options.healthPort === options.metricsPort;
  const metricsServer = await listen(
    shared ? new Map([...metricsRoutes, ...healthRoutes]) : metricsRoutes,
    options.metricsPort,
    host,
    shared ? '--metrics-port/--health-port' : '--metrics-port',
    options.logger,
  );
  let healthServer: Server = metricsServer;
  if (!shared) {
    try {
      healthServer = await listen(healthRoutes, options.healthPort, host, '--health-port', options.logger);
    } catch (err) {
      await closeServer(metricsServer);
      throw err;
    }
  }

  return {
    metricsPort: (metricsServer.address() as AddressInfo).port,
    healthPort: (healthServer.address() as AddressInfo).port,
    async close() {
      await Promise.all([closeServer(metricsServer), shared ? Promise.resolve() : closeServer(healthServer)]);
    },
  };
}

function listen(routes: Map<string, Route>, port: number, host: string, flag: string, logger?: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = routes.get(path);
    if (!route) {
      send(res, 404, `not found: ${path} (serves ${[...routes.keys()].join(', ')})\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, `method ${req.method ?? ''} not allowed on ${path}\n`);
      return;
    }
    route(req, res).catch((err: unknown) => {
      logger?.error({ err: errorText(err), path }, 'observability endpoint failed');
      if (!res.headersSent) send(res, 500, `internal error: ${errorText(err)}\n`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? `port ${port} is already in use; choose another with ${flag}` : err.message;
      reject(new Error(`cannot listen on ${host}:${port} for ${flag}: ${hint}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server);
    });
  });
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
