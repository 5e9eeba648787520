/**
 * The shipped RBAC against the real operator process, on each Kubernetes target (the emulator and
 * a real kube-apiserver with --authorization-mode=RBAC): deploy/ is applied with the real kubectl,
 * and `node dist/ecs-role-operator.mjs run` runs with a token of the deploy/ ServiceAccount from the
 * TokenRequest API, with the Deployment's arguments and its downward-API environment.
 *
 * A recording pass-through proxy sits between the operator and the API server, so the test sees
 * every request the operator makes and the status the server (which authorizes with RBAC)
 * answered; cutting the proxy's connections ends the operator's watches. The baseline proves every
 * request is allowed. Then every permission (one verb on one resource of one rule) the operator
 * uses is removed in turn: the server must refuse exactly that request with 403 and the operator
 * must fail in the way that permission predicts. Permissions used all the time are removed live
 * (the reduced Role re-applied with kubectl to the running operator, then restored, and the
 * operator recovers); permissions used only at start-up are removed before an operator starts,
 * each in its own control plane, in parallel with the rest.
 * Permissions the operator never uses are listed with the reason they are granted anyway, and the
 * baseline checks the operator indeed never asks for them. Tenancy is enforced as shipped: the
 * admin applies an InstanceRolePolicy for the test namespace, as a cluster admin would.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { type CloudSimulator, parseFleet, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { type KubeTarget, describeEachTarget, startKubeTarget } from '../support/kube-target.js';
import { binding } from './fleet.js';
import {
  DEPLOY_DIR,
  type OperatorProcess,
  type RecordedRequest,
  type RecordingProxy,
  type SimControl,
  assertOperatorBuilt,
  killAllOperatorProcesses,
  kubectl,
  kubectlOk,
  metricValue,
  parseMetrics,
  simControl,
  startOperatorProcess,
  startRecordingProxy,
  tokenKubeconfig,
} from './process-helpers.js';
import { condition, eventually } from './world.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
  spec?: {
    template?: { spec?: { serviceAccountName?: string; containers?: Array<{ args?: string[]; env?: Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }> }> } };
  };
}

/** One verb on one resource: what removing "a rule" means at the finest grain. */
interface Permission {
  /** "<group or core>/<resource> <verb>", e.g. "roles.ecs.dev/instancerolebindings/status patch". */
  key: string;
  role: Manifest;
  rule: Rule;
  group: string;
  resource: string;
  verb: string;
}

/**
 * Permissions deploy/ grants that the operator never asks for, and why they are granted anyway.
 * The baseline fails if the operator does ask for one of them (then it belongs in REMOVALS).
 */
const GRANTED_BUT_UNUSED: Record<string, string> = {
  'roles.ecs.dev/instancerolebindings get': 'reads come from the informer cache (list/watch); kept for kubebuilder-style parity',
  'roles.ecs.dev/instancerolebindings update': 'finalizers are written with merge patches; kept for kubebuilder-style parity',
  'roles.ecs.dev/instancerolebindings/status get': 'status is written with merge patches and never read through the subresource',
  'roles.ecs.dev/instancerolebindings/status update': 'status is written with merge patches, never replaced',
  'roles.ecs.dev/instancerolebindings/finalizers update':
    'checked only by the OwnerReferencesPermissionEnforcement admission plugin (OpenShift) for ownerReferences to a binding',
  'events.k8s.io/events create': 'the events.k8s.io/v1 API; the recorder writes core/v1 Events today',
  'events.k8s.io/events patch': 'the events.k8s.io/v1 API; the recorder writes core/v1 Events today',
  'core/secrets get': 'reading the AccessKey Secret through the API; the Deployment gets it as env from the kubelet instead',
  'roles.ecs.dev/instancerolepolicies get': 'policies come from the informer cache (list/watch); kept for kubebuilder-style parity',
  'roles.ecs.dev/instancerolepolicies/status get': 'policy status is written with merge patches and never read through the subresource',
  'roles.ecs.dev/instancerolepolicies/status update': 'policy status is written with merge patches, never replaced',
  'core/namespaces get': 'namespace labels come from the informer cache (list/watch)',
  'core/configmaps get': 'the ledger reads a shard only after a write lost a race (409) or found it gone (404), to refresh its version',
};

/** What the admin applies besides deploy/: the policy that lets namespace default bind RoleA. */
const POLICY_FOR_DEFAULT = JSON.stringify({
  apiVersion: 'roles.ecs.dev/v1alpha1',
  kind: 'InstanceRolePolicy',
  metadata: { name: 'default' },
  spec: { namespaces: ['default'], roles: ['RoleA'] },
});
const LEDGER_SELECTOR = 'roles.ecs.dev/ownership-ledger';

