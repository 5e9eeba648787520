/**
 * Which bindings want which instance: the normalized spec the planner works from, selector
 * matching, and the age order that settles conflicts between bindings. Pure; no I/O.
 */
import type { InstanceRoleBindingSpec } from '../api/instance-role-binding.js';
import type { InstanceInfo } from '../cloud/cloud-api.js';
import { formatDuration, parseDuration } from './duration.js';

/** A selector the planner can evaluate: tags are ANDed, vpcId (when set) must match too. */
export interface NormalizedSelector {
  tags: Record<string, string>;
  vpcId?: string;
}

/** A binding's spec with every DESIGN.md default applied and every field checked. */
export interface NormalizedSpec {
  regionId: string;
  roleName: string;
  /** Explicit instance IDs, deduplicated and sorted. */
  instanceIds: string[];
  selector?: NormalizedSelector;
  deletionPolicy: 'Detach' | 'Orphan';
  mode: 'Enforce' | 'Observe';
  takeover: boolean;
  suspend: boolean;
  resyncPeriodMs: number;
}

/** The planner's view of one InstanceRoleBinding. */
export interface BindingView {
  /** "namespace/name" */
  key: string;
  creationTimestamp: string;
  spec: NormalizedSpec;
  /** metadata.deletionTimestamp is set: the binding no longer claims anything. */
  deleting: boolean;
}

export const DEFAULT_RESYNC_PERIOD_MS = 5 * 60_000;
export const MIN_RESYNC_PERIOD_MS = 30_000;

/** Same patterns as the CRD (crds/instancerolebindings.roles.ecs.dev.yaml). */
const REGION_ID = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const ROLE_NAME = /^[A-Za-z0-9.-]{1,64}$/;
const INSTANCE_ID = /^i-[a-z0-9]{1,64}$/;
const VPC_ID = /^vpc-[a-z0-9]+$/;
const MAX_INSTANCE_IDS = 1000;

export interface NormalizeOptions {
  /** Used when spec.resyncPeriod is unset (the operator's --resync-period). Default 5m. */
  defaultResyncPeriodMs?: number;
}

/**
 * Applies the API defaults (deletionPolicy Detach, mode Enforce, takeover false, suspend false,
 * resyncPeriod = the operator default) and validates what the CRD validates, so a binding that
 * slipped past the API server (or a manifest read from disk) still fails with a clear message.
 * Throws an Error whose message names the field and how to fix it.
 */
