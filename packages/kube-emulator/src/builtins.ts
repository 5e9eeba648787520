/**
 * The built-in kinds the emulator serves (core/v1, apps/v1, coordination, events, RBAC,
 * apiextensions, access reviews) and the objects that exist when it starts (namespaces and the
 * bootstrap RBAC roles every cluster has).
 */
import {
  BINDING_COLUMNS,
  BUILTIN_AGE,
  CONFIGMAP_COLUMNS,
  CREATED_AT,
  DEPLOYMENT_COLUMNS,
  eventColumns,
  labelSelectorString,
  LEASE_COLUMNS,
  NAMESPACE_COLUMNS,
  SECRET_COLUMNS,
  SERVICE_ACCOUNT_COLUMNS,
  SERVICE_COLUMNS,
} from './builtin-printers.js';
import { BUILTIN_SCHEMAS } from './builtin-schemas.js';
import { SCALE_SUBRESOURCE } from './scale-subresource.js';
import { TOKEN_SUBRESOURCE } from './token-request.js';
import { deploymentDefaults } from './defaulting/deployment-defaults.js';
import { bindingDefaults } from './defaulting/rbac-defaults.js';
import type { ServiceAddressAllocator } from './defaulting/service-addresses.js';
import { serviceDefaults } from './defaulting/service-defaults.js';
import { roundTripGoJson } from './go-types/go-json.js';
import type { RulesForUser } from './rbac/index.js';
import { structOfKind } from './go-types/go-type.js';
import { goFieldShapes, UNTYPED_SHAPES } from './field-shapes.js';
import { validateConfigMap, validateSecret } from './validation/data-validation.js';
import { validateDeployment } from './validation/deployment-validation.js';
import { bindingValidator, roleValidator } from './validation/rbac-validation.js';
import { validateService } from './validation/service-validation.js';
import { crdStatus, publishedSchema, validateCrd } from './crd.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { nowTimestamp } from './object-meta.js';
import { storageVersionHash, type AccessAttributes, type PrinterColumn, type ResourceType, type UserInfo, type Authorizer } from './resource-type.js';

const OBJECT_META_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function kindSchema(description: string, properties: Record<string, JsonObject> = {}): JsonObject {
  return {
    type: 'object',
    description,
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { allOf: [{ $ref: OBJECT_META_REF }], default: {}, description: "Standard object's metadata." },
      ...properties,
    },
  };
}

const loose = (description: string): JsonObject => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type BuiltinSpec = Pick<ResourceType, 'group' | 'version' | 'plural' | 'kind' | 'namespaced'> & Partial<ResourceType>;

function builtin(spec: BuiltinSpec): ResourceType {
  const goStruct = structOfKind(spec.group ? `${spec.group}/${spec.version}` : spec.version, spec.kind);
  const structural = BUILTIN_SCHEMAS[spec.group === 'events.k8s.io' ? `events.k8s.io/${spec.kind}` : spec.kind];
  const t: ResourceType = {
    singular: spec.kind.toLowerCase(),
    listKind: `${spec.kind}List`,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    storageKey: `${spec.group}/${spec.plural}`,
    hasStatus: false,
    tracksGeneration: false,
    custom: false,
    printerColumns: [BUILTIN_AGE],
    openAPISchema: structural ? publishedSchema(structural, spec.group, spec.version, spec.kind) : kindSchema(`${spec.kind} (served by the Kubernetes API emulator).`),
    ...(goStruct ? { goStruct } : {}),
    fieldShapes: goStruct ? goFieldShapes(goStruct) : UNTYPED_SHAPES,
    ...spec,
  };
  if (!t.answerCreate) t.storageVersionHash = storageVersionHash(t.storageKey.slice(0, t.storageKey.indexOf('/')), t.version, t.kind);
  return t;
}


function path(obj: JsonObject, ...keys: string[]): string | undefined {
  let cur: JsonValue | undefined = obj;
  for (const k of keys) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[k];
  }
  return typeof cur === 'string' ? cur : cur === undefined || cur === null ? undefined : String(cur);
}

