/**
 * Schemas of the built-in kinds, in the CRD schema dialect, as the emulator publishes them in
 * OpenAPI v3 (what `kubectl explain` shows). Decoding, unknown fields and validation of built-in
 * objects follow their Go types and validators instead (go-types/, validation/).
 */
import type { JsonObject } from './json.js';

const str = (description: string): JsonObject => ({ type: 'string', description });
const int = (description: string): JsonObject => ({ type: 'integer', description });
const bool = (description: string): JsonObject => ({ type: 'boolean', description });
const strings = (description: string): JsonObject => ({ type: 'array', description, items: { type: 'string' } });
const stringMap = (description: string): JsonObject => ({ type: 'object', description, additionalProperties: { type: 'string' } });
const open = (description: string): JsonObject => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });
const object = (description: string, properties: Record<string, JsonObject>, required: string[] = []): JsonObject => ({
  type: 'object',
  description,
  properties,
  ...(required.length > 0 ? { required } : {}),
});

export function kindSchema(description: string, properties: Record<string, JsonObject>, required: string[] = []): JsonObject {
  return object(
    description,
    {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: { type: 'object', description: "Standard object's metadata." },
      ...properties,
    },
    required,
  );
}

const policyRule = object(
  'PolicyRule holds information that describes a policy rule.',
  {
    apiGroups: strings('APIGroups is the name of the APIGroup that contains the resources. "" is the core group, "*" all groups.'),
    resources: strings('Resources is a list of resources this rule applies to. "*" represents all resources.'),
    verbs: strings('Verbs is a list of verbs that apply to the resources, e.g. get, list, watch, create, update, patch, delete; "*" all.'),
    resourceNames: strings('ResourceNames is an optional allow list of names that the rule applies to.'),
    nonResourceURLs: strings('NonResourceURLs is a set of partial URLs that a user should have access to.'),
  },
  ['verbs'],
);

const roleRef = object(
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. It cannot change.',
  { apiGroup: str('APIGroup is the group for the resource being referenced.'), kind: str('Kind is the type of resource being referenced.'), name: str('Name is the name of resource being referenced.') },
  ['apiGroup', 'kind', 'name'],
);

const subject = object(
  'Subject contains a reference to the object or user identities a role binding applies to.',
  {
    kind: str('Kind of object being referenced: "User", "Group", or "ServiceAccount".'),
    apiGroup: str('APIGroup holds the API group of the referenced subject.'),
    name: str('Name of the object being referenced.'),
    namespace: str('Namespace of the referenced object (ServiceAccount).'),
  },
  ['kind', 'name'],
);

const time = (description: string): JsonObject => str(`${description} (RFC 3339 time).`);

