/**
 * One measured run over one world: start the operator (the Deployment's memory settings) and
 * time first convergence, then optionally a converged resync of every binding, the reaction to
 * new bindings, and a fleet-wide role change. Each phase records its cloud calls, its
 * Kubernetes writes and the operator's peak resident memory.
 */
import { writeFileSync } from 'node:fs';
import type { CallRecord } from '@ecs-role-operator/alicloud-sim';
import { RECONCILE_REQUESTED_AT_ANNOTATION } from '../../src/api/instance-role-binding.js';
import { type CallSummary, instancesCovered, summarizeCalls } from '../cloud-calls.js';
import { type WriteCounts, diffWrites } from '../kube-target.js';
import { heapFlagMiB } from '../deployment-settings.js';
import { type OperatorLaunch, OperatorProcess } from '../operator-process.js';
import { type MinimumCalls, convergeMinimum, qpsBoundSeconds, qpsFlag, resyncMinimum, roleChangeMinimum } from '../quotas.js';
import { sleep, waitUntil } from '../wait.js';
import { ROLE_A, ROLE_B, World, type WorldShape } from '../world.js';

/** How the operator calls the cloud: coalesced across bindings (the product), or each binding alone (the baseline). */
export type Strategy = 'coalesced' | 'per-binding';

export interface FleetRunOptions {
  root: string;
  shape: WorldShape;
  strategy: Strategy;
  nodeOptions: string;
  /** run --concurrency; undefined: run's default (what the Deployment gets when it passes none). */
  concurrency?: number;
  /** Further environment of the Deployment's container that shapes memory. */
  memoryEnv: Record<string, string>;
  resync: boolean;
  reactionSamples: number;
  roleChange: boolean;
  /** Gives up on a phase after this long. */
  phaseTimeoutMs: number;
  progress(line: string): void;
}

export interface PhaseResult {
  seconds: number;
  boundSeconds: number;
  minimum: MinimumCalls;
  calls: CallSummary;
  writes: WriteCounts;
  peakRssMiB: number;
}

export interface RolelessFigures {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  stillRoleless: number;
  /** How long the bench took to send the role change to every binding. */
  patchSeconds: number;
}

export interface FleetResult {
  shape: WorldShape;
  strategy: Strategy;
  instances: number;
  createSeconds: number;
  /** Operator process start to its first cloud call (modules, lists, ledger). */
  startupSeconds: number;
  /** First cloud call to every instance carrying the role. */
  converge: PhaseResult;
  /** The operator restarted over the converged world: every binding checked again, nothing to change. */
  resync?: PhaseResult & { startupSeconds: number };
  /** A pass of every binding asked for by annotation (the benchmark's 10,000 patches included). */
  requestedResync?: PhaseResult;
  reaction?: { p50Ms: number; p99Ms: number; samples: number; peakRssMiB: number };
  roleChange?: PhaseResult & { roleless: RolelessFigures };
  /** VmHWM at the end: the peak over the whole run. */
  peakRssMiB: number;
  /** The operator's --max-old-space-size (MiB), when set. */
  heapMiB: number | undefined;
}

/** Writes stop for this long: the wave of status writes after the last cloud call is over. */
const WRITES_SETTLED_MS = 2_000;
/** Calls stop for this long: the resync wave is over. */
const CALLS_SETTLED_MS = 1_500;
const REACTION_GIVE_UP_MS = 10_000;

