/**
 * `make bench`: the operator (its own process, the Deployment's memory settings) against the
 * cloud simulator and a Kubernetes target, in scenarios selected by --scenario (default all):
 *
 *   main      10,000 bindings over 50,000 instances: first convergence against the QPS bound,
 *             calls by action, Kubernetes writes per binding, a converged resync, the reaction
 *             to new bindings (p50/p99), peak RSS per phase; on the emulator and/or a real
 *             kube-apiserver (--kube)
 *   roleless  in the main world, every binding changes its role at once: each instance's
 *             roleless window (p50/p99/max), total time against the QPS bound
 *   baseline  the same world with the calls coalesced across bindings and with each binding
 *             calling alone (the operator's bench-only --cloud-strategy per-binding)
 *   scaling   first convergence at 1k, 5k, 10k, 20k bindings and one selector over 50k instances
 *
 * If the operator process dies, the benchmark stops at once, quotes its last output and exits 1.
 */
import { USAGE, parseBenchArgs } from './args.js';
import { nodeOptionsFor, readDeploymentSettings, withHeapMiB } from './deployment-settings.js';
import { OperatorExited } from './operator-process.js';
import { baselineTable, mainTable, rolelessTable, scalingTable } from './report.js';
import { type FleetResult, type FleetRunOptions, runFleet } from './scenarios/fleet-run.js';
import { packageRoot } from '../src/util/package-root.js';
import type { WorldShape } from './world.js';

const PER_BINDING = 5;
const PHASE_TIMEOUT_MS = 15 * 60_000;

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const root = packageRoot();
  const settings = readDeploymentSettings(root);
  const nodeOptions = args.heapMiB !== undefined ? withHeapMiB(settings.nodeOptions, args.heapMiB) : settings.nodeOptions;
  const concurrency = args.concurrency ?? settings.concurrency;
  const effective = { ...settings, nodeOptions, concurrency };
  const began = Date.now();
  const progress = (line: string) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const shape = (bindings: number, perBinding: number, kube: WorldShape['kube'], spares = 0): WorldShape => ({ targeting: 'ids', bindings, perBinding, spares, kube });
  const run = (o: Partial<FleetRunOptions> & Pick<FleetRunOptions, 'shape'>): Promise<FleetResult> =>
    runFleet({ root, strategy: 'coalesced', nodeOptions, ...(concurrency !== undefined ? { concurrency } : {}), memoryEnv: settings.memoryEnv, resync: false, reactionSamples: 0, roleChange: false, phaseTimeoutMs: PHASE_TIMEOUT_MS, progress, ...o });
  const out: string[] = [];
  const print = (table: string) => {
    out.push(table);
    process.stdout.write(`${table}\n`);
  };

  const main = args.scenarios.has('main');
  const roleless = args.scenarios.has('roleless');
  const mainResults: FleetResult[] = [];
  if (main || roleless) {
    for (const kube of args.kube) {
      mainResults.push(await run({
        shape: shape(args.bindings, args.instances / args.bindings, kube, main ? args.reactionSamples : 0),
        resync: main,
        reactionSamples: main ? args.reactionSamples : 0,
        roleChange: roleless,
      }));
    }
    if (main) print(mainTable(mainResults, effective));
    if (roleless) print(rolelessTable(mainResults));
  }
  if (args.scenarios.has('baseline')) {
    const world = shape(args.baselineBindings, PER_BINDING, 'emulator');
    const coalesced = await run({ shape: world, resync: true });
    const alone = await run({ shape: world, resync: true, strategy: 'per-binding' });
    print(baselineTable(coalesced, alone));
  }
  if (args.scenarios.has('scaling')) {
    const rows: FleetResult[] = [];
    for (const bindings of args.scalingSizes) {
      const same = mainResults.find((r) => r.shape.kube === 'emulator' && r.shape.bindings === bindings && r.shape.perBinding === PER_BINDING);
      // Past the fleet the Deployment is sized for, the heap an overlay for that fleet would set.
      rows.push(same ?? (await run({ shape: shape(bindings, PER_BINDING, 'emulator'), nodeOptions: nodeOptionsFor(nodeOptions, bindings) })));
    }
    if (args.selectorInstances > 0) rows.push(await run({ shape: { targeting: 'selector', bindings: 1, perBinding: args.selectorInstances, spares: 0, kube: 'emulator' } }));
    print(scalingTable(rows));
  }
  progress(`done in ${((Date.now() - began) / 60_000).toFixed(1)} min`);
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err: unknown) => {
  if (err instanceof OperatorExited) process.stderr.write(`\nbench stopped: ${err.message}\n`);
  else process.stderr.write(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n${err instanceof Error && err.message.startsWith('unknown flag') ? '' : `\n${USAGE}\n`}`);
  process.exit(1);
});
