import type { ActionHandler } from './action-context.js';
import { filterIsEmpty, matchesFilter, matchesTags, readInstanceFilter, type InstanceFilter } from './instance-filter.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { clampedInteger, instanceIdList, optionalBoolean, optionalInteger, optionalString, rejectUnmodelled } from './params.js';
import { countInRegion } from './region-counts.js';
import { requireRegion } from './region.js';
import type { CloudState, Instance } from './state.js';
import { dryRunPassed, tagFilterOverCap, tokenPagingTotalCount } from './unconfirmed-behaviour.js';

/**
 * ECS DescribeInstances: filters (instance-filter.ts), MaxResults/NextToken paging (MaxResults
 * clamped into 10-100), the older PageNumber/PageSize form, DryRun, and the documented cap of
 * Tag.N filters at 1,000 tagged resources.
 */

/** InstanceIds per call. */
export const MAX_DESCRIBE_INSTANCES_IDS = 100;
/** Documented: the resources carrying the Tag.N filters' tags may number at most this many. */
export const TAG_FILTER_RESOURCE_CAP = 1000;

const TOKEN_LISTING = 'instances';

/** The parameters modelled; any other documented filter is refused (InvalidParameter.NotSimulated). */
const SERVED_PARAMS = [
  'RegionId', 'InstanceIds', 'MaxResults', 'NextToken', 'PageNumber', 'PageSize', 'DryRun',
  'VpcId', 'ZoneId', 'Status', 'InstanceNetworkType', 'InstanceName', /^Tag\./,
];

function instanceJson(inst: Instance): Record<string, unknown> {
  return {
    InstanceId: inst.id,
    InstanceName: inst.name,
    HostName: inst.name,
    RegionId: inst.regionId,
    ZoneId: inst.zoneId,
    Status: inst.status,
    InstanceNetworkType: inst.network,
    CreationTime: inst.creationTime,
    VpcAttributes: { VpcId: inst.vpcId ?? '', VSwitchId: '', NatIpAddress: '', PrivateIpAddress: { IpAddress: [] } },
    Tags: { Tag: Object.entries(inst.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) },
    MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: inst.metadataTokens },
  };
}

function checkTagCap(state: CloudState, regionId: string, filter: InstanceFilter): void {
  if (filter.tags.length === 0) return;
  const tagged = countInRegion(state, regionId, `tags:${JSON.stringify(filter.tags)}`, (i) => matchesTags(i, filter.tags));
  if (tagged > TAG_FILTER_RESOURCE_CAP) throw tagFilterOverCap(tagged, TAG_FILTER_RESOURCE_CAP);
}

function exactTotal(state: CloudState, regionId: string, filter: InstanceFilter, candidates: readonly Instance[], byIds: boolean): number {
  if (filterIsEmpty(filter)) return candidates.length;
  if (byIds) return candidates.reduce((n, i) => (matchesFilter(i, filter) ? n + 1 : n), 0);
  return countInRegion(state, regionId, `filter:${JSON.stringify(filter)}`, (i) => matchesFilter(i, filter));
}

export const describeInstances: ActionHandler = (ctx) => {
  const regionId = requireRegion(ctx);
  rejectUnmodelled(ctx.params, 'DescribeInstances', SERVED_PARAMS);
  const ids = instanceIdList(ctx.params, MAX_DESCRIBE_INSTANCES_IDS);
  const filter = readInstanceFilter(ctx.params);
  const dryRun = optionalBoolean(ctx.params, 'DryRun');
  const token = optionalString(ctx.params, 'NextToken');
  const startSeq = token === undefined ? undefined : decodePageToken(TOKEN_LISTING, token, 'DescribeInstances', 1)[0]!;
  const tokenPaging = token !== undefined || ctx.params['MaxResults'] !== undefined;
  const pageMode = !tokenPaging && (ctx.params['PageSize'] !== undefined || ctx.params['PageNumber'] !== undefined);
  const pageSize = pageMode ? optionalInteger(ctx.params, 'PageSize', 1, 100, 10) : 0;
  const pageNumber = pageMode ? optionalInteger(ctx.params, 'PageNumber', 1, 1_000_000_000, 1) : 0;
  const maxResults = clampedInteger(ctx.params, 'MaxResults', 10, 100);
  checkTagCap(ctx.state, regionId, filter);
  if (dryRun) throw dryRunPassed();

  // InstanceIds="[]" is a filter like any other: it matches nothing.
  const byIds = ids !== undefined;
  const candidates: readonly Instance[] = byIds
    ? ids
        .map((id) => ctx.state.instance(id))
        .filter((i): i is Instance => i !== undefined && i.regionId === regionId)
        .sort((a, b) => a.seq - b.seq)
    : ctx.state.instancesIn(regionId);

  if (pageMode) {
    const matching = filterIsEmpty(filter) ? candidates : candidates.filter((i) => matchesFilter(i, filter));
    const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return { TotalCount: matching.length, PageSize: pageSize, PageNumber: pageNumber, NextToken: '', Instances: { Instance: page.map(instanceJson) } };
  }

  let start = 0;
  if (startSeq !== undefined) {
    start = byIds ? candidates.findIndex((i) => i.seq >= startSeq) : ctx.state.indexAtOrAfter(regionId, startSeq);
    if (start < 0) start = candidates.length;
  }
  const page: Instance[] = [];
  let next = '';
  for (let i = start; i < candidates.length; i++) {
    const inst = candidates[i]!;
    if (!matchesFilter(inst, filter)) continue;
    if (page.length === maxResults) {
      next = encodePageToken(TOKEN_LISTING, [inst.seq]);
      break;
    }
    page.push(inst);
  }
  const total = tokenPaging ? tokenPagingTotalCount(page.length) : exactTotal(ctx.state, regionId, filter, candidates, byIds);
  return { TotalCount: total, PageSize: maxResults, NextToken: next, Instances: { Instance: page.map(instanceJson) } };
};
