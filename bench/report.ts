/** The benchmark's tables, from the runs' results. */
import { sumThrottled } from './cloud-calls.js';
import type { DeploymentSettings } from './deployment-settings.js';
import type { FleetResult, PhaseResult } from './scenarios/fleet-run.js';
import { type Row, byAction, fixed, formatTable, ratio } from './table.js';

const GOALS = { convergeRatio: 1.1, resyncCallsRatio: 1.05, resyncTimeRatio: 1.1, reactionP99Ms: 100, peakRssMiB: 200, headroom: 0.25, rolelessP99Ms: 1_000 };

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const perBinding = (n: number, bindings: number) => (bindings > 0 ? (n / bindings).toFixed(2) : '-');
const minimumTotal = (p: PhaseResult) => sum(p.minimum);

function writesText(p: PhaseResult, bindings: number): string {
  const parts = Object.entries(p.writes).sort().map(([k, n]) => `${k} ${n}`);
  return `${sum(p.writes)} (${perBinding(sum(p.writes), bindings)}/binding: ${parts.join(', ')})`;
}

/** The main world on each Kubernetes target: convergence, resync, reaction, memory. */
export function mainTable(results: readonly FleetResult[], settings: DeploymentSettings): string {
  const limit = settings.memoryLimitMiB ?? Number.NaN;
  const header = ['metric', ...results.map((r) => r.shape.kube), 'goal'];
  const row = (metric: string, cell: (r: FleetResult) => string, goal = ''): Row => [metric, ...results.map(cell), goal];
  const peakOf = (r: FleetResult) => Math.max(r.converge.peakRssMiB, r.requestedResync?.peakRssMiB ?? 0, r.resync?.peakRssMiB ?? 0, r.reaction?.peakRssMiB ?? 0, r.roleChange?.peakRssMiB ?? 0, r.peakRssMiB);
  const rows: Row[] = [
    row('bindings / instances', (r) => `${r.shape.bindings} / ${r.instances}`),
    row('bindings created in (s)', (r) => fixed(r.createSeconds)),
    row('operator start-up to first cloud call (s)', (r) => fixed(r.startupSeconds)),
    row('converge time (s)', (r) => `${fixed(r.converge.seconds)} (bound ${fixed(r.converge.boundSeconds)}, ${ratio(r.converge.seconds, r.converge.boundSeconds)})`, `<= ${GOALS.convergeRatio}x the QPS bound`),
    row('converge calls', (r) => byAction(r.converge.calls.ok), (() => `minimum ${byAction(results[0]?.converge.minimum ?? {})}`)()),
    row('converge throttled answers', (r) => String(sumThrottled(r.converge.calls))),
    row('Kubernetes writes, first convergence', (r) => writesText(r.converge, r.shape.bindings)),
    row('resync calls (operator restarted)', (r) => (r.resync ? `${r.resync.calls.total} (${byAction(r.resync.calls.ok)}; ${ratio(r.resync.calls.total, minimumTotal(r.resync))} the minimum)` : '-'), `<= ${GOALS.resyncCallsRatio}x minimum, no Attach/Detach`),
    row('resync time (s)', (r) => (r.resync ? `${fixed(r.resync.seconds)} (bound ${fixed(r.resync.boundSeconds)}, ${ratio(r.resync.seconds, r.resync.boundSeconds)}; start-up ${fixed(r.resync.startupSeconds)} s apart)` : '-'), `<= ${GOALS.resyncTimeRatio}x the bound`),
    row('resync Kubernetes writes', (r) => (r.resync ? writesText(r.resync, r.shape.bindings) : '-'), '<= 1/binding (the status: lastSyncTime)'),
    row('resync asked of every binding (annotation)', (r) => (r.requestedResync ? `${r.requestedResync.calls.total} calls (${ratio(r.requestedResync.calls.total, minimumTotal(r.requestedResync))} the minimum) in ${fixed(r.requestedResync.seconds)} s, from the first of the benchmark's ${r.shape.bindings} patches` : '-')),
    row('reaction p50 / p99 (ms)', (r) => (r.reaction ? `${r.reaction.p50Ms} / ${r.reaction.p99Ms} (${r.reaction.samples} samples)` : '-'), `p99 < ${GOALS.reactionP99Ms}`),
    row('peak RSS: converge / asked resync / restart resync / reaction / role change (MiB)', (r) => [r.converge.peakRssMiB, r.requestedResync?.peakRssMiB, r.resync?.peakRssMiB, r.reaction?.peakRssMiB, r.roleChange?.peakRssMiB].map((v) => fixed(v, 0)).join(' / ')),
    row('peak RSS, whole run (MiB)', (r) => `${fixed(peakOf(r), 0)} (headroom ${fixed((1 - peakOf(r) / limit) * 100, 0)}% of ${fixed(limit, 0)} Mi)`, `< ${GOALS.peakRssMiB} MiB, >= ${GOALS.headroom * 100}% headroom`),
  ];
  return formatTable(`First convergence, resync, reaction (operator: NODE_OPTIONS="${settings.nodeOptions}"${Object.entries(settings.memoryEnv).map(([k, v]) => ` ${k}=${v}`).join('')}, limit ${fixed(limit, 0)} Mi, --concurrency ${settings.concurrency ?? "run's default"}, from ${DEPLOYMENT_NOTE})`, header, rows);
}

