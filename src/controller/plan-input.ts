/**
 * What a pass asks the planner about, assembled in one place for every plan (a live pass and a
 * release alike): the binding, its competitors for the observed instances, the observation, what
 * tenancy permits, what the ownership ledger records, and the role check.
 */
import type { BindingView } from '../domain/binding-view.js';
import type { Observation, RoleCheck } from '../domain/cloud-facts.js';
import type { OwnershipView } from '../domain/ownership.js';
import { type Permissions, identityOf } from '../domain/permissions.js';
import type { PlanInput, ReleaseInput } from '../domain/planner.js';
import type { TargetScope } from '../cloud/role-cloud.js';
import type { BindingIndex } from '../kube/binding-api.js';

export interface PlanContext {
  index: BindingIndex;
  ledger: OwnershipView;
  permissions: Permissions;
}

/** The planner's input for a live pass: assembled here, once. */
export function planInputFor(context: PlanContext, view: BindingView, observation: Observation, role: RoleCheck): PlanInput {
  return {
    binding: view,
    others: context.index.competitors(view.spec.regionId, observation.targetIds, view.key),
    ...observation,
    permissions: context.permissions,
    ownership: context.ledger,
    role,
  };
}

/** The planner's input for releasing what the binding holds (`held`, from the ledger). */
export function releaseInputFor(context: PlanContext, view: BindingView, observation: Observation, held: ReadonlyMap<string, string>): ReleaseInput {
  return {
    binding: view,
    others: context.index.competitors(view.spec.regionId, held.keys(), view.key),
    ...observation,
    permissions: context.permissions,
    ownership: context.ledger,
    held,
  };
}

/** What a spec targets, with the instances tenancy lets it read. */
export function scopeOf(view: BindingView, permissions: Permissions): TargetScope {
  return { instanceIds: view.spec.instanceIds, selector: view.spec.selector, admit: (instance) => permissions.instance(identityOf(view), instance).permitted };
}
