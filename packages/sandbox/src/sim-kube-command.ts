import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parsePort } from 'ecs-role-operator';
import { startKubeEmulator } from '@ecs-role-operator/kube-emulator';
import { ensureKubeconfigFree, releaseKubeconfig } from './kubeconfig-claim.js';
import { runUntilSignal } from './run-until-signal.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `ecs-role-operator sim kube`: the Kubernetes API emulator alone, until SIGINT/SIGTERM. */
export function registerSimKubeCommand(parent: Command): void {
  parent
    .command('kube')
    .description('run the Kubernetes API emulator on loopback (kubectl and client libraries work against it)')
    .option('--port <port>', 'port to listen on; 0 picks a free port', parsePort('--port'), 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--kubeconfig-out <file>', 'write the admin kubeconfig here (default: a temporary file); removed on exit')
    .option('--install <file>', 'YAML file of objects (CRDs first) to install at start; repeatable', collect, [] as string[])
    .action(async (opts: { port: number; host: string; kubeconfigOut?: string; install: string[] }) => {
      const kubeconfigOut = opts.kubeconfigOut ? resolve(opts.kubeconfigOut) : undefined;
      if (kubeconfigOut) await ensureKubeconfigFree(kubeconfigOut, '--kubeconfig-out');
      const kube = await startKubeEmulator({
        port: opts.port,
        host: opts.host,
        ...(kubeconfigOut ? { kubeconfigOut } : {}),
        crdPaths: opts.install.map((p) => resolve(p)),
      });
      await runUntilSignal(
        'kube emulator',
        async () => {
          await kube.close();
          if (kubeconfigOut) releaseKubeconfig(kubeconfigOut, kube.httpsUrl);
        },
        () => process.stdout.write(`kube emulator listening on ${kube.url} (kubeconfig: ${kube.kubeconfigPath})\n`),
      );
    });
}
