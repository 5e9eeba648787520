/**
 * roles.ecs.dev/v1alpha1 InstanceRoleBinding: the one definition of its schema (validation,
 * defaults, descriptions, CEL rules), from which the TypeScript types below and the CRD in crds/
 * (`ecs-role-operator crds`, `make crds`) are derived. Patterns and limits are exported for the
 * code that checks a binding outside the API server (the operator, the audit of manifest files).
 */
import { type SchemaOptions, type Static, Type } from '@sinclair/typebox';
import { API_GROUP, API_GROUP_VERSION } from './group.js';
import { ConditionsSchema, type ObjectMeta } from './meta.js';
import { celRules, stringEnum, stringMap } from './schema-builders.js';

export { API_GROUP, API_VERSION, API_GROUP_VERSION } from './group.js';
export type { Condition, ConditionStatus, ConditionType, ObjectMeta } from './meta.js';

export const KIND = 'InstanceRoleBinding';
export const PLURAL = 'instancerolebindings';
export const SINGULAR = 'instancerolebinding';
export const SHORT_NAME = 'irb';

/** Finalizer added before the first cloud write; removed once deletion cleanup is confirmed. */
export const FINALIZER = `${API_GROUP}/detach-on-delete`;
/** Setting this annotation to any new value asks for an immediate reconcile. */
export const RECONCILE_REQUESTED_AT_ANNOTATION = `${API_GROUP}/reconcile-requested-at`;

// Patterns and limits. The cloud's own rules where it has them (RAM role names, ECS tag lengths).
export const REGION_ID_PATTERN = '^[a-z]{2,}(-[a-z0-9]+)+$';
export const ROLE_NAME_PATTERN = '^[A-Za-z0-9.-]{1,64}$';
export const INSTANCE_ID_PATTERN = '^i-[a-z0-9]{1,64}$';
export const VPC_ID_PATTERN = '^vpc-[a-z0-9]+$';
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
export const MAX_REGION_ID_LENGTH = 64;
export const MAX_INSTANCE_IDS = 1000;
export const MAX_SELECTOR_TAGS = 20;
/** ECS caps tag keys and values at 128 characters. */
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 128;
export const MIN_RESYNC_PERIOD = '30s';
export const MAX_RESYNC_PERIOD = '24h';
export const DEFAULT_RESYNC_PERIOD = '5m';
export const MIN_RESYNC_PERIOD_MS = 30_000;
export const MAX_RESYNC_PERIOD_MS = 24 * 60 * 60_000;
export const DEFAULT_RESYNC_PERIOD_MS = 5 * 60_000;

