/**
 * Issue 9, end to end: two tenants under real RBAC, each with a ServiceAccount token that may only
 * manage InstanceRoleBindings in its own namespace (the shipped ecs-role-operator-binding-editor
 * ClusterRole, bound per namespace), against the operator with tenancy enforced and the admin's
 * InstanceRolePolicies. Every attack of the issue is one test; each asserts that no unpermitted
 * Attach or Detach reaches the cloud simulator's call log, and the suite ends by checking, over the
 * whole call log, that no call crossed a tenant's boundary and that every good binding stayed Ready
 * the whole time (its Ready condition never changed since it first became True).
 *
 * It runs on both Kubernetes targets (KUBE_TARGETS, default emulator and real kube-apiserver).
 *
 * The fleet: team-a's instances (tag team=a, vpc-a), team-b's (tag team=b, vpc-b) and a shared pool
 * (vpc-pool) both teams may use; roles TeamA*, TeamB* and an account admin role trusted by ECS with
 * every permission.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition, InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { examplePolicy } from '../../src/domain/tenancy.js';
import { binding } from './fleet.js';
import { OPERATOR_NAMESPACE, REPO_ROOT, instanceIdsOf, kubectl as runKubectl } from './process-helpers.js';
import { describeEachTarget } from '../support/kube-target.js';
import { type CallRecord, type World, condition, eventually, instanceState, startWorld } from './world.js';

const FLEET = `
accessKeys:
  - id: LTAI5tOperator
    secret: operator-secret
    allow: ["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:ListRoles", "ram:PassRole"]
roles:
  - {name: TeamAWorker, trustedServices: [ecs.aliyuncs.com], allow: ["oss:Get*"]}
  - {name: TeamAOther, trustedServices: [ecs.aliyuncs.com], allow: ["oss:List*"]}
  - {name: TeamBWorker, trustedServices: [ecs.aliyuncs.com], allow: ["log:*"]}
  - {name: AccountAdmin, trustedServices: [ecs.aliyuncs.com], allow: ["*"]}
regions:
  - id: cn-hangzhou
    instances:
${[1, 2, 3, 4, 5, 6].map((n) => `      - {id: i-a000${n}, network: vpc, vpcId: vpc-a, tags: {team: a}}`).join('\n')}
${[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `      - {id: i-b000${n}, network: vpc, vpcId: vpc-b, tags: {team: b}}`).join('\n')}
${[1, 2, 3, 4].map((n) => `      - {id: i-pool000${n}, network: vpc, vpcId: vpc-pool}`).join('\n')}
limits:
  qps: {AttachInstanceRamRole: 200, DetachInstanceRamRole: 200, DescribeInstanceRamRole: 200, DescribeInstances: 200}
`;

const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name }, spec });

/** What the cluster admin sets up before the teams arrive: the shipped tenant roles, namespaces, policies. */
const ADMIN_MANIFESTS = [
  readFileSync(join(REPO_ROOT, 'deploy/rbac/tenant-cluster-roles.yaml'), 'utf8').trimEnd(),
  ...[
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: OPERATOR_NAMESPACE } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { tenant: 'a' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b', labels: { tenant: 'b' } } },
  policy('team-a', { namespaces: ['team-a'], roles: ['TeamA*'], instances: { regionIds: ['cn-hangzhou'], tags: { team: 'a' } } }),
  policy('team-a-pool', { namespaces: ['team-a'], roles: ['TeamA*'], instances: { vpcIds: ['vpc-pool'] } }),
  policy('team-b', { namespaceSelector: { matchLabels: { tenant: 'b' } }, roles: ['TeamB*'], instances: { tags: { team: 'b' } } }),
  policy('team-b-pool', { namespaceSelector: { matchLabels: { tenant: 'b' } }, roles: ['TeamB*'], instances: { vpcIds: ['vpc-pool'] } }),
  ].map((o) => stringify(o)),
].join('\n---\n');

const TEAM_A_INSTANCES = new Set([1, 2, 3, 4, 5, 6].map((n) => `i-a000${n}`));
const TEAM_B_INSTANCES = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `i-b000${n}`));
const POOL = new Set([1, 2, 3, 4].map((n) => `i-pool000${n}`));

type Tenant = 'team-a' | 'team-b';

