import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startKubeEmulator } from '@ecs-role-operator/kube-emulator';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `ecs-role-operator sim kube`: the Kubernetes API emulator alone, until SIGINT/SIGTERM. */
export function registerSimKubeCommand(parent: Command): void {
  parent
    .command('kube')
    .description('run the Kubernetes API emulator on loopback (kubectl and client libraries work against it)')
    .option('--port <port>', 'port to listen on; 0 picks a free port', parsePort, 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--kubeconfig-out <file>', 'write the admin kubeconfig here (default: a temporary file)')
    .option('--install <file>', 'YAML file of objects (CRDs first) to install at start; repeatable', collect, [] as string[])
    .action(async (opts: { port: number; host: string; kubeconfigOut?: string; install: string[] }) => {
      const kube = await startKubeEmulator({
        port: opts.port,
        host: opts.host,
        ...(opts.kubeconfigOut ? { kubeconfigOut: resolve(opts.kubeconfigOut) } : {}),
        crdPaths: opts.install.map((p) => resolve(p)),
      });
      process.stdout.write(`kube emulator listening on ${kube.url} (kubeconfig: ${kube.kubeconfigPath})\n`);
      await new Promise<void>((done) => {
        const stop = (signal: NodeJS.Signals): void => {
          process.stderr.write(`kube emulator: ${signal} received, closing\n`);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          kube.close().then(done, (err: unknown) => {
            process.stderr.write(`kube emulator: close failed: ${err instanceof Error ? err.message : String(err)}\n`);
            done();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
