import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the simulator's HTTP servers (the API and the per-instance metadata endpoints) share. */

/** Request headers as a plain map, lower-case names, repeated headers joined with ",". */
export function headerMap(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : value;
  return headers;
}

/** Listens on host:port (0 = a free port); resolves to "HOST:PORT" (IPv6 hosts bracketed). */
export async function listen(server: Server, host: string, port: number): Promise<{ port: number; endpoint: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, endpoint: `${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** Stops accepting and drops open connections (keep-alive ones included). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
