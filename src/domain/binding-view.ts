/**
 * The one way a binding becomes what the planner, the claims and the audit reason about: its key,
 * its age, its normalized spec and whether it is being deleted. Built here for the controller's
 * cache and the audit alike, so both order and target bindings the same way. Pure; no I/O.
 */
import { type InstanceRoleBindingSpec, bindingKey } from '../api/instance-role-binding.js';
import { errorText } from '../util/error-text.js';
import { type NormalizeOptions, type NormalizedSpec, normalizeSpec } from './binding-spec.js';

/** The planner's view of one InstanceRoleBinding. */
export interface BindingView {
  /** "namespace/name" */
  key: string;
  /** RFC 3339; '' when the object has none (a manifest never applied): it then sorts as the youngest. */
  creationTimestamp: string;
  spec: NormalizedSpec;
  /** metadata.deletionTimestamp is set: the binding no longer claims anything. */
  deleting: boolean;
}

/** The metadata a view needs. Timestamps may be strings (JSON) or Dates (some clients). */
export interface ViewedMetadata {
  namespace: string;
  name: string;
  creationTimestamp?: string | Date | undefined;
  deletionTimestamp?: string | Date | undefined;
}

export type ViewResult = { view: BindingView } | { invalid: string };

/** The view of a binding, or why its spec cannot be used (the message names the field and the fix). */
export function toBindingView(metadata: ViewedMetadata, spec: InstanceRoleBindingSpec, options: NormalizeOptions = {}): ViewResult {
  let normalized: NormalizedSpec;
  try {
    normalized = normalizeSpec(spec, options);
  } catch (err) {
    return { invalid: errorText(err) };
  }
  return {
    view: {
      key: bindingKey(metadata),
      creationTimestamp: timestampText(metadata.creationTimestamp) ?? '',
      spec: normalized,
      deleting: timestampText(metadata.deletionTimestamp) !== undefined,
    },
  };
}

function timestampText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return undefined;
}
