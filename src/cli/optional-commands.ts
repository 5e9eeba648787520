/**
 * `sandbox` and `sim` live in the @ecs-role-operator/sandbox workspace package (with both
 * simulators), which the product does not depend on and the production image does not hold. When
 * it is installed (a clone after `npm ci`) its commands join this CLI; when it is not, the same
 * command names answer with what to install.
 */
import type { Command } from 'commander';

const SANDBOX_PACKAGE = '@ecs-role-operator/sandbox';

interface CommandPlugin {
  registerCommands(program: Command): void;
}

function isCommandPlugin(value: unknown): value is CommandPlugin {
  return typeof value === 'object' && value !== null && typeof (value as { registerCommands?: unknown }).registerCommands === 'function';
}

export const SANDBOX_MISSING_MESSAGE =
  `the sandbox and the simulators are not installed here: they ship in the ${SANDBOX_PACKAGE} workspace package, ` +
  'which production installs leave out. From a clone of the repository run `npm ci` (or `make sandbox`) at its root.';

export async function registerOptionalCommands(program: Command): Promise<void> {
  let plugin: unknown;
  try {
    const specifier: string = SANDBOX_PACKAGE;
    plugin = await import(specifier);
  } catch (err) {
    // Only "this package is absent" means not installed; a broken install of it is reported as is.
    const { code, message } = err as { code?: unknown; message?: unknown };
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String(message).includes(`'${SANDBOX_PACKAGE}'`)) throw err;
  }
  if (isCommandPlugin(plugin)) {
    plugin.registerCommands(program);
    return;
  }
  for (const name of ['sandbox', 'sim']) {
    program
      .command(name, { hidden: false })
      .description(`(needs ${SANDBOX_PACKAGE}) ${name === 'sandbox' ? 'the embedded default' : 'the bundled simulators'}`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        process.stderr.write(`ecs-role-operator ${name}: ${SANDBOX_MISSING_MESSAGE}\n`);
        process.exit(1);
      });
  }
}
