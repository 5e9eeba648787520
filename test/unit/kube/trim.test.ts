import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { trimMetadata, trimNamespace, trimSpecStatusObject } from '../../../src/kube/trim.js';
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