const FLEET_INSTANCES = 20;
const FLEET = `
accessKeys:
  - {id: LTAI5tOperator, secret: operator-secret, allow: ["ecs:Describe*", "ecs:AttachInstanceRamRole", "ecs:DetachInstanceRamRole", "ram:GetRole", "ram:PassRole"]}
roles:
  - {name: RoleA, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: cn-hangzhou
    instances:
${Array.from({ length: FLEET_INSTANCES }, (_, i) => `      - {id: i-rbac${String(i + 1).padStart(4, '0')}, network: vpc, vpcId: vpc-a}`).join('\n')}
`;
describeEachTarget('the shipped RBAC', (target) => {
  let nextInstance = 0;
  function allocateInstance(): string {
    nextInstance++;
    if (nextInstance > FLEET_INSTANCES) throw new Error('rbac test: the fleet has too few instances for the cases');
    return `i-rbac${String(nextInstance).padStart(4, '0')}`;
  }

  const execFileAsync = promisify(execFile);

  let cloud: CloudSimulator;
  let sim: SimControl;
  let renderedText: string;
  let rendered: Manifest[];
  let operatorNamespace: string;
  let serviceAccount: string;
  let leaseName: string;
  let deployedArgs: string[];
  let deployedEnv: Record<string, string>;
  let permissions: Permission[];
  const cleanups: Array<() => Promise<void>> = [];

  /** The Roles and ClusterRoles bound to the operator's ServiceAccount in the rendered manifests. */
  function rolesOfServiceAccount(objects: Manifest[], namespace: string, name: string): Manifest[] {
    const bindings = objects.filter(
      (o) =>
        (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') &&
        (o.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === name && s.namespace === namespace),
    );
    return bindings.map((b) => {
      const role = objects.find(
        (o) => o.kind === b.roleRef!.kind && o.metadata.name === b.roleRef!.name && (o.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace),
      );
      if (!role) throw new Error(`${b.kind}/${b.metadata.name} refers to ${b.roleRef!.kind}/${b.roleRef!.name}, which deploy/ does not render`);
      return role;
    });
  }

  function permissionsOf(roles: Manifest[]): Permission[] {
    const out: Permission[] = [];
    for (const role of roles) {
      for (const rule of role.rules ?? []) {
        for (const group of rule.apiGroups ?? []) {
          for (const resource of rule.resources ?? []) {
            for (const verb of rule.verbs) out.push({ key: `${group || 'core'}/${resource} ${verb}`, role, rule, group, resource, verb });
          }
        }
      }
    }
    return out;
  }

  /** The role with one permission taken out; every other (group, resource, verb, resourceNames) stays. */
  function withoutPermission(p: Permission): Manifest {
    const rules: Rule[] = [];
    for (const rule of p.role.rules ?? []) {
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          const verbs = rule.verbs.filter((v) => !(rule === p.rule && group === p.group && resource === p.resource && v === p.verb));
          if (verbs.length > 0) rules.push({ apiGroups: [group], resources: [resource], verbs, ...(rule.resourceNames ? { resourceNames: rule.resourceNames } : {}) });
        }
      }
    }
    return { ...p.role, rules };
  }

  function keyOf(r: RecordedRequest): string {
    return `${r.group || 'core'}/${r.resource} ${r.verb}`;
  }

  /** One Kubernetes target with deploy/ applied, the proxy in front of it and the operator behind the proxy. */
  interface Cluster {
    kube: KubeTarget;
    proxy: RecordingProxy;
    operator: OperatorProcess;
    admin(args: string[], input?: string): Promise<string>;
    applyBinding(name: string, instanceId: string): Promise<void>;
    binding(name: string): Promise<InstanceRoleBinding>;
    /** Waits for the binding's Ready condition to be True (nudging a reconcile once, for a binding in backoff). */
    becomesReady(name: string): Promise<void>;
    events(name: string): Promise<Array<{ reason: string; count?: number }>>;
    /** The ownership ledger's ConfigMaps in the operator's namespace: instance → stored holding. */
    ledger(): Promise<Record<string, string>>;
    /** Waits for the API server to answer 403 to the permission `key`, at or after request number `from`. */
    refused(key: string, from?: number): Promise<RecordedRequest>;
    /** Re-applies the operator's Role/ClusterRole with one permission removed (kubectl apply). */
    remove(key: string): Promise<void>;
    /** Re-applies the Role/ClusterRole holding `key` as deploy/ ships it. */
    restore(key: string): Promise<void>;
    /** Changes the instance's role out of band twice, each time asking for a reconcile and waiting for the fix. */
    driftTwice(name: string, instanceId: string): Promise<void>;
  }

  /** The Role or ClusterRole that grants `key`, with that one permission removed (or as shipped). */
  function roleFor(key: string, reduced: boolean): Manifest {
    const p = permissions.find((x) => x.key === key);
    if (!p) throw new Error(`deploy/ grants no "${key}"`);
    return reduced ? withoutPermission(p) : p.role;
  }

  /**
   * Starts a Kubernetes target, applies deploy/ (with `kubectl apply -k`, or the rendered objects with one
   * permission removed when `withoutKey` is given), applies the given bindings, and starts the
   * operator process with the ServiceAccount's token through the recording proxy. Resolves once the
   * operator process answers /healthz, so deadlines after it measure the operator, not Node's start-up.
   */
  async function startCluster(opts: { withoutKey?: string; bindings?: Array<[string, string]>; lease?: { durationSec: number; renewSec: number } } = {}): Promise<Cluster> {
    // deploy/ carries the CRDs: the target starts bare.
    const kube = await startKubeTarget(target, { crdPaths: [] });
    cleanups.push(() => kube.stop());
    const admin = (args: string[], input?: string) => kubectlOk(kube.kubeconfigPath, args, input);
    if (opts.withoutKey) {
      const reduced = roleFor(opts.withoutKey, true);
      const objects = rendered.map((o) => (o.kind === reduced.kind && o.metadata.name === reduced.metadata.name ? reduced : o));
      await admin(['apply', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
    } else {
      await admin(['apply', '-k', DEPLOY_DIR]);
    }
    await admin(['apply', '-f', '-'], POLICY_FOR_DEFAULT);
    const applyBinding = (name: string, instanceId: string) =>
      admin(['apply', '-f', '-'], binding(name, { roleName: 'RoleA', instanceIds: [instanceId] })).then(() => undefined);
    for (const [name, instanceId] of opts.bindings ?? []) await applyBinding(name, instanceId);

    const proxy = await startRecordingProxy(kube.url, kube.caCertificate);
    cleanups.push(() => proxy.close());
    const kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'irb-rbac-')), 'operator-kubeconfig');
    // The deploy/ ServiceAccount's own token, from the TokenRequest API (what the kubelet mounts).
    const token = await kube.serviceAccountToken(operatorNamespace, serviceAccount);
    writeFileSync(kubeconfigPath, tokenKubeconfig(proxy.url, token, operatorNamespace), { mode: 0o600 });
    const lease = opts.lease ?? { durationSec: 10, renewSec: 8 };
    const operator = await startOperatorProcess({
      kubeconfigPath,
      cloudEndpoint: cloud.endpoint,
      accessKeyId: 'LTAI5tOperator',
      accessKeySecret: 'operator-secret',
      args: [
        ...deployedArgs,
        '--resync-period', '60s',
        '--leader-election-lease-duration', `${lease.durationSec}s`,
        '--leader-election-renew-deadline', `${lease.renewSec}s`,
        '--leader-election-retry-period', '1s',
      ],
      env: deployedEnv,
    });
    cleanups.push(() => operator.kill());
    clustersOfCheck.getStore()?.push({ proxy, operator });
    await eventually('the operator process to answer /healthz', async () => (await operator.probe('/healthz').catch(() => undefined))?.status === 200, 90_000);

    const bindingOf = async (name: string) => JSON.parse(await admin(['get', 'irb', '-n', 'default', name, '-o', 'json'])) as InstanceRoleBinding;
    return {
      kube,
      proxy,
      operator,
      admin,
      applyBinding,
      binding: bindingOf,
      becomesReady: async (name) => {
        await admin(['annotate', 'irb', '-n', 'default', name, '--overwrite', `roles.ecs.dev/reconcile-requested-at=${Date.now()}`]);
        await eventually(`binding ${name} Ready`, async () => isReady(await bindingOf(name)), 30_000);
      },
      ledger: async () => {
        const list = JSON.parse(await admin(['get', 'configmaps', '-n', operatorNamespace, '-l', LEDGER_SELECTOR, '-o', 'json'])) as { items: Array<{ data?: Record<string, string> }> };
        return Object.assign({}, ...list.items.map((cm) => cm.data ?? {})) as Record<string, string>;
      },
      events: async (name) =>
        (JSON.parse(await admin(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])) as {
          items: Array<{ reason: string; count?: number }>;
        }).items,
      refused: (key, from = 0) =>
        eventually(`the API server to refuse "${key}" with 403`, async () => proxy.requests.slice(from).find((r) => r.status === 403 && keyOf(r) === key), 30_000),
      remove: (key) => admin(['apply', '-f', '-'], JSON.stringify(roleFor(key, true))).then(() => undefined),
      restore: (key) => admin(['apply', '-f', '-'], JSON.stringify(roleFor(key, false))).then(() => undefined),
      driftTwice: async (name, instanceId) => {
        for (const round of [1, 2]) {
          await sim.setRole(instanceId, null);
          await admin(['annotate', 'irb', '-n', 'default', name, '--overwrite', `roles.ecs.dev/reconcile-requested-at=drift-${round}`]);
          await eventually(`drift ${round} of ${instanceId} corrected`, async () => (await sim.roleOf(instanceId)) === 'RoleA', 30_000);
        }
      },
    };
  }

  const isReady = (b: InstanceRoleBinding) => condition(b, 'Ready')?.status === 'True';

  /** The operator's pino JSON log lines with the given msg. */
  function logged(c: Cluster, msg: string): Array<Record<string, unknown>> {
    return c.operator
      .output()
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      })
      .filter((l) => l.msg === msg);
  }

  /** Clusters started by the running check, so a failure can show what their operators said. */
  const clustersOfCheck = new AsyncLocalStorage<Array<Pick<Cluster, 'proxy' | 'operator'>>>();

  async function withDiagnostics(check: () => Promise<void>, known: () => Array<Cluster | undefined> = () => []): Promise<void> {
    const clusters: Array<Pick<Cluster, 'proxy' | 'operator'>> = known().filter((c): c is Cluster => c !== undefined);
    try {
      await clustersOfCheck.run(clusters, check);
    } catch (err) {
      const tails = clusters.map((c) => {
        const requests = c.proxy.requests.slice(-15).map((r) => `  ${r.status} ${r.method} ${r.url}`).join('\n');
        return `operator output (tail):\n${c.operator.output().slice(-3000)}\nlast requests:\n${requests}`;
      });
      if (err instanceof Error) err.message += `\n${tails.join('\n')}`;
      throw err;
    }
  }

  async function expectNeverLed(c: Cluster, instanceId: string): Promise<void> {
    const samples = parseMetrics(await c.operator.metrics());
    expect(metricValue(samples, 'ecs_role_operator_leader')).toBe(0);
    expect(metricValue(samples, 'ecs_role_operator_reconcile_total')).toBe(0);
    expect((await c.binding('web')).status).toBeUndefined();
    expect(await sim.roleOf(instanceId)).toBeNull();
    expect(logged(c, 'leader lease not acquired').map((l) => String(l.reason))).toContainEqual(expect.stringMatching(/^forbidden: .*leases/));
  }

  /**
   * Permissions whose removal is shown on an operator started without them (they are used only at
   * start-up, or only when no Lease exists). Started in beforeAll so they run beside the long-lived
   * operator's steps; each test awaits its own result.
   */
  const FRESH_START: Record<string, { breaks: string; check: () => Promise<void> }> = {
    'roles.ecs.dev/instancerolebindings list': {
      breaks: 'the binding cache never fills: /readyz says so and nothing is reconciled',
      check: async () => {
        const id = allocateInstance();
        const c = await startCluster({ withoutKey: 'roles.ecs.dev/instancerolebindings list', bindings: [['web', id]] });
        await c.refused('roles.ecs.dev/instancerolebindings list');
        await eventually('the operator to lead', async () => metricValue(parseMetrics(await c.operator.metrics()), 'ecs_role_operator_leader') === 1);
        expect(await c.operator.probe('/readyz')).toEqual({ status: 503, body: expect.stringMatching(/not synced/) });
        expect((await c.binding('web')).status).toBeUndefined();
        expect(await sim.roleOf(id)).toBeNull();
        expect(logged(c, 'watch failed; restarting').filter((l) => l.watching === 'InstanceRoleBinding').length).toBeGreaterThan(0);
      },
    },
    'coordination.k8s.io/leases create': {
      breaks: 'the leader Lease cannot be created: the operator never leads or reconciles',
      check: async () => {
        const id = allocateInstance();
        const c = await startCluster({ withoutKey: 'coordination.k8s.io/leases create', bindings: [['web', id]] });
        await c.refused('coordination.k8s.io/leases create');
        await expectNeverLed(c, id);
      },
    },
    'roles.ecs.dev/instancerolepolicies list': {
      breaks: 'the policies are never known: nothing is decided, /readyz says not synced and nothing is reconciled',
      check: async () => {
        const id = allocateInstance();
        const c = await startCluster({ withoutKey: 'roles.ecs.dev/instancerolepolicies list', bindings: [['web', id]] });
        await c.refused('roles.ecs.dev/instancerolepolicies list');
        await eventually('the operator to lead', async () => metricValue(parseMetrics(await c.operator.metrics()), 'ecs_role_operator_leader') === 1);
        expect(await c.operator.probe('/readyz')).toEqual({ status: 503, body: expect.stringMatching(/not synced/) });
        expect((await c.binding('web')).status).toBeUndefined();
        expect(await sim.roleOf(id)).toBeNull();
        expect(logged(c, 'watch failed; restarting').some((l) => l.watching === 'InstanceRolePolicy')).toBe(true);
      },
    },
    'core/namespaces list': {
      breaks: 'namespace labels are never known: nothing is decided, /readyz says not synced and nothing is reconciled',
      check: async () => {
        const id = allocateInstance();
        const c = await startCluster({ withoutKey: 'core/namespaces list', bindings: [['web', id]] });
        await c.refused('core/namespaces list');
        await eventually('the operator to lead', async () => metricValue(parseMetrics(await c.operator.metrics()), 'ecs_role_operator_leader') === 1);
        expect(await c.operator.probe('/readyz')).toEqual({ status: 503, body: expect.stringMatching(/not synced/) });
        expect((await c.binding('web')).status).toBeUndefined();
        expect(await sim.roleOf(id)).toBeNull();
        expect(logged(c, 'watch failed; restarting').some((l) => l.watching === 'Namespace')).toBe(true);
      },
    },
    'core/configmaps list': {
      breaks: 'the ownership ledger cannot be loaded: the leader reconciles nothing (no proof of what it owns) and /readyz says not synced',
      check: async () => {
        const id = allocateInstance();
        const c = await startCluster({ withoutKey: 'core/configmaps list', bindings: [['web', id]] });
        await c.refused('core/configmaps list');
        await eventually('the ledger load to be retried', async () => logged(c, 'ownership ledger: cannot load; no binding is reconciled until it loads').length >= 2, 30_000);
        expect(await c.operator.probe('/readyz')).toEqual({ status: 503, body: expect.stringMatching(/not synced/) });
        expect((await c.binding('web')).status).toBeUndefined();
        expect(await sim.roleOf(id)).toBeNull();
      },
    },
    'core/configmaps create': {
      breaks: 'the ownership ledger is never written: bindings work, but what the operator attached would be lost with the process',
      check: async () => {
        const id = allocateInstance();
        const c = await startCluster({ withoutKey: 'core/configmaps create', bindings: [['web', id]] });
        await c.becomesReady('web');
        await c.refused('core/configmaps create');
        await eventually('the operator to log the failed ledger write', async () => logged(c, 'ownership ledger: write failed; retrying').length > 0);
        expect(await c.ledger()).toEqual({});
      },
    },
    'coordination.k8s.io/leases get': {
      breaks: 'the leader Lease cannot be read: the operator never leads or reconciles',
      check: async () => {
        const id = allocateInstance();
        const c = await startCluster({ withoutKey: 'coordination.k8s.io/leases get', bindings: [['web', id]] });
        await c.refused('coordination.k8s.io/leases get');
        await expectNeverLed(c, id);
      },
    },
  };

  /** Permissions whose removal is shown live, by re-applying the reduced Role to the running operator. */
  const LIVE = [
    'roles.ecs.dev/instancerolebindings watch',
    'roles.ecs.dev/instancerolebindings patch',
    'roles.ecs.dev/instancerolebindings/status patch',
    'roles.ecs.dev/instancerolepolicies watch',
    'roles.ecs.dev/instancerolepolicies/status patch',
    'core/namespaces watch',
    'core/configmaps patch',
    'core/events create',
    'core/events patch',
    'coordination.k8s.io/leases update',
  ];

  const freshResults = new Map<string, Promise<Error | undefined>>();

  beforeAll(async () => {
    assertOperatorBuilt();
    renderedText = (await execFileAsync('kubectl', ['kustomize', DEPLOY_DIR], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    rendered = parseAllDocuments(renderedText).map((d) => d.toJS() as Manifest);
    const deployment = rendered.find((o) => o.kind === 'Deployment');
    if (!deployment) throw new Error('deploy/ renders no Deployment');
    operatorNamespace = deployment.metadata.namespace!;
    serviceAccount = deployment.spec!.template!.spec!.serviceAccountName!;
    const container = deployment.spec!.template!.spec!.containers![0]!;
    const args = container.args ?? [];
    if (args[0] !== 'run') throw new Error(`the Deployment runs "${args.join(' ')}", not "run ..."`);
    // The deployed flags, minus the ports (the test picks free ones).
    deployedArgs = [];
    for (let i = 1; i < args.length; i++) {
      if (args[i] === '--metrics-port' || args[i] === '--health-port') i++;
      else deployedArgs.push(args[i]!);
    }
    // The downward-API environment the kubelet would give the pod.
    deployedEnv = {};
    for (const e of container.env ?? []) {
      const field = e.valueFrom?.fieldRef?.fieldPath;
      if (field === 'metadata.namespace') deployedEnv[e.name] = operatorNamespace;
      if (field === 'metadata.name') deployedEnv[e.name] = 'ecs-role-operator-e2e-0';
    }
    permissions = permissionsOf(rolesOfServiceAccount(rendered, operatorNamespace, serviceAccount));
    const leaseRule = permissions.find((p) => p.key === 'coordination.k8s.io/leases update');
    if (!leaseRule?.rule.resourceNames?.[0]) throw new Error('deploy/ grants no update on a named Lease');
    leaseName = leaseRule.rule.resourceNames[0];

    cloud = await startCloudSimulator({ fleet: parseFleet(FLEET), port: 0 });
    sim = simControl(cloud.url);
    for (const [key, { check }] of Object.entries(FRESH_START)) {
      freshResults.set(key, withDiagnostics(check).then(() => undefined, (err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
    }
  });

  afterAll(async () => {
    await Promise.all(freshResults.values());
    await killAllOperatorProcesses();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await cloud?.close();
  });

  describe('the shipped RBAC and the operator process', () => {
    it('names every permission deploy/ grants the operator as either needed or deliberately unused', () => {
      expect(serviceAccount).toBeTruthy();
      expect(deployedArgs).toContain('--leader-elect');
      const granted = [...new Set(permissions.map((p) => p.key))].sort();
      expect(granted).toEqual([...LIVE, ...Object.keys(FRESH_START), ...Object.keys(GRANTED_BUT_UNUSED)].sort());
    });

    describe('one operator under deploy/, then each live permission removed and restored in turn', () => {
      let c: Cluster;
      const late = { name: 'late', id: '' };

      it('as shipped: every request is allowed, a binding becomes Ready, Events are recorded, the Lease is held, delete detaches', () =>
        withDiagnostics(async () => {
          const id = allocateInstance();
          c = await startCluster();
          await c.applyBinding('web', id);
          const wait = await kubectl(c.kube.kubeconfigPath, ['wait', '--for=condition=Ready', 'irb/web', '-n', 'default', '--timeout=30s']);
          expect(wait).toMatchObject({ code: 0, stderr: '' });
          expect(await sim.roleOf(id)).toBe('RoleA');
          expect((await c.binding('web')).metadata.finalizers).toContain('roles.ecs.dev/detach-on-delete');

          // The Lease the Role names (by resourceNames) is the one the operator holds.
          const lease = JSON.parse(await c.admin(['get', 'lease', '-n', operatorNamespace, leaseName, '-o', 'json'])) as { spec: { holderIdentity?: string } };
          expect(lease.spec.holderIdentity).toMatch(/\S/);
          expect(metricValue(parseMetrics(await c.operator.metrics()), 'ecs_role_operator_leader')).toBe(1);

          // Drift twice: the second DriftDetected Event is aggregated into the first (an Event patch).
          await c.driftTwice('web', id);
          await eventually('the DriftDetected Event counted twice', async () =>
            (await c.events('web')).some((e) => e.reason === 'DriftDetected' && e.count === 2),
          );
          expect((await c.events('web')).map((e) => e.reason)).toEqual(expect.arrayContaining(['Attached', 'DriftDetected', 'DriftCorrected']));

          // The ownership ledger records the attach, in the operator's own namespace.
          await eventually('the ledger to record the attach', async () => (await c.ledger())[id]?.includes('default/web') === true);
          // The admin's policy reports what it permits.
          await eventually('the policy status', async () => {
            const policy = JSON.parse(await c.admin(['get', 'irp', 'default', '-o', 'json'])) as { status?: { permittedBindings?: number } };
            return policy.status?.permittedBindings === 1;
          });

          // Delete with the default deletionPolicy Detach: the finalizer path detaches, then the object goes.
          await c.admin(['delete', 'irb', '-n', 'default', 'web', '--wait=true', '--timeout=30s']);
          expect(await sim.roleOf(id)).toBeNull();
          expect((await kubectl(c.kube.kubeconfigPath, ['get', 'irb', '-n', 'default', 'web'])).code).not.toBe(0);
          // The ledger records the release (its shard is rewritten within a second of the change).
          await eventually('the ledger to record the release', async () => (await c.ledger())[id] === undefined);

          const refused = c.proxy.requests.filter((r) => r.status === 401 || r.status === 403);
          expect(refused.map((r) => `${r.status} ${r.method} ${r.url}`)).toEqual([]);
          const used = [...new Set(c.proxy.requests.map(keyOf))].sort();
          expect(used).toEqual([...LIVE, ...Object.keys(FRESH_START)].sort());
          expect(c.operator.output()).not.toMatch(/forbidden/i);
        }), 120_000);

      it('without "roles.ecs.dev/instancerolebindings watch": a binding created meanwhile is not seen until watch is granted again', () =>
        withDiagnostics(async () => {
          const key = 'roles.ecs.dev/instancerolebindings watch';
          await c.remove(key);
          const from = c.proxy.requests.length;
          c.proxy.cut();
          await c.refused(key, from);
          late.id = allocateInstance();
          await c.applyBinding(late.name, late.id);
          // The operator retries the watch after the binding exists and is refused again: it has not seen it.
          await c.refused(key, c.proxy.requests.length);
          expect((await c.binding(late.name)).status).toBeUndefined();
          expect(await sim.roleOf(late.id)).toBeNull();
          await c.restore(key);
          await eventually('the late binding Ready once watch is granted', async () => isReady(await c.binding(late.name)), 30_000);
        }, () => [c]), 90_000);

      it('without "roles.ecs.dev/instancerolebindings patch": the finalizer cannot be added, so nothing is attached', () =>
        withDiagnostics(async () => {
          const key = 'roles.ecs.dev/instancerolebindings patch';
          const id = allocateInstance();
          await c.remove(key);
          const from = c.proxy.requests.length;
          await c.applyBinding('no-finalizer', id);
          await c.refused(key, from);
          const b = await c.binding('no-finalizer');
          expect(b.metadata.finalizers ?? []).toEqual([]);
          expect(isReady(b)).toBe(false);
          expect(await sim.roleOf(id)).toBeNull();
          await c.restore(key);
          await c.becomesReady('no-finalizer');
          expect(await sim.roleOf(id)).toBe('RoleA');
        }, () => [c]), 90_000);

      it('without "roles.ecs.dev/instancerolebindings/status patch": no status is written, the binding is never Ready', () =>
        withDiagnostics(async () => {
          const key = 'roles.ecs.dev/instancerolebindings/status patch';
          const id = allocateInstance();
          await c.remove(key);
          const from = c.proxy.requests.length;
          await c.applyBinding('no-status', id);
          await c.refused(key, from);
          expect((await c.binding('no-status')).status).toBeUndefined();
          expect(logged(c, 'reconcile failed').length).toBeGreaterThan(0);
          await c.restore(key);
          await c.becomesReady('no-status');
        }, () => [c]), 90_000);

      it('without "roles.ecs.dev/instancerolepolicies watch": a policy created meanwhile is not seen, so its binding is NotPermitted until watch is granted again', () =>
        withDiagnostics(async () => {
          const key = 'roles.ecs.dev/instancerolepolicies watch';
          await c.remove(key);
          const from = c.proxy.requests.length;
          c.proxy.cut();
          await c.refused(key, from);
          const id = allocateInstance();
          await c.admin(['create', 'namespace', 'late-team']);
          await c.admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: 'late-team' }, spec: { namespaces: ['late-team'], roles: ['RoleA'] } }));
          await c.admin(['apply', '-f', '-'], binding('late', { roleName: 'RoleA', instanceIds: [id] }, 'late-team'));
          const late = async () => JSON.parse(await c.admin(['get', 'irb', '-n', 'late-team', 'late', '-o', 'json'])) as InstanceRoleBinding;
          await eventually('the late binding NotPermitted', async () => condition(await late(), 'Stalled')?.reason === 'NotPermitted', 30_000);
          expect(await sim.roleOf(id)).toBeNull();
          await c.restore(key);
          await eventually('the late binding Ready once watch is granted', async () => isReady(await late()), 60_000);
        }, () => [c]), 120_000);

      it('without "core/namespaces watch": a namespace labelled meanwhile is not seen, so its binding is NotPermitted until watch is granted again', () =>
        withDiagnostics(async () => {
          const key = 'core/namespaces watch';
          await c.remove(key);
          const from = c.proxy.requests.length;
          c.proxy.cut();
          await c.refused(key, from);
          const id = allocateInstance();
          await c.admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: 'labelled' }, spec: { namespaceSelector: { matchLabels: { tenant: 'labelled' } }, roles: ['RoleA'] } }));
          await c.admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'labelled-team', labels: { tenant: 'labelled' } } }));
          await c.admin(['apply', '-f', '-'], binding('labelled', { roleName: 'RoleA', instanceIds: [id] }, 'labelled-team'));
          const labelled = async () => JSON.parse(await c.admin(['get', 'irb', '-n', 'labelled-team', 'labelled', '-o', 'json'])) as InstanceRoleBinding;
          await eventually('the binding NotPermitted', async () => condition(await labelled(), 'Stalled')?.reason === 'NotPermitted', 30_000);
          expect(await sim.roleOf(id)).toBeNull();
          await c.restore(key);
          await eventually('the binding Ready once watch is granted', async () => isReady(await labelled()), 60_000);
        }, () => [c]), 120_000);

      it('without "roles.ecs.dev/instancerolepolicies/status patch": a new policy gets no status until it is granted again', () =>
        withDiagnostics(async () => {
          const key = 'roles.ecs.dev/instancerolepolicies/status patch';
          await c.remove(key);
          const from = c.proxy.requests.length;
          await c.admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: 'unwritten' }, spec: { namespaces: ['nobody'], roles: ['RoleA'] } }));
          await c.refused(key, from);
          const policy = async () => JSON.parse(await c.admin(['get', 'irp', 'unwritten', '-o', 'json'])) as { status?: { conditions?: Array<{ type: string; status: string }> } };
          expect((await policy()).status).toBeUndefined();
          await c.restore(key);
          await eventually('the policy status once granted', async () => (await policy()).status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true, 60_000);
        }, () => [c]), 120_000);

      it('without "core/configmaps patch": the ledger cannot record a detach (it keeps retrying) until it is granted again', () =>
        withDiagnostics(async () => {
          const key = 'core/configmaps patch';
          // late.id is held (the binding "late" of namespace default is Ready): deleting it forgets the instance.
          expect((await c.ledger())[late.id]).toContain('default/late');
          await c.remove(key);
          const from = c.proxy.requests.length;
          await c.admin(['delete', 'irb', '-n', 'default', late.name, '--wait=true', '--timeout=30s']);
          expect(await sim.roleOf(late.id)).toBeNull();
          await c.refused(key, from);
          expect((await c.ledger())[late.id]).toContain('default/late');
          await c.restore(key);
          await eventually('the ledger to forget the detached instance', async () => (await c.ledger())[late.id] === undefined, 60_000);
          late.id = allocateInstance();
          await c.applyBinding(late.name, late.id);
          await c.becomesReady(late.name);
        }, () => [c]), 120_000);

      it('without "core/events create": no Event is recorded (best effort: reconciling goes on, a warning is logged)', () =>
        withDiagnostics(async () => {
          const key = 'core/events create';
          const id = allocateInstance();
          await c.remove(key);
          const from = c.proxy.requests.length;
          await c.applyBinding('no-events', id);
          await c.refused(key, from);
          await eventually('binding Ready without Events', async () => isReady(await c.binding('no-events')), 30_000);
          expect(await c.events('no-events')).toEqual([]);
          await eventually('the operator to log the refused Event', async () => logged(c, 'could not record event').length > 0);
          await c.restore(key);
        }, () => [c]), 90_000);

      it('without "core/events patch": a repeated Event cannot be aggregated, its count stays 1', () =>
        withDiagnostics(async () => {
          const key = 'core/events patch';
          await c.remove(key);
          const from = c.proxy.requests.length;
          const warned = logged(c, 'could not record event').length;
          await c.driftTwice(late.name, late.id);
          await c.refused(key, from);
          const drift = (await c.events(late.name)).filter((e) => e.reason === 'DriftDetected');
          expect(drift.map((e) => e.count ?? 1)).toEqual([1]);
          await eventually('the operator to log the refused Event', async () => logged(c, 'could not record event').length > warned);
          await c.restore(key);
        }, () => [c]), 90_000);

      it('without "coordination.k8s.io/leases update": the Lease cannot be renewed, the leader stops leading and exits 1', () =>
        withDiagnostics(async () => {
          const key = 'coordination.k8s.io/leases update';
          await c.remove(key);
          await c.refused(key, c.proxy.requests.length);
          const exit = await c.operator.exited;
          expect(exit.code).toBe(1);
          expect(logged(c, 'could not renew the lease within the renew deadline; stopping leading').length).toBe(1);
          await c.restore(key);
        }, () => [c]), 90_000);
    });

    describe('operators started without a permission they need at start-up', () => {
      for (const [key, { breaks }] of Object.entries(FRESH_START)) {
        it(`without "${key}": ${breaks}`, async () => {
          const err = await freshResults.get(key);
          if (err) throw err;
        }, 120_000);
      }
    });
  });
});
