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

describe('kubectl explain documents every field', () => {
  /** Paths of fields without a description: every property, and the items of object arrays (explain shows their fields). */
  function undescribed(node: Record<string, unknown>, path: string, out: string[]): string[] {
    const properties = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, child] of Object.entries(properties)) {
      const at = `${path}.${name}`;
      if (name !== 'metadata' && typeof child.description !== 'string') out.push(at);
      undescribed(child, at, out);
    }
    const items = node.items as Record<string, unknown> | undefined;
    if (items && items.type === 'object') {
      if (typeof items.description !== 'string') out.push(`${path}[]`);
      undescribed(items, `${path}[]`, out);
    }
    return out;
  }

  it.each(crds.map((crd) => [crd.metadata.name, crd] as const))('%s: every field has a description', (_name, crd) => {
    const versions = (crd.spec as { versions: Array<{ schema: { openAPIV3Schema: Record<string, unknown> } }> }).versions;
    for (const v of versions) expect(undescribed(v.schema.openAPIV3Schema, '', [])).toEqual([]);
  });
});
