/**
 * The operator's memory settings as the shipped Deployment sets them (deploy/manager/deployment.yaml):
 * the NODE_OPTIONS of its container and its memory limit. The benchmark runs the operator with
 * exactly these, so there is no second copy to drift.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface DeploymentSettings {
  /** The container's NODE_OPTIONS ("" when unset). */
  nodeOptions: string;
  /** The container's other literal environment variables that shape memory (MALLOC_*, UV_THREADPOOL_SIZE). */
  memoryEnv: Record<string, string>;
  /** --max-old-space-size from NODE_OPTIONS, in MiB; undefined when unset. */
  heapMiB: number | undefined;
  /** resources.limits.memory in MiB; undefined when unset. */
  memoryLimitMiB: number | undefined;
  /** run --concurrency from the container's args; undefined when it passes none (run's default applies). */
  concurrency: number | undefined;
  /** Where they were read from. */
  source: string;
}

export const DEPLOYMENT_PATH = 'deploy/manager/deployment.yaml';
const CONTAINER = 'operator';
const MEMORY_ENV = /^(MALLOC_\w+|UV_THREADPOOL_SIZE)$/;

interface ContainerShape {
  name?: string;
  args?: string[];
  env?: Array<{ name?: string; value?: string }>;
  resources?: { limits?: { memory?: string | number } };
}

export function readDeploymentSettings(root: string): DeploymentSettings {
  const source = join(root, DEPLOYMENT_PATH);
  const doc = parse(readFileSync(source, 'utf8')) as { spec?: { template?: { spec?: { containers?: ContainerShape[] } } } };
  const container = doc.spec?.template?.spec?.containers?.find((c) => c.name === CONTAINER);
  if (!container) throw new Error(`${source}: no container named "${CONTAINER}"`);
  const nodeOptions = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
  const memoryEnv = Object.fromEntries(
    (container.env ?? []).flatMap((e) => (e.name && e.value !== undefined && MEMORY_ENV.test(e.name) ? [[e.name, e.value]] : [])),
  );
  const limit = container.resources?.limits?.memory;
  return {
    nodeOptions,
    memoryEnv,
    heapMiB: heapFlagMiB(nodeOptions),
    memoryLimitMiB: limit === undefined ? undefined : quantityMiB(String(limit)),
    concurrency: concurrencyFlag(container.args ?? []),
    source,
  };
}

/** The value of --concurrency N (or --concurrency=N) in run's arguments. */
export function concurrencyFlag(args: readonly string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg === '--concurrency' ? args[i + 1] : arg.startsWith('--concurrency=') ? arg.slice('--concurrency='.length) : undefined;
    if (value !== undefined) return Number(value);
  }
  return undefined;
}

/** The fleet the shipped memory settings are sized for (docs/operations.md, "Memory"). */
export const DESIGN_BINDINGS = 10_000;

/**
 * NODE_OPTIONS for a fleet of `bindings`: the shipped ones up to DESIGN_BINDINGS; past that, the
 * heap grown in proportion (what the docs tell an overlay for a larger fleet to set).
 */
export function nodeOptionsFor(nodeOptions: string, bindings: number): string {
  const heap = heapFlagMiB(nodeOptions);
  if (heap === undefined || bindings <= DESIGN_BINDINGS) return nodeOptions;
  return withHeapMiB(nodeOptions, Math.ceil((heap * bindings) / DESIGN_BINDINGS));
}

/** NODE_OPTIONS with --max-old-space-size set to `heapMiB`. */
export function withHeapMiB(nodeOptions: string, heapMiB: number): string {
  return `${nodeOptions.replace(/--max-old-space-size[= ]\d+/, '')} --max-old-space-size=${heapMiB}`.replace(/\s+/g, ' ').trim();
}

/** --max-old-space-size=N (or a space instead of =) in a NODE_OPTIONS string. */
export function heapFlagMiB(nodeOptions: string): number | undefined {
  const m = /--max-old-space-size[= ](\d+)/.exec(nodeOptions);
  return m ? Number(m[1]) : undefined;
}

const UNITS: Record<string, number> = { '': 1 / 1_048_576, k: 1000 / 1_048_576, M: 1e6 / 1_048_576, G: 1e9 / 1_048_576, Ki: 1 / 1024, Mi: 1, Gi: 1024 };

/** A Kubernetes memory quantity ("256Mi", "1G", "268435456") in MiB. */
export function quantityMiB(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity.trim());
  const unit = UNITS[m?.[2] ?? ''];
  if (!m || unit === undefined) throw new Error(`unsupported memory quantity "${quantity}"`);
  return Number(m[1]) * unit;
}
