import { describe, expect, it } from 'vitest';
import { concurrencyFlag, heapFlagMiB, nodeOptionsFor, quantityMiB, readDeploymentSettings, withHeapMiB } from '../../../bench/deployment-settings.js';
import { parseRequestTotals, resourceOfPath, writeKind } from '../../../bench/kube-target.js';
import { OperatorExited, OperatorProcess } from '../../../bench/operator-process.js';
import { waitUntil } from '../../../bench/wait.js';
import { packageRoot } from '../../../src/util/package-root.js';

describe('the Deployment settings the benchmark runs the operator with', () => {
  it('are read from deploy/manager/deployment.yaml: NODE_OPTIONS with its heap flag, and the memory limit', () => {
    const settings = readDeploymentSettings(packageRoot());
    expect(settings.nodeOptions).toMatch(/--max-old-space-size=\d+/);
    expect(settings.heapMiB).toBe(heapFlagMiB(settings.nodeOptions));
    expect(settings.memoryLimitMiB).toBe(256);
    // The heap leaves room below the limit for what is not heap.
    expect(settings.heapMiB ?? Number.POSITIVE_INFINITY).toBeLessThan((settings.memoryLimitMiB ?? 0) - 64);
  });

  it('understand Kubernetes quantities and both spellings of the heap flag', () => {
    expect(quantityMiB('256Mi')).toBe(256);
    expect(quantityMiB('1Gi')).toBe(1024);
    expect(quantityMiB('262144Ki')).toBe(256);
    expect(quantityMiB('268435456')).toBe(256);
    expect(() => quantityMiB('lots')).toThrow('unsupported memory quantity');
    expect(heapFlagMiB('--max-old-space-size=160 --max-semi-space-size=4')).toBe(160);
    expect(heapFlagMiB('--max-old-space-size 96')).toBe(96);
  });

  it('keeps the shipped NODE_OPTIONS up to the fleet they are sized for, and grows the heap in proportion past it', () => {
    const shipped = '--max-old-space-size=112 --max-semi-space-size=2';
    expect(nodeOptionsFor(shipped, 1_000)).toBe(shipped);
    expect(nodeOptionsFor(shipped, 10_000)).toBe(shipped);
    expect(nodeOptionsFor(shipped, 20_000)).toBe('--max-semi-space-size=2 --max-old-space-size=224');
    expect(nodeOptionsFor('--max-semi-space-size=2', 20_000)).toBe('--max-semi-space-size=2');
    expect(withHeapMiB('', 300)).toBe('--max-old-space-size=300');
    expect(heapFlagMiB('')).toBeUndefined();
  });

  it("read run's --concurrency from the container's args, in both spellings, or none", () => {
    expect(concurrencyFlag(['run', '--leader-elect', '--concurrency', '32'])).toBe(32);
    expect(concurrencyFlag(['run', '--concurrency=16'])).toBe(16);
    expect(concurrencyFlag(['run', '--leader-elect'])).toBeUndefined();
  });
});

describe('counting Kubernetes writes', () => {
  it('names the resource of a request path, subresource included', () => {
    expect(resourceOfPath('/apis/roles.ecs.dev/v1alpha1/namespaces/default/instancerolebindings/b-1/status?fieldManager=x')).toBe('instancerolebindings/status');
    expect(resourceOfPath('/apis/roles.ecs.dev/v1alpha1/namespaces/default/instancerolebindings/b-1')).toBe('instancerolebindings');
    expect(resourceOfPath('/api/v1/namespaces/default/events')).toBe('events');
    expect(resourceOfPath('/api/v1/namespaces')).toBe('namespaces');
    expect(writeKind('instancerolebindings')).toBe('finalizer');
    expect(writeKind('configmaps')).toBe('ledger');
  });

  it('reads write totals by kind from apiserver_request_total, ignoring reads', () => {
    const exposition = [
      '# HELP apiserver_request_total x',
      'apiserver_request_total{code="200",component="apiserver",group="roles.ecs.dev",resource="instancerolebindings",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 7',
      'apiserver_request_total{code="201",component="apiserver",group="",resource="events",scope="namespace",subresource="",verb="POST",version="v1"} 3',
      'apiserver_request_total{code="200",component="apiserver",group="",resource="events",scope="namespace",subresource="",verb="LIST",version="v1"} 9',
    ].join('\n');
    expect(parseRequestTotals(exposition)).toEqual({ status: 7, event: 3 });
  });
});

describe('the operator process under measurement', () => {
  it('fails every wait at once when the operator exits, with its exit code and its last output lines', async () => {
    const operator = new OperatorProcess({ root: packageRoot(), kubeconfig: '/nonexistent/kubeconfig', cloudEndpoint: '127.0.0.1:9', nodeOptions: '', runFlags: ['--metrics-port', '0', '--health-port', '0'] });
    const waited = waitUntil('never', () => false, { timeoutMs: 120_000, everyMs: 50, alive: operator });
    await expect(waited).rejects.toBeInstanceOf(OperatorExited);
    await expect(waited).rejects.toThrow(/exited with code 1[\s\S]*\/nonexistent\/kubeconfig/);
    await operator.stop();
  }, 130_000);
});
