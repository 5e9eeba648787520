#!/usr/bin/env node
/**
 * `make real-kube KUBECONFIG_OUT=<file>`: builds the control plane when needed, starts it, writes
 * the admin kubeconfig once /readyz answers, and runs in the foreground until SIGTERM or Ctrl-C,
 * then stops everything, removes its data and exits 0. `--build-only` builds and exits.
 */
import { Command } from 'commander';
import { ensureRealKubeBinaries } from './binaries.js';
import { startRealKube } from './control-plane.js';
import { runUntilSignal } from '../run-until-signal.js';

const program = new Command()
  .name('real-kube')
  .description('a real kube-apiserver + etcd + kube-controller-manager on loopback, built from pinned Go modules')
  .option('--kubeconfig-out <file>', 'where to write the admin kubeconfig', '.real-kube/kubeconfig')
  .option('--build-only', 'build the binaries into the cache and exit')
  .option('--no-controller-manager', 'do not start kube-controller-manager')
  .action(async (flags: { kubeconfigOut: string; buildOnly?: boolean; controllerManager: boolean }) => {
    if (flags.buildOnly) {
      const bins = await ensureRealKubeBinaries();
      process.stdout.write(`kube-apiserver ${bins.versions.kubernetes}: ${bins.kubeApiserver}\netcd ${bins.versions.etcd}: ${bins.etcd}\n`);
      return;
    }
    const kube = await startRealKube({ kubeconfigOut: flags.kubeconfigOut, controllerManager: flags.controllerManager });
    await runUntilSignal('real-kube', () => kube.stop(), () =>
      process.stdout.write(
        [
          '',
          `Kubernetes ${kube.versions.kubernetes} (etcd ${kube.versions.etcd}) is running at ${kube.url}.`,
          `  kubeconfig: ${kube.kubeconfigPath}`,
          '',
          `  export KUBECONFIG=${kube.kubeconfigPath}`,
          '  kubectl get --raw /readyz; echo',
          '',
          'Press Ctrl-C to stop (the data directory and the kubeconfig are removed).',
          '',
        ].join('\n'),
      ),
    );
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`real-kube: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
