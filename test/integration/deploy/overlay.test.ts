/** The overlay that docs/operations.md shows (image and --probe-region) renders on top of deploy/. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_DIR, REPO_ROOT, kustomize, only } from './render.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecs-role-operator-overlay-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The YAML blocks of the docs whose first line is the given comment. */
async function docsBlock(firstLine: string): Promise<string> {
  const docs = await readFile(`${REPO_ROOT}docs/operations.md`, 'utf8');
  const blocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.startsWith(firstLine));
  if (!block) throw new Error(`docs/operations.md has no yaml block starting with "${firstLine}"`);
  return block;
}

describe('an overlay as documented', () => {
  it('sets the image and adds --probe-region', async () => {
    const base = await docsBlock('# overlays/prod/kustomization.yaml\n');
    const patches = await docsBlock('# overlays/prod/kustomization.yaml (continued)\n');
    // The docs point at a remote base; here the overlay points at this checkout's deploy/.
    const kustomization = base.replace(/^ {2}- https:\/\/\S+.*$/m, `  - ${relative(dir, DEPLOY_DIR)}`) + patches;
    await writeFile(join(dir, 'kustomization.yaml'), kustomization);

    const { objects } = await kustomize(dir);
    const pod = (only(objects, 'Deployment').spec as { template: { spec: { containers: { image: string; args: string[] }[] } } }).template.spec;
    expect(pod.containers[0]!.image).toBe('registry.example.com/platform/ecs-role-operator:0.1.0');
    expect(pod.containers[0]!.args).toEqual(['run', '--leader-elect', '--metrics-port', '8080', '--health-port', '8081', '--probe-region=cn-hangzhou']);
  });
});
