/**
 * Which bindings want which instance: selector matching, targeting, and the age order that
 * settles conflicts between bindings. Pure; no I/O.
 */
import type { NormalizedSelector, NormalizedSpec } from './binding-spec.js';
import type { BindingView } from './binding-view.js';
import type { InstanceInfo } from './cloud-facts.js';

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
 * agrees). A missing or unreadable timestamp sorts as the youngest.
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
