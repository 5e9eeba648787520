import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding the operator's package.json, found from this file in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'crds'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the ecs-role-operator package root (package.json beside crds/)');
    dir = parent;
  }
}

/** The InstanceRoleBinding CRD shipped with the operator. */
export const CRD_PATH = 'crds/instancerolebindings.roles.ecs.dev.yaml';
/** Every CRD shipped with the operator (crds/, generated from src/api). */
export const CRD_PATHS = ['crds/instancerolebindings.roles.ecs.dev.yaml', 'crds/instancerolepolicies.roles.ecs.dev.yaml'] as const;
/** Example bindings the sandbox applies at start. */
export const EXAMPLES_PATH = 'deploy/examples';
