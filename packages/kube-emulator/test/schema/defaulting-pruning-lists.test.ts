import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../src/schema/index.js';

describe('applyDefaults', () => {
  const schema = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          mode: { type: 'string', default: 'Enforce' },
          suspend: { type: 'boolean', default: false },
          replicas: { type: 'integer', default: 1 },
          retry: {
            type: 'object',
            default: {},
            properties: { limit: { type: 'integer', default: 3 }, backoff: { type: 'string', default: '1s' } },
          },
          note: { type: 'string' },
          nullableNote: { type: 'string', nullable: true },
          labels: { type: 'object', additionalProperties: { type: 'string', default: 'x' } },
          ports: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' } } },
          },
        },
      },
    },
  });

  it('fills absent fields, including the nested defaults of an object created by its default', () => {
    const object: Record<string, unknown> = { spec: {} };
    schema.applyDefaults(object);
    expect(object).toEqual({ spec: { mode: 'Enforce', suspend: false, replicas: 1, retry: { limit: 3, backoff: '1s' } } });
  });

  it('keeps values that are set and defaults only what is missing inside them', () => {
    const object: Record<string, unknown> = { spec: { mode: 'Observe', retry: { limit: 5 } } };
    schema.applyDefaults(object);
    expect(object).toEqual({ spec: { mode: 'Observe', suspend: false, replicas: 1, retry: { limit: 5, backoff: '1s' } } });
  });

  it('defaults fields of list items and replaces non-nullable nulls that have a default', () => {
    const object: Record<string, unknown> = { spec: { mode: null, ports: [{ name: 'http' }, { name: 'dns', protocol: 'UDP' }] } };
    schema.applyDefaults(object);
    expect(object['spec']).toMatchObject({ mode: 'Enforce', ports: [{ name: 'http', protocol: 'TCP' }, { name: 'dns', protocol: 'UDP' }] });
  });

  it('drops nulls of non-nullable fields without a default and keeps nullable nulls', () => {
    const object: Record<string, unknown> = { spec: { note: null, nullableNote: null, labels: { a: null, b: 'y' } } };
    schema.applyDefaults(object);
    expect(object['spec']).toMatchObject({ nullableNote: null, labels: { a: 'x', b: 'y' } });
    expect(object['spec']).not.toHaveProperty('note');
  });

  it('never shares a default value between objects', () => {
    const first: Record<string, unknown> = { spec: {} };
    const second: Record<string, unknown> = { spec: {} };
    schema.applyDefaults(first);
    schema.applyDefaults(second);
    (first['spec'] as { retry: { limit: number } }).retry.limit = 99;
    expect((second['spec'] as { retry: { limit: number } }).retry.limit).toBe(3);
  });

  it('rejects a default with unknown fields or one that breaks a CEL rule', () => {
    expect(() => compileSchema({ type: 'object', properties: { retry: { type: 'object', default: { limit: 1, bogus: true }, properties: { limit: { type: 'integer' } } } } })).toThrow(
      /openAPIV3Schema\.properties\[retry\]\.default: Invalid value: \{"limit":1,"bogus":true\}: must not have unknown fields/,
    );
    expect(() => compileSchema({
      type: 'object',
      properties: { period: { type: 'string', default: '10s', 'x-kubernetes-validations': [{ rule: "duration(self) >= duration('30s')", message: 'at least 30s' }] } },
    })).toThrow(/openAPIV3Schema\.properties\[period\]\.default: Invalid value: "string": at least 30s/);
  });

  it('rejects a default that its own schema does not accept', () => {
    expect(() => compileSchema({ type: 'object', properties: { mode: { type: 'string', enum: ['A', 'B'], default: 'C' } } })).toThrow(
      /openAPIV3Schema\.properties\[mode\]\.default: Invalid value: "C": Unsupported value: "C": supported values: "A", "B"/,
    );
  });
});

