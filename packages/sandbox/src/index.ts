/**
 * @ecs-role-operator/sandbox: the operator wired to the two simulators in one process, and the
 * `sandbox` and `sim` commands that the product CLI adds when this package is installed.
 */
import type { Command } from 'commander';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerSimCloudCommand } from './sim-cloud-command.js';
import { registerSimKubeCommand } from './sim-kube-command.js';

export { startSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';

/** Adds `sandbox`, `sim cloud` and `sim kube` to the product's command line. */
export function registerCommands(program: Command): void {
  registerSandboxCommand(program);
  const sim = program.command('sim').description('run one of the bundled simulators on loopback');
  registerSimCloudCommand(sim);
  registerSimKubeCommand(sim);
}
