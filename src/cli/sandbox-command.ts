import type { Command } from 'commander';

/** Placeholder until the `sandbox` command lands; fails loudly rather than pretending to work. */
export function registerSandboxCommand(parent: Command): void {
  parent
    .command('sandbox')
    .description('not built yet')
    .action(() => {
      throw new Error('the sandbox command is not built yet');
    });
}
