/**
 * crds/ and deploy/crds/ hold exactly what src/api generates (`make crds` rewrites both), so the
 * TypeScript types, the operator's own checks and the API server's validation share one schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crdFileName, crdYaml, customResourceDefinitions } from '../../../src/api/crds.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const crds = customResourceDefinitions();

describe.each(['crds', 'deploy/crds'])('%s/', (dir) => {
  it.each(crds.map((crd) => [crd.metadata.name, crd] as const))('%s.yaml is the generated CRD', (_name, crd) => {
    expect(readFileSync(join(REPO, dir, crdFileName(crd)), 'utf8'), `${dir} is stale: run \`make crds\``).toBe(crdYaml(crd));
  });

  it('holds no other CRD file', () => {
    const yamls = readdirSync(join(REPO, dir)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect(yamls.sort()).toEqual(crds.map(crdFileName).sort());
  });
});

it('generates both kinds in the roles.ecs.dev group, namespaced bindings and cluster-scoped policies', () => {
  expect(crds.map((c) => [c.metadata.name, (c.spec as { scope: string }).scope])).toEqual([
    ['instancerolebindings.roles.ecs.dev', 'Namespaced'],
    ['instancerolepolicies.roles.ecs.dev', 'Cluster'],
  ]);
});

it('lists every generated CRD in CRD_PATHS (what the sandbox and tests install)', async () => {
  const { CRD_PATHS } = await import('../../../src/util/package-root.js');
  expect([...CRD_PATHS].sort()).toEqual(crds.map((crd) => `crds/${crdFileName(crd)}`).sort());
});
