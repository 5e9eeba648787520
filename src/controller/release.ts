/**
 * The one release path, for a deleting binding and for instances a binding no longer targets:
 * observe the instances in scope, plan with planDeletion (detach this binding's role only where
 * it is still attached and no other binding wants it there), carry the detaches out. A detach
 * that found the role already gone counts as released.
 */
import type { Logger } from 'pino';
import type { BindingView } from '../domain/binding-view.js';
import type { Observation } from '../domain/cloud-facts.js';
import type { ActionFailure } from '../domain/failures.js';
import { type Plan, planDeletion } from '../domain/planner.js';
import type { RoleCloud, TargetScope } from '../cloud/role-cloud.js';
import type { BindingIndex } from '../kube/binding-api.js';
import { type Execution, executePlan, unexecuted } from './execute.js';
import { planInputFor } from './plan-input.js';

export type ReleaseResult =
  | { observed: false; error: unknown }
  | {
      observed: true;
      plan: Plan;
      execution: Execution;
      /** Failures that leave the role attached somewhere. */
      blocking: ActionFailure[];
    };

export interface ReleaseDeps {
  cloud: RoleCloud;
  index: BindingIndex;
}

export async function release(
  deps: ReleaseDeps,
  view: BindingView,
  scope: TargetScope,
  owned: ReadonlyMap<string, string>,
  signal: AbortSignal,
  log: Logger,
): Promise<ReleaseResult> {
  let observation: Observation;
  try {
    observation = await deps.cloud.observe(view.spec.regionId, scope, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    return { observed: false, error };
  }
  const plan = planDeletion(planInputFor(deps.index, view, observation, owned, 'unknown'));
  const execution = plan.actions.length > 0 ? await executePlan(deps.cloud, view.spec.regionId, plan, signal, log) : unexecuted(plan);
  return { observed: true, plan, execution, blocking: execution.failures.filter((f) => !f.roleAlreadyGone) };
}
