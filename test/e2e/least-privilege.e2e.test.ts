/**
 * The operator's least-privilege RAM policy (deploy/ram/operator-policy.json), evaluated by the
 * cloud simulator the RAM way, is exactly what the operator needs:
 *  (a) with that policy and nothing more, a binding converges;
 *  (b) without any one of its statements (or without ram:PassRole alone) the binding stalls with
 *      a condition that names the refused action;
 *  (c) a binding naming a role outside the policy's role resources is refused by the cloud and
 *      reported, and the refusal is not retried in a hot loop.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { binding } from './fleet.js';
import { OPERATOR_NAMESPACE, REPO_ROOT, kubectlOk } from './process-helpers.js';
import { startWorldOn } from './real-kube-world.js';
import { type World, condition, eventually } from './world.js';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../support/kube-target.js';

interface PolicyDocument {
  Version: string;
  Statement: Array<{ Effect: string; Action: string[]; Resource: string | string[] }>;
}

const SHIPPED = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/ram/operator-policy.json'), 'utf8')) as PolicyDocument;
const OPERATOR_KEY = { id: 'LTAI5tLeastPrivilege', secret: 'least-privilege-secret' };

function fleet(policy: PolicyDocument): string {
  return `
accountId: "1234567890123456"
accessKeys:
  - {id: ${OPERATOR_KEY.id}, secret: ${OPERATOR_KEY.secret}, policy: ${JSON.stringify(JSON.stringify(policy))}}
roles:
  - {name: EcsRamRoleDocumentTesting, trustedServices: [ecs.aliyuncs.com]}
  - {name: AdminRole, trustedServices: [ecs.aliyuncs.com], allow: ["*"]}
regions:
  - id: cn-hangzhou
    instances:
      - {id: i-lp0001, network: vpc, vpcId: vpc-a}
      - {id: i-lp0002, network: vpc, vpcId: vpc-a}
`;
}

/** The shipped policy with statements (by index) or single actions removed. */
function without(remove: { statement?: number; action?: string }): PolicyDocument {
  return {
    ...SHIPPED,
    Statement: SHIPPED.Statement.filter((_, i) => i !== remove.statement).map((s) => ({ ...s, Action: s.Action.filter((a) => a !== remove.action) })),
  };
}

describeEachTarget('least privilege', (target) => {
  // One control plane for the suite; each test gets its own cloud (with its own RAM policy), its
  // own operator and its own namespace, and takes its bindings, policy and ledger away after it.
  let kube: KubeTarget;
  let world: World | undefined;
  let namespace = '';
  let tests = 0;

  beforeAll(async () => {
    kube = await startKubeTarget(target);
  });
  afterAll(async () => {
    await kube?.stop();
  });

  afterEach(async () => {
    await world?.stop();
    world = undefined;
    if (!namespace) return;
    const admin = (args: string[]) => kubectlOk(kube.kubeconfigPath, args);
    await admin(['delete', 'irp', namespace, '--ignore-not-found']);
    const names = (await admin(['get', 'irb', '-n', namespace, '-o', 'name'])).split('\n').filter(Boolean);
    for (const name of names) await admin(['patch', '-n', namespace, name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    // Gone before the next test: a terminating namespace changes (the namespace controller writes
    // its status), and namespace changes make the next operator re-evaluate its bindings.
    await admin(['delete', 'namespace', namespace, '--wait=true', '--timeout=60s']);
    await admin(['delete', 'configmaps', '-n', OPERATOR_NAMESPACE, '-l', 'roles.ecs.dev/ownership-ledger', '--ignore-not-found']);
    namespace = '';
  });

  /** A cloud whose operator key has `policy`, an operator, and a namespace of the test's own where it may bind any role. */
  async function start(policy: PolicyDocument): Promise<World> {
    namespace = `lp-${++tests}`;
    const manifests = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATOR_NAMESPACE } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: namespace }, spec: { namespaces: [namespace], roles: ['*'], allowTakeover: true } },
    ].map((o) => stringify(o)).join('---\n');
    world = await startWorldOn(kube, { fleetYaml: fleet(policy), manifests });
    return world;
  }

  describe('deploy/ram/operator-policy.json', () => {
    it('has the statements this test removes one by one', () => {
      expect(SHIPPED.Statement.map((s) => s.Action)).toEqual([
        ['ecs:DescribeInstances', 'ecs:DescribeInstanceRamRole', 'ecs:ListTagResources'],
        ['ecs:AttachInstanceRamRole', 'ecs:DetachInstanceRamRole'],
        ['ram:GetRole', 'ram:PassRole'],
      ]);
    });

    it('(a) is enough: the binding converges and the role is attached', { timeout: 60_000 }, async () => {
      const w = await start(SHIPPED);
      await w.apply(binding('web', { roleName: 'EcsRamRoleDocumentTesting', instanceIds: ['i-lp0001', 'i-lp0002'] }, namespace));
      await eventually('web Ready', async () => condition(await w.binding(namespace, 'web'), 'Ready')?.status === 'True', 30_000);
      expect(await w.roleOf('i-lp0001')).toBe('EcsRamRoleDocumentTesting');
      const refused = (await w.calls()).filter((c) => c.code !== '200');
      expect(refused).toEqual([]);
    });

    it.each([
      { what: 'statement 1 (the reads)', remove: { statement: 0 }, reason: 'AccessDenied', names: 'ecs:DescribeInstances' },
      { what: 'statement 2 (attach and detach)', remove: { statement: 1 }, reason: 'AccessDenied', names: 'ecs:AttachInstanceRamRole' },
      { what: 'statement 3 (GetRole and PassRole)', remove: { statement: 2 }, reason: 'AccessDenied', names: 'ram:GetRole' },
      { what: 'ram:PassRole alone', remove: { action: 'ram:PassRole' }, reason: 'PassRoleForbidden', names: 'ram:PassRole' },
    ])('(b) without $what the binding stalls with $reason naming $names', { timeout: 60_000 }, async ({ remove, reason, names }) => {
      const w = await start(without(remove));
      await w.apply(binding('web', { roleName: 'EcsRamRoleDocumentTesting', instanceIds: ['i-lp0001'] }, namespace));
      const stalled = await eventually('web Stalled', async () => {
        const c = condition(await w.binding(namespace, 'web'), 'Stalled');
        return c?.status === 'True' ? c : undefined;
      }, 30_000);
      expect(stalled.reason).toBe(reason);
      expect(stalled.message).toContain(names);
      expect(await w.roleOf('i-lp0001')).toBeNull();
    });

    it('(c) a role outside the policy is refused by the cloud, reported, and not retried hot', { timeout: 60_000 }, async () => {
      const w = await start(SHIPPED);
      await w.apply(binding('admin', { roleName: 'AdminRole', instanceIds: ['i-lp0001'] }, namespace));
      const stalled = await eventually('admin Stalled', async () => {
        const c = condition(await w.binding(namespace, 'admin'), 'Stalled');
        return c?.status === 'True' ? c : undefined;
      }, 30_000);
      expect(stalled.reason).toBe('AccessDenied');
      expect(stalled.message).toContain('acs:ram::1234567890123456:role/adminrole');
      // A terminal refusal waits for a change (or the resync period), it is not retried at once.
      await w.clearCalls();
      await new Promise((r) => setTimeout(r, 5_000));
      const calls = await w.calls();
      expect(calls.filter((c) => c.action === 'GetRole').length).toBeLessThanOrEqual(1);
      expect(calls.filter((c) => c.action === 'AttachInstanceRamRole')).toEqual([]);
      expect(await w.roleOf('i-lp0001')).toBeNull();
    });
  });
});
