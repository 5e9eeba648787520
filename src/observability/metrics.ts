/**
 * The operator's Prometheus metrics, on a registry of its own (never prom-client's global one, so
 * two operators in one process — tests, the sandbox — never share or clash on series).
 *
 * The controller reports through the methods below; nothing else touches the metric objects.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { INSTANCE_STATES, type InstanceState } from '../api/instance-role-binding.js';
import type { PassResult } from '../runtime/reconcile-loop.js';

export const METRIC_PREFIX = 'ecs_role_operator_';

/** Bindings counted by the status of their Ready condition (unknown = no Ready condition yet). */
export interface ReadyCounts {
  true: number;
  false: number;
  unknown: number;
}

export interface OperatorMetricsOptions {
  /** Also export Node.js process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
  /** Labels added to every series, e.g. { pod: 'ecs-role-operator-abc' }. */
  defaultLabels?: Record<string, string>;
}

const CLOUD_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Roleless windows: from one attach token's wait (tens of ms) to a throttled quota's minutes. */
const ROLELESS_WINDOW_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const RECONCILE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class OperatorMetrics {
  readonly registry: Registry;

  private readonly cloudCalls: Counter<'action' | 'code'>;
  private readonly cloudCallDuration: Histogram<'action'>;
  private readonly reconciles: Counter<'result'>;
  private readonly reconcileErrors: Counter;
  private readonly reconcileDuration: Histogram<'result'>;
  private readonly queueDepth: Gauge;
  private readonly bindings: Gauge<'ready'>;
  private readonly instances: Gauge<'state'>;
  private readonly driftDetectedTotal: Counter;
  private readonly driftCorrectedTotal: Counter;
  private readonly leader: Gauge;
  private readonly rolelessInstancesGauge: Gauge;
  private readonly rolelessWindowSeconds: Histogram;

  constructor(options: OperatorMetricsOptions = {}) {
    this.registry = new Registry();
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    const registers = [this.registry];

    this.cloudCalls = new Counter({
      name: `${METRIC_PREFIX}cloud_api_calls_total`,
      help: 'Alibaba Cloud API calls, by API action and result code ("OK" on success, else the cloud error code).',
      labelNames: ['action', 'code'] as const,
      registers,
    });
    this.cloudCallDuration = new Histogram({
      name: `${METRIC_PREFIX}cloud_api_call_duration_seconds`,
      help: 'Latency of Alibaba Cloud API calls, by API action, successful or not.',
      labelNames: ['action'] as const,
      buckets: CLOUD_CALL_BUCKETS,
      registers,
    });
    this.reconciles = new Counter({
      name: `${METRIC_PREFIX}reconcile_total`,
      help: 'Reconciles of InstanceRoleBindings, by result (success, error, requeue).',
      labelNames: ['result'] as const,
      registers,
    });
    this.reconcileErrors = new Counter({
      name: `${METRIC_PREFIX}reconcile_errors_total`,
      help: 'Reconciles that ended in an error (retried with backoff).',
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: `${METRIC_PREFIX}reconcile_duration_seconds`,
      help: 'Time one reconcile of one InstanceRoleBinding took, by result.',
      labelNames: ['result'] as const,
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.queueDepth = new Gauge({
      name: `${METRIC_PREFIX}queue_depth`,
      help: 'Binding keys waiting in the work queue.',
      registers,
    });
    this.bindings = new Gauge({
      name: `${METRIC_PREFIX}bindings`,
      help: 'InstanceRoleBindings known to the controller, by the status of their Ready condition.',
      labelNames: ['ready'] as const,
      registers,
    });
    this.instances = new Gauge({
      name: `${METRIC_PREFIX}instances`,
      help: 'Instances targeted by InstanceRoleBindings, by per-instance state in status.',
      labelNames: ['state'] as const,
      registers,
    });
    this.driftDetectedTotal = new Counter({
      name: `${METRIC_PREFIX}drift_detected_total`,
      help: 'Instances found carrying a role other than the one their binding declares.',
      registers,
    });
    this.driftCorrectedTotal = new Counter({
      name: `${METRIC_PREFIX}drift_corrected_total`,
      help: 'Drifted instances brought back to their declared role.',
      registers,
    });
    this.leader = new Gauge({
      name: `${METRIC_PREFIX}leader`,
      help: '1 while this replica holds the leader lease (and reconciles), else 0.',
      registers,
    });

    this.rolelessInstancesGauge = new Gauge({
      name: `${METRIC_PREFIX}roleless_instances`,
      help: 'Instances a role change detached whose new role is not attached yet (they have no RAM role now).',
      registers,
    });
    this.rolelessWindowSeconds = new Histogram({
      name: `${METRIC_PREFIX}roleless_window_seconds`,
      help: 'Time an instance spent without a RAM role during a role change: from its detach to the attach of its new role.',
      buckets: ROLELESS_WINDOW_BUCKETS,
      registers,
    });

    // Series with known label values start at 0 so dashboards and alerts see them before the first event.
    for (const ready of ['true', 'false', 'unknown'] as const) this.bindings.set({ ready }, 0);
    for (const state of INSTANCE_STATES) this.instances.set({ state }, 0);
    for (const result of ['success', 'error', 'requeue'] as const) this.reconciles.inc({ result }, 0);
    this.leader.set(0);
    this.queueDepth.set(0);
    this.rolelessInstancesGauge.set(0);

    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** One cloud API call finished; code is "OK" on success, otherwise the cloud's error code. */
  cloudCall(action: string, code: string, seconds: number): void {
    this.cloudCalls.inc({ action, code });
    this.cloudCallDuration.observe({ action }, seconds);
  }

  /** One reconcile of one binding finished. */
  reconcile(result: PassResult, seconds: number): void {
    this.reconciles.inc({ result });
    if (result === 'error') this.reconcileErrors.inc();
    this.reconcileDuration.observe({ result }, seconds);
  }

  setQueueDepth(depth: number): void {
    this.queueDepth.set(depth);
  }

  setBindings(readyCounts: ReadyCounts): void {
    this.bindings.set({ ready: 'true' }, readyCounts.true);
    this.bindings.set({ ready: 'false' }, readyCounts.false);
    this.bindings.set({ ready: 'unknown' }, readyCounts.unknown);
  }

  /** Replaces every state's count; a state missing from counts is set to 0. */
  setInstanceStates(counts: Partial<Record<InstanceState, number>>): void {
    for (const state of INSTANCE_STATES) this.instances.set({ state }, counts[state] ?? 0);
  }

  driftDetected(count: number): void {
    if (count > 0) this.driftDetectedTotal.inc(count);
  }

  driftCorrected(count: number): void {
    if (count > 0) this.driftCorrectedTotal.inc(count);
  }

  rolelessInstances(count: number): void {
    this.rolelessInstancesGauge.set(count);
  }

  rolelessWindow(seconds: number): void {
    this.rolelessWindowSeconds.observe(seconds);
  }

  setLeader(isLeader: boolean): void {
    this.leader.set(isLeader ? 1 : 0);
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