function secretNormalize(obj: JsonObject): void {
  const stringData = obj['stringData'];
  if (isJsonObject(stringData)) {
    const data: JsonObject = isJsonObject(obj['data']) ? obj['data'] : {};
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    obj['data'] = data;
    delete obj['stringData'];
  }
  if (typeof obj['type'] !== 'string' || obj['type'] === '') obj['type'] = 'Opaque';
}

/** SetDefaults_Namespace: the `kubernetes.io/metadata.name` label (before validation, so a long name fails on it too). */
function namespaceDefaults(obj: JsonObject): void {
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  if (typeof meta['name'] !== 'string' || meta['name'] === '') return;
  const labels: JsonObject = isJsonObject(meta['labels']) ? meta['labels'] : {};
  labels['kubernetes.io/metadata.name'] = meta['name'];
  meta['labels'] = labels;
}

/** The namespace strategy: the `kubernetes` finalizer and the phase. */
function namespaceNormalize(obj: JsonObject): void {
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  const spec: JsonObject = isJsonObject(obj['spec']) ? obj['spec'] : {};
  if (!Array.isArray(spec['finalizers'])) spec['finalizers'] = ['kubernetes'];
  obj['spec'] = spec;
  obj['status'] = { phase: meta['deletionTimestamp'] ? 'Terminating' : 'Active' };
}

function crdNormalize(obj: JsonObject, old: JsonObject | undefined): void {
  obj['status'] = crdStatus(obj, old);
}

function accessAttributes(spec: JsonObject): AccessAttributes {
  const res = spec['resourceAttributes'];
  const nonRes = spec['nonResourceAttributes'];
  if (isJsonObject(res)) {
    const str = (k: string): string => (typeof res[k] === 'string' ? (res[k] as string) : '');
    return {
      verb: str('verb'),
      apiGroup: str('group'),
      resource: str('resource'),
      ...(str('subresource') ? { subresource: str('subresource') } : {}),
      ...(str('namespace') ? { namespace: str('namespace') } : {}),
      ...(str('name') ? { name: str('name') } : {}),
    };
  }
  if (isJsonObject(nonRes)) {
    return { verb: String(nonRes['verb'] ?? ''), apiGroup: '', resource: '', nonResourceURL: String(nonRes['path'] ?? '') };
  }
  return { verb: '', apiGroup: '', resource: '' };
}

function review(obj: JsonObject, user: UserInfo, authorize: Authorizer): JsonObject {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const decision = authorize(user, accessAttributes(spec));
  return {
    ...obj,
    metadata: { creationTimestamp: null },
    // Like kube-apiserver: the RBAC authorizer explains grants; a denial carries no reason.
    status: { allowed: decision.allowed, ...(decision.allowed && decision.reason ? { reason: decision.reason } : {}) },
  };
}

function subjectReview(obj: JsonObject, _user: UserInfo, authorize: Authorizer): JsonObject {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const subject: UserInfo = {
    name: typeof spec['user'] === 'string' ? spec['user'] : '',
    groups: Array.isArray(spec['groups']) ? spec['groups'].map(String) : [],
  };
  return review(obj, subject, authorize);
}

function selfSubjectReview(obj: JsonObject, user: UserInfo): JsonObject {
  const userInfo: JsonObject = { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) };
  return { ...obj, metadata: { creationTimestamp: nowTimestamp() }, status: { userInfo } };
}

/** events.k8s.io/v1 field <-> core/v1 field; both versions are views of one stored Event. */
const EVENT_FIELDS: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['action', 'action'],
  ['reason', 'reason'],
  ['related', 'related'],
  ['type', 'type'],
];

function renameFields(obj: JsonObject, pairs: [string, string][], apiVersion: string): JsonObject {
  const out: JsonObject = { apiVersion, kind: 'Event', metadata: obj['metadata'] ?? {} };
  for (const [from, to] of pairs) if (obj[from] !== undefined) out[to] = obj[from] as JsonValue;
  return out;
}

/** A converted Event as the Go struct of its version encodes it. */
function encodedAs(struct: string, obj: JsonObject): JsonObject {
  return roundTripGoJson(struct, obj).value;
}

