/**
 * Resolving an instance selector (tags and/or a VPC) to the instances it matches, at any size.
 *
 * DescribeInstances filtered by tags covers at most TAG_FILTER_RESOURCE_CAP (1,000) tagged
 * resources, per the API reference; past that the cloud must be asked with ListTagResources. So
 * a selector with tags is resolved in two steps: ListTagResources (ResourceType instance, the
 * tags ANDed, every page) gives the IDs, then DescribeInstances by those IDs (100 a call, coalesced
 * with every other binding's) gives the instances; the VPC and the tags are checked again on what
 * was described (an instance re-tagged between the two calls is not matched). A selector with
 * only a VPC lists DescribeInstances by VpcId, which has no such cap.
 *
 * An identity without ecs:ListTagResources (a RAM policy from before this version) falls back to
 * the DescribeInstances tag filter, told through `onListingDenied` (covering at most 1,000 tagged
 * instances), and asks ListTagResources again after `retryListingAfterMs`.
 */
import type { NormalizedSelector } from '../domain/binding-spec.js';
import type { InstanceInfo } from '../domain/cloud-facts.js';
import { type CloudApi, CloudError, TAG_FILTER_RESOURCE_CAP } from './cloud-api.js';
import { cloudFailure } from './error-policy.js';

export const DEFAULT_TAG_LISTING_RETRY_MS = 10 * 60_000;

export interface TagSelectorOptions {
  /** Told when ListTagResources is denied and the tag filter of DescribeInstances is used instead. */
  onListingDenied?: (message: string) => void;
  retryListingAfterMs?: number;
  now?: () => number;
}

export class TagSelectorResolver {
  private listingDeniedAt: number | undefined;
  private readonly onListingDenied: (message: string) => void;
  private readonly retryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly api: CloudApi,
    options: TagSelectorOptions = {},
  ) {
    this.onListingDenied = options.onListingDenied ?? ((message) => process.emitWarning(message, 'EcsRoleOperatorWarning'));
    this.retryMs = options.retryListingAfterMs ?? DEFAULT_TAG_LISTING_RETRY_MS;
    this.now = options.now ?? (() => Date.now());
  }

  /** The region's instances the selector matches. */
  async resolve(regionId: string, selector: NormalizedSelector, signal: AbortSignal): Promise<InstanceInfo[]> {
    const tags = selector.tags;
    const vpc = selector.vpcId !== undefined ? { vpcId: selector.vpcId } : {};
    if (Object.keys(tags).length === 0) return this.api.describeInstances(regionId, vpc, { signal });
    if (this.listingDeniedAt === undefined || this.now() - this.listingDeniedAt >= this.retryMs) {
      let ids: string[] | undefined;
      try {
        ids = await this.api.listTaggedInstanceIds(regionId, tags, { signal });
        this.listingDeniedAt = undefined;
      } catch (err) {
        if (!isDenied(err)) throw err;
        this.listingDeniedAt = this.now();
        this.onListingDenied(
          `ListTagResources was denied (${err.code}): tag selectors fall back to the DescribeInstances tag filter, which covers at most ${TAG_FILTER_RESOURCE_CAP} tagged instances; grant ecs:ListTagResources (deploy/ram/operator-policy.json)`,
        );
      }
      if (ids !== undefined) {
        if (ids.length === 0) return [];
        const described = await this.api.describeInstances(regionId, { instanceIds: ids }, { signal });
        return described.filter((i) => (selector.vpcId === undefined || i.vpcId === selector.vpcId) && Object.entries(tags).every(([k, v]) => i.tags[k] === v));
      }
    }
    return this.api.describeInstances(regionId, { tags, ...vpc }, { signal });
  }
}

function isDenied(err: unknown): err is CloudError {
  return err instanceof CloudError && cloudFailure(err.code, err.cloudMessage, err.statusCode).reason === 'AccessDenied';
}
