#!/usr/bin/env node
import { Command } from 'commander';

const program = new Command();
program
  .name('ecs-role-operator')
  .description('Keeps Alibaba Cloud ECS instances carrying the RAM role declared in InstanceRoleBinding resources');

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`ecs-role-operator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
