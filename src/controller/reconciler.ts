/**
 * The InstanceRoleBinding reconciler: reconcile(binding, signal) runs one pass and returns a
 * decision; the loop (src/runtime/reconcile-loop.ts) applies it, and the error policy
 * (requeue-policy.ts) to a failed pass. One path, through the finalizer wrapper:
 *
 *   live binding      spec → view (invalid: Stalled InvalidSpec)
 *                     suspended: status only
 *                     tenancy gate, before anything is read from the cloud: a binding no
 *                     InstanceRolePolicy permits is Stalled NotPermitted, gets no finalizer, and
 *                     nothing is read or changed for it (the ledger is untouched)
 *                     observe the permitted targets and check the role; each part of the
 *                     observation is planned and acted on as it arrives (pass-parts.ts: a large
 *                     selector attaches while it is listed; a status "in flight" when the cloud
 *                     writes take a while) → ledger → release what it holds but no longer
 *                     targets → one status → events
 *   deleting binding  release everything it holds in the ledger (whatever the spec has become),
 *                     then let go of its holds and the finalizer goes
 *
 * Every cloud call goes through the RoleCloud port with the pass's signal; failures arrive
 * classified, so nothing here reads an error code. What the binding owns comes from the ownership
 * ledger only (domain/ownership.ts), which the operator alone writes; spec, annotations and
 * status never count as proof. No pass runs before the policies and namespaces are known.
 */
import type { Logger } from 'pino';
import { type InstanceRoleBinding, type InstanceRoleBindingStatus, type InstanceState, type InstanceStatus, bindingKey } from '../api/instance-role-binding.js';
import { type BindingView, cleanupView } from '../domain/binding-view.js';
import type { Observation, RoleCheck } from '../domain/cloud-facts.js';
import { type PassOutcome, computeStatus } from '../domain/conditions.js';
import { type Failure, actionFailureText, failureText, invalidSpecFailure, notPermittedFailure, worstFailure } from '../domain/failures.js';
import { ledgerChangesOf } from '../domain/ledger-changes.js';
import { type OwnershipLedger, applyLedgerChanges } from '../domain/ownership.js';
import { type BindingEvent, actionFailedEvent, attachedEvent, detachedEvent, passEvents, stalledEvent } from '../domain/pass-events.js';
import { type Permissions, identityOf } from '../domain/permissions.js';
import { type Plan, plan as planPass } from '../domain/planner.js';
import { RolelessGuard, type RolelessObserver } from './roleless-guard.js';
import { type RoleCloud, failedCallOf, failureOf } from '../cloud/role-cloud.js';
import type { BindingIndex, EventRecorder, TenancySource } from '../kube/binding-api.js';
import type { Decision } from '../runtime/reconcile-loop.js';
import { errorText } from '../util/error-text.js';
import { type Execution, executePlan, unexecuted } from './execute.js';
import { PassParts } from './pass-parts.js';
import { type Cleanup, withFinalizer } from './finalizer.js';
import { planInputFor, scopeOf } from './plan-input.js';
import { confirmedActions, release } from './release.js';
import type { StatusWriter } from './status-writer.js';

export type ReconcileResult = Decision<Failure>;

/** Counters the reconciler reports; the metrics module implements them. */
export interface ReconcileObserver extends RolelessObserver {
  driftDetected(count: number): void;
  driftCorrected(count: number): void;
}

export interface ReconcilerDeps {
  cloud: RoleCloud;
  index: BindingIndex;
  writer: StatusWriter;
  events: EventRecorder;
  /** What the operator attached or adopted for which binding: the only proof of ownership. */
  ledger: OwnershipLedger;
  /** What tenancy permits (InstanceRolePolicies and namespace labels). */
  tenancy: TenancySource;
  /**
   * Told after a pass changed who holds some instances (a hold gained, taken over, let go): the
   * other bindings that want them are re-queued at once, so none keeps a stale status.
   */
  holdingsChanged?: (view: BindingView, instanceIds: readonly string[]) => void;
  observer?: ReconcileObserver;
  /**
   * Admits role-change detaches and tracks the instances they leave roleless, operator-wide.
   * Default: one with the default capacity, reporting to `observer`.
   */
  guard?: RolelessGuard;
  /** Delay before looking again at instances still in flight. Default 5 s. */
  waitRequeueMs?: number;
  /**
   * How long a pass's cloud writes may take before the status says they are in flight (one more
   * status write). Default DEFAULT_IN_FLIGHT_STATUS_DELAY_MS.
   */
  inFlightStatusDelayMs?: number;
  now?: () => Date;
}

export const DEFAULT_WAIT_REQUEUE_MS = 5_000;
/** Cloud writes that take longer than this get an in-flight status write before the pass result. */
export const DEFAULT_IN_FLIGHT_STATUS_DELAY_MS = 2_000;
const UNSETTLED: ReadonlySet<InstanceState> = new Set(['Attaching', 'Detaching', 'Pending']);

