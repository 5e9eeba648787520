/**
 * The cloud quotas of every benchmark world (the simulator enforces them, the operator is told
 * them) and the least time they allow for a piece of work: the QPS bound.
 */
import { LIST_TAG_RESOURCES_PAGE_ROWS, MAX_DESCRIBE_INSTANCES_IDS, MAX_DESCRIBE_ROLE_IDS, MAX_MUTATE_IDS } from '@ecs-role-operator/alicloud-sim';

export const QPS = {
  AttachInstanceRamRole: 20,
  DetachInstanceRamRole: 20,
  DescribeInstanceRamRole: 50,
  DescribeInstances: 50,
  ListTagResources: 20,
  GetRole: 20,
} as const satisfies Record<string, number>;

export type Action = keyof typeof QPS;

/** The fewest calls of each action that a piece of work over `instances` needs. */
export interface MinimumCalls {
  [action: string]: number;
}

/** First convergence of `instances` named by ID: read each, read its role, attach. */
export function convergeMinimum(instances: number, bySelector = false): MinimumCalls {
  return {
    DescribeInstances: Math.ceil(instances / MAX_DESCRIBE_INSTANCES_IDS),
    DescribeInstanceRamRole: Math.ceil(instances / MAX_DESCRIBE_ROLE_IDS),
    AttachInstanceRamRole: Math.ceil(instances / MAX_MUTATE_IDS),
    ...(bySelector ? { ListTagResources: Math.ceil(instances / LIST_TAG_RESOURCES_PAGE_ROWS) } : {}),
  };
}

/**
 * A converged resync: read every instance again (it may be gone, or no longer in a VPC) and its
 * role, in full batches; nothing is written.
 */
export function resyncMinimum(instances: number): MinimumCalls {
  return {
    DescribeInstances: Math.ceil(instances / MAX_DESCRIBE_INSTANCES_IDS),
    DescribeInstanceRamRole: Math.ceil(instances / MAX_DESCRIBE_ROLE_IDS),
  };
}

/** A role change of every instance: detach the old role, attach the new (after reading the roles). */
export function roleChangeMinimum(instances: number): MinimumCalls {
  return {
    DescribeInstanceRamRole: Math.ceil(instances / MAX_DESCRIBE_ROLE_IDS),
    DetachInstanceRamRole: Math.ceil(instances / MAX_MUTATE_IDS),
    AttachInstanceRamRole: Math.ceil(instances / MAX_MUTATE_IDS),
  };
}

/** Seconds the per-action QPS limits need at least for `minimum` (the actions' limits are independent). */
export function qpsBoundSeconds(minimum: MinimumCalls): number {
  return Math.max(0, ...Object.entries(minimum).map(([action, n]) => n / (QPS[action as Action] ?? Number.POSITIVE_INFINITY)));
}

export function qpsFlag(): string {
  return Object.entries(QPS).map(([a, n]) => `${a}=${n}`).join(',');
}
