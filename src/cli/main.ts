#!/usr/bin/env node
import { Command } from 'commander';
import { registerSimCloudCommand } from './sim-cloud-command.js';
import { registerSimKubeCommand } from './sim-kube-command.js';
import { registerRunCommand } from './run-command.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerAuditCommand } from './audit-command.js';

const program = new Command();
program
  .name('ecs-role-operator')
  .description('Keeps Alibaba Cloud ECS instances carrying the RAM role declared in InstanceRoleBinding resources')
  .showHelpAfterError();

registerRunCommand(program);
registerSandboxCommand(program);
registerAuditCommand(program);
const sim = program.command('sim').description('run one of the bundled simulators on loopback');
registerSimCloudCommand(sim);
registerSimKubeCommand(sim);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`ecs-role-operator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