type StatusOutcome = Omit<PassOutcome, 'generation' | 'now' | 'mode' | 'roleName'>;

/** A status write that says what is in flight, due once the pass's cloud writes take long; cancel() before then writes nothing. */
interface InFlightStatus {
  cancel(): void;
  /** The status written (undefined when none was, or the write failed). */
  written: Promise<InstanceRoleBindingStatus | undefined> | undefined;
}

export class BindingReconciler {
  /** Per binding, instances whose drift was detected and whose re-attach has not succeeded yet. */
  private readonly unrepairedDrift = new Map<string, ReadonlySet<string>>();
  private readonly now: () => Date;
  private readonly guard: RolelessGuard;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.guard = deps.guard ?? new RolelessGuard({ observer: deps.observer });
  }

  async reconcile(binding: InstanceRoleBinding, signal: AbortSignal, log: Logger): Promise<ReconcileResult> {
    if (!this.deps.tenancy.synced()) {
      // Deciding with half the policies could deny (or, worse, permit) wrongly: wait for the lists.
      return { kind: 'requeueAfter', ms: this.waitMs(), why: 'InstanceRolePolicies and Namespaces not listed yet' };
    }
    const permissions = this.deps.tenancy.permissions();
    const viewed = this.deps.index.viewOf(binding);
    const view = 'view' in viewed ? viewed.view : undefined;
    const grant = view ? permissions.binding(identityOf(view)) : undefined;
    return withFinalizer(binding, this.deps.writer, {
      wanted: view !== undefined && !view.spec.suspend && view.spec.mode === 'Enforce' && grant?.permitted === true,
      apply: (finalizerInPlace) => {
        if (!view) return this.reportInvalidSpec(binding, 'invalid' in viewed ? viewed.invalid : 'invalid spec');
        if (!view.spec.suspend && grant && !grant.permitted) return this.reportNotPermitted(binding, view, grant.message);
        return this.apply(binding, view, permissions, finalizerInPlace, signal, log);
      },
      cleanup: () => this.cleanup(binding, view, permissions, signal, log),
      finished: (why) => {
        if (why === 'finalized') {
          this.deps.writer.forget(bindingKey(binding.metadata));
          this.unrepairedDrift.delete(bindingKey(binding.metadata));
        }
        return { kind: 'done', why };
      },
    });
  }

  /** The cloud is read while the finalizer write (`finalizerInPlace`) is on its way; nothing is written before it is in place. */
  private async apply(
    binding: InstanceRoleBinding,
    view: BindingView,
    permissions: Permissions,
    finalizerInPlace: Promise<void>,
    signal: AbortSignal,
    log: Logger,
  ): Promise<ReconcileResult> {
    const { cloud, index, writer, ledger } = this.deps;
    const spec = view.spec;
    const previous = writer.lastStatus(binding);
    if (spec.suspend) {
      await this.writeStatus(binding, view, previous, { plan: undefined, instanceResults: previous?.instances ?? [], suspended: true });
      return { kind: 'done', why: 'suspended' };
    }

    const enforce = spec.mode === 'Enforce';
    const context = { index, ledger, permissions };
    // The role is checked once the first part is observed (or the whole observation, when no part
    // came): a pass whose first read fails makes no further call.
    let roleCheck: Promise<RoleCheck> | undefined;
    const checkRole = (): Promise<RoleCheck> => {
      if (!roleCheck) {
        roleCheck = enforce ? cloud.checkRole(spec.roleName, signal) : Promise.resolve('unknown');
        roleCheck.catch(() => undefined);
      }
      return roleCheck;
    };
    const ready = (): Promise<RoleCheck> => Promise.all([checkRole(), finalizerInPlace]).then(([checked]) => checked);
    const inFlight: { status?: InFlightStatus } = {};
    const parts = new PassParts(ready, {
      plan: (part, checked) => {
        this.guard.observed(part.observedRoles);
        return planPass(planInputFor(context, view, part, checked));
      },
      execute: (partPlan) => {
        if (!enforce || partPlan.actions.length === 0) return Promise.resolve(unexecuted(partPlan));
        // While the cloud writes wait (on the rate limiter, on a throttled cloud), the status says
        // what is in flight (Reconciling=True, instances Attaching/Detaching); writes done within
        // inFlightStatusDelayMs go without that extra status write.
        inFlight.status ??= this.deferInFlightStatus(binding, view, previous, () => parts.planned(), log);
        return executePlan(cloud, spec.regionId, partPlan, signal, log, { guard: this.guard });
      },
    });
    let observation: Observation;
    try {
      observation = await cloud.observe(spec.regionId, scopeOf(view, permissions), signal, (part) => parts.add(part));
      await checkRole();
    } catch (err) {
      const done = await parts.abandon();
      inFlight.status?.cancel();
      // An in-flight status already on its way lands before the failure's, never after it.
      await inFlight.status?.written;
      // What the parts observed before the failure did is recorded, in the ledger and as Events.
      const changed = applyLedgerChanges(ledger, { key: view.key, uid: view.uid }, ledgerChangesOf(done.plan, confirmedActions(done.execution)));
      if (changed.length > 0) this.deps.holdingsChanged?.(view, [...changed].sort());
      if (done.execution.detached.length > 0) this.record(binding, detachedEvent(done.execution.detached));
      if (done.execution.attached.length > 0) this.record(binding, attachedEvent(spec.roleName, done.execution.attached));
      await finalizerInPlace;
      return this.reportPassFailure(binding, view, previous, err, log);
    }
    let plan: Plan;
    let execution: Execution;
    try {
      ({ plan, execution } = await parts.finish(observation));
    } finally {
      inFlight.status?.cancel();
    }
    const latest = (await inFlight.status?.written) ?? previous;
    // A roleless instance that was released will never be re-attached: it no longer counts.
    if (this.guard.rolelessCount > 0) this.guard.forget(plan.instances.filter((p) => p.state === 'NotFound' && this.guard.isRoleless(p.instanceId)).map((p) => p.instanceId));
    const changed = new Set(applyLedgerChanges(ledger, { key: view.key, uid: view.uid }, ledgerChangesOf(plan, confirmedActions(execution))));
    if (spec.mode === 'Enforce') {
      const released = await this.releaseUntargeted(view, permissions, observation.targetIds, signal, log);
      execution.statuses.push(...released.statuses);
      execution.failures.push(...released.failures);
      execution.detached.push(...released.detached);
      for (const id of released.changed) changed.add(id);
    }
    if (changed.size > 0) this.deps.holdingsChanged?.(view, [...changed].sort());

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
      return { kind: 'requeueAfter', ms: this.waitMs(), why: 'instances not settled' };
    }
    return { kind: 'requeueAfter', ms: spec.resyncPeriodMs, why: 'resync' };
  }

  /**
   * Deletion: release everything the binding holds in the ledger, whatever its spec has become
   * (an invalid spec included: its region is enough), unless deletionPolicy Orphan or mode Observe
   * keeps the roles. A binding tenancy no longer permits detaches nothing; its holds are let go.
   */
  private async cleanup(
    binding: InstanceRoleBinding,
    view: BindingView | undefined,
    permissions: Permissions,
    signal: AbortSignal,
    log: Logger,
  ): Promise<Cleanup<ReconcileResult>> {
    const { ledger } = this.deps;
    const uid = binding.metadata.uid ?? '';
    const held = ledger.heldBy(uid);
    const subject = view ?? cleanupView(binding.metadata, binding.spec);
    const letGo = (): Cleanup<ReconcileResult> => {
      const ids = [...ledger.heldBy(uid).keys()];
      this.guard.forget(ids);
      ledger.releaseAll(uid);
      if (subject && ids.length > 0) this.deps.holdingsChanged?.(subject, ids);
      return { released: true };
    };
    if (held.size === 0) return { released: true };
    if (!subject) {
      log.warn({ held: held.size }, 'deleting binding has no usable spec.regionId: its roles are left attached');
      return letGo();
    }
    const previous = this.deps.writer.lastStatus(binding);
    const result = await release({ ...this.deps, permissions }, subject, new Map(held), signal, log);
    if (!result.observed) return { released: false, result: await this.reportPassFailure(binding, subject, previous, result.error, log) };
    if (result.changed.length > 0) this.deps.holdingsChanged?.(subject, result.changed);
    if (result.execution.detached.length > 0) this.record(binding, detachedEvent(result.execution.detached));
    const worst = worstFailure(result.blocking);
    if (!worst && result.unresolved.length === 0) return letGo();
    await this.writeStatus(binding, subject, previous, {
      plan: result.plan,
      instanceResults: result.execution.statuses,
      suspended: false,
      ...(worst ? { error: { ...worst.failure, message: actionFailureText(worst) } } : {}),
    });
    if (!worst) return { released: false, result: { kind: 'requeueAfter', ms: this.waitMs(), why: `cannot read the role of ${result.unresolved.length} held instance(s) yet` } };
    this.record(binding, actionFailedEvent(worst));
    return { released: false, result: { kind: 'failed', failure: worst.failure, why: `cannot detach: ${worst.failure.code}` } };
  }

  /**
   * Instances this binding holds in the ledger that it no longer targets (removed from
   * instanceIds, or no longer matching the selector) go through the release path, as on delete:
   * with deletionPolicy Detach their role is detached where no other binding wants it; with Orphan
   * they are let go as they are. Instances still targeted but no longer permitted stay held and
   * untouched. An instance whose detach failed stays in status as Detaching, so the next pass tries
   * again.
   */
  private async releaseUntargeted(
    view: BindingView,
    permissions: Permissions,
    targetIds: string[],
    signal: AbortSignal,
    log: Logger,
  ): Promise<Pick<Execution, 'statuses' | 'failures' | 'detached'> & { changed: string[] }> {
    const targeted = new Set(targetIds);
    const untargeted = new Map([...this.deps.ledger.heldBy(view.uid)].filter(([id]) => !targeted.has(id)));
    const nothing = { statuses: [], failures: [], detached: [], changed: [] };
    if (untargeted.size === 0) return nothing;
    const ids = [...untargeted.keys()];
    const result = await release({ ...this.deps, permissions }, view, untargeted, signal, log);
    if (!result.observed) {
      const message = `no longer targeted; could not read it to detach role ${view.spec.roleName}: ${errorText(result.error)}`;
      return { ...nothing, statuses: ids.map((instanceId): InstanceStatus => ({ instanceId, state: 'Detaching', message })) };
    }
    return {
      statuses: result.blocking.map((f) => ({
        instanceId: f.action.instanceId,
        state: 'Detaching',
        observedRole: f.action.roleName,
        message: `no longer targeted; ${actionFailureText(f)}`,
      })),
      failures: result.blocking,
      detached: result.execution.detached,
      changed: result.changed,
    };
  }

  /**
   * The tenancy gate said no: nothing is read or changed, and the status says why, with an example
   * policy. Explicit IDs are listed NotPermitted; nothing about any instance is reported.
   */
  private async reportNotPermitted(binding: InstanceRoleBinding, view: BindingView, message: string): Promise<ReconcileResult> {
    const failure = notPermittedFailure(`${view.key}: ${message}`);
    const previous = this.deps.writer.lastStatus(binding);
    const instanceResults = view.spec.instanceIds.map((instanceId): InstanceStatus => ({ instanceId, state: 'NotPermitted', message: 'this binding is not permitted (see the Ready condition); nothing about this instance is read or changed' }));
    const status = await this.writeStatus(binding, view, previous, { plan: undefined, instanceResults, suspended: false, error: failure });
    const wasStalled = previous?.conditions?.some((c) => c.type === 'Stalled' && c.status === 'True' && c.reason === failure.reason && c.message === failure.message);
    if (!wasStalled) this.record(binding, stalledEvent(failure.reason, status.conditions?.find((c) => c.type === 'Stalled')?.message ?? failure.message));
    return { kind: 'failed', failure, why: 'not permitted' };
  }

  /**
   * Writes the in-flight status of what is planned by then once the pass's cloud writes have taken
   * longer than inFlightStatusDelayMs; cancel() before then writes nothing. `written` is the
   * status written (undefined when none was, or the write failed: the pass's final write follows
   * anyway).
   */
  private deferInFlightStatus(
    binding: InstanceRoleBinding,
    view: BindingView,
    previous: InstanceRoleBindingStatus | undefined,
    plannedSoFar: () => Plan,
    log: Logger,
  ): InFlightStatus {
    const deferred: InFlightStatus = {
      cancel: () => clearTimeout(timer),
      written: undefined,
    };
    const timer = setTimeout(() => {
      const plan = plannedSoFar();
      deferred.written = this.writeStatus(binding, view, previous, { plan, instanceResults: unexecuted(plan).statuses, suspended: false }).catch((err: unknown) => {
        log.warn({ err: errorText(err) }, 'in-flight status not written; the pass result follows');
        return undefined;
      });
    }, this.deps.inFlightStatusDelayMs ?? DEFAULT_IN_FLIGHT_STATUS_DELAY_MS);
    return deferred;
  }

  private waitMs(): number {
    return this.deps.waitRequeueMs ?? DEFAULT_WAIT_REQUEUE_MS;
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
    log.warn({ code: failure.code, class: failure.class, ...failedCallOf(err) }, 'cloud call failed');
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
    const key = bindingKey(binding.metadata);
    const unrepaired = this.unrepairedDrift.get(key);
    const { events, drift } = passEvents({ roleName: binding.spec.roleName, previous, status, plan, actions: execution, ...(unrepaired ? { unrepaired } : {}) });
    if (drift.unrepaired.size > 0) this.unrepairedDrift.set(key, drift.unrepaired);
    else this.unrepairedDrift.delete(key);
    for (const event of events) this.record(binding, event);
    if (drift.detected > 0) this.deps.observer?.driftDetected(drift.detected);
    if (drift.corrected > 0) this.deps.observer?.driftCorrected(drift.corrected);
  }

  private record(binding: InstanceRoleBinding, event: BindingEvent): void {
    this.deps.events.record(binding, event);
  }
}
