import type { CloudState, Instance } from './state.js';

/**
 * How many instances of a region match a predicate, cached until an instance is launched or
 * released (instance attributes other than the role never change), so that paging through a
 * large fleet does not recount the region on every page.
 */

const caches = new WeakMap<CloudState, Map<string, { version: number; count: number }>>();
const MAX_CACHED = 1000;

/** `key` must identify the predicate (e.g. the JSON of the filter it tests). */
export function countInRegion(state: CloudState, regionId: string, key: string, matches: (inst: Instance) => boolean): number {
  let cache = caches.get(state);
  if (!cache) caches.set(state, (cache = new Map()));
  const cacheKey = `${regionId}\u0000${key}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.version === state.instancesVersion) return hit.count;
  let count = 0;
  for (const inst of state.instancesIn(regionId)) if (matches(inst)) count++;
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(cacheKey, { version: state.instancesVersion, count });
  return count;
}
