import type { Command } from 'commander';

/** Placeholder until the `sim-kube` command lands; fails loudly rather than pretending to work. */
export function registerSimKubeCommand(parent: Command): void {
  parent
    .command('kube')
    .description('not built yet')
    .action(() => {
      throw new Error('the sim-kube command is not built yet');
    });
}
