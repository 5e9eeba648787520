import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { crdFileName, crdYaml, customResourceDefinitions } from '../api/crds.js';

/** `ecs-role-operator crds`: prints the CRDs (kubectl apply -f -), or writes them to a directory. */
export function registerCrdsCommand(program: Command): void {
  program
    .command('crds')
    .description('print the CustomResourceDefinitions of this version (pipe to `kubectl apply -f -`)')
    .option('--out-dir <dir>', 'write one <plural>.<group>.yaml file per CRD into this directory instead')
    .action((flags: { outDir?: string }) => {
      const crds = customResourceDefinitions();
      if (flags.outDir) {
        mkdirSync(flags.outDir, { recursive: true });
        for (const crd of crds) writeFileSync(join(flags.outDir, crdFileName(crd)), crdYaml(crd));
        return;
      }
      process.stdout.write(crds.map(crdYaml).join('---\n'));
    });
}
