/**
 * A binding's spec as the controller and the audit use it: every API default applied and every
 * field checked the way the CRD checks it, so a binding that slipped past the API server (or a
 * manifest read from disk) still fails with a message naming the field and the fix. Pure; no I/O.
 */
import {
  DEFAULT_RESYNC_PERIOD_MS,
  INSTANCE_ID_PATTERN as INSTANCE_ID_SOURCE,
  type InstanceRoleBindingSpec,
  MAX_INSTANCE_IDS,
  MAX_RESYNC_PERIOD_MS,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MIN_RESYNC_PERIOD_MS,
  REGION_ID_PATTERN as REGION_ID_SOURCE,
  ROLE_NAME_PATTERN as ROLE_NAME_SOURCE,
  VPC_ID_PATTERN as VPC_ID_SOURCE,
} from '../api/instance-role-binding.js';
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

export { DEFAULT_RESYNC_PERIOD_MS, MIN_RESYNC_PERIOD_MS } from '../api/instance-role-binding.js';

/** The CRD's own patterns (src/api is their one definition). */
export const REGION_ID_PATTERN = new RegExp(REGION_ID_SOURCE);
const ROLE_NAME_PATTERN = new RegExp(ROLE_NAME_SOURCE);
const INSTANCE_ID_PATTERN = new RegExp(INSTANCE_ID_SOURCE);
const VPC_ID_PATTERN = new RegExp(VPC_ID_SOURCE);

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
    if (key.length > MAX_TAG_KEY_LENGTH) throw new Error(`spec.instanceSelector.tags key "${key.slice(0, 20)}..." is longer than ${MAX_TAG_KEY_LENGTH} characters (the ECS limit)`);
    if (typeof value !== 'string') throw new Error(`spec.instanceSelector.tags.${key} must be a string`);
    if (value.length > MAX_TAG_VALUE_LENGTH) throw new Error(`spec.instanceSelector.tags.${key} is longer than ${MAX_TAG_VALUE_LENGTH} characters (the ECS limit)`);
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
  if (ms > MAX_RESYNC_PERIOD_MS) {
    throw new Error(`spec.resyncPeriod "${raw}" is longer than the maximum ${formatDuration(MAX_RESYNC_PERIOD_MS)}`);
  }
  return ms;
}

function quote(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
