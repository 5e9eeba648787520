import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where the kernel's ephemeral ports (outgoing connections, listen(0)) start; Linux's default when unreadable. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const LOWEST = 10_000;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the caller binds it next). Picked at random
 * below the kernel's ephemeral range: a port from listen(0) is an ephemeral one, which the kernel
 * may hand to any outgoing connection (or another test's listen(0)) before the child binds it.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let tries = 0; tries < 50; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`could not pick a free port in ${LOWEST}-${high} (50 tries)`);
}
