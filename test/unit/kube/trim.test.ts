import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { InternTable } from '../../../src/kube/intern.js';
import { trimBinding, trimMetadata, trimNamespace, trimSpecStatusObject } from '../../../src/kube/trim.js';
import { LIST_PAGE_SIZE, listAllTrimmed } from '../../../src/kube/trimmed-informer.js';

const binding = {
  apiVersion: 'roles.ecs.dev/v1alpha1',
  kind: 'InstanceRoleBinding',
  metadata: {
    name: 'web',
    namespace: 'team-a',
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    deletionTimestamp: '2026-01-02T00:00:00Z',
    finalizers: ['roles.ecs.dev/detach'],
    labels: { app: 'web' },
    annotations: {
      'roles.ecs.dev/reconcile-requested-at': 'now',
      'kubectl.kubernetes.io/last-applied-configuration': '{"a":"very long text"}',
    },
    managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'o' }],
  },
  spec: { regionId: 'cn-hangzhou', roleName: 'R', instanceIds: ['i-1'] },
  status: { conditions: [], instances: [] },
};

describe('trimSpecStatusObject', () => {
  it('keeps kind, spec, status and the metadata the controller reads; drops managedFields, ownerReferences and foreign annotations', () => {
    const trimmed = trimSpecStatusObject(binding as unknown as KubernetesObject) as unknown as typeof binding;
    expect(trimmed).toEqual({
      apiVersion: binding.apiVersion,
      kind: binding.kind,
      metadata: {
        name: 'web',
        namespace: 'team-a',
        uid: 'u-1',
        resourceVersion: '42',
        generation: 3,
        creationTimestamp: '2026-01-01T00:00:00Z',
        deletionTimestamp: '2026-01-02T00:00:00Z',
        finalizers: ['roles.ecs.dev/detach'],
        labels: { app: 'web' },
        annotations: { 'roles.ecs.dev/reconcile-requested-at': 'now' },
      },
      spec: binding.spec,
      status: binding.status,
    });
  });

  it('shares spec and status with the input instead of copying them, and leaves the input as it was', () => {
    const before = JSON.stringify(binding);
    const trimmed = trimSpecStatusObject(binding as unknown as KubernetesObject) as unknown as typeof binding;
    expect(trimmed.spec).toBe(binding.spec);
    expect(trimmed.status).toBe(binding.status);
    expect(JSON.stringify(binding)).toBe(before);
  });

  it('omits annotations when none is the operator\'s, and fields that are absent', () => {
    const trimmed = trimMetadata({ name: 'a', annotations: { 'example.com/x': 'y' } });
    expect(trimmed).toEqual({ name: 'a' });
    expect(trimSpecStatusObject({ metadata: { name: 'b' } } as KubernetesObject)).toEqual({ metadata: { name: 'b' } });
  });
});

/** An intern table that records what it was given. */
class RecordingTable extends InternTable {
  readonly seen: unknown[] = [];
  override intern<T>(value: T): T {
    this.seen.push(value);
    return super.intern(value);
  }
}

const withStatus = {
  ...binding,
  metadata: { ...binding.metadata, finalizers: ['roles.ecs.dev/detach-on-delete'] },
  spec: { regionId: 'cn-hangzhou', roleName: 'WebRole', instanceIds: ['i-1', 'i-2'], mode: 'Enforce', deletionPolicy: 'Detach', resyncPeriod: '5m' },
  status: {
    observedGeneration: 3,
    lastSyncTime: '2026-01-03T00:00:00Z',
    summary: { desired: 2, bound: 2, conflicts: 0, errors: 0 },
    conditions: [
      { type: 'Ready', status: 'True', reason: 'AllInstancesBound', message: 'all 2 instances carry the role', lastTransitionTime: '2026-01-03T00:00:00Z', observedGeneration: 3 },
      { type: 'Reconciling', status: 'False', reason: 'Reconciled', message: 'every targeted instance is as declared; nothing in flight', lastTransitionTime: '2026-01-03T00:00:00Z' },
    ],
    instances: [
      { instanceId: 'i-1', state: 'Bound', observedRole: 'WebRole' },
      { instanceId: 'i-2', state: 'Bound', observedRole: 'WebRole', message: 'adopted' },
    ],
  },
};

