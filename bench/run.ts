/**
 * `make bench`: measures the operator against the simulators and prints a table.
 *
 *   convergence  N bindings over M instances (default 10,000 over 50,000) from nothing to all
 *                bound; compares the time with the bound the cloud's QPS limits set, counts calls
 *                by action, then runs a converged resync and counts mutating calls (must be 0).
 *   reaction     time from creating a binding to the operator's first cloud call about it (p50/p99).
 *   memory       the operator process's peak resident memory (VmHWM) during the run.
 *
 * The simulators run in this process; the operator runs as its own process (dist/src/cli/main.js
 * run), so its memory is its own. Flags: --bindings N --instances M (M must be a multiple of N).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { parseFleet } from '@ecs-role-operator/alicloud-sim';
import { startKubeEmulator } from '@ecs-role-operator/kube-emulator';
import { packageRoot } from '../src/util/package-root.js';

interface Args {
  bindings: number;
  instances: number;
  reactionSamples: number;
  /** V8 old-space limit of the operator process, as the Deployment sets it (NODE_OPTIONS). */
  operatorHeapMb: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { bindings: 10_000, instances: 50_000, reactionSamples: 200, operatorHeapMb: 160 };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a positive whole number`);
    if (flag === '--bindings') args.bindings = value;
    else if (flag === '--instances') args.instances = value;
    else if (flag === '--reaction-samples') args.reactionSamples = value;
    else if (flag === '--operator-heap-mb') args.operatorHeapMb = value;
    else throw new Error(`unknown flag ${flag}; use --bindings N --instances M --reaction-samples K --operator-heap-mb H`);
  }
  if (args.instances % args.bindings !== 0) throw new Error('--instances must be a multiple of --bindings');
  return args;
}

const QPS = { AttachInstanceRamRole: 20, DetachInstanceRamRole: 20, DescribeInstanceRamRole: 50, DescribeInstances: 50, GetRole: 20 };

interface Call {
  time: string;
  action: string;
  params: Record<string, unknown>;
  code: string;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = packageRoot();
  const perBinding = args.instances / args.bindings;
  const fleet = parseFleet(`
accessKeys:
  - {id: LTAI5tBench, secret: bench-secret, allow: ["*"]}
roles:
  - {name: BenchRole, trustedServices: [ecs.aliyuncs.com]}
regions:
  - id: cn-hangzhou
    generate:
      - {count: ${args.instances + args.reactionSamples}, idPrefix: i-bench, network: vpc, vpcId: vpc-bench}
limits:
  qps: ${JSON.stringify(QPS)}
