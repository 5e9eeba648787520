import { describe, expect, it } from 'vitest';
import type { ControllerMetrics } from '../../../src/controller/binding-controller.js';
import { OperatorMetrics } from '../../../src/observability/metrics.js';

/** The value of one sample line `name{labels} value` in the exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('OperatorMetrics', () => {
  it('counts cloud calls by action and code and times them by action', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.cloudCall('AttachInstanceRamRole', 'OK', 0.02);
    m.cloudCall('AttachInstanceRamRole', 'OK', 0.03);
    m.cloudCall('AttachInstanceRamRole', 'Throttling', 0.2);
    m.cloudCall('DescribeInstanceRamRole', 'OK', 0.004);
    const text = await m.exposition();
    expect(text).toContain('# TYPE ecs_role_operator_cloud_api_calls_total counter');
    expect(sample(text, 'ecs_role_operator_cloud_api_calls_total{action="AttachInstanceRamRole",code="OK"}')).toBe(2);
    expect(sample(text, 'ecs_role_operator_cloud_api_calls_total{action="AttachInstanceRamRole",code="Throttling"}')).toBe(1);
    expect(sample(text, 'ecs_role_operator_cloud_api_calls_total{action="DescribeInstanceRamRole",code="OK"}')).toBe(1);
    expect(text).toContain('# TYPE ecs_role_operator_cloud_api_call_duration_seconds histogram');
    expect(sample(text, 'ecs_role_operator_cloud_api_call_duration_seconds_count{action="AttachInstanceRamRole"}')).toBe(3);
    expect(sample(text, 'ecs_role_operator_cloud_api_call_duration_seconds_sum{action="AttachInstanceRamRole"}')).toBeCloseTo(0.25);
    expect(sample(text, 'ecs_role_operator_cloud_api_call_duration_seconds_bucket{le="0.025",action="AttachInstanceRamRole"}')).toBe(1);
    expect(sample(text, 'ecs_role_operator_cloud_api_call_duration_seconds_bucket{le="0.005",action="DescribeInstanceRamRole"}')).toBe(1);
  });

  it('counts reconciles by result, errors separately, and times them', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.reconcile('success', 0.01);
    m.reconcile('success', 0.02);
    m.reconcile('requeue', 0.5);
    m.reconcile('error', 1.5);
    const text = await m.exposition();
    expect(sample(text, 'ecs_role_operator_reconcile_total{result="success"}')).toBe(2);
    expect(sample(text, 'ecs_role_operator_reconcile_total{result="requeue"}')).toBe(1);
    expect(sample(text, 'ecs_role_operator_reconcile_total{result="error"}')).toBe(1);
    expect(sample(text, 'ecs_role_operator_reconcile_errors_total')).toBe(1);
    expect(sample(text, 'ecs_role_operator_reconcile_duration_seconds_count{result="success"}')).toBe(2);
    expect(sample(text, 'ecs_role_operator_reconcile_duration_seconds_sum{result="error"}')).toBeCloseTo(1.5);
  });

  it('exposes queue depth, bindings by Ready, instances by state, drift and leadership', async () => {
    const m = new OperatorMetrics({ processMetrics: false });
    m.setQueueDepth(7);
    m.setBindings({ true: 3, false: 1, unknown: 2 });
    m.setInstanceStates({
      Bound: 40,
      Pending: 0,
      Detaching: 1,
      Attaching: 2,
      Conflict: 3,
      NotFound: 0,
      NotVpc: 1,
      Error: 0,
      Observed: 5,
    });
    m.driftDetected(4);
    m.driftDetected(0);
    m.driftCorrected(3);
    m.setLeader(true);
    let text = await m.exposition();
    expect(sample(text, 'ecs_role_operator_queue_depth')).toBe(7);
    expect(sample(text, 'ecs_role_operator_bindings{ready="true"}')).toBe(3);
    expect(sample(text, 'ecs_role_operator_bindings{ready="false"}')).toBe(1);
    expect(sample(text, 'ecs_role_operator_bindings{ready="unknown"}')).toBe(2);
    expect(sample(text, 'ecs_role_operator_instances{state="Bound"}')).toBe(40);
    expect(sample(text, 'ecs_role_operator_instances{state="Conflict"}')).toBe(3);
    expect(sample(text, 'ecs_role_operator_instances{state="Observed"}')).toBe(5);
    expect(sample(text, 'ecs_role_operator_drift_detected_total')).toBe(4);
    expect(sample(text, 'ecs_role_operator_drift_corrected_total')).toBe(3);
    expect(sample(text, 'ecs_role_operator_leader')).toBe(1);

    // Gauges are replaced, not accumulated; a state left out drops to 0.
    m.setInstanceStates({ Bound: 42 });
    m.setLeader(false);
    text = await m.exposition();
    expect(sample(text, 'ecs_role_operator_instances{state="Bound"}')).toBe(42);
    expect(sample(text, 'ecs_role_operator_instances{state="Conflict"}')).toBe(0);
    expect(sample(text, 'ecs_role_operator_leader')).toBe(0);
  });

  it('is what the controller reports to', async () => {
    const controllerView: ControllerMetrics = new OperatorMetrics({ processMetrics: false });
    controllerView.reconcile('requeue', 0.2);
    controllerView.driftDetected(2);
    const text = await (controllerView as OperatorMetrics).exposition();
    expect(sample(text, 'ecs_role_operator_reconcile_total{result="requeue"}')).toBe(1);
    expect(sample(text, 'ecs_role_operator_drift_detected_total')).toBe(2);
  });

  it('starts known series at zero so alerts see them before the first event', async () => {
    const text = await new OperatorMetrics({ processMetrics: false }).exposition();
    expect(sample(text, 'ecs_role_operator_reconcile_total{result="error"}')).toBe(0);
    expect(sample(text, 'ecs_role_operator_bindings{ready="unknown"}')).toBe(0);
    expect(sample(text, 'ecs_role_operator_instances{state="NotVpc"}')).toBe(0);
    expect(sample(text, 'ecs_role_operator_leader')).toBe(0);
  });

  it('keeps each instance on its own registry and exports process metrics by default', async () => {
    const a = new OperatorMetrics();
    const b = new OperatorMetrics({ processMetrics: false, defaultLabels: { pod: 'b' } });
    a.setQueueDepth(1);
    b.setQueueDepth(2);
    const textA = await a.exposition();
    const textB = await b.exposition();
    expect(sample(textA, 'ecs_role_operator_queue_depth')).toBe(1);
    expect(sample(textB, 'ecs_role_operator_queue_depth{pod="b"}')).toBe(2);
    expect(textA).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(textA).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(textB).not.toContain('process_resident_memory_bytes');
    expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
