import { ApiError, invalidParameter, missingParameter } from './api-error.js';
import type { ActionHandler } from './action-context.js';
import { matchesTags } from './instance-filter.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { indexedList, optionalString, rejectUnmodelled, requiredString, tagFilters, type TagFilter } from './params.js';
import { countInRegion } from './region-counts.js';
import { requireRegion } from './region.js';
import type { Instance } from './state.js';
import {
  LIST_TAG_RESOURCES_PAGE_ROWS,
  fuzzyFilterOverCap,
  noTagResourceSelector,
  tagAndTagFilterTogether,
} from './unconfirmed-behaviour.js';
import { hasWildcard, wildcardMatches } from './wildcard.js';

/**
 * ECS ListTagResources for ResourceType `instance`: one row per resource and tag, selected by
 * ResourceId.N (1-50), Tag.N (exact, AND) or TagFilter.N (fuzzy, at most 5,000 resources), paged
 * with NextToken. The other documented resource types exist in the API but the simulated account
 * has none of them, so they list nothing.
 */

export const MAX_TAG_RESOURCE_IDS = 50;
export const MAX_TAG_FILTERS_FUZZY = 5;
export const MAX_TAG_FILTER_VALUES = 5;
/** Documented: fuzzy filtering supports at most this many matching resources. */
export const FUZZY_FILTER_RESOURCE_CAP = 5000;

const RESOURCE_TYPES = [
  'instance', 'disk', 'snapshot', 'image', 'securitygroup', 'volume', 'eni', 'ddh', 'ddhcluster', 'keypair',
  'launchtemplate', 'reservedinstance', 'snapshotpolicy', 'elasticityassurance', 'capacityreservation',
  'command', 'invocation', 'activation', 'managedinstance',
] as const;

const TOKEN_LISTING = 'tags';

type Params = Readonly<Record<string, string>>;

/** TagFilter.N: a fuzzy key with no values, or an exact key with fuzzy values (any may match). */
interface FuzzyTagFilter {
  key: string;
  values: string[];
}

const FUZZY = { ignoreCase: false, singleCharacter: false } as const;

