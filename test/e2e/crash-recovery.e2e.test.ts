/**
 * The operator as its own OS process, killed with SIGKILL between the detach and the attach of a
 * role change; a fresh process must finish the swap.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../support/kube-target.js';
import { binding } from './fleet.js';
import { PERMIT_DEFAULT_NAMESPACE, kubectlOk, simControl } from './process-helpers.js';
import { eventually } from './world.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/ecs-role-operator.mjs');

const FLEET = `
accessKeys:
  - {id: LTAI5tOperator, secret: operator-secret, allow: ["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:PassRole"]}
roles:
  - {name: RoleA, trustedServices: [ecs.aliyuncs.com]}
  - {name: RoleB, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-kill0001, network: vpc, vpcId: vpc-a}
      - {id: i-kill0002, network: vpc, vpcId: vpc-a}
`;

describeEachTarget('crash recovery', (target) => {
  let kube: KubeTarget;
  let cloud: CloudSimulator;
  const children: ChildProcess[] = [];

  function startOperatorProcess(): ChildProcess {
    const child = spawn(
      process.execPath,
      [CLI, 'run', '--kubeconfig', kube.kubeconfigPath, '--ecs-endpoint', cloud.endpoint, '--ram-endpoint', cloud.endpoint,
        '--protocol', 'http', '--metrics-port', '0', '--health-port', '0', '--resync-period', '2s', '--log-level', 'warn'],
      {
        env: {
          ...process.env,
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tOperator',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'operator-secret',
          ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    children.push(child);
    return child;
  }

  const sim = (method: string, path: string, body?: unknown): Promise<unknown> => simControl(cloud.url).call(method, path, body);
  const roleOf = (id: string): Promise<string | null> => simControl(cloud.url).roleOf(id);

  async function kubectlApply(yaml: string): Promise<void> {
    await kubectlOk(kube.kubeconfigPath, ['apply', '-f', '-'], yaml);
  }

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (make test does) before this test`);
    kube = await startKubeTarget(target);
    await kubectlApply(PERMIT_DEFAULT_NAMESPACE);
    cloud = await startCloudSimulator({ fleet: parseFleet(FLEET), port: 0 });
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await cloud?.close();
    await kube?.stop();
  });

  describe('crash between detach and attach', () => {
    it('a restarted operator finishes the role change', { timeout: 120_000 }, async () => {
      const first = startOperatorProcess();
      await kubectlApply(binding('swap', { roleName: 'RoleA', instanceIds: ['i-kill0001', 'i-kill0002'] }));
      await eventually('RoleA attached', async () => (await roleOf('i-kill0001')) === 'RoleA' && (await roleOf('i-kill0002')) === 'RoleA', 45_000);

      // Every attach now fails: the operator detaches RoleA, then cannot attach RoleB.
      await sim('POST', '/sim/faults', { action: 'AttachInstanceRamRole', code: 'ServiceUnavailable', status: 503, rate: 1 });
      await sim('DELETE', '/sim/calls');
      await kubectlApply(binding('swap', { roleName: 'RoleB', instanceIds: ['i-kill0001', 'i-kill0002'] }));
      await eventually('detach of RoleA and a failed attach', async () => {
        const calls = (await sim('GET', '/sim/calls')) as Array<{ action: string; code: string }>;
        return calls.some((c) => c.action === 'DetachInstanceRamRole' && c.code === '200') && calls.some((c) => c.action === 'AttachInstanceRamRole');
      });
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(await roleOf('i-kill0001')).toBeNull();
      expect(await roleOf('i-kill0002')).toBeNull();

      await sim('DELETE', '/sim/faults');
      await sim('DELETE', '/sim/calls');
      startOperatorProcess();
      await eventually('RoleB attached by the new process', async () => (await roleOf('i-kill0001')) === 'RoleB' && (await roleOf('i-kill0002')) === 'RoleB', 60_000);
      const calls = (await sim('GET', '/sim/calls')) as Array<{ action: string; params: { RamRoleName?: string } }>;
      // The new process only attaches: nothing was left to detach.
      expect(calls.filter((c) => c.action === 'DetachInstanceRamRole')).toEqual([]);
      expect(calls.filter((c) => c.action === 'AttachInstanceRamRole').every((c) => c.params.RamRoleName === 'RoleB')).toBe(true);
    });
  });
});