const DEPLOYMENT_NOTE = 'deploy/manager/deployment.yaml';

/** The fleet-wide role change: each instance's roleless window. */
export function rolelessTable(results: readonly FleetResult[]): string {
  const header = ['target', 'instances', 'windows', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'still roleless', 'total time (s)', 'QPS bound (s)', 'ratio', 'calls', 'patches sent in (s)', 'last attach after the last patch (s)'];
  const rows: Row[] = results.flatMap((r) => {
    const c = r.roleChange;
    if (!c) return [];
    return [[r.shape.kube, String(r.instances), String(c.roleless.count), fixed(c.roleless.p50Ms, 0), fixed(c.roleless.p99Ms, 0), fixed(c.roleless.maxMs, 0), String(c.roleless.stillRoleless), fixed(c.seconds), fixed(c.boundSeconds), ratio(c.seconds, c.boundSeconds), `${byAction(c.calls.ok)}; throttled ${sumThrottled(c.calls)}`, fixed(c.roleless.patchSeconds), fixed(c.seconds - c.roleless.patchSeconds)]];
  });
  return formatTable(`Every binding changes its role at once (goal: p99 window < ${GOALS.rolelessP99Ms} ms, total <= 1.1x the QPS bound of detach + attach; the clock starts at the benchmark's first patch, so it cannot end before its last)`, header, rows);
}

/** The same world, coalesced across bindings vs each binding alone. */
export function baselineTable(coalesced: FleetResult, alone: FleetResult): string {
  const header = ['metric', 'coalesced (this operator)', 'per-binding (baseline)', 'baseline / coalesced'];
  const r = (metric: string, a: number, b: number, digits = 0): Row => [metric, fixed(a, digits), fixed(b, digits), ratio(b, a)];
  const calls = (f: FleetResult) => f.converge.calls.total;
  const rows: Row[] = [
    r('converge: cloud calls', calls(coalesced), calls(alone)),
    ...['AttachInstanceRamRole', 'DescribeInstanceRamRole', 'DescribeInstances'].map((a) => r(`  ${a}`, coalesced.converge.calls.ok[a] ?? 0, alone.converge.calls.ok[a] ?? 0)),
    r('converge: time (s)', coalesced.converge.seconds, alone.converge.seconds, 1),
    r('resync (restart): cloud calls', coalesced.resync?.calls.total ?? Number.NaN, alone.resync?.calls.total ?? Number.NaN),
    r('resync (restart): time (s)', coalesced.resync?.seconds ?? Number.NaN, alone.resync?.seconds ?? Number.NaN, 1),
    r('peak RSS (MiB)', coalesced.peakRssMiB, alone.peakRssMiB),
  ];
  return formatTable(`Coalesced vs per-binding over the same world (${coalesced.shape.bindings} bindings x ${coalesced.shape.perBinding} instances, emulator)`, header, rows);
}

/** How cost grows with the fleet. */
export function scalingTable(results: readonly FleetResult[]): string {
  const header = ['bindings', 'instances', 'start-up (s)', 'converge (s)', 'QPS bound (s)', 'ratio', 'calls by action', 'throttled', 'Kubernetes writes', 'writes/binding', 'heap limit (MiB)', 'peak RSS (MiB)'];
  const rows: Row[] = results.map((r) => [
    r.shape.targeting === 'selector' ? '1 (selector)' : String(r.shape.bindings),
    String(r.instances),
    fixed(r.startupSeconds),
    fixed(r.converge.seconds),
    fixed(r.converge.boundSeconds),
    ratio(r.converge.seconds, r.converge.boundSeconds),
    byAction(r.converge.calls.ok),
    String(sumThrottled(r.converge.calls)),
    String(sum(r.converge.writes)),
    perBinding(sum(r.converge.writes), r.shape.bindings),
    r.heapMiB === undefined ? '-' : String(r.heapMiB),
    fixed(r.peakRssMiB, 0),
  ]);
  return formatTable('Scaling: first convergence (emulator; 5 instances a binding, and one binding selecting by tag; past 10,000 bindings the heap grows in proportion, as an overlay for that fleet would set it)', header, rows);
}