export function normalizeSpec(spec: InstanceRoleBindingSpec, options: NormalizeOptions = {}): NormalizedSpec {
  if (spec === null || typeof spec !== 'object') throw new Error('spec is missing');
  const { regionId, roleName } = spec;
  if (typeof regionId !== 'string' || !REGION_ID.test(regionId)) {
    throw new Error(`spec.regionId ${quote(regionId)} is not a region ID such as "cn-hangzhou"`);
  }
  if (typeof roleName !== 'string' || !ROLE_NAME.test(roleName)) {
    throw new Error(`spec.roleName ${quote(roleName)} must be 1-64 letters, digits, '.' or '-'`);
  }

  const rawIds = spec.instanceIds ?? [];
  if (!Array.isArray(rawIds)) throw new Error('spec.instanceIds must be a list of instance IDs');
  if (rawIds.length > MAX_INSTANCE_IDS) {
    throw new Error(`spec.instanceIds has ${rawIds.length} entries; at most ${MAX_INSTANCE_IDS} are allowed (use spec.instanceSelector for larger sets)`);
  }
  for (const id of rawIds) {
    if (typeof id !== 'string' || !INSTANCE_ID.test(id)) {
      throw new Error(`spec.instanceIds entry ${quote(id)} is not an ECS instance ID such as "i-bp1abc"`);
    }
  }
  const instanceIds = [...new Set(rawIds)].sort();

  let selector: NormalizedSelector | undefined;
  if (spec.instanceSelector !== undefined && spec.instanceSelector !== null) {
    const raw = spec.instanceSelector;
    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw.tags ?? {})) {
      if (key.length === 0) throw new Error('spec.instanceSelector.tags has an empty key');
      if (typeof value !== 'string') throw new Error(`spec.instanceSelector.tags.${key} must be a string`);
      tags[key] = value;
    }
    if (raw.vpcId !== undefined && (typeof raw.vpcId !== 'string' || !VPC_ID.test(raw.vpcId))) {
      throw new Error(`spec.instanceSelector.vpcId ${quote(raw.vpcId)} is not a VPC ID such as "vpc-bp1xyz"`);
    }
    if (Object.keys(tags).length === 0 && raw.vpcId === undefined) {
      throw new Error('spec.instanceSelector is empty: name at least one tag or a vpcId (an empty selector matches no instance)');
    }
    selector = raw.vpcId !== undefined ? { tags, vpcId: raw.vpcId } : { tags };
  }
  if (instanceIds.length === 0 && !selector) {
    throw new Error('spec names no instances: set spec.instanceIds, spec.instanceSelector, or both');
  }

  const deletionPolicy = spec.deletionPolicy ?? 'Detach';
  if (deletionPolicy !== 'Detach' && deletionPolicy !== 'Orphan') {
    throw new Error(`spec.deletionPolicy ${quote(deletionPolicy)} must be Detach or Orphan`);
  }
  const mode = spec.mode ?? 'Enforce';
  if (mode !== 'Enforce' && mode !== 'Observe') throw new Error(`spec.mode ${quote(mode)} must be Enforce or Observe`);
  const takeover = spec.takeover ?? false;
  if (typeof takeover !== 'boolean') throw new Error('spec.takeover must be true or false');
  const suspend = spec.suspend ?? false;
  if (typeof suspend !== 'boolean') throw new Error('spec.suspend must be true or false');

  let resyncPeriodMs = options.defaultResyncPeriodMs ?? DEFAULT_RESYNC_PERIOD_MS;
  if (spec.resyncPeriod !== undefined && spec.resyncPeriod !== null) {
    try {
      resyncPeriodMs = parseDuration(spec.resyncPeriod);
    } catch (err) {
      throw new Error(`spec.resyncPeriod: ${(err as Error).message}`);
    }
    if (resyncPeriodMs < MIN_RESYNC_PERIOD_MS) {
      throw new Error(`spec.resyncPeriod "${spec.resyncPeriod}" is shorter than the minimum ${formatDuration(MIN_RESYNC_PERIOD_MS)}`);
    }
  }

  return {
    regionId,
    roleName,
    instanceIds,
    ...(selector ? { selector } : {}),
    deletionPolicy,
    mode,
    takeover,
    suspend,
    resyncPeriodMs,
  };
}

/**
 * Whether an instance matches a selector: every tag must be present with the same value (AND)
 * and, when vpcId is set, the instance must be in that VPC. Decision: a selector with no tags
 * and no vpcId matches NOTHING (normalizeSpec rejects it too), so a half-written selector can
 * never claim every instance of a region. Region is not checked here; see bindingTargets.
 */
export function selectorMatches(selector: NormalizedSelector | undefined, instance: InstanceInfo): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector.tags);
  if (entries.length === 0 && selector.vpcId === undefined) return false;
  if (selector.vpcId !== undefined && instance.vpcId !== selector.vpcId) return false;
  return entries.every(([key, value]) => Object.prototype.hasOwnProperty.call(instance.tags, key) && instance.tags[key] === value);
}

/**
 * Whether the binding targets the instance: named in spec.instanceIds, or matched by its
 * selector. An instance described in another region is never a target. An instance that was
 * not described (undefined) is a target only through an explicit ID.
 */
export function bindingTargets(binding: BindingView, instance: InstanceInfo | undefined, instanceId: string): boolean {
  if (instance && instance.regionId !== binding.spec.regionId) return false;
  if (explicitIds(binding.spec).has(instanceId)) return true;
  return instance !== undefined && selectorMatches(binding.spec.selector, instance);
}

/** spec.instanceIds as a set, built once per normalized spec (bindings may name 1000 IDs). */
const explicitIdSets = new WeakMap<NormalizedSpec, ReadonlySet<string>>();
function explicitIds(spec: NormalizedSpec): ReadonlySet<string> {
  let ids = explicitIdSets.get(spec);
  if (!ids) {
    ids = new Set(spec.instanceIds);
    explicitIdSets.set(spec, ids);
  }
  return ids;
}

/**
 * Older first: creationTimestamp, then namespace, then name (code-unit order, so every replica
 * agrees). An unreadable timestamp sorts as the youngest.
 */
export function compareAge(a: BindingView, b: BindingView): number {
  const ta = timeOf(a.creationTimestamp);
  const tb = timeOf(b.creationTimestamp);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const [nsA, nameA] = splitKey(a.key);
  const [nsB, nameB] = splitKey(b.key);
  return compareStrings(nsA, nsB) || compareStrings(nameA, nameB);
}

function timeOf(timestamp: string): number {
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function quote(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
