/** The benchmark's flags. */
import type { KubeKind } from './kube-target.js';

export const SCENARIOS = ['main', 'roleless', 'baseline', 'scaling'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchArgs {
  scenarios: Set<Scenario>;
  /** The main world (convergence, resync, reaction, role change). */
  bindings: number;
  instances: number;
  reactionSamples: number;
  /** Kubernetes targets of the main world. */
  kube: KubeKind[];
  /** The world both strategies run over. */
  baselineBindings: number;
  /** Bindings of each scaling row (5 instances each). */
  scalingSizes: number[];
  /** Instances of the one-selector scaling row (0: none). */
  selectorInstances: number;
  /** Overrides the Deployment's --max-old-space-size (MiB). */
  heapMiB?: number;
  /** run --concurrency of the operator; default: what the Deployment passes (run's own default when it passes none). */
  concurrency?: number;
}

export const USAGE = `make bench ARGS="..." flags:
  --scenario LIST          comma list of ${SCENARIOS.join(', ')} or all (default all)
  --kube T                 emulator, real or both: where the main world runs (default emulator; make bench KUBE=real)
  --bindings N             main world bindings (default 10000)
  --instances M            main world instances, a multiple of N (default 50000)
  --reaction-samples K     bindings created one at a time for the reaction time (default 200)
  --baseline-bindings N    bindings (5 instances each) of the coalesced vs per-binding comparison (default 2000)
  --scaling LIST           bindings of each scaling row, 5 instances each (default 1000,5000,10000,20000)
  --selector-instances M   instances of the one-selector scaling row, 0 for none (default 50000)
  --operator-heap-mb H     override the Deployment's --max-old-space-size
  --operator-concurrency C override the Deployment's run --concurrency (bindings reconciled at once)`;

const positive = (flag: string, v: string | undefined, allowZero = false): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} whole number, got ${v ?? 'nothing'}`);
  return n;
};

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = {
    scenarios: new Set(SCENARIOS),
    bindings: 10_000,
    instances: 50_000,
    reactionSamples: 200,
    kube: ['emulator'],
    baselineBindings: 2_000,
    scalingSizes: [1_000, 5_000, 10_000, 20_000],
    selectorInstances: 50_000,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
      case '--scenario': {
        const list = (value ?? '').split(',').filter(Boolean);
        if (list.includes('all')) break;
        const bad = list.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
        if (list.length === 0 || bad.length > 0) throw new Error(`--scenario: unknown ${bad.join(', ') || 'nothing'}; use ${SCENARIOS.join(', ')} or all`);
        args.scenarios = new Set(list as Scenario[]);
        break;
      }
      case '--kube':
        if (value === 'emulator' || value === 'real') args.kube = [value];
        else if (value === 'both') args.kube = ['emulator', 'real'];
        else throw new Error(`--kube: use emulator, real or both, got ${value ?? 'nothing'}`);
        break;
      case '--bindings': args.bindings = positive(flag, value); break;
      case '--instances': args.instances = positive(flag, value); break;
      case '--reaction-samples': args.reactionSamples = positive(flag, value, true); break;
      case '--baseline-bindings': args.baselineBindings = positive(flag, value); break;
      case '--scaling': args.scalingSizes = (value ?? '').split(',').map((v) => positive(flag, v)); break;
      case '--selector-instances': args.selectorInstances = positive(flag, value, true); break;
      case '--operator-heap-mb': args.heapMiB = positive(flag, value); break;
      case '--operator-concurrency': args.concurrency = positive(flag, value); break;
      default:
        throw new Error(`unknown flag ${flag ?? ''}\n${USAGE}`);
    }
  }
  if (args.instances % args.bindings !== 0) throw new Error('--instances must be a multiple of --bindings');
  return args;
}