function readTagFilters(params: Params): FuzzyTagFilter[] {
  const byIndex = new Map<number, { key?: string; values: Map<number, string> }>();
  for (const [name, value] of Object.entries(params)) {
    const m = /^TagFilter\.(\d+)\.(TagKey|TagValues\.(\d+))$/.exec(name);
    if (!m) {
      if (name.startsWith('TagFilter.')) throw invalidParameter(name, 'tag filters are given as TagFilter.N.TagKey and TagFilter.N.TagValues.M');
      continue;
    }
    const n = Number(m[1]);
    if (n < 1 || n > MAX_TAG_FILTERS_FUZZY) throw invalidParameter('TagFilter', `N in TagFilter.N must be from 1 to ${MAX_TAG_FILTERS_FUZZY}`);
    const entry = byIndex.get(n) ?? { values: new Map<number, string>() };
    if (m[3] === undefined) entry.key = value;
    else {
      const v = Number(m[3]);
      if (v < 1 || v > MAX_TAG_FILTER_VALUES) throw invalidParameter('TagFilter', `M in TagFilter.N.TagValues.M must be from 1 to ${MAX_TAG_FILTER_VALUES}`);
      if (value !== '') entry.values.set(v, value);
    }
    byIndex.set(n, entry);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([n, e]) => {
      if (e.key === undefined || e.key === '') throw missingParameter(`TagFilter.${n}.TagKey`);
      const values = [...e.values.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
      if (hasWildcard(e.key) && values.length > 0) {
        throw invalidParameter('TagFilter', `TagFilter.${n}.TagKey "${e.key}" is a fuzzy key, so TagFilter.${n}.TagValues must be empty`);
      }
      return { key: e.key, values };
    });
}

function matchesFuzzy(inst: Instance, filters: readonly FuzzyTagFilter[]): boolean {
  return filters.every((f) => {
    if (f.values.length === 0) return Object.keys(inst.tags).some((k) => wildcardMatches(f.key, k, FUZZY));
    const v = inst.tags[f.key];
    return v !== undefined && f.values.some((p) => wildcardMatches(p, v, FUZZY));
  });
}

interface Selection {
  ids: string[];
  tags: TagFilter[];
  fuzzy: FuzzyTagFilter[];
}

function matches(inst: Instance, sel: Selection): boolean {
  if (Object.keys(inst.tags).length === 0) return false;
  if (sel.tags.length > 0 && !matchesTags(inst, sel.tags)) return false;
  return sel.fuzzy.length === 0 || matchesFuzzy(inst, sel.fuzzy);
}

export const listTagResources: ActionHandler = (ctx) => {
  const regionId = requireRegion(ctx);
  rejectUnmodelled(ctx.params, 'ListTagResources', ['RegionId', 'ResourceType', 'NextToken', /^ResourceId\./, /^Tag\./, /^TagFilter\./]);
  const resourceType = requiredString(ctx.params, 'ResourceType');
  if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType)) {
    throw new ApiError(400, 'InvalidResourceType.NotSupported', `The specified ResourceType "${resourceType}" is not supported (${RESOURCE_TYPES.join(', ')}).`);
  }
  const ids = indexedList(ctx.params, 'ResourceId', MAX_TAG_RESOURCE_IDS);
  const selection: Selection = { ids, tags: tagFilters(ctx.params), fuzzy: readTagFilters(ctx.params) };
  if (selection.tags.length > 0 && selection.fuzzy.length > 0) throw tagAndTagFilterTogether();
  if (ids.length === 0 && selection.tags.length === 0 && selection.fuzzy.length === 0) throw noTagResourceSelector();
  const token = optionalString(ctx.params, 'NextToken');
  const [startSeq, startTag] = token === undefined ? [0, 0] : decodePageToken(TOKEN_LISTING, token, 'ListTagResources', 2);

  if (selection.fuzzy.length > 0 && ids.length === 0) {
    const fuzzyMatches = countInRegion(ctx.state, regionId, `fuzzy:${JSON.stringify(selection.fuzzy)}`, (i) => matchesFuzzy(i, selection.fuzzy));
    if (fuzzyMatches > FUZZY_FILTER_RESOURCE_CAP) throw fuzzyFilterOverCap(fuzzyMatches, FUZZY_FILTER_RESOURCE_CAP);
  }
  if (resourceType !== 'instance') return { NextToken: '', TagResources: { TagResource: [] } };

  const candidates: readonly Instance[] =
    ids.length > 0
      ? [...new Set(ids)]
          .map((id) => ctx.state.instance(id))
          .filter((i): i is Instance => i !== undefined && i.regionId === regionId)
          .sort((a, b) => a.seq - b.seq)
      : ctx.state.instancesIn(regionId);
  let start = ids.length > 0 ? candidates.findIndex((i) => i.seq >= startSeq!) : ctx.state.indexAtOrAfter(regionId, startSeq!);
  if (start < 0) start = candidates.length;

  const rows: Array<Record<string, string>> = [];
  let next = '';
  for (let i = start; i < candidates.length && next === ''; i++) {
    const inst = candidates[i]!;
    if (!matches(inst, selection)) continue;
    const tags = Object.entries(inst.tags);
    for (let t = inst.seq === startSeq ? startTag! : 0; t < tags.length; t++) {
      if (rows.length === LIST_TAG_RESOURCES_PAGE_ROWS) {
        next = encodePageToken(TOKEN_LISTING, [inst.seq, t]);
        break;
      }
      const [TagKey, TagValue] = tags[t]!;
      rows.push({ ResourceId: inst.id, ResourceType: 'instance', TagKey, TagValue });
    }
  }
  return { NextToken: next, TagResources: { TagResource: rows } };
};
