import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import { handleApiRequest, type HttpAnswer } from './api-gateway.js';
import { Authenticator } from './authentication.js';
import { CallLog } from './call-log.js';
import { handleControlPlane } from './control-plane.js';
import { FaultInjector } from './faults.js';
import { closeServer, headerMap, listen } from './http-server.js';
import type { FleetSpec } from './fleet.js';
import { MetadataService } from './imds.js';
import { serveInstanceMetadata, type MetadataEndpoint, type MetadataEndpointOptions } from './metadata-endpoint.js';
import type { RolelessReport } from './roleless-log.js';
import { decodeQuery } from './signature.js';
import { CloudState } from './state.js';
import { Throttle } from './throttle.js';

/** The simulator's HTTP server: the RPC API on `/`, the control plane under `/sim/`. */

export interface CloudSimulatorOptions {
  fleet: FleetSpec;
  /** 0 or absent = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed for fault-injection randomness (rate), for reproducible runs. */
  faultSeed?: number;
  /** How many call-log entries to keep (newest); default DEFAULT_CALL_LOG_LIMIT. */
  callLogLimit?: number;
}

export interface CloudSimulator {
  port: number;
  /** "127.0.0.1:PORT": what SDK clients take as `endpoint`. */
  endpoint: string;
  /** "http://127.0.0.1:PORT". */
  url: string;
  state: CloudState;
  faults: FaultInjector;
  calls: CallLog;
  /** When each instance lost its role and got the next one (same as GET /sim/roleless). */
  roleless(instanceId?: string): RolelessReport;
  /**
   * Serves one instance's metadata service at the root paths of a real instance on host:port
   * (e.g. 100.100.100.200:80 inside a network namespace); closed with the simulator.
   */
  serveInstanceMetadata(instanceId: string, opts?: MetadataEndpointOptions): Promise<MetadataEndpoint>;
  close(): Promise<void>;
}

/** Request bodies larger than this are refused. */
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'RequestTooLarge', `The request body exceeds ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toRecord(pairs: Array<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

export async function startCloudSimulator(opts: CloudSimulatorOptions): Promise<CloudSimulator> {
  const state = new CloudState(opts.fleet);
  const faults = new FaultInjector(opts.faultSeed);
  const calls = new CallLog(opts.callLogLimit);
  const deps = {
    state,
    faults,
    calls,
    authenticator: new Authenticator(state),
    throttle: new Throttle(opts.fleet.limits?.qps ?? {}),
    imds: new MetadataService(state),
  };

  async function route(req: IncomingMessage): Promise<HttpAnswer> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const method = req.method ?? 'GET';
    const headers = headerMap(req);
    const body = await readBody(req);

    if (path === '/sim' || path.startsWith('/sim/')) {
      return handleControlPlane(deps, { method, path: path.slice(4), query: new URLSearchParams(rawQuery), headers, body });
    }
    if (path !== '/') {
      return { status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Code: 'InvalidAction.NotFound', Message: `Nothing is served at ${path}: RPC calls go to "/", the control plane is under /sim/.` }) };
    }
    let query: Record<string, string>;
    let form: Record<string, string> = {};
    try {
      query = toRecord(decodeQuery(rawQuery));
      if (body.length > 0 && (headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        form = toRecord(decodeQuery(body.toString('utf8')));
      }
    } catch {
      return { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Code: 'InvalidParameter', Message: 'The query string or form body has a malformed percent-encoding.' }) };
    }
    return handleApiRequest(deps, { method, path, query, form, headers, body, sourceIp: req.socket.remoteAddress ?? '' });
  }

  const server: Server = createServer((req, res) => {
    route(req).then(
      (answer) => send(res, answer),
      (err: unknown) => {
        const apiErr = err instanceof ApiError ? err : new ApiError(500, 'InternalError', err instanceof Error ? err.message : String(err));
        if (!res.headersSent) {
          send(res, { status: apiErr.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Code: apiErr.code, Message: apiErr.message }) });
        }
      },
    );
  });
  server.keepAliveTimeout = 5_000;

  const { port, endpoint } = await listen(server, opts.host ?? '127.0.0.1', opts.port ?? 0);
  const metadataEndpoints = new Set<MetadataEndpoint>();

  return {
    port,
    endpoint,
    url: `http://${endpoint}`,
    state,
    faults,
    calls,
    roleless: (instanceId?: string) => state.roleless.report(instanceId),
    async serveInstanceMetadata(instanceId: string, metadataOpts?: MetadataEndpointOptions): Promise<MetadataEndpoint> {
      const served = await serveInstanceMetadata(deps.imds, instanceId, metadataOpts);
      const tracked: MetadataEndpoint = {
        ...served,
        close: async () => {
          metadataEndpoints.delete(tracked);
          await served.close();
        },
      };
      metadataEndpoints.add(tracked);
      return tracked;
    },
    close: async () => {
      await Promise.all([...metadataEndpoints].map((e) => e.close()));
      await closeServer(server);
    },
  };
}
