/**
 * The InstanceRoleBinding reconciler: given a key, it re-reads the binding from the cache,
 * observes the cloud, asks the pure planner what to do, does it through the cloud gateway, and
 * writes one status computed from the outcome. It returns a requeue decision; it never loops.
 */
import type { Logger } from 'pino';
import {
  FINALIZER,
  type InstanceRoleBinding,
  type InstanceRoleBindingStatus,
  type InstanceState,
  type InstanceStatus,
} from '../api/instance-role-binding.js';
import { CloudError, type InstanceCallResult, type InstanceInfo } from '../cloud/cloud-api.js';
import type { BindingApi, EventRecorder } from '../kube/binding-api.js';
import type { BindingCache } from '../kube/binding-cache.js';
import type { BindingView } from '../domain/claims.js';
import type { CloudGateway } from '../cloud/cloud-gateway.js';
import { type PassOutcome, computeStatus } from '../domain/conditions.js';
import { type ErrorClass, classifyCloudError } from '../cloud/error-policy.js';
import { type Plan, type PlanInput, type PlannedAction, plan, planDeletion, previouslyOwnedFrom } from '../domain/planner.js';

export type ReconcileDecision =
  | { kind: 'requeueAfter'; ms: number; why: string }
  | { kind: 'backoff'; why: string }
  | { kind: 'done'; why: string };

/** Counters the reconciler reports; the metrics module implements them. */
export interface ReconcileObserver {
  driftDetected(count: number): void;
  driftCorrected(count: number): void;
}

export interface ReconcilerDeps {
  cache: BindingCache;
  api: BindingApi;
  events: EventRecorder;
  cloud: CloudGateway;
  /** Asks for another binding to be reconciled (e.g. one that lost a conflict to a deleted binding). */
  enqueue: (key: string) => void;
  observer?: ReconcileObserver;
  /** Delay before re-observing after an expected wait (a role changed under us, an instance vanished). */
  waitRequeueMs?: number;
  now?: () => Date;
  random?: () => number;
}

interface Observation {
  targetIds: string[];
  instances: Map<string, InstanceInfo>;
  observedRoles: Map<string, string | null>;
  observeErrors: Map<string, string>;
}

interface ActionFailure {
  instanceId: string;
  action: PlannedAction;
  code: string;
  message: string;
  class: ErrorClass;
}

interface Execution {
  statuses: InstanceStatus[];
  failures: ActionFailure[];
  attached: string[];
  detached: Array<{ instanceId: string; roleName: string }>;
}

const DEFAULT_RESYNC_MS = 5 * 60_000;
const CLASS_RANK: Record<ErrorClass, number> = { wait: 0, recoverable: 1, terminal: 2 };
const UNSETTLED: ReadonlySet<InstanceState> = new Set(['Attaching', 'Detaching', 'Pending']);

