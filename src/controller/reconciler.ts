/**
 * The InstanceRoleBinding reconciler: reconcile(binding, signal) runs one pass and returns a
 * decision; the loop (src/runtime/reconcile-loop.ts) applies it, and the error policy
 * (requeue-policy.ts) to a failed pass. One path, through the finalizer wrapper:
 *
 *   live binding      spec → view (invalid: Stalled InvalidSpec)
 *                     suspended: status only
 *                     [a policy gate belongs here: before anything is read from the cloud]
 *                     observe targets, check the role → plan → status "in flight" → act
 *                     → release what it no longer targets → one status → events
 *   deleting binding  release everything it targets (deletionPolicy Detach, mode Enforce),
 *                     then the finalizer goes
 *
 * Every cloud call goes through the RoleCloud port with the pass's signal; failures arrive
 * classified, so nothing here reads an error code. What the binding owns comes from an
 * OwnershipSource (today its last status).
 */
import type { Logger } from 'pino';
import { type InstanceRoleBinding, type InstanceRoleBindingStatus, type InstanceState, bindingKey } from '../api/instance-role-binding.js';
import type { BindingView } from '../domain/binding-view.js';
import type { Observation, RoleCheck } from '../domain/cloud-facts.js';
import { type PassOutcome, computeStatus } from '../domain/conditions.js';
import { type Failure, actionFailureText, failureText, invalidSpecFailure, worstFailure } from '../domain/failures.js';
import { type BindingEvent, actionFailedEvent, detachedEvent, passEvents, stalledEvent } from '../domain/pass-events.js';
import { type Plan, plan as planPass } from '../domain/planner.js';
import { type RoleCloud, failureOf } from '../cloud/role-cloud.js';
import type { BindingIndex, EventRecorder } from '../kube/binding-api.js';
import type { Decision } from '../runtime/reconcile-loop.js';
import { errorText } from '../util/error-text.js';
import { type Execution, executePlan, unexecuted } from './execute.js';
import { type Cleanup, withFinalizer } from './finalizer.js';
import { type OwnershipSource, ownershipFromStatus } from './ownership.js';
import { planInputFor, scopeOf } from './plan-input.js';
import { release } from './release.js';
import type { StatusWriter } from './status-writer.js';

export type ReconcileResult = Decision<Failure>;

/** Counters the reconciler reports; the metrics module implements them. */
export interface ReconcileObserver {
  driftDetected(count: number): void;
  driftCorrected(count: number): void;
}

export interface ReconcilerDeps {
  cloud: RoleCloud;
  index: BindingIndex;
  writer: StatusWriter;
  events: EventRecorder;
  ownership?: OwnershipSource;
  observer?: ReconcileObserver;
  /** Delay before looking again at instances still in flight. Default 5 s. */
  waitRequeueMs?: number;
  now?: () => Date;
}

export const DEFAULT_WAIT_REQUEUE_MS = 5_000;
const UNSETTLED: ReadonlySet<InstanceState> = new Set(['Attaching', 'Detaching', 'Pending']);

type StatusOutcome = Omit<PassOutcome, 'generation' | 'now' | 'mode' | 'roleName'>;

export class BindingReconciler {
  private readonly ownership: OwnershipSource;
  private readonly now: () => Date;

  constructor(private readonly deps: ReconcilerDeps) {
    this.ownership = deps.ownership ?? ownershipFromStatus;
    this.now = deps.now ?? (() => new Date());
  }

  async reconcile(binding: InstanceRoleBinding, signal: AbortSignal, log: Logger): Promise<ReconcileResult> {
    const viewed = this.deps.index.viewOf(binding);
    const view = 'view' in viewed ? viewed.view : undefined;
    return withFinalizer(binding, this.deps.writer, {
      wanted: view !== undefined && !view.spec.suspend && view.spec.mode === 'Enforce',
      apply: () => ('view' in viewed ? this.apply(binding, viewed.view, signal, log) : this.reportInvalidSpec(binding, viewed.invalid)),
      cleanup: () => this.cleanup(binding, view, signal, log),
      finished: (why) => {
        if (why === 'finalized') this.deps.writer.forget(bindingKey(binding.metadata));
        return { kind: 'done', why };
      },
    });
  }

