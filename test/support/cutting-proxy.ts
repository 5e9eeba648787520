/**
 * A TCP pass-through on loopback in front of a Kubernetes API server that can cut every
 * connection through it at once (TLS passes through untouched: the client still verifies the
 * server's certificate, which names 127.0.0.1). What a network failure or an API server restart
 * looks like to a client: its watches end mid-stream and its in-flight requests fail.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CuttingProxy {
  /** https://127.0.0.1:PORT of the proxy (same scheme as upstream). */
  readonly url: string;
  /** Destroys every open connection through the proxy (new ones are accepted again right away). */
  cut(): void;
  close(): Promise<void>;
}

export async function startCuttingProxy(upstreamUrl: string): Promise<CuttingProxy> {
  const upstream = new URL(upstreamUrl);
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((down) => {
    const up = connect({ host: upstream.hostname, port: Number(upstream.port) });
    const pair: [Socket, Socket] = [down, up];
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      down.destroy();
      up.destroy();
    };
    down.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const cut = (): void => {
    for (const [down, up] of [...pairs]) {
      down.destroy();
      up.destroy();
    }
    pairs.clear();
  };
  return {
    url: `${upstream.protocol}//127.0.0.1:${port}`,
    cut,
    close: () =>
      new Promise<void>((ok) => {
        cut();
        server.close(() => ok());
      }),
  };
}