export const BUILTIN_SCHEMAS: Record<string, JsonObject> = {
  Namespace: kindSchema('Namespace provides a scope for Names.', {
    spec: object('Spec defines the behavior of the Namespace.', { finalizers: strings('Finalizers is an opaque list of values that must be empty to permanently remove the object from storage.') }),
    status: object('Status describes the current status of a Namespace.', { phase: str('Phase is the current lifecycle phase of the namespace.'), conditions: { type: 'array', items: open('NamespaceCondition') } }),
  }),
  ConfigMap: kindSchema('ConfigMap holds configuration data for pods to consume.', {
    data: stringMap('Data contains the configuration data.'),
    binaryData: stringMap('BinaryData contains the binary data (base64).'),
    immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'),
  }),
  Secret: kindSchema('Secret holds secret data of a certain type.', {
    data: stringMap('Data contains the secret data, base64-encoded.'),
    stringData: stringMap('stringData allows specifying non-binary secret data in string form; it is merged into data on write.'),
    type: str('Used to facilitate programmatic handling of secret data.'),
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated.'),
  }),
  ServiceAccount: kindSchema('ServiceAccount binds together a name, a principal that can be authenticated and authorized, and a set of secrets.', {
    secrets: { type: 'array', description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', items: open('ObjectReference') },
    imagePullSecrets: { type: 'array', description: 'ImagePullSecrets is a list of references to secrets for pulling images.', items: object('LocalObjectReference', { name: str('Name of the referent.') }) },
    automountServiceAccountToken: bool('Whether pods running as this service account should have an API token automatically mounted.'),
  }),
  Event: kindSchema('Event is a report of an event somewhere in the cluster.', {
    involvedObject: open('The object that this event is about.'),
    reason: str('A short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    message: str('A human-readable description of the status of this operation.'),
    source: open('The component reporting this event.'),
    firstTimestamp: time('The time at which the event was first recorded'),
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded'),
    count: int('The number of times this event has occurred.'),
    type: str('Type of this event (Normal, Warning).'),
    eventTime: time('Time when this Event was first observed'),
    series: open('Data about the Event series this event represents.'),
    action: str('What action was taken/failed regarding to the Regarding object.'),
    related: open('Optional secondary object for more complex actions.'),
    reportingComponent: str('Name of the controller that emitted this Event.'),
    reportingInstance: str('ID of the controller instance.'),
  }),
  'events.k8s.io/Event': kindSchema('Event is a report of an event somewhere in the cluster (events.k8s.io/v1).', {
    regarding: open('The object this Event is about.'),
    related: open('Optional secondary object for more complex actions.'),
    note: str('A human-readable description of the status of this operation.'),
    reason: str('Why the action was taken.'),
    type: str('Type of this event (Normal, Warning).'),
    action: str('What action was taken/failed regarding to the regarding object.'),
    eventTime: time('Time when this Event was first observed'),
    series: open('Data about the Event series this event represents.'),
    reportingController: str('Name of the controller that emitted this Event.'),
    reportingInstance: str('ID of the controller instance.'),
    deprecatedSource: open('Deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedFirstTimestamp: time('Deprecated field assuring backward compatibility with core.v1 Event type'),
    deprecatedLastTimestamp: time('Deprecated field assuring backward compatibility with core.v1 Event type'),
    deprecatedCount: int('Deprecated field assuring backward compatibility with core.v1 Event type.'),
  }),
  Service: kindSchema('Service is a named abstraction of software service (stored only).', { spec: open('Spec defines the behavior of a service.'), status: open('Most recently observed status of the service.') }),
  Deployment: kindSchema('Deployment enables declarative updates for Pods and ReplicaSets (stored only; the emulator runs no workloads).', {
    spec: open('Specification of the desired behavior of the Deployment.'),
    status: open('Most recently observed status of the Deployment.'),
  }),
  Lease: kindSchema('Lease defines a lease concept.', {
    spec: object('Specification of the Lease.', {
      holderIdentity: str('The identity of the holder of a current lease.'),
      leaseDurationSeconds: int('Duration that candidates for a lease need to wait to force acquire it.'),
      acquireTime: time('When the current lease was acquired'),
      renewTime: time('When the current holder of a lease has last updated the lease'),
      leaseTransitions: int('The number of transitions of a lease between holders.'),
      strategy: str('The strategy for picking the leader for coordinated leader election.'),
      preferredHolder: str('Signals to a lease holder that the lease has a more optimal holder.'),
    }),
  }),
  Role: kindSchema('Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.', {
    rules: { type: 'array', description: 'Rules holds all the PolicyRules for this Role.', items: policyRule },
  }),
  ClusterRole: kindSchema('ClusterRole is a cluster level, logical grouping of PolicyRules.', {
    rules: { type: 'array', description: 'Rules holds all the PolicyRules for this ClusterRole.', items: policyRule },
    aggregationRule: object('AggregationRule describes how to build the Rules for this ClusterRole.', { clusterRoleSelectors: { type: 'array', items: open('LabelSelector') } }),
  }),
  RoleBinding: kindSchema(
    'RoleBinding references a role, but does not contain it.',
    { roleRef, subjects: { type: 'array', description: 'Subjects holds references to the objects the role applies to.', items: subject } },
    ['roleRef'],
  ),
  ClusterRoleBinding: kindSchema(
    'ClusterRoleBinding references a ClusterRole, but not contain it.',
    { roleRef, subjects: { type: 'array', description: 'Subjects holds references to the objects the role applies to.', items: subject } },
    ['roleRef'],
  ),
};
