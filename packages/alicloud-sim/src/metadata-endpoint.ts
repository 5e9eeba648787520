import { createServer } from 'node:http';
import { closeServer, headerMap, listen } from './http-server.js';
import type { MetadataService } from './imds.js';

/**
 * One instance's metadata service on its own address, at the root paths a real instance uses
 * (`/latest/api/token`, `/latest/meta-data/...`). Bound to 100.100.100.200:80 inside a network
 * namespace, it is what the unmodified `@alicloud/credentials` ECS RAM role provider talks to.
 */

export interface MetadataEndpointOptions {
  /** Default 127.0.0.1; 100.100.100.200 where that address exists (a test's network namespace). */
  host?: string;
  /** Default 0 (a free port); 80 for the SDK's fixed metadata URL. */
  port?: number;
}

export interface MetadataEndpoint {
  instanceId: string;
  /** "http://HOST:PORT". */
  url: string;
  close(): Promise<void>;
}

export async function serveInstanceMetadata(imds: MetadataService, instanceId: string, opts: MetadataEndpointOptions = {}): Promise<MetadataEndpoint> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const answer = imds.handle(instanceId, req.method ?? 'GET', path, headerMap(req));
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    });
  });
  const { endpoint } = await listen(server, opts.host ?? '127.0.0.1', opts.port ?? 0);
  return { instanceId, url: `http://${endpoint}`, close: () => closeServer(server) };
}