  private async apply(binding: InstanceRoleBinding, view: BindingView, signal: AbortSignal, log: Logger): Promise<ReconcileResult> {
    const { cloud, index, writer } = this.deps;
    const spec = view.spec;
    const previous = writer.lastStatus(binding);
    if (spec.suspend) {
      await this.writeStatus(binding, view, previous, { plan: undefined, instanceResults: previous?.instances ?? [], suspended: true });
      return { kind: 'done', why: 'suspended' };
    }

    // A policy gate (tenancy) goes here: a binding no policy permits stops before the cloud is read.
    let observation: Observation;
    let role: RoleCheck = 'unknown';
    try {
      observation = await cloud.observe(spec.regionId, scopeOf(view), signal);
      if (spec.mode === 'Enforce') role = await cloud.checkRole(spec.roleName, signal);
    } catch (err) {
      return this.reportPassFailure(binding, view, previous, err, log);
    }
    const owned = this.ownership.owned(view, previous);
    const plan = planPass(planInputFor(index, view, observation, owned, role));
    const acting = spec.mode === 'Enforce' && plan.actions.length > 0;
    let latest = previous;
    if (acting) {
      // Say what is about to happen (Reconciling=True, instances Attaching/Detaching) before the
      // cloud writes, which may wait on the rate limiter for a while.
      latest = await this.writeStatus(binding, view, previous, { plan, instanceResults: unexecuted(plan).statuses, suspended: false });
    }
    const execution = acting ? await executePlan(cloud, spec.regionId, plan, signal, log) : unexecuted(plan);
    if (spec.mode === 'Enforce') {
      const released = await this.releaseUntargeted(view, owned, observation.targetIds, signal, log);
      execution.statuses.push(...released.statuses);
      execution.failures.push(...released.failures);
      execution.detached.push(...released.detached);
    }

    const worst = worstFailure(execution.failures);
    const status = await this.writeStatus(binding, view, latest, {
      plan,
      instanceResults: execution.statuses,
      suspended: false,
      ...(worst ? { error: { ...worst.failure, message: actionFailureText(worst) } } : {}),
    });
    this.recordPassEvents(binding, previous, status, plan, execution);

    if (worst) return { kind: 'failed', failure: worst.failure, why: `${worst.failure.code} on ${worst.action.instanceId}` };
    const stalled = status.conditions?.some((c) => c.type === 'Stalled' && c.status === 'True');
    if (!stalled && execution.statuses.some((i) => UNSETTLED.has(i.state))) {
      // Work is left (e.g. the role check could not be made): look again soon, not a resync later.
      return { kind: 'requeueAfter', ms: this.deps.waitRequeueMs ?? DEFAULT_WAIT_REQUEUE_MS, why: 'instances not settled' };
    }
    return { kind: 'requeueAfter', ms: spec.resyncPeriodMs, why: 'resync' };
  }

  /** Deletion: release everything the binding targets unless its policy keeps the roles. */
  private async cleanup(binding: InstanceRoleBinding, view: BindingView | undefined, signal: AbortSignal, log: Logger): Promise<Cleanup<ReconcileResult>> {
    if (!view || view.spec.deletionPolicy === 'Orphan' || view.spec.mode === 'Observe') return { released: true };
    const previous = this.deps.writer.lastStatus(binding);
    const result = await release(this.deps, view, scopeOf(view), this.ownership.owned(view, previous), signal, log);
    if (!result.observed) return { released: false, result: await this.reportPassFailure(binding, view, previous, result.error, log) };
    if (result.execution.detached.length > 0) this.record(binding, detachedEvent(result.execution.detached));
    const worst = worstFailure(result.blocking);
    if (!worst) return { released: true };
    await this.writeStatus(binding, view, previous, {
      plan: result.plan,
      instanceResults: result.execution.statuses,
      suspended: false,
      error: { ...worst.failure, message: actionFailureText(worst) },
    });
    this.record(binding, actionFailedEvent(worst));
    return { released: false, result: { kind: 'failed', failure: worst.failure, why: `cannot detach: ${worst.failure.code}` } };
  }

