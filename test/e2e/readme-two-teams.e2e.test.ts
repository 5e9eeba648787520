/**
 * README.md's "Two teams, end to end" runs as written: its `sh` blocks, in order, in one bash
 * with `set -e`, against what the sandbox sets up (sample fleet, deploy/examples, tenancy
 * enforced) on each Kubernetes target (world.ts: the sandbox itself on the emulator). Then the
 * cloud simulator's call log shows that team-a's attempts reached nothing of team-b's, and every
 * good binding is Ready.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFleetPath } from '@ecs-role-operator/alicloud-sim';
import { describeEachTarget } from '../support/kube-target.js';
import { OPERATOR_NAMESPACE, REPO_ROOT, instanceIdsOf, kubectlOk, simControl } from './process-helpers.js';
import { type CallRecord, type World, condition, startWorld } from './world.js';

/** The shell of the README section between the two-teams markers. */
function readmeScript(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = /<!-- two-teams:begin -->([\s\S]*?)<!-- two-teams:end -->/.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no two-teams section');
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  return blocks.join('\n');
}

describeEachTarget('README: two teams', (target) => {
  /** What the sandbox applies: its operator namespace, then deploy/examples. */
  function sandboxManifests(): string {
    const examples = join(REPO_ROOT, 'deploy/examples');
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml')).sort();
    return [stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATOR_NAMESPACE } }), ...files.map((f) => readFileSync(join(examples, f), 'utf8'))].join('\n---\n');
  }

  let world: World;

  beforeAll(async () => {
    world = await startWorld(target, { fleetYaml: readFileSync(sampleFleetPath(), 'utf8'), defaultResyncMs: 60_000, manifests: sandboxManifests() });
  });

  afterAll(async () => {
    await world?.stop();
  });

  describe('README: two teams, end to end', () => {
    it('runs as written, and team-a reaches nothing of team-b in the cloud', { timeout: 240_000 }, async () => {
      const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', readmeScript()], {
        cwd: REPO_ROOT,
        env: { ...process.env, KUBECONFIG: world.kubeconfig, PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}` },
        maxBuffer: 8 * 1024 * 1024,
        timeout: 220_000,
      });
      // The Stalled message: namespace, role and a policy that would permit it.
      expect(stdout).toMatch(/namespace team-a.*role EcsRamRoleDocumentTesting may not be bound here; a cluster admin can permit it with: \{"apiVersion":"roles\.ecs\.dev\/v1alpha1","kind":"InstanceRolePolicy"/);
      expect(stdout.split('\n').filter((l) => l.trim() === 'no'), stdout).toHaveLength(2);
      expect(stdout).toMatch(/web-readers\s+EcsRamRoleDocumentTesting\s+cn-shanghai\s+1\s+1\s+True\s+AllInstancesBound/);
      expect(stdout).toMatch(/team-a\s+\["team-a"\]\s+\["EcsRamRoleLogShipper"\]\s+1\s+True\s+PolicyValid/);

      const sim = simControl(world.cloudUrl);
      expect(await sim.roleOf('i-uf6web0001')).toBe('EcsRamRoleDocumentTesting');
      expect(await sim.roleOf('i-bp1bat0001')).toBe('EcsRamRoleLogShipper');
      expect(await sim.roleOf('i-bp1web0001')).toBe('EcsRamRoleDocumentTesting');
      const mutations = ((await sim.calls()) as CallRecord[]).filter((c) => c.action === 'AttachInstanceRamRole' || c.action === 'DetachInstanceRamRole');
      expect(mutations.filter((c) => c.action === 'DetachInstanceRamRole')).toEqual([]);
      const attachedTo = (role: string) => mutations.filter((c) => c.params.RamRoleName === role).flatMap((c) => instanceIdsOf(c.params)).sort();
      expect(attachedTo('EcsRamRoleLogShipper')).toEqual(['i-bp1bat0001']);
      expect(attachedTo('EcsRamRoleDocumentTesting')).toEqual(['i-bp1web0001', 'i-bp1web0002', 'i-bp1web0003', 'i-bp1web0004', 'i-uf6web0001']);

      const sneak = JSON.parse(await kubectlOk(world.kubeconfig, ['get', 'irb', '-n', 'team-a', 'sneak', '-o', 'json'])) as Parameters<typeof condition>[0];
      expect(sneak?.status?.instances?.find((i) => i.instanceId === 'i-bp1web0001')).toEqual({ instanceId: 'i-bp1web0001', state: 'NotPermitted', message: expect.stringMatching(/^not permitted/) });
      for (const [ns, name] of [['team-a', 'log-shippers'], ['team-b', 'web-readers'], ['platform', 'oss-readers']] as const) {
        const b = JSON.parse(await kubectlOk(world.kubeconfig, ['get', 'irb', '-n', ns, name, '-o', 'json'])) as Parameters<typeof condition>[0];
        expect(condition(b, 'Ready')?.status, `${ns}/${name}`).toBe('True');
      }
    });
  });
});
