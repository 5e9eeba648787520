import { describe, expect, it } from 'vitest';
import { collectBindingRecords, toBindingRecord } from '../../../src/audit/binding-records.js';

const valid = {
  apiVersion: 'roles.ecs.dev/v1alpha1',
  kind: 'InstanceRoleBinding',
  metadata: { name: 'web', namespace: 'platform', creationTimestamp: '2026-01-02T03:04:05Z' },
  spec: { regionId: 'cn-hangzhou', roleName: 'Web', instanceIds: ['i-b', 'i-a', 'i-a'] },
};

describe('toBindingRecord', () => {
  it('ignores objects of other kinds', () => {
    expect(toBindingRecord({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, 'f.yaml')).toBeUndefined();
    expect(toBindingRecord('text', 'f.yaml')).toBeUndefined();
    expect(toBindingRecord(null, 'f.yaml')).toBeUndefined();
  });

  it('normalizes a valid binding with the controller rules', () => {
    const record = toBindingRecord(valid, 'f.yaml');
    expect(record).toEqual({
      binding: {
        source: 'f.yaml',
        view: {
          key: 'platform/web',
          namespace: 'platform',
          uid: '',
          creationTimestamp: '2026-01-02T03:04:05Z',
          deleting: false,
          spec: expect.objectContaining({ regionId: 'cn-hangzhou', roleName: 'Web', instanceIds: ['i-a', 'i-b'], takeover: false, mode: 'Enforce' }),
        },
      },
    });
  });

  it('defaults the namespace like kubectl apply and marks deleting bindings', () => {
    const record = toBindingRecord({ ...valid, metadata: { name: 'web', deletionTimestamp: '2026-01-03T00:00:00Z' } }, 'f.yaml');
    expect(record && 'binding' in record && record.binding.view).toMatchObject({ key: 'default/web', creationTimestamp: '', deleting: true });
  });

  it('reports a wrong version of our group, a missing name and a bad spec, naming the fix', () => {
    expect(toBindingRecord({ ...valid, apiVersion: 'roles.ecs.dev/v1' }, 'f.yaml')).toEqual({
      invalid: { key: 'platform/web', source: 'f.yaml', message: 'apiVersion roles.ecs.dev/v1 is not served: use roles.ecs.dev/v1alpha1' },
    });
    expect(toBindingRecord({ ...valid, metadata: {} }, 'f.yaml')).toEqual({
      invalid: { key: '', source: 'f.yaml', message: 'metadata.name is missing: give the binding a name' },
    });
    const bad = toBindingRecord({ ...valid, spec: { regionId: 'cn-hangzhou', roleName: 'Web' } }, 'f.yaml');
    expect(bad && 'invalid' in bad && bad.invalid.message).toContain('spec names no instances');
  });
});

describe('collectBindingRecords', () => {
  it('keeps the first definition of a key and reports the duplicate', () => {
    const { bindings, invalidBindings } = collectBindingRecords([
      toBindingRecord(valid, 'a.yaml'),
      undefined,
      toBindingRecord(valid, 'b.yaml'),
      toBindingRecord({ ...valid, metadata: { name: 'x' }, spec: {} }, 'c.yaml'),
    ]);
    expect(bindings.map((b) => b.source)).toEqual(['a.yaml']);
    expect(invalidBindings).toEqual([
      { key: 'platform/web', source: 'b.yaml', message: 'platform/web is also defined in a.yaml: keep one definition' },
      expect.objectContaining({ key: 'default/x', source: 'c.yaml' }),
    ]);
  });
});
