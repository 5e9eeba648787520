/**
 * Resolving an instance selector (tags and/or a VPC) to the instances it matches, at any size.
 *
 * DescribeInstances filtered by tags covers at most TAG_FILTER_RESOURCE_CAP (1,000) tagged
 * resources, per the API reference; past that the cloud must be asked with ListTagResources. So
 * a selector with tags is resolved in two steps: ListTagResources (ResourceType instance, the
 * tags ANDed, every page) gives the IDs, then DescribeInstances by those IDs (100 a call, coalesced
 * with every other binding's) gives the instances; the VPC and the tags are checked again on what
 * was described (an instance re-tagged between the two calls is not matched). The two overlap:
 * each 100 IDs listed are described while the listing goes on (ListTagResources is the slower
 * quota: 50,000 instances are 1,000 pages), and `found` is told each described batch at once, so
 * the caller can read their roles meanwhile. A selector with only a VPC lists DescribeInstances
 * by VpcId, which has no such cap.
 *
 * An identity without ecs:ListTagResources (a RAM policy from before this version) falls back to
 * the DescribeInstances tag filter, told through `onListingDenied` (covering at most 1,000 tagged
 * instances), and asks ListTagResources again after `retryListingAfterMs`.
 */
import type { NormalizedSelector } from '../domain/binding-spec.js';
import { selectorMatches } from '../domain/claims.js';
import type { InstanceInfo } from '../domain/cloud-facts.js';
import { TaskGroup } from '../util/task-group.js';
import { type CloudApi, CloudError, MAX_DESCRIBE_INSTANCE_IDS, TAG_FILTER_RESOURCE_CAP } from './cloud-api.js';
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

  /**
   * The region's instances the selector matches. `found` is told them batch by batch as they are
   * described (each instance once), before the answer.
   */
  async resolve(regionId: string, selector: NormalizedSelector, signal: AbortSignal, found: (instances: readonly InstanceInfo[]) => void = () => undefined): Promise<InstanceInfo[]> {
    const tags = selector.tags;
    const vpc = selector.vpcId !== undefined ? { vpcId: selector.vpcId } : {};
    const whole = (instances: InstanceInfo[]): InstanceInfo[] => {
      found(instances);
      return instances;
    };
    if (Object.keys(tags).length === 0) return whole(await this.api.describeInstances(regionId, vpc, { signal }));
    if (this.listingDeniedAt === undefined || this.now() - this.listingDeniedAt >= this.retryMs) {
      try {
        const matched = await this.listAndDescribe(regionId, selector, signal, found);
        this.listingDeniedAt = undefined;
        return matched;
      } catch (err) {
        if (!isDenied(err) || err.action !== 'ListTagResources') throw err;
        this.listingDeniedAt = this.now();
        this.onListingDenied(
          `ListTagResources was denied (${err.code}): tag selectors fall back to the DescribeInstances tag filter, which covers at most ${TAG_FILTER_RESOURCE_CAP} tagged instances; grant ecs:ListTagResources (deploy/ram/operator-policy.json)`,
        );
      }
    }
    return whole(await this.api.describeInstances(regionId, { tags, ...vpc }, { signal }));
  }

  /**
   * ListTagResources, each MAX_DESCRIBE_INSTANCE_IDS IDs described while the listing goes on. A
   * describe that fails stops the listing (the pass fails with it; the rest of the pages would
   * only use up the quota).
   */
  private async listAndDescribe(regionId: string, selector: NormalizedSelector, signal: AbortSignal, found: (instances: readonly InstanceInfo[]) => void): Promise<InstanceInfo[]> {
    const matched: InstanceInfo[] = [];
    const describing = new TaskGroup();
    const listed = new Set<string>();
    const waiting: string[] = [];
    const listing = new AbortController();
    const forwardAbort = (): void => listing.abort(signal.reason);
    if (signal.aborted) forwardAbort();
    signal.addEventListener('abort', forwardAbort, { once: true });
    let describeFailure: { error: unknown } | undefined;
    const describe = (ids: string[]): void => {
      describing.add(
        this.api.describeInstances(regionId, { instanceIds: ids }, { signal }).then(
          (described) => {
            const batch = described.filter((instance) => selectorMatches(selector, instance));
            matched.push(...batch);
            found(batch);
          },
          (error: unknown) => {
            describeFailure ??= { error };
            listing.abort(new Error('the listing stopped: a describe of the listed instances failed'));
            throw error;
          },
        ),
      );
    };
    const onPage = (ids: readonly string[]): void => {
      for (const id of ids) {
        if (listed.has(id)) continue;
        listed.add(id);
        waiting.push(id);
      }
      while (waiting.length >= MAX_DESCRIBE_INSTANCE_IDS) describe(waiting.splice(0, MAX_DESCRIBE_INSTANCE_IDS));
    };
    try {
      // The whole answer too: IDs a listing did not tell page by page are described all the same.
      onPage(await this.api.listTaggedInstanceIds(regionId, selector.tags, { signal: listing.signal, onPage }));
    } catch (err) {
      // What the listing started ends before the failure is reported: the describe's, when one stopped it.
      await describing.done().catch(() => undefined);
      throw describeFailure && !signal.aborted ? describeFailure.error : err;
    } finally {
      signal.removeEventListener('abort', forwardAbort);
    }
    if (waiting.length > 0) describe(waiting.splice(0));
    await describing.done();
    return matched;
  }
}

function isDenied(err: unknown): err is CloudError {
  return err instanceof CloudError && cloudFailure(err.code, err.cloudMessage, err.statusCode).reason === 'AccessDenied';
}
