import type { Command } from 'commander';

/** Placeholder until the `audit` command lands; fails loudly rather than pretending to work. */
export function registerAuditCommand(parent: Command): void {
  parent
    .command('audit')
    .description('not built yet')
    .action(() => {
      throw new Error('the audit command is not built yet');
    });
}
