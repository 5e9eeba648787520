import type { Command } from 'commander';

/** Placeholder until the `run` command lands; fails loudly rather than pretending to work. */
export function registerRunCommand(parent: Command): void {
  parent
    .command('run')
    .description('not built yet')
    .action(() => {
      throw new Error('the run command is not built yet');
    });
}
