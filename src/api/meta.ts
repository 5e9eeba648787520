/**
 * Kubernetes object metadata as the operator reads it, and the metav1.Condition shape both kinds
 * report in status (kstatus-compatible: Ready, Reconciling, Stalled).
 */
import { type Static, Type } from '@sinclair/typebox';
import { stringEnum } from './schema-builders.js';

export interface ObjectMeta {
  name: string;
  /** Absent for cluster-scoped kinds. */
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

export const CONDITION_TYPES = ['Ready', 'Reconciling', 'Stalled'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition, as the CRD schemas declare it. */
export const ConditionSchema = Type.Object({
  type: stringEnum(CONDITION_TYPES, { description: 'Condition type: Ready, Reconciling or Stalled.' }),
  status: stringEnum(['True', 'False', 'Unknown'] as const, { description: 'Condition status.' }),
  reason: Type.String({ description: 'Stable CamelCase reason; the README lists each with its fix.', maxLength: 1024 }),
  message: Type.String({ description: 'Human-readable explanation.', maxLength: 32768 }),
  lastTransitionTime: Type.String({ format: 'date-time', description: 'When the status last changed.' }),
  observedGeneration: Type.Optional(Type.Integer({ format: 'int64', minimum: 0, description: 'Generation the condition was computed for.' })),
}, { description: 'One condition (metav1.Condition): its type, status, a stable CamelCase reason and a message saying what to do.' });
export type Condition = Static<typeof ConditionSchema>;

export const ConditionsSchema = Type.Array(ConditionSchema, {
  description: 'Ready, Reconciling and Stalled conditions.',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});
