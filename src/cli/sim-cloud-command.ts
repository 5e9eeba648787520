import type { Command } from 'commander';

/** Placeholder until the `sim-cloud` command lands; fails loudly rather than pretending to work. */
export function registerSimCloudCommand(parent: Command): void {
  parent
    .command('cloud')
    .description('not built yet')
    .action(() => {
      throw new Error('the sim-cloud command is not built yet');
    });
}