export async function runFleet(opts: FleetRunOptions): Promise<FleetResult> {
  const { shape, progress } = opts;
  const world = await World.start(opts.root, shape);
  let operator: OperatorProcess | undefined;
  try {
    const label = `${opts.strategy} ${shape.targeting === 'selector' ? `1 selector binding over ${world.instances}` : `${shape.bindings} bindings x ${shape.perBinding}`} (${shape.kube})`;
    progress(`${label}: creating bindings...`);
    const created = Date.now();
    await world.createBindings();
    const createSeconds = (Date.now() - created) / 1000;

    progress(`${label}: bindings created in ${createSeconds.toFixed(1)} s; starting the operator`);
    const writesBefore = await world.kube.writes();
    world.cloud.calls.clear();
    const started = Date.now();
    const launch: OperatorLaunch = {
      root: opts.root,
      kubeconfig: world.kube.kubeconfigPath,
      cloudEndpoint: world.cloud.endpoint,
      nodeOptions: opts.nodeOptions,
      env: opts.memoryEnv,
      runFlags: ['--metrics-port', '0', '--health-port', '0', '--ecs-qps', '20', '--ecs-qps-per-action', qpsFlag(), ...(opts.concurrency !== undefined ? ['--concurrency', String(opts.concurrency)] : []), '--resync-period', '30m', '--log-level', process.env.BENCH_OPERATOR_LOG_LEVEL ?? 'error', '--cloud-strategy', opts.strategy],
    };
    operator = new OperatorProcess(launch);
    let op = operator;
    // Polled once a second (counting is not free while the simulator serves); the time is the last attach's answer.
    await waitUntil('first convergence', () => world.carrying(ROLE_A) >= world.instances, { timeoutMs: opts.phaseTimeoutMs, everyMs: 1_000, alive: op });
    const convergedAt = lastAnswerAt(world.cloud.calls.entries('AttachInstanceRamRole')) ?? Date.now();
    const firstCall = world.cloud.calls.entries()[0];
    const firstCallAt = firstCall ? Date.parse(firstCall.time) : started;
    // The QPS bound concerns the work: timed from the first cloud call; start-up (process, modules, lists) apart.
    const convergeSeconds = (convergedAt - firstCallAt) / 1000;
    const startupSeconds = (firstCallAt - started) / 1000;
    if (process.env.BENCH_CALL_TIMELINE) writeCallTimeline(process.env.BENCH_CALL_TIMELINE, world.cloud.calls.entries(), firstCallAt);
    const writesAfter = await settledWrites(world, op);
    const converge: PhaseResult = phase(convergeSeconds, convergeMinimum(world.instances, shape.targeting === 'selector'), world.cloud.calls.entries(), diffWrites(writesAfter, writesBefore), op.takePhasePeakMiB());
    progress(`${label}: converged in ${convergeSeconds.toFixed(1)} s after a start-up of ${startupSeconds.toFixed(1)} s`);
    const result: FleetResult = { shape, strategy: opts.strategy, instances: world.instances, createSeconds, startupSeconds, converge, peakRssMiB: 0, heapMiB: heapFlagMiB(opts.nodeOptions) };

    let earlierPeakMiB = 0;
    if (opts.resync) {
      result.requestedResync = await requestedResync(world, op, opts);
      await settledWrites(world, op);
      earlierPeakMiB = op.highWaterMiB();
      await op.stop();
      operator = op = new OperatorProcess(launch);
      result.resync = await resyncAfterRestart(world, op, opts);
    }
    if (opts.reactionSamples > 0) result.reaction = await reaction(world, op, opts.reactionSamples);
    if (opts.roleChange) result.roleChange = await roleChange(world, op, opts);
    result.peakRssMiB = Math.max(earlierPeakMiB, op.highWaterMiB());
    return result;
  } finally {
    await operator?.stop();
    await world.close();
  }
}

/** When the last successful call of these was answered. */
function lastAnswerAt(records: readonly CallRecord[]): number | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i] as CallRecord;
    if (r.code === '200') return Date.parse(r.time) + r.durationMs;
  }
  return undefined;
}

function phase(seconds: number, minimum: MinimumCalls, records: readonly CallRecord[], writes: WriteCounts, peakRssMiB: number): PhaseResult {
  return { seconds, boundSeconds: qpsBoundSeconds(minimum), minimum, calls: summarizeCalls(records), writes, peakRssMiB };
}

/** Kubernetes write counts once they stop changing (bounded by a minute). */
async function settledWrites(world: World, op: OperatorProcess): Promise<WriteCounts> {
  let last = JSON.stringify(await world.kube.writes());
  let stableSince = Date.now();
  const deadline = Date.now() + 60_000;
  for (;;) {
    await op.guard(sleep(500));
    const now = await world.kube.writes();
    const text = JSON.stringify(now);
    if (text !== last) {
      last = text;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= WRITES_SETTLED_MS || Date.now() > deadline) {
      return now;
    }
  }
}

/** Resolves once no call has arrived for CALLS_SETTLED_MS; returns the time of the last one. */
async function callsSettled(world: World, op: OperatorProcess): Promise<number> {
  for (;;) {
    const records = world.cloud.calls.entries();
    const last = records.length > 0 ? Date.parse(records[records.length - 1]!.time) : 0;
    if (Date.now() - last >= CALLS_SETTLED_MS) return last;
    await op.guard(sleep(250));
  }
}

/**
 * A converged resync: a new operator process (a rollout, a failover) checks every binding against
 * the cloud again, with nothing to change. Timed from its first cloud call to its last, like
 * convergence; its start-up apart.
 */
async function resyncAfterRestart(world: World, op: OperatorProcess, opts: FleetRunOptions): Promise<PhaseResult & { startupSeconds: number }> {
  opts.progress('resync: the operator restarted over the converged world...');
  const started = Date.now();
  world.cloud.calls.clear();
  const before = await world.kube.writes();
  op.takePhasePeakMiB();
  await waitUntil('resync: every role read again', () => instancesCovered(world.cloud.calls.entries('DescribeInstanceRamRole'), 'DescribeInstanceRamRole') >= world.instances, {
    timeoutMs: opts.phaseTimeoutMs,
    everyMs: 500,
    alive: op,
  });
  const lastCall = await callsSettled(world, op);
  const first = world.cloud.calls.entries()[0];
  const firstCallAt = first ? Date.parse(first.time) : started;
  const writes = diffWrites(await settledWrites(world, op), before);
  return { ...phase((lastCall - firstCallAt) / 1000, resyncMinimum(world.instances), world.cloud.calls.entries(), writes, op.takePhasePeakMiB()), startupSeconds: (firstCallAt - started) / 1000 };
}