`);
  const ids = (n: number) => `i-bench${String(n).padStart(String(args.instances + args.reactionSamples).length, '0')}`;
  const dir = mkdtempSync(join(tmpdir(), 'irb-bench-'));
  const kube = await startKubeEmulator({ port: 0, kubeconfigOut: join(dir, 'kubeconfig'), crdPaths: ['instancerolebindings', 'instancerolepolicies'].map((plural) => join(root, `crds/${plural}.roles.ecs.dev.yaml`)) });
  const cloud = await startCloudSimulator({ fleet, port: 0 });
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const api = kc.makeApiClient(CustomObjectsApi);
  // Tenancy is enforced: the operator's namespace (its ownership ledger) and a policy for the bench's namespace.
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'ecs-role-operator-system' } } });
  await api.createClusterCustomObject({
    group: 'roles.ecs.dev', version: 'v1alpha1', plural: 'instancerolepolicies',
    body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRolePolicy', metadata: { name: 'bench' }, spec: { namespaces: ['default'], roles: ['BenchRole'] } },
  });
  const create = (name: string, instanceIds: string[]) =>
    api.createNamespacedCustomObject({
      group: 'roles.ecs.dev', version: 'v1alpha1', namespace: 'default', plural: 'instancerolebindings',
      body: { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', metadata: { name }, spec: { regionId: 'cn-hangzhou', roleName: 'BenchRole', instanceIds } },
    });

  process.stderr.write(`creating ${args.bindings} bindings over ${args.instances} instances...\n`);
  const queue = Array.from({ length: args.bindings }, (_, b) => b);
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
        await create(`bench-${b}`, Array.from({ length: perBinding }, (_, k) => ids(b * perBinding + k + 1)));
      }
    }),
  );

  const operator = spawnOperator(root, kube.kubeconfigPath, cloud.endpoint, args.operatorHeapMb);
  const started = Date.now();
  let peakRssKiB = 0;
  const sampler = setInterval(() => (peakRssKiB = Math.max(peakRssKiB, rssKiB(operator.pid))), 250);

  const bound = (): Promise<number> => countBound(cloud.url);
  for (;;) {
    const n = await bound();
    if (n >= args.instances) break;
    if (Date.now() - started > 30 * 60_000) throw new Error(`not converged after 30 minutes: ${n}/${args.instances} bound`);
    await sleep(500);
  }
  const convergeSeconds = (Date.now() - started) / 1000;
  const convergeCalls = await calls(cloud.url);
  const count = (action: string) => convergeCalls.filter((c) => c.action === action && c.code === '200').length;
  const lowerBound = Math.max(
    Math.ceil(args.instances / 100) / QPS.AttachInstanceRamRole,
    Math.ceil(args.instances / 50) / QPS.DescribeInstanceRamRole,
    Math.ceil(args.instances / 100) / QPS.DescribeInstances,
  );

  // A converged resync: ask every binding for a pass, count what it costs.
  await fetch(`${cloud.url}/sim/calls`, { method: 'DELETE' });
  const resyncStart = Date.now();
  const keys = Array.from({ length: args.bindings }, (_, b) => `bench-${b}`);
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let k = keys.shift(); k !== undefined; k = keys.shift()) {
        await api.patchNamespacedCustomObject(
          { group: 'roles.ecs.dev', version: 'v1alpha1', namespace: 'default', plural: 'instancerolebindings', name: k, body: { metadata: { annotations: { 'roles.ecs.dev/reconcile-requested-at': 'bench' } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ).catch(() => undefined);
      }
    }),
  );
  let resyncCalls: Call[] = [];
  for (;;) {
    resyncCalls = await calls(cloud.url);
    const described = resyncCalls.filter((c) => c.action === 'DescribeInstanceRamRole').length;
    if (described >= Math.ceil(args.instances / 50) || Date.now() - resyncStart > 10 * 60_000) break;
    await sleep(500);
  }
  const resyncSeconds = (Date.now() - resyncStart) / 1000;
  const resyncMutations = resyncCalls.filter((c) => c.action === 'AttachInstanceRamRole' || c.action === 'DetachInstanceRamRole').length;

  // Reaction: binding created -> first DescribeInstances naming its instance.
  await fetch(`${cloud.url}/sim/calls`, { method: 'DELETE' });
  const reactions: number[] = [];
  for (let s = 0; s < args.reactionSamples; s++) {
    const id = ids(args.instances + s + 1);
    const t0 = Date.now();
    await create(`react-${s}`, [id]);
    for (;;) {
      const seen = (await calls(cloud.url)).find((c) => c.action === 'DescribeInstances' && String(c.params.InstanceIds ?? '').includes(id));
      if (seen) {
        reactions.push(Date.parse(seen.time) - t0);
        break;
      }
      if (Date.now() - t0 > 10_000) {
        reactions.push(Number.POSITIVE_INFINITY);
        break;
      }
      await sleep(2);
    }
  }
  clearInterval(sampler);
  peakRssKiB = Math.max(peakRssKiB, hwmKiB(operator.pid));
  operator.kill('SIGTERM');
  await cloud.close();
  await kube.close();

  reactions.sort((a, b) => a - b);
  const pct = (p: number) => reactions[Math.min(reactions.length - 1, Math.floor((p / 100) * reactions.length))] ?? NaN;
  const rows: Array<[string, string, string]> = [
    ['bindings / instances', `${args.bindings} / ${args.instances}`, ''],
    ['converge time (s)', convergeSeconds.toFixed(1), `QPS bound ${lowerBound.toFixed(1)} s, ratio ${(convergeSeconds / lowerBound).toFixed(2)} (target <= 1.10)`],
    ['AttachInstanceRamRole calls', String(count('AttachInstanceRamRole')), `minimum ${Math.ceil(args.instances / 100)}`],
    ['DescribeInstanceRamRole calls', String(count('DescribeInstanceRamRole')), `minimum ${Math.ceil(args.instances / 50)}`],
    ['DescribeInstances calls', String(count('DescribeInstances')), `minimum ${Math.ceil(args.instances / 100)}`],
    ['Throttling answers', String(convergeCalls.filter((c) => c.code === 'Throttling').length), ''],
    ['converged resync: mutating calls', String(resyncMutations), 'target 0'],
    ['converged resync: time (s)', resyncSeconds.toFixed(1), `${resyncCalls.length} calls`],
    ['reaction p50 / p99 (ms)', `${pct(50)} / ${pct(99)}`, `${reactions.length} samples, target p99 < 100`],
    ['operator peak RSS (MiB)', (peakRssKiB / 1024).toFixed(0), `target < 200 (heap limit --max-old-space-size=${args.operatorHeapMb})`],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write(`\n${'metric'.padEnd(w0)}  ${'value'.padEnd(w1)}  note\n${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ----\n`);
  for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}\n`);
  process.exit(0);
}

function spawnOperator(root: string, kubeconfig: string, endpoint: string, heapMb: number): ChildProcess {
  const qps = Object.entries(QPS).map(([a, n]) => `${a}=${n}`).join(',');
  return spawn(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, join(root, 'dist/src/cli/main.js'), 'run', '--kubeconfig', kubeconfig, '--ecs-endpoint', endpoint, '--ram-endpoint', endpoint, '--protocol', 'http',
      '--metrics-port', '0', '--health-port', '0', '--ecs-qps', '20', '--ecs-qps-per-action', qps, '--concurrency', '256', '--resync-period', '30m', '--log-level', 'error'],
    { env: { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tBench', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'bench-secret', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

async function countBound(url: string): Promise<number> {
  const state = (await (await fetch(`${url}/sim/state`)).json()) as { regions: Array<{ instances: Array<{ ramRole?: string | null }> }> };
  return state.regions.flatMap((r) => r.instances).filter((i) => i.ramRole === 'BenchRole').length;
}

async function calls(url: string): Promise<Call[]> {
  return (await (await fetch(`${url}/sim/calls`)).json()) as Call[];
}

function statusField(pid: number | undefined, field: string): number {
  if (!pid) return 0;
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
const rssKiB = (pid: number | undefined) => statusField(pid, 'VmRSS');
const hwmKiB = (pid: number | undefined) => statusField(pid, 'VmHWM');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
