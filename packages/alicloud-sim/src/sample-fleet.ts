import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** fleets/sample.yaml of this package, found by walking up from this module (src/ or dist/src/). */
export function sampleFleetPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'fleets', 'sample.yaml');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find fleets/sample.yaml of the @ecs-role-operator/alicloud-sim package; pass --fleet FILE');
    dir = parent;
  }
}
