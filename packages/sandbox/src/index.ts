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
export { startRealKube, type RealKube, type RealKubeOptions } from './real-kube/control-plane.js';
export { ensureRealKubeBinaries, binariesPresent, RealKubeBuildError, type ControlPlaneBinaries } from './real-kube/binaries.js';
export { pinnedVersions, type ControlPlaneVersions } from './real-kube/versions.js';
export { ensureKubeconfigFree, releaseKubeconfig, KubeconfigInUseError } from './kubeconfig-claim.js';
export { freePort } from './real-kube/free-port.js';