const EVENTS_V1_SHAPE = {
  fromStorage: (stored: JsonObject): JsonObject => encodedAs('events/v1.Event', renameFields(stored, EVENT_FIELDS.map(([modern, core]) => [core, modern]), 'events.k8s.io/v1')),
  toStorage: (obj: JsonObject): JsonObject => encodedAs('core/v1.Event', renameFields(obj, EVENT_FIELDS, 'v1')),
};

const REVIEW = { verbs: ['create'], namespaced: false, printerColumns: [] as PrinterColumn[] };

/** What some built-in kinds need from the running emulator. */
export interface BuiltinDependencies {
  serviceAddresses: ServiceAddressAllocator;
  /** The RBAC rules that apply to a user in a namespace (SelfSubjectRulesReview). */
  rulesFor: (user: UserInfo, namespace: string) => RulesForUser;
}

/** SelfSubjectRulesReview (`kubectl auth can-i --list`): the caller's rules in spec.namespace. */
function rulesReview(obj: JsonObject, user: UserInfo, rulesFor: BuiltinDependencies['rulesFor']): JsonObject {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const { rules, problems } = rulesFor(user, typeof spec['namespace'] === 'string' ? spec['namespace'] : '');
  const resourceRules = rules
    .filter((r) => r.resources.length > 0)
    .map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, ...(r.resourceNames.length > 0 ? { resourceNames: r.resourceNames } : {}) }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs.length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return {
    ...obj,
    metadata: { creationTimestamp: null },
    status: { resourceRules, nonResourceRules, incomplete: problems.length > 0, ...(problems.length > 0 ? { evaluationError: `[${problems.join(', ')}]` } : {}) },
  };
}

