/**
 * The roles.ecs.dev/v1alpha1 InstanceRoleBinding API: constants and TypeScript shapes of the
 * custom resource. The CRD in crds/ is the source of truth for validation; these types mirror it.
 */

export const API_GROUP = 'roles.ecs.dev';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
export const KIND = 'InstanceRoleBinding';
export const PLURAL = 'instancerolebindings';
export const SHORT_NAME = 'irb';

/** Finalizer added before the first cloud write; removed once deletion cleanup is confirmed. */
export const FINALIZER = 'roles.ecs.dev/detach-on-delete';
/** Setting this annotation to any new value asks for an immediate reconcile. */
export const RECONCILE_REQUESTED_AT_ANNOTATION = 'roles.ecs.dev/reconcile-requested-at';

export type DeletionPolicy = 'Detach' | 'Orphan';
export type BindingMode = 'Enforce' | 'Observe';

export interface InstanceSelector {
  /** All of these tags must match (AND). */
  tags?: Record<string, string>;
  vpcId?: string;
}

export interface InstanceRoleBindingSpec {
  regionId: string;
  roleName: string;
  instanceIds?: string[];
  instanceSelector?: InstanceSelector;
  deletionPolicy?: DeletionPolicy;
  mode?: BindingMode;
  takeover?: boolean;
  suspend?: boolean;
  /** Go-style duration, e.g. "5m", "30s", "1h30m". Minimum 30s. */
  resyncPeriod?: string;
}

export type InstanceState =
  | 'Bound'
  | 'Pending'
  | 'Detaching'
  | 'Attaching'
  | 'Conflict'
  | 'NotFound'
  | 'NotVpc'
  | 'Error'
  | 'Observed';

export const INSTANCE_STATES: readonly InstanceState[] = [
  'Bound',
  'Pending',
  'Detaching',
  'Attaching',
  'Conflict',
  'NotFound',
  'NotVpc',
  'Error',
  'Observed',
];

export interface InstanceStatus {
  instanceId: string;
  state: InstanceState;
  observedRole?: string;
  message?: string;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';
export type ConditionType = 'Ready' | 'Reconciling' | 'Stalled';

/** metav1.Condition */
export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface BindingSummary {
  desired: number;
  bound: number;
  conflicts: number;
  errors: number;
}

export interface InstanceRoleBindingStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  summary?: BindingSummary;
  instances?: InstanceStatus[];
  lastSyncTime?: string;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface InstanceRoleBinding {
  apiVersion: typeof API_GROUP_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: InstanceRoleBindingSpec;
  status?: InstanceRoleBindingStatus;
}

/** "namespace/name", the work-queue key of a binding. */
export function bindingKey(meta: Pick<ObjectMeta, 'namespace' | 'name'>): string {
  return `${meta.namespace}/${meta.name}`;
}