describeEachTarget('tenancy', (target) => {
  let world: World;
  const tenantKubeconfigs = new Map<Tenant, string>();
  /** Every binding that must stay Ready, with its Ready condition when it first became True. */
  const goodBindings = new Map<string, Condition>();
  /** Instances whose role no binding may ever detach in this suite (hand-attached or another team's). */
  const neverDetached = new Set<string>();

  /** kubectl with a tenant's own ServiceAccount token. */
  function asTenant(tenant: Tenant, args: string[], input?: string, namespace: string = tenant) {
    const kubeconfig = tenantKubeconfigs.get(tenant);
    if (!kubeconfig) throw new Error(`no kubeconfig for ${tenant}`);
    return runKubectl(kubeconfig, ['-n', namespace, ...args], input);
  }

  async function tenantApply(tenant: Tenant, name: string, spec: Record<string, unknown>): Promise<void> {
    const r = await asTenant(tenant, ['apply', '-f', '-'], binding(name, spec, tenant));
    if (r.code !== 0) throw new Error(`${tenant} could not apply ${name}: ${r.stderr}`);
  }

  async function tenantDelete(tenant: Tenant, name: string): Promise<void> {
    const r = await asTenant(tenant, ['delete', 'irb', name, '--wait=true', '--timeout=30s']);
    if (r.code !== 0) throw new Error(`${tenant} could not delete ${name}: ${r.stderr}`);
  }

  /** A kubeconfig like the admin's, with the tenant's ServiceAccount token as its only user. */
  async function tenantKubeconfig(tenant: Tenant, dir: string): Promise<string> {
    const admin = (args: string[], input?: string) => world.kubectl(args, input).then((r) => {
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    });
    await admin(['create', 'serviceaccount', 'deployer', '-n', tenant]);
    await admin(['create', 'rolebinding', 'instancerolebindings', '-n', tenant, '--clusterrole', 'ecs-role-operator-binding-editor', '--serviceaccount', `${tenant}:deployer`]);
    const token = (await admin(['create', 'token', 'deployer', '-n', tenant, '--duration', '1h'])).trim();
    const config = parse(await admin(['config', 'view', '--raw', '--minify'])) as { users: Array<{ name: string; user: Record<string, unknown> }>; contexts: Array<{ context: Record<string, unknown> }> };
    config.users = [{ name: `${tenant}-deployer`, user: { token } }];
    for (const c of config.contexts) c.context = { ...c.context, user: `${tenant}-deployer`, namespace: tenant };
    const path = join(dir, `${tenant}.kubeconfig`);
    writeFileSync(path, stringify(config), { mode: 0o600 });
    return path;
  }

  async function bindingOf(tenant: Tenant, name: string): Promise<InstanceRoleBinding | undefined> {
    return world.binding(tenant, name);
  }

  /** Waits for a pass of the binding that started after now (asked for with the reconcile annotation). */
  async function freshPass(tenant: Tenant, name: string): Promise<InstanceRoleBinding> {
    const before = (await bindingOf(tenant, name))?.status?.lastSyncTime;
    const r = await world.kubectl(['annotate', 'irb', '-n', tenant, name, '--overwrite', `roles.ecs.dev/reconcile-requested-at=${Date.now()}-${Math.random()}`]);
    if (r.code !== 0) throw new Error(r.stderr);
    return eventually(`a new pass of ${tenant}/${name}`, async () => {
      const b = await bindingOf(tenant, name);
      return b?.status?.lastSyncTime !== undefined && b.status.lastSyncTime !== before && b.status.observedGeneration === b.metadata.generation ? b : undefined;
    }, 30_000);
  }

  /** Applies the binding as the tenant and waits for it to be Ready. */
  async function ready(tenant: Tenant, name: string, spec: Record<string, unknown>): Promise<InstanceRoleBinding> {
    await tenantApply(tenant, name, spec);
    return eventually(`${tenant}/${name} Ready`, async () => {
      const got = await bindingOf(tenant, name);
      return condition(got, 'Ready')?.status === 'True' && got?.status?.observedGeneration === got?.metadata.generation ? got : undefined;
    }, 30_000);
  }

  /** A good binding: it becomes Ready, and from now on it must stay Ready. */
  async function good(tenant: Tenant, name: string, spec: Record<string, unknown>): Promise<InstanceRoleBinding> {
    await tenantApply(tenant, name, spec);
    const b = await eventually(`${tenant}/${name} Ready`, async () => {
      const got = await bindingOf(tenant, name);
      return condition(got, 'Ready')?.status === 'True' ? got : undefined;
    }, 30_000);
    goodBindings.set(`${tenant}/${name}`, condition(b, 'Ready') as Condition);
    return b;
  }

  function mutations(calls: CallRecord[]): CallRecord[] {
    return calls.filter((c) => c.action === 'AttachInstanceRamRole' || c.action === 'DetachInstanceRamRole');
  }

  /** Calls after the index `from` of the call log. */
  async function callsSince(from: number): Promise<CallRecord[]> {
    return (await world.calls()).slice(from);
  }

  function touches(calls: CallRecord[], action: string, instanceId: string): CallRecord[] {
    return calls.filter((c) => c.action === action && instanceIdsOf(c.params).includes(instanceId));
  }

  beforeAll(async () => {
    const opts = { fleetYaml: FLEET, defaultResyncMs: 60_000, manifests: ADMIN_MANIFESTS };
    world = await startWorld(target, opts);
    const dir = mkdtempSync(join(tmpdir(), 'irb-tenancy-'));
    for (const tenant of ['team-a', 'team-b'] as const) tenantKubeconfigs.set(tenant, await tenantKubeconfig(tenant, dir));
  });

  afterAll(async () => {
    await world?.stop();
  });

  describe('tenancy: the attacks of issue 9 change nothing in the cloud', { timeout: 90_000 }, () => {
    it('the tenants hold exactly the shipped tenant role: bindings in their own namespace, no policy, no status, no labels', async () => {
      await tenantApply('team-a', 'probe', { roleName: 'TeamAWorker', instanceIds: ['i-a0006'], mode: 'Observe' });
      const forbidden: Array<[string, string[], string?, string?]> = [
        ['create a policy', ['apply', '-f', '-'], stringify(policy('mine', { namespaces: ['team-a'], roles: ['*'] }))],
        ['list policies', ['get', 'irp']],
        ['write binding status', ['patch', 'irb', 'probe', '--subresource=status', '--type=merge', '-p', '{"status":{"observedGeneration":7}}']],
        ['label its namespace', ['label', 'namespace', 'team-a', 'tenant=b']],
        ['create a binding of team-b', ['apply', '-f', '-'], binding('sneaky', { roleName: 'TeamAWorker', instanceIds: ['i-b0001'] }, 'team-b'), 'team-b'],
        ['read the ownership ledger', ['get', 'configmaps', '-n', OPERATOR_NAMESPACE]],
      ];
      for (const [what, args, input, namespace] of forbidden) {
        const r = await asTenant('team-a', args, input, namespace);
        expect(r.code, what).not.toBe(0);
        expect(r.stderr, what).toMatch(/forbidden/i);
      }
      await tenantDelete('team-a', 'probe');
    });

    it('team-b settles in: its bindings on its own instances and on the pool become Ready', async () => {
      await good('team-b', 'b-web', { roleName: 'TeamBWorker', instanceIds: ['i-b0003', 'i-b0004'] });
      await good('team-b', 'b-pool', { roleName: 'TeamBWorker', instanceIds: ['i-pool0002'] });
      await good('team-b', 'b-db', { roleName: 'TeamBWorker', instanceIds: ['i-b0006'] });
      for (const id of ['i-b0003', 'i-b0004', 'i-pool0002', 'i-b0006']) expect(await world.roleOf(id)).toBe('TeamBWorker');
      for (const id of ['i-b0003', 'i-b0004', 'i-pool0002']) neverDetached.add(id);
    });

    it('1: a binding naming the account admin role is Stalled NotPermitted, with the namespace, the role and a policy that would permit it; nothing reaches the cloud', async () => {
      const from = (await world.calls()).length;
      await tenantApply('team-a', 'takeover-account', { roleName: 'AccountAdmin', instanceIds: ['i-a0001'] });
      const b = await eventually('Stalled NotPermitted', async () => {
        const got = await bindingOf('team-a', 'takeover-account');
        return condition(got, 'Stalled')?.reason === 'NotPermitted' ? got : undefined;
      });
      const stalled = condition(b, 'Stalled');
      expect(stalled?.status).toBe('True');
      expect(stalled?.message).toContain('namespace team-a');
      expect(stalled?.message).toContain('role AccountAdmin');
      expect(stalled?.message).toContain(examplePolicy('team-a', 'AccountAdmin'));
      expect(condition(b, 'Ready')).toMatchObject({ status: 'False', reason: 'NotPermitted' });
      expect(b?.metadata.finalizers ?? []).toEqual([]);
      expect(instanceState(b, 'i-a0001')).toMatchObject({ state: 'NotPermitted' });
      expect(instanceState(b, 'i-a0001')?.observedRole).toBeUndefined();
      await freshPass('team-a', 'takeover-account');
      // Not one call for it: no describe, no GetRole of the admin role, no attach.
      const calls = await callsSince(from);
      expect(calls.filter((c) => c.params.RamRoleName === 'AccountAdmin' || c.params.RoleName === 'AccountAdmin')).toEqual([]);
      expect(mutations(calls)).toEqual([]);
      expect(await world.roleOf('i-a0001')).toBeNull();
    });

    it('2: a team-a binding naming a team-b instance gets NotPermitted there (nothing else about it) and attaches nothing to it', async () => {
      const from = (await world.calls()).length;
      await ready('team-a', 'a-web', { roleName: 'TeamAWorker', instanceIds: ['i-a0002'] });
      await tenantApply('team-a', 'a-web', { roleName: 'TeamAWorker', instanceIds: ['i-a0002', 'i-b0001'] });
      const b = await eventually('i-b0001 NotPermitted', async () => {
        const got = await bindingOf('team-a', 'a-web');
        return instanceState(got, 'i-b0001')?.state === 'NotPermitted' ? got : undefined;
      });
      expect(Object.keys(instanceState(b, 'i-b0001') ?? {}).sort()).toEqual(['instanceId', 'message', 'state']);
      expect(condition(b, 'Ready')).toMatchObject({ status: 'False', reason: 'NotPermitted' });
      expect(instanceState(b, 'i-a0002')?.state).toBe('Bound');
      const calls = await callsSince(from);
      expect(touches(calls, 'AttachInstanceRamRole', 'i-b0001')).toEqual([]);
      expect(touches(calls, 'DescribeInstanceRamRole', 'i-b0001')).toEqual([]);
      expect(await world.roleOf('i-b0001')).toBeNull();
      // Back to its own instance only: Ready again (it is not one of the "stayed Ready" bindings).
      await tenantApply('team-a', 'a-web', { roleName: 'TeamAWorker', instanceIds: ['i-a0002'] });
      await eventually('a-web Ready again', async () => condition(await bindingOf('team-a', 'a-web'), 'Ready')?.status === 'True');
    });

    it("3: takeover: true on a team-b instance does not replace the role team-b attached by hand", async () => {
      await world.setRole('i-b0002', 'TeamBWorker');
      neverDetached.add('i-b0002');
      const from = (await world.calls()).length;
      await tenantApply('team-a', 'grab', { roleName: 'TeamAWorker', instanceIds: ['i-b0002'], takeover: true });
      await eventually('i-b0002 NotPermitted', async () => instanceState(await bindingOf('team-a', 'grab'), 'i-b0002')?.state === 'NotPermitted');
      await freshPass('team-a', 'grab');
      expect(mutations(await callsSince(from))).toEqual([]);
      expect(await world.roleOf('i-b0002')).toBe('TeamBWorker');
    });

    it("4: naming team-b's role on team-b's instance adopts nothing, and deleting that binding detaches nothing", async () => {
      const from = (await world.calls()).length;
      await tenantApply('team-a', 'adopt', { roleName: 'TeamBWorker', instanceIds: ['i-b0003'] });
      const b = await eventually('adopt NotPermitted', async () => {
        const got = await bindingOf('team-a', 'adopt');
        return condition(got, 'Ready')?.reason === 'NotPermitted' ? got : undefined;
      });
      expect(condition(b, 'Ready')?.status).toBe('False');
      expect(instanceState(b, 'i-b0003')?.observedRole).toBeUndefined();
      await tenantDelete('team-a', 'adopt');
      expect(mutations(await callsSince(from))).toEqual([]);
      expect(await world.roleOf('i-b0003')).toBe('TeamBWorker');
    });

    it("5: an older team-a binding that adds team-b's instances never wins them: no detach, and team-b stays Ready", async () => {
      // a-old is created before b-late, which then takes a pool instance: the oldest binding used to
      // win across namespaces; a-old then adds that instance and one of team-b's own.
      await ready('team-a', 'a-old', { roleName: 'TeamAWorker', instanceIds: ['i-a0003'] });
      await good('team-b', 'b-late', { roleName: 'TeamBWorker', instanceIds: ['i-pool0001'] });
      neverDetached.add('i-pool0001');
      const from = (await world.calls()).length;
      // a team-b instance: NotPermitted; a pool instance team-b holds: Conflict, without naming team-b's binding.
      await tenantApply('team-a', 'a-old', { roleName: 'TeamAWorker', instanceIds: ['i-a0003', 'i-b0004', 'i-pool0001', 'i-pool0002'] });
      const b = await eventually('a-old sees what it cannot have', async () => {
        const got = await bindingOf('team-a', 'a-old');
        return instanceState(got, 'i-pool0001')?.state === 'Conflict' && instanceState(got, 'i-b0004')?.state === 'NotPermitted' ? got : undefined;
      });
      expect(instanceState(b, 'i-pool0001')?.message).toContain('held for a binding of another namespace');
      expect(JSON.stringify(b?.status)).not.toContain('b-late');
      expect(instanceState(b, 'i-pool0002')?.state).toBe('Conflict');
      await freshPass('team-a', 'a-old');
      const calls = mutations(await callsSince(from));
      expect(calls.filter((c) => c.action === 'DetachInstanceRamRole')).toEqual([]);
      expect(calls.filter((c) => instanceIdsOf(c.params).some((id) => id === 'i-b0004' || id === 'i-pool0001' || id === 'i-pool0002'))).toEqual([]);
      for (const name of ['b-web', 'b-pool', 'b-late']) expect(condition(await freshPass('team-b', name), 'Ready')?.status).toBe('True');
      await tenantApply('team-a', 'a-old', { roleName: 'TeamAWorker', instanceIds: ['i-a0003'] });
    });

    it('5b: within one namespace the older binding does win, and the displaced binding is told at once, not a resync later', async () => {
      // Both bindings resync once an hour: only the immediate re-queue can update the loser in time.
      await ready('team-a', 'a-young', { roleName: 'TeamAOther', instanceIds: ['i-a0005'], resyncPeriod: '1h' });
      await tenantApply('team-a', 'a-old', { roleName: 'TeamAWorker', instanceIds: ['i-a0003', 'i-a0005'], resyncPeriod: '1h' });
      await eventually('the older binding takes i-a0005', async () => (await world.roleOf('i-a0005')) === 'TeamAWorker', 20_000);
      await eventually('the younger binding reports the conflict without waiting for its resync', async () => {
        const got = await bindingOf('team-a', 'a-young');
        return instanceState(got, 'i-a0005')?.state === 'Conflict' && condition(got, 'Ready')?.status === 'False';
      }, 20_000);
      await tenantDelete('team-a', 'a-young');
    });

    it('6: an Observe-mode binding claims nothing: team-b binds an instance team-a only watches', async () => {
      await tenantApply('team-a', 'watcher', { roleName: 'TeamAWorker', instanceIds: ['i-pool0003', 'i-b0005'], mode: 'Observe' });
      await eventually('watcher observed', async () => instanceState(await bindingOf('team-a', 'watcher'), 'i-pool0003')?.state === 'Observed');
      expect(instanceState(await bindingOf('team-a', 'watcher'), 'i-b0005')?.state).toBe('NotPermitted');
      await good('team-b', 'b-watched', { roleName: 'TeamBWorker', instanceIds: ['i-pool0003', 'i-b0005'] });
      expect(await world.roleOf('i-pool0003')).toBe('TeamBWorker');
      expect(await world.roleOf('i-b0005')).toBe('TeamBWorker');
      neverDetached.add('i-pool0003');
      neverDetached.add('i-b0005');
    });

    it("7: team-a naming team-b's role on team-b's instance does not keep it there once team-b deletes its binding (Detach)", async () => {
      await tenantApply('team-a', 'keeper', { roleName: 'TeamBWorker', instanceIds: ['i-b0006'] });
      await eventually('keeper NotPermitted', async () => condition(await bindingOf('team-a', 'keeper'), 'Ready')?.reason === 'NotPermitted');
      goodBindings.delete('team-b/b-db');
      await tenantDelete('team-b', 'b-db');
      expect(await world.roleOf('i-b0006')).toBeNull();
      await tenantDelete('team-a', 'keeper');
    });

    it("8: an Observe binding selecting team-b's VPC lists nothing of team-b and reads none of its roles", async () => {
      const from = (await world.calls()).length;
      await world.setRole('i-b0007', 'TeamBWorker');
      neverDetached.add('i-b0007');
      await tenantApply('team-a', 'spy', { roleName: 'TeamAWorker', instanceSelector: { vpcId: 'vpc-b' }, mode: 'Observe' });
      const b = await eventually('spy reported', async () => {
        const got = await bindingOf('team-a', 'spy');
        return condition(got, 'Ready') ? got : undefined;
      });
      expect(b?.status?.instances).toEqual([]);
      expect(b?.status?.summary).toEqual({ desired: 0, bound: 0, conflicts: 0, errors: 0 });
      expect(JSON.stringify(b?.status)).not.toMatch(/i-b000|TeamBWorker/);
      await freshPass('team-a', 'spy');
      // No binding of team-b targets i-b0007 or i-b0008: only the spy could have read their roles.
      const calls = await callsSince(from);
      expect([...touches(calls, 'DescribeInstanceRamRole', 'i-b0007'), ...touches(calls, 'DescribeInstanceRamRole', 'i-b0008')]).toEqual([]);
      await tenantDelete('team-a', 'spy');
    });
  });

  describe('tenancy: a forged status is no proof of ownership', () => {
    /** The attacker of the issue: besides bindings, write access to instancerolebindings/status in team-a. */
    beforeAll(async () => {
      const grant = [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'status-writer', namespace: 'team-a' }, rules: [{ apiGroups: ['roles.ecs.dev'], resources: ['instancerolebindings/status'], verbs: ['get', 'patch', 'update'] }] },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'status-writer', namespace: 'team-a' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'status-writer' },
          subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'team-a' }],
        },
      ];
      await world.apply(grant.map((o) => stringify(o)).join('---\n'));
    });

    async function forge(name: string, instances: Array<Record<string, unknown>>): Promise<void> {
      const patch = JSON.stringify({ status: { instances } });
      const r = await asTenant('team-a', ['patch', 'irb', name, '--subresource=status', '--type=merge', '-p', patch]);
      if (r.code !== 0) throw new Error(`forging the status failed: ${r.stderr}`);
    }

    it('a forged Bound entry for a role attached by hand does not make the operator replace it without takeover', async () => {
      await world.setRole('i-a0004', 'TeamAOther');
      neverDetached.add('i-a0004');
      await tenantApply('team-a', 'forger', { roleName: 'TeamAWorker', instanceIds: ['i-a0004'] });
      await eventually('forger in conflict', async () => instanceState(await bindingOf('team-a', 'forger'), 'i-a0004')?.state === 'Conflict');
      const from = (await world.calls()).length;
      await forge('forger', [{ instanceId: 'i-a0004', state: 'Bound', observedRole: 'TeamAOther' }]);
      const after = await freshPass('team-a', 'forger');
      expect(instanceState(after, 'i-a0004')).toMatchObject({ state: 'Conflict', observedRole: 'TeamAOther' });
      expect(mutations(await callsSince(from))).toEqual([]);
      expect(await world.roleOf('i-a0004')).toBe('TeamAOther');
    });

    it('a forged entry for an instance no spec names makes the operator detach nothing there, neither on a pass nor on delete', async () => {
      await world.setRole('i-a0006', 'TeamAWorker');
      neverDetached.add('i-a0006');
      await ready('team-a', 'forger', { roleName: 'TeamAWorker', instanceIds: ['i-a0001'] });
      const from = (await world.calls()).length;
      await forge('forger', [
        { instanceId: 'i-a0001', state: 'Bound', observedRole: 'TeamAWorker' },
        { instanceId: 'i-a0006', state: 'Bound', observedRole: 'TeamAWorker' },
      ]);
      await freshPass('team-a', 'forger');
      expect(touches(await callsSince(from), 'DetachInstanceRamRole', 'i-a0006')).toEqual([]);
      await forge('forger', [{ instanceId: 'i-a0006', state: 'Bound', observedRole: 'TeamAWorker' }]);
      await tenantDelete('team-a', 'forger');
      const calls = await callsSince(from);
      expect(touches(calls, 'DetachInstanceRamRole', 'i-a0006')).toEqual([]);
      expect(await world.roleOf('i-a0006')).toBe('TeamAWorker');
      // Its own attachment is cleaned up as ever.
      expect(touches(calls, 'DetachInstanceRamRole', 'i-a0001')).toHaveLength(1);
      expect(await world.roleOf('i-a0001')).toBeNull();
    });
  });

  describe('tenancy: policies and namespace labels are watched', () => {
    it('a namespace that loses its label stops every action at once and says so; the roles stay; the label back makes it Ready', async () => {
      const from = (await world.calls()).length;
      await world.kubectl(['label', 'namespace', 'team-b', 'tenant-']);
      await eventually('b-web NotPermitted at once', async () => condition(await bindingOf('team-b', 'b-web'), 'Ready')?.reason === 'NotPermitted', 20_000);
      expect(await world.roleOf('i-b0003')).toBe('TeamBWorker');
      expect(mutations(await callsSince(from))).toEqual([]);
      await world.kubectl(['label', 'namespace', 'team-b', 'tenant=b']);
      await eventually('b-web Ready again', async () => condition(await bindingOf('team-b', 'b-web'), 'Ready')?.status === 'True', 20_000);
      expect(mutations(await callsSince(from))).toEqual([]);
      // The pause is the admin's doing, not a displacement: the good bindings' record starts over.
      for (const name of ['b-web', 'b-pool', 'b-late', 'b-watched']) {
        const b = await eventually(`${name} Ready`, async () => {
          const got = await bindingOf('team-b', name);
          return condition(got, 'Ready')?.status === 'True' ? got : undefined;
        }, 20_000);
        goodBindings.set(`team-b/${name}`, condition(b, 'Ready') as Condition);
      }
    });

    it('kubectl explain documents the policy kind, field by field', async () => {
      const fields = ['spec.namespaces', 'spec.namespaceSelector.matchExpressions', 'spec.roles', 'spec.instances.vpcIds', 'spec.instances.tags', 'spec.allowTakeover', 'status.permittedBindings'];
      // A real kube-apiserver publishes a new CRD's OpenAPI document a little after it is Established.
      await eventually('the policy kind in the OpenAPI document', async () => (await world.kubectl(['explain', 'instancerolepolicies.spec'])).code === 0, 60_000);
      for (const field of fields) {
        const r = await world.kubectl(['explain', `instancerolepolicies.${field}`]);
        expect(r.code, field).toBe(0);
        expect(r.stdout, field).toMatch(/DESCRIPTION:\n\s+\S/);
      }
      expect((await world.kubectl(['explain', 'irp'])).stdout.replace(/\s+/g, ' ')).toContain('says which namespaces may bind which RAM roles to which ECS instances');
    });

    it('each policy reports whether it is in force and how many bindings it permits', async () => {
      const status = async (name: string) =>
        (JSON.parse((await world.kubectl(['get', 'irp', name, '-o', 'json'])).stdout) as { status?: { permittedBindings?: number; observedGeneration?: number; conditions?: Condition[] } }).status;
      await eventually('team-b-pool counts its bindings', async () => (await status('team-b-pool'))?.permittedBindings === 4, 20_000);
      const s = await status('team-b');
      expect(s?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'PolicyValid' });
      expect(s?.observedGeneration).toBe(1);
      const table = await world.kubectl(['get', 'irp']);
      expect(table.stdout).toMatch(/team-b-pool\s+\S*\s+\["TeamB\*"\]\s+4\s+True\s+PolicyValid/);
    });
  });

  describe('tenancy: over the whole suite', () => {
    it('no Attach or Detach crossed a tenant boundary, and every good binding stayed Ready all along', async () => {
      const calls = mutations(await world.calls());
      expect(calls.length).toBeGreaterThan(0);
      for (const c of calls) {
        const role = String(c.params.RamRoleName ?? '');
        for (const id of instanceIdsOf(c.params)) {
          const where = `${c.action} ${role} on ${id}`;
          expect(role, where).not.toBe('AccountAdmin');
          if (role.startsWith('TeamA')) expect(TEAM_A_INSTANCES.has(id) || POOL.has(id), where).toBe(true);
          if (role.startsWith('TeamB')) expect(TEAM_B_INSTANCES.has(id) || POOL.has(id), where).toBe(true);
          if (c.action === 'DetachInstanceRamRole') expect(neverDetached.has(id), where).toBe(false);
        }
      }
      expect(goodBindings.size).toBeGreaterThanOrEqual(4);
      for (const [key, first] of goodBindings) {
        const [ns, name] = key.split('/') as [Tenant, string];
        const ready = condition(await bindingOf(ns, name), 'Ready');
        expect(ready?.status, key).toBe('True');
        expect(ready?.lastTransitionTime, `${key} left Ready at some point`).toBe(first.lastTransitionTime);
      }
    });
  });
});
