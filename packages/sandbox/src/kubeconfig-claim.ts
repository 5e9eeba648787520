/**
 * A kubeconfig path that a long-running command (sandbox, sim kube, real-kube) writes and owns:
 * it refuses to overwrite the kubeconfig of another one that is still running, and removes the
 * file on exit so nothing is left pointing at a dead server.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { parse } from 'yaml';

export class KubeconfigInUseError extends Error {
  override readonly name = 'KubeconfigInUseError';
}

/** Throws when `path` is the kubeconfig of an API server that still answers on its port. */
export async function ensureKubeconfigFree(path: string, flag: string): Promise<void> {
  if (!existsSync(path)) return;
  const server = serverOf(path);
  if (!server) return;
  if (await listening(server)) {
    throw new KubeconfigInUseError(
      `${path} is the kubeconfig of an API server still running at ${server.href}: stop that one first (Ctrl-C), or pass ${flag} OTHER_FILE`,
    );
  }
}

/** Removes the kubeconfig if it still points at `serverUrl` (another process may have taken it over). */
export function releaseKubeconfig(path: string, serverUrl: string): void {
  const server = existsSync(path) ? serverOf(path) : undefined;
  if (server && sameEndpoint(server, new URL(serverUrl))) rmSync(path, { force: true });
}

function serverOf(path: string): URL | undefined {
  try {
    const doc = parse(readFileSync(path, 'utf8')) as { clusters?: Array<{ cluster?: { server?: string } }> } | null;
    const server = doc?.clusters?.[0]?.cluster?.server;
    return server ? new URL(server) : undefined;
  } catch {
    return undefined;
  }
}

function sameEndpoint(a: URL, b: URL): boolean {
  return a.hostname === b.hostname && portOf(a) === portOf(b);
}

function portOf(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

function listening(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: portOf(url), timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