export function builtinResourceTypes(deps: BuiltinDependencies): ResourceType[] {
  return [
    builtin({
      group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], hasStatus: true,
      printerColumns: NAMESPACE_COLUMNS,
      fieldSelectors: { 'status.phase': (o) => path(o, 'status', 'phase') },
      defaults: namespaceDefaults,
      normalize: namespaceNormalize,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    }),
    builtin({
      group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'],
      printerColumns: CONFIGMAP_COLUMNS,
      validate: validateConfigMap,
    }),
    builtin({
      group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true,
      printerColumns: SECRET_COLUMNS,
      fieldSelectors: { type: (o) => path(o, 'type') },
      normalize: secretNormalize,
      validate: validateSecret,
    }),
    builtin({
      group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'],
      printerColumns: SERVICE_ACCOUNT_COLUMNS,
      subresources: [TOKEN_SUBRESOURCE],
    }),
    builtin({
      group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'],
      printerColumns: eventColumns(),
      ownNameColumn: true,
      fieldSelectors: {
        'involvedObject.kind': (o) => path(o, 'involvedObject', 'kind'),
        'involvedObject.namespace': (o) => path(o, 'involvedObject', 'namespace'),
        'involvedObject.name': (o) => path(o, 'involvedObject', 'name'),
        'involvedObject.uid': (o) => path(o, 'involvedObject', 'uid'),
        'involvedObject.apiVersion': (o) => path(o, 'involvedObject', 'apiVersion'),
        'involvedObject.resourceVersion': (o) => path(o, 'involvedObject', 'resourceVersion'),
        'involvedObject.fieldPath': (o) => path(o, 'involvedObject', 'fieldPath'),
        reason: (o) => path(o, 'reason'),
        reportingComponent: (o) => path(o, 'reportingComponent'),
        source: (o) => path(o, 'source', 'component'),
        type: (o) => path(o, 'type'),
      },
    }),
    builtin({
      group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'], hasStatus: true,
      printerColumns: SERVICE_COLUMNS,
      defaults: serviceDefaults,
      validate: validateService,
      assign: (o, old) => deps.serviceAddresses.assign(o, old),
    }),
    builtin({
      group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], hasStatus: true, tracksGeneration: true,
      defaults: deploymentDefaults,
      validate: validateDeployment,
      subresources: [SCALE_SUBRESOURCE],
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', selector: (o) => labelSelectorString(isJsonObject(o['spec']) ? o['spec']['selector'] : undefined) },
      printerColumns: DEPLOYMENT_COLUMNS,
    }),
    builtin({
      group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'],
      storageKey: '/events',
      storageShape: EVENTS_V1_SHAPE,
      printerColumns: eventColumns(EVENTS_V1_SHAPE.toStorage),
      ownNameColumn: true,
      fieldSelectors: {
        'regarding.kind': (o) => path(o, 'regarding', 'kind'),
        'regarding.name': (o) => path(o, 'regarding', 'name'),
        'regarding.namespace': (o) => path(o, 'regarding', 'namespace'),
        reason: (o) => path(o, 'reason'),
        type: (o) => path(o, 'type'),
      },
    }),
    builtin({
      group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true,
      printerColumns: LEASE_COLUMNS,
    }),
    ...['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].map((kind) =>
      builtin({
        group: 'rbac.authorization.k8s.io', version: 'v1', plural: `${kind.toLowerCase()}s`, kind, namespaced: !kind.startsWith('Cluster'),
        validate: kind.endsWith('Binding') ? bindingValidator(kind === 'RoleBinding') : roleValidator(kind === 'Role'),
        ...(kind.endsWith('Binding') ? { defaults: bindingDefaults } : {}),
        printerColumns: kind.endsWith('Binding') ? BINDING_COLUMNS : [CREATED_AT],
      }),
    ),
    builtin({
      group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], hasStatus: true, tracksGeneration: true,
      printerColumns: [CREATED_AT],
      normalize: crdNormalize,
      validate: (obj) => validateCrd(obj),
      openAPISchema: kindSchema('CustomResourceDefinition represents a resource that should be exposed on the API server.', { spec: loose('Spec describes how the user wants the resources to appear.'), status: loose('Status indicates the actual state of the CustomResourceDefinition.') }),
    }),
    builtin({ group: 'authorization.k8s.io', version: 'v1', plural: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', ...REVIEW, answerCreate: review }),
    builtin({ group: 'authorization.k8s.io', version: 'v1', plural: 'subjectaccessreviews', kind: 'SubjectAccessReview', ...REVIEW, answerCreate: subjectReview }),
    builtin({ group: 'authorization.k8s.io', version: 'v1', plural: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', ...REVIEW, answerCreate: (obj, user) => rulesReview(obj, user, deps.rulesFor) }),
    builtin({ group: 'authentication.k8s.io', version: 'v1', plural: 'selfsubjectreviews', kind: 'SelfSubjectReview', ...REVIEW, answerCreate: selfSubjectReview }),
  ];
}

/** Objects every cluster starts with. */
export function bootstrapObjects(): JsonObject[] {
  const ns = (name: string): JsonObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const rbac = 'rbac.authorization.k8s.io/v1';
  const bootstrapMeta = (name: string): JsonObject => ({ name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } });
  const clusterRole = (name: string, rules: JsonObject[]): JsonObject => ({ apiVersion: rbac, kind: 'ClusterRole', metadata: bootstrapMeta(name), rules });
  const bindToGroups = (name: string, groups: string[]): JsonObject => ({
    apiVersion: rbac, kind: 'ClusterRoleBinding',
    metadata: bootstrapMeta(name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
  });
  return [
    ns('default'), ns('kube-system'), ns('kube-public'), ns('kube-node-lease'),
    clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]),
    clusterRole('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    clusterRole('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
    clusterRole('system:service-account-issuer-discovery', [{ nonResourceURLs: ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'], verbs: ['get'] }]),
    {
      apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: bootstrapMeta('cluster-admin'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
    },
    bindToGroups('system:discovery', ['system:authenticated']),
    bindToGroups('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
    bindToGroups('system:basic-user', ['system:authenticated']),
    bindToGroups('system:service-account-issuer-discovery', ['system:serviceaccounts']),
  ];
}

/** The `kubernetes` Service in `default` that points at the API server itself. */
export function kubernetesService(clusterIP: string, port: number): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None', type: 'ClusterIP' },
  };
}