describe('prune', () => {
  const schema = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          known: { type: 'string' },
          items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'object', properties: { a: { type: 'string' } } } } },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
        },
      },
      status: { type: 'object', properties: { ready: { type: 'boolean' } } },
    },
  });

  it('removes unknown fields and returns their sorted paths', () => {
    const object: Record<string, unknown> = {
      apiVersion: 'roles.ecs.dev/v1alpha1',
      kind: 'InstanceRoleBinding',
      metadata: { name: 'a', labels: { x: 'y' } },
      spec: { known: 'k', unknown: 1, items: [{ name: 'n', extra: true }, { name: 'm' }] },
      status: { ready: true, phase: 'Done' },
      topLevel: 'gone',
    };
    expect(schema.prune(object)).toEqual(['.spec.items[0].extra', '.spec.unknown', '.status.phase', '.topLevel']);
    expect(object).toEqual({
      apiVersion: 'roles.ecs.dev/v1alpha1',
      kind: 'InstanceRoleBinding',
      metadata: { name: 'a', labels: { x: 'y' } },
      spec: { known: 'k', items: [{ name: 'n' }, { name: 'm' }] },
      status: { ready: true },
    });
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields but prunes its typed children', () => {
    const object: Record<string, unknown> = { spec: { free: { anything: { deep: [1, 2] }, typed: { a: 'x', b: 'pruned' } } } };
    expect(schema.prune(object)).toEqual(['.spec.free.typed.b']);
    expect(object).toEqual({ spec: { free: { anything: { deep: [1, 2] }, typed: { a: 'x' } } } });
  });

  it('keeps map keys and the apiVersion/kind/metadata of embedded resources', () => {
    const object: Record<string, unknown> = {
      spec: { tags: { app: 'web', team: 'a' }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'y', z: 'pruned' }, extra: 1 } },
    };
    expect(schema.prune(object)).toEqual(['.spec.template.extra', '.spec.template.spec.z']);
    expect(object).toEqual({
      spec: { tags: { app: 'web', team: 'a' }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'y' } } },
    });
  });

  it('returns nothing for an object that only has known fields', () => {
    expect(schema.prune({ apiVersion: 'v1', kind: 'X', metadata: {}, spec: { known: 'k' } })).toEqual([]);
  });
});

describe('x-kubernetes-list-type', () => {
  const schema = compileSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          ids: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          conditions: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['type'],
            items: { type: 'object', required: ['type'], properties: { type: { type: 'string' }, status: { type: 'string' } } },
          },
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['port', 'protocol'],
            items: { type: 'object', required: ['port', 'protocol'], properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
          },
          atomic: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } },
        },
      },
    },
  });

  it('reports each repeated item of a set once, at the first repeat', () => {
    expect(schema.validate({ spec: { ids: ['i-a', 'i-b', 'i-a', 'i-a', 'i-b'] } })).toEqual([
      { reason: 'FieldValueDuplicate', field: 'spec.ids[2]', message: 'Duplicate value: "i-a"' },
      { reason: 'FieldValueDuplicate', field: 'spec.ids[4]', message: 'Duplicate value: "i-b"' },
    ]);
  });

  it('reports map-list items with a repeated key, printing the key as Go does', () => {
    expect(schema.validate({ spec: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'False' }] } })).toEqual([
      { reason: 'FieldValueDuplicate', field: 'spec.conditions[1]', message: 'Duplicate value: map[string]interface {}{"type":"Ready"}' },
    ]);
    expect(schema.validate({ spec: { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } })).toEqual([
      { reason: 'FieldValueDuplicate', field: 'spec.ports[2]', message: 'Duplicate value: map[string]interface {}{"port":53, "protocol":"UDP"}' },
    ]);
  });

  it('allows repeats in atomic lists', () => {
    expect(schema.validate({ spec: { atomic: ['a', 'a'] } })).toEqual([]);
  });

  it('does not reject an update of an object whose stored lists already had repeats', () => {
    const old = { spec: { ids: ['i-a', 'i-a'] } };
    expect(schema.validate({ spec: { ids: ['i-a', 'i-a', 'i-b'] } }, old)).toEqual([]);
    expect(schema.validate({ spec: { ids: ['i-a', 'i-a'] } }, { spec: { ids: ['i-a'] } })).toEqual([
      { reason: 'FieldValueDuplicate', field: 'spec.ids[1]', message: 'Duplicate value: "i-a"' },
    ]);
  });
});