export const DELETION_POLICIES = ['Detach', 'Orphan'] as const;
export const BINDING_MODES = ['Enforce', 'Observe'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
export type BindingMode = (typeof BINDING_MODES)[number];

export const INSTANCE_STATES = [
  'Bound',
  'Pending',
  'Detaching',
  'Attaching',
  'Conflict',
  'NotFound',
  'NotVpc',
  'NotPermitted',
  'Error',
  'Observed',
] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export const regionIdSchema = (options: SchemaOptions = {}) => Type.String({ pattern: REGION_ID_PATTERN, maxLength: MAX_REGION_ID_LENGTH, ...options });
export const instanceIdSchema = (options: SchemaOptions = {}) => Type.String({ pattern: INSTANCE_ID_PATTERN, maxLength: 66, ...options });
export const vpcIdSchema = (options: SchemaOptions = {}) => Type.String({ pattern: VPC_ID_PATTERN, maxLength: 64, ...options });
export const tagsSchema = (description: string) =>
  stringMap(Type.String({ maxLength: MAX_TAG_VALUE_LENGTH }), {
    description,
    maxProperties: MAX_SELECTOR_TAGS,
    ...celRules({
      rule: `self.all(k, size(k) >= 1 && size(k) <= ${MAX_TAG_KEY_LENGTH})`,
      message: `tag keys must be 1-${MAX_TAG_KEY_LENGTH} characters (the ECS limit)`,
    }),
  });

export const InstanceSelectorSchema = Type.Object(
  {
    tags: Type.Optional(tagsSchema(`Tag key/value pairs that must all be present on the instance (at most ${MAX_SELECTOR_TAGS}; keys and values at most ${MAX_TAG_KEY_LENGTH} characters).`)),
    vpcId: Type.Optional(vpcIdSchema({ description: 'Only instances in this VPC.' })),
  },
  {
    description: 'Selects every instance of the region that matches ALL of the given criteria.',
    ...celRules({ rule: 'has(self.tags) || has(self.vpcId)', message: 'instanceSelector needs tags, vpcId or both; an empty selector would match nothing' }),
  },
);
export type InstanceSelector = Static<typeof InstanceSelectorSchema>;

export const InstanceRoleBindingSpecSchema = Type.Object(
  {
    regionId: regionIdSchema({
      description: 'Alibaba Cloud region of the instances, e.g. cn-hangzhou. Immutable.',
      ...celRules({ rule: 'self == oldSelf', message: 'regionId is immutable; create a new InstanceRoleBinding for another region' }),
    }),
    roleName: Type.String({
      description:
        "Name of the RAM role the instances must carry (1-64 letters, digits, '.' or '-'; compared case-insensitively, as RAM does). " +
        'The role must exist, its trust policy must let ecs.aliyuncs.com assume it, and an InstanceRolePolicy must permit it for this namespace.',
      pattern: ROLE_NAME_PATTERN,
      minLength: 1,
      maxLength: 64,
    }),
    instanceIds: Type.Optional(
      Type.Array(instanceIdSchema(), {
        description: 'Explicit ECS instance IDs (i-...). Combined with instanceSelector when both are set.',
        maxItems: MAX_INSTANCE_IDS,
        'x-kubernetes-list-type': 'set',
      }),
    ),
    instanceSelector: Type.Optional(InstanceSelectorSchema),
    deletionPolicy: Type.Optional(
      stringEnum(DELETION_POLICIES, {
        description: "What happens to attached roles when the binding is deleted. Detach (default) removes this binding's role where no other binding wants it; Orphan leaves instances as they are.",
        default: 'Detach',
      }),
    ),
    mode: Type.Optional(
      stringEnum(BINDING_MODES, {
        description: 'Enforce (default) attaches and corrects drift; Observe only reports what is attached and never calls a mutating API.',
        default: 'Enforce',
      }),
    ),
    takeover: Type.Optional(
      Type.Boolean({ description: 'Whether the operator may replace a role that no InstanceRoleBinding owns (the permitting policy must allow takeover). Default false (such instances report Conflict).', default: false }),
    ),
    suspend: Type.Optional(Type.Boolean({ description: 'When true the operator stops reconciling this binding and changes nothing.', default: false })),
    resyncPeriod: Type.Optional(
      Type.String({
        description: `How often the binding is checked for drift, as a duration such as 30s, 5m or 1h (${MIN_RESYNC_PERIOD} to ${MAX_RESYNC_PERIOD}). When unset, the operator's --resync-period applies (default ${DEFAULT_RESYNC_PERIOD}).`,
        pattern: DURATION_PATTERN,
        maxLength: 32,
        ...celRules(
          { rule: `duration(self) >= duration('${MIN_RESYNC_PERIOD}')`, message: `resyncPeriod must be at least ${MIN_RESYNC_PERIOD}` },
          { rule: `duration(self) <= duration('${MAX_RESYNC_PERIOD}')`, message: `resyncPeriod must be at most ${MAX_RESYNC_PERIOD}` },
        ),
      }),
    ),
  },
  {
    description: 'The desired role of the targeted instances.',
    ...celRules({
      rule: '(has(self.instanceIds) && size(self.instanceIds) > 0) || has(self.instanceSelector)',
      message: 'name the instances: set spec.instanceIds (at least one ID), spec.instanceSelector, or both',
      reason: 'FieldValueRequired',
    }),
  },
);
export type InstanceRoleBindingSpec = Static<typeof InstanceRoleBindingSpecSchema>;

export const InstanceStatusSchema = Type.Object({
  instanceId: Type.String({ description: 'ECS instance ID.' }),
  state: stringEnum(INSTANCE_STATES, { description: `One of ${INSTANCE_STATES.join(', ')}.` }),
  observedRole: Type.Optional(Type.String({ description: 'The role seen on the instance.' })),
  message: Type.Optional(Type.String({ description: 'Why the instance is in this state.' })),
}, { description: 'One targeted instance: its state and, where tenancy permits, the role seen on it.' });
export type InstanceStatus = Static<typeof InstanceStatusSchema>;

/** The most entries status.instances lists: 1,000 entries stay far below the API server's 1.5 MiB object limit. */
export const MAX_LISTED_INSTANCES = 1_000;

export const BindingSummarySchema = Type.Object(
  {
    desired: Type.Integer({ description: 'Instances targeted.' }),
    bound: Type.Integer({ description: 'Instances carrying the role.' }),
    conflicts: Type.Integer({ description: 'Instances in Conflict.' }),
    errors: Type.Integer({ description: 'Instances in Error, NotFound, NotVpc or NotPermitted.' }),
  },
  { description: 'Counts over the targeted instances.' },
);
export type BindingSummary = Static<typeof BindingSummarySchema>;

export const InstanceRoleBindingStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(Type.Integer({ format: 'int64', description: 'The metadata.generation this status describes.' })),
    conditions: Type.Optional(ConditionsSchema),
    summary: Type.Optional(BindingSummarySchema),
    instances: Type.Optional(
      Type.Array(InstanceStatusSchema, {
        description: `One entry per targeted instance, at most ${MAX_LISTED_INSTANCES} (problems first, then instances in flight, then the rest; by ID within each): summary counts every one.`,
      }),
    ),
    unlistedInstances: Type.Optional(Type.Integer({ minimum: 0, description: `Targeted instances not in status.instances because the list stops at ${MAX_LISTED_INSTANCES} entries (a status must fit the API server's request limit).` })),
    lastSyncTime: Type.Optional(Type.String({ format: 'date-time', description: 'When the operator last compared the binding with the cloud.' })),
  },
  { description: 'What the operator observed and did, in kstatus-compatible conditions. Written by the operator only; never read back as proof of what it did.' },
);
export type InstanceRoleBindingStatus = Static<typeof InstanceRoleBindingStatusSchema>;

export interface InstanceRoleBinding {
  apiVersion: typeof API_GROUP_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: InstanceRoleBindingSpec;
  status?: InstanceRoleBindingStatus;
}

export const INSTANCE_ROLE_BINDING_DESCRIPTION =
  'InstanceRoleBinding declares which RAM role a set of Alibaba Cloud ECS instances must carry. ' +
  'The operator attaches the role, corrects drift, swaps roles by detach-then-attach and detaches on delete (deletionPolicy Detach), ' +
  'within what an InstanceRolePolicy permits for the namespace.';

/** "namespace/name", the work-queue key of a binding. */
export function bindingKey(meta: Pick<ObjectMeta, 'namespace' | 'name'>): string {
  return `${meta.namespace}/${meta.name}`;
}
