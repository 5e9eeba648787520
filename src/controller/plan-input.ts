/**
 * What a pass asks the planner about, assembled in one place for every plan (a live pass and a
 * release alike): the binding, its competitors for the observed instances, the observation, what
 * the binding owns, and the role check.
 */
import type { BindingView } from '../domain/binding-view.js';
import type { Observation, RoleCheck } from '../domain/cloud-facts.js';
import type { PlanInput } from '../domain/planner.js';
import type { TargetScope } from '../cloud/role-cloud.js';
import type { BindingIndex } from '../kube/binding-api.js';

/** The planner's input: assembled here, once, for every plan a pass makes. */
export function planInputFor(
  index: BindingIndex,
  view: BindingView,
  observation: Observation,
  previouslyOwned: ReadonlyMap<string, string>,
  role: RoleCheck,
): PlanInput {
  return {
    binding: view,
    others: index.competitors(view.spec.regionId, observation.targetIds, view.key),
    ...observation,
    previouslyOwned,
    role,
  };
}

/** What a spec targets. */
export function scopeOf(view: BindingView): TargetScope {
  return { instanceIds: view.spec.instanceIds, selector: view.spec.selector };
}
