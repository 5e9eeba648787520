#!/usr/bin/env node
import { Command } from 'commander';
import { registerRunCommand } from './run-command.js';
import { registerAuditCommand } from './audit-command.js';
import { registerCrdsCommand } from './crds-command.js';
import { registerOptionalCommands } from './optional-commands.js';
import { productVersion } from './version.js';
import { errorText } from '../util/error-text.js';

const program = new Command();
program
  .name('ecs-role-operator')
  .description('Keeps Alibaba Cloud ECS instances carrying the RAM role declared in InstanceRoleBinding resources')
  .version(productVersion(), '-v, --version', 'print the version of ecs-role-operator')
  .showHelpAfterError();

registerRunCommand(program);
registerAuditCommand(program);
registerCrdsCommand(program);

// The product's own commands never load the sandbox package (both simulators, tens of MiB):
// `run` in a clone then uses the memory it uses in the image, where that package is absent.
const PRODUCT_COMMANDS = new Set(['run', 'audit', 'crds']);
(PRODUCT_COMMANDS.has(process.argv[2] ?? '') ? Promise.resolve() : registerOptionalCommands(program))
  .then(() => program.parseAsync(process.argv))
  .catch((err: unknown) => {
    process.stderr.write(`ecs-role-operator: ${errorText(err)}\n`);
    process.exit(1);
  });
