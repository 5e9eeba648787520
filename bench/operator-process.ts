/**
 * The operator under measurement, as its own process (dist/ecs-role-operator.mjs run, the bundle the image runs) with the
 * Deployment's NODE_OPTIONS, so its memory is its own. Keeps its last log lines; when it exits
 * before stop(), every wait of the benchmark fails at once with OperatorExited, naming the exit
 * code or signal and quoting those lines. Samples its resident memory for per-phase peaks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Liveness } from './wait.js';

export interface OperatorLaunch {
  root: string;
  kubeconfig: string;
  cloudEndpoint: string;
  /** NODE_OPTIONS of the process (the Deployment's). */
  nodeOptions: string;
  /** run's flags after the connection ones (QPS, concurrency, ...). */
  runFlags: string[];
  /** Extra environment (bench-only switches). */
  env?: Record<string, string>;
}

/** How many of the operator's last output lines an OperatorExited error quotes. */
const TAIL_LINES = 15;
/**
 * Extra node flags for the operator process, for looking inside a run (not part of any figure):
 * BENCH_OPERATOR_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" make bench ...
 */
const EXTRA_NODE_ARGS = (process.env.BENCH_OPERATOR_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
/** A file that gets every line the operator prints (BENCH_OPERATOR_OUTPUT=/tmp/operator.log), e.g. with --trace-gc. */
const OUTPUT_FILE = process.env.BENCH_OPERATOR_OUTPUT;
const SAMPLE_MS = 200;
const NATIVE_FRAME = /^\s*\d+: 0x[0-9a-f]+ /;

export class OperatorExited extends Error {}

export class OperatorProcess implements Liveness {
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stopping = false;
  private readonly sampler: NodeJS.Timeout;
  private phasePeakKiB = 0;
  readonly exited: Promise<void>;

  constructor(launch: OperatorLaunch) {
    this.child = spawn(process.execPath, [...EXTRA_NODE_ARGS, join(launch.root, 'dist/ecs-role-operator.mjs'), 'run', '--kubeconfig', launch.kubeconfig, '--ecs-endpoint', launch.cloudEndpoint, '--ram-endpoint', launch.cloudEndpoint, '--protocol', 'http', ...launch.runFlags], {
      env: {
        ...process.env,
        NODE_OPTIONS: launch.nodeOptions,
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tBench',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'bench-secret',
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        ...launch.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const copy = OUTPUT_FILE ? createWriteStream(OUTPUT_FILE, { flags: 'a' }) : undefined;
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      if (copy) stream.pipe(copy, { end: false });
      createInterface({ input: stream }).on('line', (line) => {
        // V8's native stack frames after a fatal error say less than the lines before them.
        if (NATIVE_FRAME.test(line)) return;
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
      });
    }
    // Never outlive the benchmark (Ctrl-C, a failure): the operator goes when this process goes.
    // The listener leaves with the operator, so a run of many operators does not pile them up.
    const child = this.child;
    const killOnExit = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        process.removeListener('exit', killOnExit);
        resolve();
      });
    });
    this.sampler = setInterval(() => (this.phasePeakKiB = Math.max(this.phasePeakKiB, this.rssKiB())), SAMPLE_MS);
    this.sampler.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  assertAlive(): void {
    if (!this.exit || this.stopping) return;
    const how = this.exit.signal ? `was killed by ${this.exit.signal}` : `exited with code ${this.exit.code}`;
    const lines = this.tail.length > 0 ? this.tail.map((l) => `  | ${l}`).join('\n') : '  (no output)';
    throw new OperatorExited(`the operator process ${how} while the benchmark was running; its last output lines:\n${lines}`);
  }

  /** Resolves like `work`, or fails as soon as the operator exits. */
  async guard<T>(work: Promise<T>): Promise<T> {
    const died = this.exited.then(() => {
      this.assertAlive();
      return work;
    });
    return Promise.race([work, died]);
  }

  /** Peak resident memory since the last call (sampled), in MiB, then starts a new phase. */
  takePhasePeakMiB(): number {
    const peak = Math.max(this.phasePeakKiB, this.rssKiB());
    this.phasePeakKiB = 0;
    return peak / 1024;
  }

  /** The kernel's high-water mark of the process's resident memory (VmHWM), in MiB. */
  highWaterMiB(): number {
    return statusKiB(this.child.pid, 'VmHWM') / 1024;
  }

  private rssKiB(): number {
    return statusKiB(this.child.pid, 'VmRSS');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sampler);
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const forced = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(forced);
  }
}

function statusKiB(pid: number | undefined, field: string): number {
  if (!pid) return 0;
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
