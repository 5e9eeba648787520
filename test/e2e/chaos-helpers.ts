/**
 * Helpers for the fault-tolerance end-to-end tests: fault injection through the cloud simulator's
 * control plane, batch reads of roles and bindings, call-log queries, and the upper bound on cloud
 * calls that the controller's backoff policy allows while every call fails.
 */
import type { InstanceRoleBinding } from '../../src/api/instance-role-binding.js';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_BACKOFF_JITTER } from '../../src/runtime/backoff.js';
import type { CallRecord, World } from './world.js';

/** A fault as POST /sim/faults takes it. */
export interface FaultBody {
  action: string;
  code?: string;
  status?: number;
  rate?: number;
  count?: number;
  latencyMs?: number;
}

export async function injectFault(world: World, fault: FaultBody): Promise<void> {
  await world.sim('POST', '/sim/faults', fault);
}

export async function clearFaults(world: World): Promise<void> {
  await world.sim('DELETE', '/sim/faults');
}

/** The attached role (or null) of each instance, read in one /sim/state call. */
export async function rolesOf(world: World, ids: readonly string[]): Promise<Map<string, string | null>> {
  const state = (await world.sim('GET', '/sim/state')) as {
    regions: Array<{ instances: Array<{ id: string; ramRole?: string | null }> }>;
  };
  const all = new Map(state.regions.flatMap((r) => r.instances).map((i) => [i.id, i.ramRole ?? null] as const));
  return new Map(ids.map((id) => [id, all.has(id) ? (all.get(id) ?? null) : null]));
}

/** True when every instance carries `roleName`. */
export async function allCarry(world: World, ids: readonly string[], roleName: string): Promise<boolean> {
  const roles = await rolesOf(world, ids);
  return ids.every((id) => roles.get(id) === roleName);
}

/** Every binding in the namespace, read with one `kubectl get`. */
export async function listBindings(world: World, namespace = 'default'): Promise<InstanceRoleBinding[]> {
  const r = await world.kubectl(['get', 'irb', '-n', namespace, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl get irb failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { items: InstanceRoleBinding[] }).items;
}

/** Ready=True and the status describes the current generation. */
export function isReadyAndCurrent(b: InstanceRoleBinding | undefined): boolean {
  if (!b?.status) return false;
  const ready = b.status.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && b.status.observedGeneration === b.metadata.generation;
}

/** The instance IDs a mutating or describe call named (the call log parses InstanceIds when it can). */
export function idsOf(call: CallRecord): string[] {
  const v = call.params.InstanceIds;
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }
  return [];
}

export function roleNameOf(call: CallRecord): string | undefined {
  const v = call.params.RamRoleName;
  return typeof v === 'string' ? v : undefined;
}

export const isMutating = (c: CallRecord): boolean => c.action === 'AttachInstanceRamRole' || c.action === 'DetachInstanceRamRole';

/**
 * Keeps a fault in place for `ms`. Fault windows are durations by nature: this is the one place
 * the tests wait on the clock rather than on a condition.
 */
export function holdFaultWindow(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The most cloud calls one reconcile pass of a binding targeting `instances` instances can make:
 * DescribeInstances by ID (100 a page) and by selector (100 a page), DescribeInstanceRamRole
 * (50 a call), GetRole, and Detach and Attach (100 a call). A pass that meets an error stops
 * sooner; this counts a full pass.
 */
export function maxCallsPerPass(instances: number): number {
  const pages100 = Math.max(1, Math.ceil(instances / 100));
  const pages50 = Math.max(1, Math.ceil(instances / 50));
  return pages100 /* by ID */ + pages100 /* by selector */ + pages50 + 1 /* GetRole */ + pages100 /* detach */ + pages100 /* attach */;
}

/** The shortest delay the default backoff ever waits (its base, shortened by the full jitter). */
export const MIN_BACKOFF_MS = DEFAULT_BACKOFF_BASE_MS * (1 - DEFAULT_BACKOFF_JITTER);

/**
 * How many passes of one key can make calls in `windowMs` while EVERY pass fails: the first, one
 * more for a pass already scheduled or in flight at an edge of the window, and the retries,
 * whose delays are at least MIN_BACKOFF_MS * 2^n, so n retries need
 * MIN_BACKOFF_MS * (2^n - 1) <= windowMs.
 */
export function maxPassesAllFailing(windowMs: number): number {
  return 2 + Math.floor(Math.log2(windowMs / MIN_BACKOFF_MS + 1));
}

/**
 * How many passes one key can start in `windowMs` when passes fail or succeed at random: a
 * failure resets nothing and waits at least MIN_BACKOFF_MS; a success waits a resync (or the
 * settle delay), which `minRequeueMs` bounds from below. So passes are at least
 * min(MIN_BACKOFF_MS, minRequeueMs) apart.
 */
export function maxPassesMixed(windowMs: number, minRequeueMs: number): number {
  return 2 + Math.floor(windowMs / Math.min(MIN_BACKOFF_MS, minRequeueMs));
}
