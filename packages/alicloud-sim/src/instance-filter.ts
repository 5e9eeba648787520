import { ApiError } from './api-error.js';
import { INSTANCE_STATUSES, type InstanceStatus, type NetworkType } from './fleet.js';
import { optionalString, tagFilters, type TagFilter } from './params.js';
import type { Instance } from './state.js';
import { wildcardMatches } from './wildcard.js';

/**
 * The filters of DescribeInstances, ANDed: Tag.N (exact; a key alone matches any value), VpcId,
 * ZoneId, Status, InstanceNetworkType and InstanceName (exact, or `*` wildcards; case-sensitive).
 */

export interface InstanceFilter {
  tags: TagFilter[];
  vpcId: string | undefined;
  zoneId: string | undefined;
  status: InstanceStatus | undefined;
  network: NetworkType | undefined;
  instanceName: string | undefined;
}

type Params = Readonly<Record<string, string>>;

const NETWORK_TYPES: readonly NetworkType[] = ['vpc', 'classic'];

export function readInstanceFilter(params: Params): InstanceFilter {
  const status = optionalString(params, 'Status');
  if (status !== undefined && !INSTANCE_STATUSES.includes(status as InstanceStatus)) {
    throw new ApiError(404, 'InvalidStatus.NotFound', `The specified Status "${status}" is not valid (${INSTANCE_STATUSES.join(', ')}).`);
  }
  const network = optionalString(params, 'InstanceNetworkType');
  if (network !== undefined && !NETWORK_TYPES.includes(network as NetworkType)) {
    throw new ApiError(404, 'InvalidNetworkType.NotFound', `The specified InstanceNetworkType "${network}" is not valid (vpc, classic).`);
  }
  return {
    tags: tagFilters(params),
    vpcId: optionalString(params, 'VpcId'),
    zoneId: optionalString(params, 'ZoneId'),
    status: status as InstanceStatus | undefined,
    network: network as NetworkType | undefined,
    instanceName: optionalString(params, 'InstanceName'),
  };
}

export function filterIsEmpty(f: InstanceFilter): boolean {
  return f.tags.length === 0 && f.vpcId === undefined && f.zoneId === undefined && f.status === undefined && f.network === undefined && f.instanceName === undefined;
}

export function matchesTags(inst: Instance, tags: readonly TagFilter[]): boolean {
  for (const t of tags) {
    const v = inst.tags[t.key];
    if (v === undefined || (t.value !== undefined && v !== t.value)) return false;
  }
  return true;
}

export function matchesFilter(inst: Instance, f: InstanceFilter): boolean {
  if (f.vpcId !== undefined && inst.vpcId !== f.vpcId) return false;
  if (f.zoneId !== undefined && inst.zoneId !== f.zoneId) return false;
  if (f.status !== undefined && inst.status !== f.status) return false;
  if (f.network !== undefined && inst.network !== f.network) return false;
  if (f.instanceName !== undefined && !wildcardMatches(f.instanceName, inst.name, { ignoreCase: false, singleCharacter: false })) return false;
  return matchesTags(inst, f.tags);
}
