/**
 * roles.ecs.dev/v1alpha1 InstanceRolePolicy (cluster-scoped, written by cluster admins): which
 * namespaces may bind which RAM roles to which instances. The one definition of its schema; the
 * types and the CRD are derived from it. Deny by default: a binding no policy permits is never
 * acted on.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { API_GROUP_VERSION } from './group.js';
import { ConditionsSchema, type ObjectMeta } from './meta.js';
import { regionIdSchema, tagsSchema, vpcIdSchema } from './instance-role-binding.js';
import { celRules, stringEnum, stringMap } from './schema-builders.js';

export const POLICY_KIND = 'InstanceRolePolicy';
export const POLICY_PLURAL = 'instancerolepolicies';
export const POLICY_SINGULAR = 'instancerolepolicy';
export const POLICY_SHORT_NAME = 'irp';

/** A RAM role name, or a pattern of one with `*` matching any run of characters. */
export const ROLE_NAME_GLOB_PATTERN = '^[A-Za-z0-9.*-]{1,64}$';
/** A namespace name (DNS-1123 label). */
export const NAMESPACE_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelSelectorOperator = (typeof LABEL_SELECTOR_OPERATORS)[number];

export const LabelSelectorSchema = Type.Object(
  {
    matchLabels: Type.Optional(stringMap(Type.String({ maxLength: 63 }), { description: 'Labels the namespace must carry, each with this value.' })),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            key: Type.String({ description: 'The label key.', minLength: 1, maxLength: 317 }),
            operator: stringEnum(LABEL_SELECTOR_OPERATORS, { description: 'In, NotIn, Exists or DoesNotExist.' }),
            values: Type.Optional(Type.Array(Type.String({ maxLength: 63 }), { description: 'For In and NotIn: the values; must be empty for Exists and DoesNotExist.', maxItems: 64 })),
          },
          {
            description: 'A label requirement: the key, an operator, and the values In and NotIn compare with.',
            ...celRules(
              { rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0", message: 'In and NotIn need values; Exists and DoesNotExist take none' },
            ),
          },
        ),
        { description: 'Label requirements, all of which must hold.', maxItems: 32 },
      ),
    ),
  },
  {
    description: 'Selects namespaces by their labels (metav1.LabelSelector; an empty selector matches every namespace).',
    'x-kubernetes-map-type': 'atomic',
  },
);
export type LabelSelector = Static<typeof LabelSelectorSchema>;

export const PolicyInstancesSchema = Type.Object(
  {
    regionIds: Type.Optional(Type.Array(regionIdSchema(), { description: 'Regions the instances must be in.', maxItems: 64, 'x-kubernetes-list-type': 'set' })),
    vpcIds: Type.Optional(Type.Array(vpcIdSchema(), { description: 'VPCs the instances must be in.', maxItems: 256, 'x-kubernetes-list-type': 'set' })),
    tags: Type.Optional(tagsSchema('Tags the instances must carry, each with this value.')),
  },
  { description: 'Which instances the permitted bindings may act on; every field given must match. Unset: any instance in the account.' },
);
export type PolicyInstances = Static<typeof PolicyInstancesSchema>;

export const InstanceRolePolicySpecSchema = Type.Object(
  {
    namespaces: Type.Optional(
      Type.Array(Type.String({ pattern: NAMESPACE_NAME_PATTERN, maxLength: 63 }), { description: 'Namespaces whose InstanceRoleBindings this policy governs.', maxItems: 256, 'x-kubernetes-list-type': 'set' }),
    ),
    namespaceSelector: Type.Optional(LabelSelectorSchema),
    roles: Type.Array(Type.String({ pattern: ROLE_NAME_GLOB_PATTERN, maxLength: 64 }), {
      description: "RAM role names the bindings may name; '*' matches any run of characters (TeamA*). Compared case-insensitively, as the operator compares role names everywhere.",
      minItems: 1,
      maxItems: 256,
      'x-kubernetes-list-type': 'set',
    }),
    instances: Type.Optional(PolicyInstancesSchema),
    allowTakeover: Type.Optional(
      Type.Boolean({ description: 'Whether bindings this policy permits may use spec.takeover to replace a role that no binding owns. Default false.', default: false }),
    ),
  },
  {
    description: 'Who may bind what: namespaces (by name and/or labels), RAM roles, and the instances they may be attached to.',
    ...celRules({ rule: 'has(self.namespaces) || has(self.namespaceSelector)', message: 'name the namespaces: set spec.namespaces, spec.namespaceSelector, or both', reason: 'FieldValueRequired' }),
  },
);
export type InstanceRolePolicySpec = Static<typeof InstanceRolePolicySpecSchema>;

export const InstanceRolePolicyStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(Type.Integer({ format: 'int64', description: 'The metadata.generation this status describes.' })),
    conditions: Type.Optional(ConditionsSchema),
    permittedBindings: Type.Optional(Type.Integer({ minimum: 0, description: 'How many InstanceRoleBindings this policy currently permits.' })),
  },
  { description: 'Whether the policy is valid and how many bindings it permits.' },
);
export type InstanceRolePolicyStatus = Static<typeof InstanceRolePolicyStatusSchema>;

export interface InstanceRolePolicy {
  apiVersion: typeof API_GROUP_VERSION;
  kind: typeof POLICY_KIND;
  metadata: Omit<ObjectMeta, 'namespace'> & { namespace?: string };
  spec: InstanceRolePolicySpec;
  status?: InstanceRolePolicyStatus;
}

export const INSTANCE_ROLE_POLICY_DESCRIPTION =
  'InstanceRolePolicy (cluster-scoped, for cluster admins) says which namespaces may bind which RAM roles to which ECS instances. ' +
  'The operator acts on an InstanceRoleBinding only when a policy selects its namespace and permits its role, and only on the instances that policy permits.';