  /**
   * Instances this binding held that it no longer targets (removed from instanceIds, or no longer
   * matching the selector) go through the release path, as on delete: with deletionPolicy Detach
   * their role is detached where no other binding wants it; with Orphan they are left as they
   * are. An instance whose detach failed stays in status as Detaching, so the next pass tries again.
   */
  private async releaseUntargeted(
    view: BindingView,
    owned: ReadonlyMap<string, string>,
    targetIds: string[],
    signal: AbortSignal,
    log: Logger,
  ): Promise<Pick<Execution, 'statuses' | 'failures' | 'detached'>> {
    const targeted = new Set(targetIds);
    const untargeted = new Map([...owned].filter(([id]) => !targeted.has(id)));
    if (untargeted.size === 0 || view.spec.deletionPolicy === 'Orphan') return { statuses: [], failures: [], detached: [] };
    const ids = [...untargeted.keys()];
    const result = await release(this.deps, view, { instanceIds: ids }, untargeted, signal, log);
    if (!result.observed) {
      const message = `no longer targeted; could not read it to detach role ${view.spec.roleName}: ${errorText(result.error)}`;
      return { statuses: ids.map((instanceId) => ({ instanceId, state: 'Detaching', observedRole: view.spec.roleName, message })), failures: [], detached: [] };
    }
    if (result.plan.actions.length === 0) return { statuses: [], failures: [], detached: [] };
    return {
      statuses: result.blocking.map((f) => ({
        instanceId: f.action.instanceId,
        state: 'Detaching',
        observedRole: f.action.roleName,
        message: `no longer targeted; ${actionFailureText(f)}`,
      })),
      failures: result.blocking,
      detached: result.execution.detached,
    };
  }

  private async reportInvalidSpec(binding: InstanceRoleBinding, reason: string): Promise<ReconcileResult> {
    const failure = invalidSpecFailure(`${bindingKey(binding.metadata)}: invalid spec: ${reason}`);
    const previous = this.deps.writer.lastStatus(binding);
    await this.writeStatus(binding, undefined, previous, { plan: undefined, instanceResults: [], suspended: false, error: failure });
    this.record(binding, stalledEvent(failure.reason, failure.message));
    return { kind: 'failed', failure, why: 'invalid spec' };
  }

  /** A pass that could not observe: the failure goes into status (and an event when terminal). */
  private async reportPassFailure(
    binding: InstanceRoleBinding,
    view: BindingView,
    previous: InstanceRoleBindingStatus | undefined,
    err: unknown,
    log: Logger,
  ): Promise<ReconcileResult> {
    const failure = failureOf(err);
    if (!failure) throw err;
    log.warn({ code: failure.code, class: failure.class }, 'cloud call failed');
    const message = failureText(failure);
    await this.writeStatus(binding, view, previous, {
      plan: undefined,
      instanceResults: previous?.instances ?? [],
      suspended: false,
      error: { ...failure, message },
    });
    if (failure.class === 'terminal') this.record(binding, stalledEvent(failure.reason, message));
    return { kind: 'failed', failure, why: failure.code };
  }

  private async writeStatus(
    binding: InstanceRoleBinding,
    view: BindingView | undefined,
    previous: InstanceRoleBindingStatus | undefined,
    outcome: StatusOutcome,
  ): Promise<InstanceRoleBindingStatus> {
    const status = computeStatus(previous, {
      ...outcome,
      generation: binding.metadata.generation ?? 0,
      mode: view?.spec.mode ?? 'Enforce',
      roleName: binding.spec.roleName,
      now: this.now().toISOString(),
    });
    await this.deps.writer.writeStatus(binding, status);
    return status;
  }

  private recordPassEvents(
    binding: InstanceRoleBinding,
    previous: InstanceRoleBindingStatus | undefined,
    status: InstanceRoleBindingStatus,
    plan: Plan,
    execution: Execution,
  ): void {
    const { events, drift } = passEvents({ roleName: binding.spec.roleName, previous, status, plan, actions: execution });
    for (const event of events) this.record(binding, event);
    if (drift.detected > 0) {
      this.deps.observer?.driftDetected(drift.detected);
      if (drift.corrected > 0) this.deps.observer?.driftCorrected(drift.corrected);
    }
  }

  private record(binding: InstanceRoleBinding, event: BindingEvent): void {
    this.deps.events.record(binding, event);
  }
}
