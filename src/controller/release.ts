/**
 * The one release path, for a deleting binding and for instances a binding no longer targets:
 * what the binding holds in the ownership ledger (never what its spec or status say) is observed,
 * planned with planRelease (detach the held role only where it is still attached, tenancy still
 * permits it and no other binding wants it there), and the detaches carried out; the ledger
 * follows what happened. A detach that found the role already gone counts as released. With
 * deletionPolicy Orphan or mode Observe nothing can be detached, so the holds are let go without
 * reading the cloud.
 */
import type { Logger } from 'pino';
import type { BindingView } from '../domain/binding-view.js';
import type { Observation } from '../domain/cloud-facts.js';
import type { ActionFailure } from '../domain/failures.js';
import { type ConfirmedActions, ledgerChangesOf } from '../domain/ledger-changes.js';
import { type OwnershipLedger, applyLedgerChanges } from '../domain/ownership.js';
import { holderIdentity, identityOf } from '../domain/permissions.js';
import { type Plan, planRelease } from '../domain/planner.js';
import type { RoleCloud } from '../cloud/role-cloud.js';
import type { BindingIndex } from '../kube/binding-api.js';
import { type Execution, executePlan, unexecuted } from './execute.js';
import { type PlanContext, releaseInputFor } from './plan-input.js';

export type ReleaseResult =
  | { observed: false; error: unknown }
  | {
      observed: true;
      plan: Plan;
      execution: Execution;
      /** Failures that leave the role attached somewhere. */
      blocking: ActionFailure[];
      /** Instances still held that the release could not decide on (their role could not be read). */
      unresolved: string[];
      /** Instances whose ledger holding changed. */
      changed: string[];
    };

export interface ReleaseDeps extends PlanContext {
  cloud: RoleCloud;
  index: BindingIndex;
  ledger: OwnershipLedger;
}

export async function release(deps: ReleaseDeps, view: BindingView, held: ReadonlyMap<string, string>, signal: AbortSignal, log: Logger): Promise<ReleaseResult> {
  const ref = { key: view.key, uid: view.uid };
  if (view.spec.deletionPolicy === 'Orphan' || view.spec.mode === 'Observe') {
    const changed = applyLedgerChanges(deps.ledger, ref, [...held.keys()].map((instanceId) => ({ kind: 'release' as const, instanceId })));
    return { observed: true, plan: { instances: [], actions: [] }, execution: unexecuted({ instances: [], actions: [] }), blocking: [], unresolved: [], changed };
  }
  const { permissions } = deps;
  const bindingPermitted = permissions.binding(identityOf(view)).permitted;
  let observation: Observation;
  try {
    observation = await deps.cloud.observe(
      view.spec.regionId,
      {
        instanceIds: [...held.keys()],
        admit: (instance) => bindingPermitted && permissions.instance(holderIdentity(view, held.get(instance.instanceId) ?? ''), instance).permitted,
      },
      signal,
    );
  } catch (error) {
    if (signal.aborted) throw error;
    return { observed: false, error };
  }
  const plan = planRelease(releaseInputFor(deps, view, observation, held));
  const execution = plan.actions.length > 0 ? await executePlan(deps.cloud, view.spec.regionId, plan, signal, log) : unexecuted(plan);
  const changed = applyLedgerChanges(deps.ledger, ref, ledgerChangesOf(plan, confirmedActions(execution)));
  const blocking = execution.failures.filter((f) => !f.roleAlreadyGone);
  const unresolved = plan.instances.filter((p) => p.actions.length === 0 && p.ledger === undefined).map((p) => p.instanceId);
  return { observed: true, plan, execution, blocking, unresolved, changed };
}

/** What the cloud confirmed in an execution: attaches that succeeded, detaches that did (or found the role gone). */
export function confirmedActions(execution: Execution): ConfirmedActions {
  return {
    attached: execution.attached,
    detached: [...execution.detached.map((d) => d.instanceId), ...execution.failures.filter((f) => f.roleAlreadyGone).map((f) => f.action.instanceId)],
  };
}