/** A pass of every converged binding asked for with the reconcile-requested-at annotation, timed from the first patch. */
async function requestedResync(world: World, op: OperatorProcess, opts: FleetRunOptions): Promise<PhaseResult> {
  opts.progress(`resync: requesting a pass of every binding...`);
  world.cloud.calls.clear();
  const before = await world.kube.writes();
  op.takePhasePeakMiB();
  const start = Date.now();
  await op.guard(world.patchEveryBinding({ metadata: { annotations: { [RECONCILE_REQUESTED_AT_ANNOTATION]: new Date(start).toISOString() } } }, op));
  await waitUntil('resync: every role read again', () => instancesCovered(world.cloud.calls.entries('DescribeInstanceRamRole'), 'DescribeInstanceRamRole') >= world.instances, {
    timeoutMs: opts.phaseTimeoutMs,
    everyMs: 500,
    alive: op,
  });
  const lastCall = await callsSettled(world, op);
  const writes = diffWrites(await world.kube.writes(), before);
  delete writes.finalizer; // the bench's own annotation patches
  return phase((lastCall - start) / 1000, resyncMinimum(world.instances), world.cloud.calls.entries(), writes, op.takePhasePeakMiB());
}

/** Binding created -> first DescribeInstances naming its instance, one new binding at a time. */
async function reaction(world: World, op: OperatorProcess, samples: number): Promise<NonNullable<FleetResult['reaction']>> {
  world.cloud.calls.clear();
  op.takePhasePeakMiB();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const id = world.spareId(s);
    const t0 = Date.now();
    await op.guard(world.createSpareBinding(s));
    for (;;) {
      op.assertAlive();
      const seen = world.cloud.calls.entries('DescribeInstances').find((c) => Array.isArray(c.params.InstanceIds) && c.params.InstanceIds.includes(id));
      if (seen) {
        times.push(Date.parse(seen.time) - t0);
        break;
      }
      if (Date.now() - t0 > REACTION_GIVE_UP_MS) {
        times.push(Number.POSITIVE_INFINITY);
        break;
      }
      await sleep(2);
    }
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.max(0, Math.ceil((p / 100) * times.length) - 1))] ?? Number.NaN;
  return { p50Ms: pct(50), p99Ms: pct(99), samples, peakRssMiB: op.takePhasePeakMiB() };
}

/** Every binding changes its role at once (ROLE_A -> ROLE_B): time, calls, and each instance's roleless window. */
async function roleChange(world: World, op: OperatorProcess, opts: FleetRunOptions): Promise<NonNullable<FleetResult['roleChange']>> {
  opts.progress(`role change: every binding ${ROLE_A} -> ${ROLE_B}...`);
  await settledWrites(world, op);
  world.cloud.calls.clear();
  world.cloud.state.roleless.clear();
  const before = await world.kube.writes();
  op.takePhasePeakMiB();
  const start = Date.now();
  await op.guard(world.patchEveryBinding({ spec: { roleName: ROLE_B } }, op));
  const patchSeconds = (Date.now() - start) / 1000;
  await waitUntil('role change: every instance carries the new role', () => world.carrying(ROLE_B) >= world.instances, { timeoutMs: opts.phaseTimeoutMs, everyMs: 1_000, alive: op });
  const seconds = ((lastAnswerAt(world.cloud.calls.entries('AttachInstanceRamRole')) ?? Date.now()) - start) / 1000;
  const writes = diffWrites(await settledWrites(world, op), before);
  delete writes.finalizer; // the bench's own spec patches
  const summary = world.cloud.roleless().summary;
  return {
    ...phase(seconds, roleChangeMinimum(world.instances), world.cloud.calls.entries(), writes, op.takePhasePeakMiB()),
    roleless: { count: summary.count, p50Ms: summary.p50Ms, p99Ms: summary.p99Ms, maxMs: summary.maxMs, stillRoleless: summary.currentlyRoleless, patchSeconds },
  };
}

/**
 * Diagnostics, not a figure: BENCH_CALL_TIMELINE=FILE writes first convergence's cloud calls per
 * second since the first call (answered and throttled, by action) as tab-separated lines.
 */
function writeCallTimeline(file: string, records: readonly CallRecord[], firstCallAt: number): void {
  const perSecond = new Map<number, Map<string, number>>();
  for (const r of records) {
    const second = Math.floor((Date.parse(r.time) - firstCallAt) / 1000);
    const key = r.code === '200' ? r.action : `${r.action}:${r.code}`;
    const row = perSecond.get(second) ?? new Map<string, number>();
    row.set(key, (row.get(key) ?? 0) + 1);
    perSecond.set(second, row);
  }
  const lines = [...perSecond].sort((a, b) => a[0] - b[0]).map(([second, row]) => `${second}\t${[...row].map(([k, n]) => `${k}=${n}`).join(' ')}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}