export class BindingReconciler {
  /** The last status this controller wrote per key: fresher than an informer cache that lags. */
  private readonly written = new Map<string, { uid: string | undefined; status: InstanceRoleBindingStatus }>();
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
  }

  async reconcile(key: string, log: Logger): Promise<ReconcileDecision> {
    const binding = this.deps.cache.get(key);
    if (!binding) {
      this.written.delete(key);
      return { kind: 'done', why: 'binding no longer exists' };
    }
    if (binding.metadata.deletionTimestamp) return this.finalize(binding, log);

    const viewed = this.deps.cache.viewOf(binding);
    if ('invalid' in viewed) return this.reportInvalidSpec(binding, viewed.invalid);
    const view = viewed.view;
    const spec = view.spec;
    const previous = this.previousStatus(binding);

    if (spec.suspend) {
      await this.writeStatus(binding, previous, { plan: undefined, instanceResults: previous?.instances ?? [], suspended: true });
      return { kind: 'done', why: 'suspended' };
    }

    if (spec.mode === 'Enforce' && !(binding.metadata.finalizers ?? []).includes(FINALIZER)) {
      // The finalizer goes on before the first cloud write so a delete can always clean up.
      const updated = await this.deps.api.setFinalizers(binding, [...(binding.metadata.finalizers ?? []), FINALIZER]);
      binding.metadata.resourceVersion = updated.metadata.resourceVersion;
      binding.metadata.finalizers = updated.metadata.finalizers;
    }

    let observation: Observation;
    let role: PlanInput['role'] = 'unknown';
    try {
      observation = await this.observe(view);
      if (spec.mode === 'Enforce') {
        const info = await this.deps.cloud.checkRole(spec.roleName);
        role = info ? { exists: true, trustsEcs: info.trustsEcs } : { exists: false, trustsEcs: false };
      }
    } catch (err) {
      return this.reportPassError(binding, previous, err, log);
    }

    const input: PlanInput = {
      binding: view,
      others: this.deps.cache.competitors(spec.regionId, observation.targetIds, view.key),
      targetIds: observation.targetIds,
      instances: observation.instances,
      observedRoles: observation.observedRoles,
      observeErrors: observation.observeErrors,
      previouslyOwned: previouslyOwnedFrom(previous),
      role,
    };
    const decision = plan(input);
    const acting = spec.mode === 'Enforce' && decision.actions.length > 0;
    let latest = previous;
    if (acting) {
      // Say what is about to happen (Reconciling=True, instances Attaching/Detaching) before the
      // cloud writes, which may wait on the rate limiter for a while.
      latest = await this.writeStatus(binding, previous, { plan: decision, instanceResults: statusesOf(decision), suspended: false });
    }
    const execution = acting
      ? await this.execute(spec.regionId, decision, log)
      : { statuses: statusesOf(decision), failures: [], attached: [], detached: [] };
    if (spec.mode === 'Enforce') {
      const released = await this.releaseUntargeted(view, previous, observation.targetIds, log);
      execution.statuses.push(...released.statuses);
      execution.failures.push(...released.failures);
      execution.detached.push(...released.detached);
    }

    const worst = worstFailure(execution.failures);
    const status = await this.writeStatus(binding, latest, {
      plan: decision,
      instanceResults: execution.statuses,
      suspended: false,
      ...(worst ? { error: { classification: worst.class, code: worst.code, message: failureMessage(worst) } } : {}),
    });
    this.recordEvents(binding, previous, status, decision, execution);

    if (worst?.class === 'recoverable') return { kind: 'backoff', why: `${worst.code} on ${worst.instanceId}` };
    if (worst?.class === 'wait') return { kind: 'requeueAfter', ms: this.jitter(this.deps.waitRequeueMs ?? 5_000), why: worst.code };
    if (!status.conditions?.some((c) => c.type === 'Stalled' && c.status === 'True') && execution.statuses.some((i) => UNSETTLED.has(i.state))) {
      // Work is left (e.g. the role check could not be made): look again soon, not a resync later.
      return { kind: 'requeueAfter', ms: this.jitter(this.deps.waitRequeueMs ?? 5_000), why: 'instances not settled' };
    }
    return { kind: 'requeueAfter', ms: this.jitter(spec.resyncPeriodMs), why: 'resync' };
  }

  /** Deletion: detach this binding's role where policy says so, then release the finalizer. */
  private async finalize(binding: InstanceRoleBinding, log: Logger): Promise<ReconcileDecision> {
    const finalizers = binding.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER)) return { kind: 'done', why: 'deleting; not ours to clean up' };
    const view = this.deps.cache.toView(binding);
    const previous = this.previousStatus(binding);
    if (view && view.spec.deletionPolicy === 'Detach' && view.spec.mode === 'Enforce') {
      let observation: Observation;
      try {
        observation = await this.observe(view);
      } catch (err) {
        return this.reportPassError(binding, previous, err, log);
      }
      const decision = planDeletion({
        binding: view,
        others: this.deps.cache.competitors(view.spec.regionId, observation.targetIds, view.key),
        targetIds: observation.targetIds,
        instances: observation.instances,
        observedRoles: observation.observedRoles,
        observeErrors: observation.observeErrors,
        previouslyOwned: previouslyOwnedFrom(previous),
        role: 'unknown',
      });
      const execution =
        decision.actions.length > 0
          ? await this.execute(view.spec.regionId, decision, log)
          : { statuses: statusesOf(decision), failures: [], attached: [], detached: [] };
      const blocking = execution.failures.filter((f) => f.code !== 'InvalidRamRole.NotAttached');
      if (execution.detached.length > 0) {
        this.deps.events.record(binding, 'Normal', 'Detached', detachedMessage(execution.detached));
      }
      if (blocking.length > 0) {
        const worst = worstFailure(blocking) as ActionFailure;
        await this.writeStatus(binding, previous, {
          plan: decision,
          instanceResults: execution.statuses,
          suspended: false,
          error: { classification: worst.class, code: worst.code, message: failureMessage(worst) },
        });
        this.deps.events.record(binding, 'Warning', 'DetachFailed', failureMessage(worst));
        return worst.class === 'terminal'
          ? { kind: 'requeueAfter', ms: this.jitter(view.spec.resyncPeriodMs), why: `cannot detach: ${worst.code}` }
          : { kind: 'backoff', why: `detach failed: ${worst.code}` };
      }
      for (const other of this.deps.cache.competitors(view.spec.regionId, observation.targetIds, view.key)) {
        this.deps.enqueue(other.key);
      }
    }
    await this.deps.api.setFinalizers(binding, finalizers.filter((f) => f !== FINALIZER));
    this.written.delete(binding.metadata.namespace + '/' + binding.metadata.name);
    return { kind: 'done', why: 'finalized' };
  }

  /**
   * Instances this binding held that it no longer targets (removed from instanceIds, or no longer
   * matching the selector). With deletionPolicy Detach their role is detached, as on delete and
   * only where no other binding wants it; with Orphan they are left as they are. An instance whose
   * detach failed stays in status as Detaching, so the next pass tries again.
   */
  private async releaseUntargeted(
    view: BindingView,
    previous: InstanceRoleBindingStatus | undefined,
    targetIds: string[],
    log: Logger,
  ): Promise<Pick<Execution, 'statuses' | 'failures' | 'detached'>> {
    const targeted = new Set(targetIds);
    const owned = [...previouslyOwnedFrom(previous)].filter(([id]) => !targeted.has(id));
    if (owned.length === 0 || view.spec.deletionPolicy === 'Orphan') return { statuses: [], failures: [], detached: [] };
    const ids = owned.map(([id]) => id);
    const released: BindingView = { ...view, spec: { ...view.spec, instanceIds: ids } };
    delete released.spec.selector;
    let observation: Observation;
    try {
      observation = await this.observe(released);
    } catch (err) {
      const message = `no longer targeted; could not read it to detach role ${view.spec.roleName}: ${err instanceof Error ? err.message : String(err)}`;
      return {
        statuses: ids.map((instanceId) => ({ instanceId, state: 'Detaching', observedRole: view.spec.roleName, message })),
        failures: [],
        detached: [],
      };
    }
    const decision = planDeletion({
      binding: released,
      others: this.deps.cache.competitors(view.spec.regionId, ids, view.key),
      targetIds: observation.targetIds,
      instances: observation.instances,
      observedRoles: observation.observedRoles,
      observeErrors: observation.observeErrors,
      previouslyOwned: new Map(owned),
      role: 'unknown',
    });
    if (decision.actions.length === 0) return { statuses: [], failures: [], detached: [] };
    const execution = await this.execute(view.spec.regionId, decision, log);
    const failed = new Map(execution.failures.filter((f) => f.code !== 'InvalidRamRole.NotAttached').map((f) => [f.instanceId, f]));
    return {
      statuses: [...failed.values()].map((f) => ({
        instanceId: f.instanceId,
        state: 'Detaching',
        observedRole: f.action.roleName,
        message: `no longer targeted; ${failureMessage(f)}`,
      })),
      failures: [...failed.values()],
      detached: execution.detached,
    };
  }

  private async observe(view: BindingView): Promise<Observation> {
    const { regionId, instanceIds, selector } = view.spec;
    const [byId, selected] = await Promise.all([
      instanceIds.length > 0 ? this.deps.cloud.describeInstancesById(regionId, instanceIds) : new Map<string, InstanceInfo>(),
      selector ? this.deps.cloud.describeInstancesBySelector(regionId, selector) : Promise.resolve([]),
    ]);
    const instances = new Map(byId);
    for (const instance of selected) instances.set(instance.instanceId, instance);
    const targetIds = [...new Set([...instanceIds, ...selected.map((i) => i.instanceId)])].sort();
    const vpcIds = targetIds.filter((id) => instances.get(id)?.networkType === 'vpc');
    const observedRoles = vpcIds.length > 0 ? await this.deps.cloud.observeRoles(regionId, vpcIds) : new Map<string, string | null>();
    return { targetIds, instances, observedRoles, observeErrors: new Map() };
  }

  /** Runs the plan's actions: every detach first (naming the old role), then the attaches. */
  private async execute(regionId: string, decision: Plan, log: Logger): Promise<Execution> {
    const failures: ActionFailure[] = [];
    const detached: Array<{ instanceId: string; roleName: string }> = [];
    const attached: string[] = [];
    const failedInstances = new Set<string>();
    const detaches = decision.actions.filter((a) => a.kind === 'detach');
    const attaches = decision.actions.filter((a) => a.kind === 'attach');

    const detachResults = await this.runGrouped(detaches, (role, ids) => this.deps.cloud.detach(regionId, role, ids));
    for (const action of detaches) {
      const result = detachResults.get(action.instanceId);
      if (result?.success) detached.push({ instanceId: action.instanceId, roleName: action.roleName });
      else {
        failedInstances.add(action.instanceId);
        failures.push(toFailure(action, result));
      }
    }
    const ready = attaches.filter((a) => !failedInstances.has(a.instanceId));
    const attachResults = await this.runGrouped(ready, (role, ids) => this.deps.cloud.attach(regionId, role, ids));
    for (const action of ready) {
      const result = attachResults.get(action.instanceId);
      if (result?.success) attached.push(action.instanceId);
      else {
        failedInstances.add(action.instanceId);
        failures.push(toFailure(action, result));
      }
    }
    if (failures.length > 0) log.warn({ failures: failures.slice(0, 10).map((f) => ({ instanceId: f.instanceId, code: f.code })) }, 'cloud actions failed');

    const attachedSet = new Set(attached);
    const detachedSet = new Set(detached.map((d) => d.instanceId));
    const failureById = new Map(failures.map((f) => [f.instanceId, f]));
    const statuses = decision.instances.map((p): InstanceStatus => {
      if (p.actions.length === 0) return stripActions(p);
      const failure = failureById.get(p.instanceId);
      if (failure) {
        const roleGone = detachedSet.has(p.instanceId);
        return {
          instanceId: p.instanceId,
          state: failure.class === 'wait' ? 'Pending' : 'Error',
          ...(!roleGone && p.observedRole ? { observedRole: p.observedRole } : {}),
          message: failureMessage(failure),
        };
      }
      if (attachedSet.has(p.instanceId)) {
        const role = p.actions.find((a) => a.kind === 'attach')?.roleName;
        return { instanceId: p.instanceId, state: 'Bound', ...(role ? { observedRole: role } : {}) };
      }
      // Detach-only plans (deletion): the role is gone.
      return { instanceId: p.instanceId, state: 'Pending', message: 'role detached' };
    });
    return { statuses, failures, attached, detached };
  }

  /** Issues one coalesced call per role; a whole-call failure becomes every instance's result. */
  private async runGrouped(
    actions: PlannedAction[],
    call: (roleName: string, ids: string[]) => Promise<Map<string, InstanceCallResult>>,
  ): Promise<Map<string, InstanceCallResult>> {
    const byRole = new Map<string, string[]>();
    for (const a of actions) {
      const ids = byRole.get(a.roleName);
      if (ids) ids.push(a.instanceId);
      else byRole.set(a.roleName, [a.instanceId]);
    }
    const results = new Map<string, InstanceCallResult>();
    await Promise.all(
      [...byRole].map(async ([roleName, ids]) => {
        try {
          for (const [id, r] of await call(roleName, ids)) results.set(id, r);
        } catch (err) {
          const code = err instanceof CloudError ? err.code : 'InternalError';
          const message = err instanceof Error ? err.message : String(err);
          for (const id of ids) results.set(id, { instanceId: id, success: false, code, message });
        }
      }),
    );
    return results;
  }

  private previousStatus(binding: InstanceRoleBinding): InstanceRoleBindingStatus | undefined {
    const mine = this.written.get(`${binding.metadata.namespace}/${binding.metadata.name}`);
    if (mine && mine.uid === binding.metadata.uid) return mine.status;
    return binding.status;
  }

  private async writeStatus(
    binding: InstanceRoleBinding,
    previous: InstanceRoleBindingStatus | undefined,
    outcome: Omit<PassOutcome, 'generation' | 'now' | 'mode' | 'roleName'>,
  ): Promise<InstanceRoleBindingStatus> {
    const view = this.deps.cache.toView(binding);
    const status = computeStatus(previous, {
      ...outcome,
      generation: binding.metadata.generation ?? 0,
      mode: view?.spec.mode ?? 'Enforce',
      roleName: binding.spec.roleName,
      now: this.now().toISOString(),
    });
    const updated = await this.deps.api.patchStatus(binding, status);
    this.written.set(`${binding.metadata.namespace}/${binding.metadata.name}`, {
      uid: binding.metadata.uid,
      status: updated.status ?? status,
    });
    return status;
  }

  private async reportInvalidSpec(binding: InstanceRoleBinding, reason: string): Promise<ReconcileDecision> {
    const message = `${binding.metadata.namespace}/${binding.metadata.name}: invalid spec: ${reason}`;
    const previous = this.previousStatus(binding);
    await this.writeStatus(binding, previous, {
      plan: undefined,
      instanceResults: [],
      suspended: false,
      error: { classification: 'terminal', code: 'InvalidSpec', message },
    });
    this.deps.events.record(binding, 'Warning', 'InvalidSpec', message);
    return { kind: 'requeueAfter', ms: this.jitter(DEFAULT_RESYNC_MS), why: 'invalid spec' };
  }

  private async reportPassError(
    binding: InstanceRoleBinding,
    previous: InstanceRoleBindingStatus | undefined,
    err: unknown,
    log: Logger,
  ): Promise<ReconcileDecision> {
    if (!(err instanceof CloudError)) throw err;
    const policy = classifyCloudError(err.code, err.statusCode);
    log.warn({ code: err.code, action: err.action, class: policy.class }, 'cloud call failed');
    await this.writeStatus(binding, previous, {
      plan: undefined,
      instanceResults: previous?.instances ?? [],
      suspended: false,
      error: { classification: policy.class, code: err.code, message: `${err.message}. ${policy.hint}` },
    });
    if (policy.class === 'terminal') {
      this.deps.events.record(binding, 'Warning', policy.reason, `${err.message}. ${policy.hint}`);
      const resync = this.deps.cache.toView(binding)?.spec.resyncPeriodMs ?? DEFAULT_RESYNC_MS;
      return { kind: 'requeueAfter', ms: this.jitter(resync), why: err.code };
    }
    if (policy.class === 'wait') return { kind: 'requeueAfter', ms: this.jitter(this.deps.waitRequeueMs ?? 5_000), why: err.code };
    return { kind: 'backoff', why: err.code };
  }

  private recordEvents(
    binding: InstanceRoleBinding,
    previous: InstanceRoleBindingStatus | undefined,
    status: InstanceRoleBindingStatus,
    decision: Plan,
    execution: Execution,
  ): void {
    const { events } = this.deps;
    const roleName = binding.spec.roleName;
    const before = new Map((previous?.instances ?? []).map((i) => [i.instanceId, i]));
    const drifted = decision.instances.filter((p) => {
      const was = before.get(p.instanceId);
      return was?.state === 'Bound' && was.observedRole === roleName && p.observedRole !== roleName && p.state !== 'NotFound';
    });
    if (drifted.length > 0) {
      events.record(binding, 'Warning', 'DriftDetected', `${describeIds(drifted.map((d) => d.instanceId))} no longer carry role ${roleName}`);
      this.deps.observer?.driftDetected(drifted.length);
      const corrected = drifted.filter((d) => execution.attached.includes(d.instanceId));
      if (corrected.length > 0) {
        events.record(binding, 'Normal', 'DriftCorrected', `re-attached role ${roleName} to ${describeIds(corrected.map((c) => c.instanceId))}`);
        this.deps.observer?.driftCorrected(corrected.length);
      }
    }
    if (execution.detached.length > 0) events.record(binding, 'Normal', 'Detached', detachedMessage(execution.detached));
    if (execution.attached.length > 0) {
      events.record(binding, 'Normal', 'Attached', `attached role ${roleName} to ${describeIds(execution.attached)}`);
    }
    const newConflicts = (status.instances ?? []).filter((i) => i.state === 'Conflict' && before.get(i.instanceId)?.state !== 'Conflict');
    for (const c of newConflicts.slice(0, 5)) events.record(binding, 'Warning', 'RoleConflict', `${c.instanceId}: ${c.message ?? 'conflict'}`);
    if (newConflicts.length > 5) events.record(binding, 'Warning', 'RoleConflict', `${newConflicts.length - 5} more instances in conflict`);
    for (const f of execution.failures.slice(0, 5)) {
      events.record(binding, 'Warning', f.action.kind === 'attach' ? 'AttachFailed' : 'DetachFailed', failureMessage(f));
    }
    const stalled = status.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
    const wasStalled = previous?.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
    if (stalled && (!wasStalled || wasStalled.reason !== stalled.reason)) {
      events.record(binding, 'Warning', stalled.reason, stalled.message);
    }
  }

  /** ±10% so bindings created together do not resync together. Never zero. */
  private jitter(ms: number): number {
    return Math.max(1, Math.round(ms * (0.9 + 0.2 * this.random())));
  }
}

