/**
 * A binding's spec as the controller and the audit use it: every API default applied and every
 * field checked the way the CRD checks it, so a binding that slipped past the API server (or a
 * manifest read from disk) still fails with a message naming the field and the fix. Pure; no I/O.
 */
import type { InstanceRoleBindingSpec } from '../api/instance-role-binding.js';
import { errorText } from '../util/error-text.js';
import { formatDuration, parseDuration } from './duration.js';

/** A selector the planner can evaluate: tags are ANDed, vpcId (when set) must match too. */
export interface NormalizedSelector {
  tags: Record<string, string>;
  vpcId?: string;
}

/** A binding's spec with every default applied and every field checked. */
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

/** spec.resyncPeriod when neither the spec nor the operator's --resync-period sets one. */
export const DEFAULT_RESYNC_PERIOD_MS = 5 * 60_000;
export const MIN_RESYNC_PERIOD_MS = 30_000;

/** The CRD's patterns (crds/instancerolebindings.roles.ecs.dev.yaml). */
export const REGION_ID_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const ROLE_NAME_PATTERN = /^[A-Za-z0-9.-]{1,64}$/;
const INSTANCE_ID_PATTERN = /^i-[a-z0-9]{1,64}$/;
const VPC_ID_PATTERN = /^vpc-[a-z0-9]+$/;
const MAX_INSTANCE_IDS = 1000;

export interface NormalizeOptions {
  /** Used when spec.resyncPeriod is unset (the operator's --resync-period). Default 5m. */
  defaultResyncPeriodMs?: number;
}

/**
 * Applies the API defaults (deletionPolicy Detach, mode Enforce, takeover false, suspend false,
 * resyncPeriod = the operator default) and validates what the CRD validates. Throws an Error whose
 * message names the field and how to fix it.
 */
export function normalizeSpec(spec: InstanceRoleBindingSpec, options: NormalizeOptions = {}): NormalizedSpec {
  if (spec === null || typeof spec !== 'object') throw new Error('spec is missing');
  const { regionId, roleName } = spec;
  if (typeof regionId !== 'string' || !REGION_ID_PATTERN.test(regionId)) {
    throw new Error(`spec.regionId ${quote(regionId)} is not a region ID such as "cn-hangzhou"`);
  }
  if (typeof roleName !== 'string' || !ROLE_NAME_PATTERN.test(roleName)) {
    throw new Error(`spec.roleName ${quote(roleName)} must be 1-64 letters, digits, '.' or '-'`);
  }
  const instanceIds = normalizeInstanceIds(spec.instanceIds);
  const selector = normalizeSelector(spec.instanceSelector);
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

  return {
    regionId,
    roleName,
    instanceIds,
    ...(selector ? { selector } : {}),
    deletionPolicy,
    mode,
    takeover,
    suspend,
    resyncPeriodMs: normalizeResyncPeriod(spec.resyncPeriod, options.defaultResyncPeriodMs ?? DEFAULT_RESYNC_PERIOD_MS),
  };
}

function normalizeInstanceIds(raw: InstanceRoleBindingSpec['instanceIds']): string[] {
  const ids = raw ?? [];
  if (!Array.isArray(ids)) throw new Error('spec.instanceIds must be a list of instance IDs');
  if (ids.length > MAX_INSTANCE_IDS) {
    throw new Error(`spec.instanceIds has ${ids.length} entries; at most ${MAX_INSTANCE_IDS} are allowed (use spec.instanceSelector for larger sets)`);
  }
  for (const id of ids) {
    if (typeof id !== 'string' || !INSTANCE_ID_PATTERN.test(id)) {
      throw new Error(`spec.instanceIds entry ${quote(id)} is not an ECS instance ID such as "i-bp1abc"`);
    }
  }
  return [...new Set(ids)].sort();
}

function normalizeSelector(raw: InstanceRoleBindingSpec['instanceSelector'] | null): NormalizedSelector | undefined {
  if (raw === undefined || raw === null) return undefined;
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw.tags ?? {})) {
    if (key.length === 0) throw new Error('spec.instanceSelector.tags has an empty key');
    if (typeof value !== 'string') throw new Error(`spec.instanceSelector.tags.${key} must be a string`);
    tags[key] = value;
  }
  if (raw.vpcId !== undefined && (typeof raw.vpcId !== 'string' || !VPC_ID_PATTERN.test(raw.vpcId))) {
    throw new Error(`spec.instanceSelector.vpcId ${quote(raw.vpcId)} is not a VPC ID such as "vpc-bp1xyz"`);
  }
  if (Object.keys(tags).length === 0 && raw.vpcId === undefined) {
    throw new Error('spec.instanceSelector is empty: name at least one tag or a vpcId (an empty selector matches no instance)');
  }
  return raw.vpcId !== undefined ? { tags, vpcId: raw.vpcId } : { tags };
}

function normalizeResyncPeriod(raw: string | undefined | null, defaultMs: number): number {
  if (raw === undefined || raw === null) return defaultMs;
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch (err) {
    throw new Error(`spec.resyncPeriod: ${errorText(err)}`);
  }
  if (ms < MIN_RESYNC_PERIOD_MS) {
    throw new Error(`spec.resyncPeriod "${raw}" is shorter than the minimum ${formatDuration(MIN_RESYNC_PERIOD_MS)}`);
  }
  return ms;
}

function quote(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