describe('trimBinding', () => {
  it('keeps what trimSpecStatusObject keeps, in new objects, and leaves the input as it was', () => {
    const before = JSON.stringify(withStatus);
    const trimmed = trimBinding(withStatus as unknown as KubernetesObject, new InternTable()) as unknown as typeof withStatus;
    expect(trimmed).toEqual(trimSpecStatusObject(withStatus as unknown as KubernetesObject));
    expect(trimmed.spec).not.toBe(withStatus.spec);
    expect(trimmed.status.conditions[0]).not.toBe(withStatus.status.conditions[0]);
    expect(trimmed.metadata.finalizers).not.toBe(withStatus.metadata.finalizers);
    expect(JSON.stringify(withStatus)).toBe(before);
  });

  it('passes the repeated strings through the intern table (timestamps included), never uids, resourceVersions or instance IDs', () => {
    const table = new RecordingTable();
    trimBinding(withStatus as unknown as KubernetesObject, table);
    expect(new Set(table.seen)).toEqual(
      new Set([
        'roles.ecs.dev/v1alpha1',
        'InstanceRoleBinding',
        'roles.ecs.dev/detach-on-delete',
        'cn-hangzhou',
        'WebRole',
        'Enforce',
        'Detach',
        '5m',
        'Ready',
        'True',
        'AllInstancesBound',
        'all 2 instances carry the role',
        'Reconciling',
        'False',
        'Reconciled',
        'every targeted instance is as declared; nothing in flight',
        'Bound',
        'adopted',
        '2026-01-03T00:00:00Z',
      ]),
    );
    expect(table.size).toBe(19);
  });

  it('gives the status the spec\'s instance ID strings, and leaves IDs the spec does not name as they are', () => {
    const spec = { regionId: 'cn-hangzhou', roleName: 'R', instanceIds: ['i-' + 'a'.repeat(20), 'i-' + 'b'.repeat(20)] };
    const fresh = (id: string) => JSON.parse(JSON.stringify(id)) as string;
    const binding = { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', metadata: { name: 'b' }, spec, status: { instances: [{ instanceId: fresh(spec.instanceIds[0] as string), state: 'Bound' }, { instanceId: 'i-gone', state: 'NotFound' }] } };
    const trimmed = trimBinding(binding as unknown as KubernetesObject, new InternTable()) as unknown as typeof binding;
    expect(trimmed.status.instances).toEqual(binding.status.instances);
    expect(trimmed.status.instances[0]?.instanceId).toBe(trimmed.spec.instanceIds[0]);
    expect(trimmed.status.instances[1]?.instanceId).toBe('i-gone');
  });

  it('takes a binding without status, finalizers or spec as it comes', () => {
    const bare = { apiVersion: 'roles.ecs.dev/v1alpha1', kind: 'InstanceRoleBinding', metadata: { name: 'b' } } as KubernetesObject;
    expect(trimBinding(bare, new InternTable())).toEqual(bare);
    const odd = { ...bare, spec: 'not an object', status: { conditions: 'nor this' } } as unknown as KubernetesObject;
    expect(trimBinding(odd, new InternTable())).toEqual(odd);
  });
});

describe('trimNamespace', () => {
  it('keeps name, uid, resourceVersion and labels only', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: 'n', resourceVersion: '7', labels: { team: 'a' }, annotations: { 'roles.ecs.dev/x': 'y' }, managedFields: [{}] }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    expect(trimNamespace(ns as unknown as KubernetesObject)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: 'n', resourceVersion: '7', labels: { team: 'a' } } });
  });
});

describe('listAllTrimmed', () => {
  it('reads every page with the page size and the continue token, trims each item, keeps the resourceVersion', async () => {
    const asked: Array<{ limit: number; continueToken: string | undefined }> = [];
    const pages: Array<KubernetesListObject<KubernetesObject>> = [
      { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '9', _continue: 'c1' }, items: [binding as unknown as KubernetesObject] },
      { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '9' }, items: [{ ...binding, metadata: { ...binding.metadata, name: 'api' } } as unknown as KubernetesObject] },
    ];
    const listed = await listAllTrimmed(async (page) => {
      asked.push(page);
      return pages[asked.length - 1] as KubernetesListObject<KubernetesObject>;
    }, trimSpecStatusObject);
    expect(asked).toEqual([{ limit: LIST_PAGE_SIZE, continueToken: undefined }, { limit: LIST_PAGE_SIZE, continueToken: 'c1' }]);
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(['web', 'api']);
    expect(listed.items.every((i) => (i.metadata as Record<string, unknown>).managedFields === undefined)).toBe(true);
    expect(listed.metadata).toEqual({ resourceVersion: '9' });
  });

  it('follows the wire name "continue" too, as custom-object lists (plain JSON) carry it', async () => {
    let calls = 0;
    const listed = await listAllTrimmed(async ({ continueToken }) => {
      calls++;
      return { apiVersion: 'v1', kind: 'List', metadata: continueToken ? { resourceVersion: '5' } : ({ resourceVersion: '5', continue: 'next' } as object), items: [binding as unknown as KubernetesObject] };
    }, trimSpecStatusObject);
    expect(calls).toBe(2);
    expect(listed.items).toHaveLength(2);
  });
});