function statusesOf(decision: Plan): InstanceStatus[] {
  return decision.instances.map(stripActions);
}

function stripActions(p: Plan['instances'][number]): InstanceStatus {
  return {
    instanceId: p.instanceId,
    state: p.state,
    ...(p.observedRole !== undefined ? { observedRole: p.observedRole } : {}),
    ...(p.message !== undefined ? { message: p.message } : {}),
  };
}

function toFailure(action: PlannedAction, result: InstanceCallResult | undefined): ActionFailure {
  const code = result?.code ?? 'NoResult';
  const message = result?.message ?? `no result for ${action.instanceId} in the ${action.kind} response`;
  return { instanceId: action.instanceId, action, code, message, class: classifyCloudError(code).class };
}

function worstFailure(failures: ActionFailure[]): ActionFailure | undefined {
  let worst: ActionFailure | undefined;
  for (const f of failures) if (!worst || CLASS_RANK[f.class] > CLASS_RANK[worst.class]) worst = f;
  return worst;
}

function failureMessage(f: ActionFailure): string {
  const verb = f.action.kind === 'attach' ? 'attaching' : 'detaching';
  return `${verb} role ${f.action.roleName} on ${f.instanceId} failed: ${f.code}: ${f.message}. ${classifyCloudError(f.code).hint}`;
}

function detachedMessage(detached: Array<{ instanceId: string; roleName: string }>): string {
  const byRole = new Map<string, string[]>();
  for (const d of detached) byRole.set(d.roleName, [...(byRole.get(d.roleName) ?? []), d.instanceId]);
  return [...byRole].map(([role, ids]) => `detached role ${role} from ${describeIds(ids)}`).join('; ');
}

/** "i-a, i-b and 3 more" */
export function describeIds(ids: string[]): string {
  const shown = ids.slice(0, 5).join(', ');
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}
