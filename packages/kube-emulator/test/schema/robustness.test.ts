// Whatever a client sends, prune/applyDefaults/validate answer with causes and never throw:
// a seeded generator feeds JSON of every shape into a schema that uses every feature.

import { describe, expect, it } from 'vitest';
import { compileSchema, type FieldCause } from '../../src/schema/index.js';
import { seededRandom } from '@ecs-role-operator/alicloud-sim';

const reasons = new Set([
  'FieldValueRequired', 'FieldValueInvalid', 'FieldValueNotSupported', 'FieldValueTypeInvalid', 'FieldValueForbidden',
  'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueDuplicate',
]);

function anyJson(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 2 ? 6 : 8));
  switch (pick) {
    case 0: return null;
    case 1: return next() < 0.5;
    case 2: return Math.floor(next() * 100) - 10;
    case 3: return next() * 10;
    case 4: return ['', 'i-abc', 'cn-hangzhou', 'Detach', 'vpc-1', '5m', '2026-11-23T10:00:00Z', 'x y'][Math.floor(next() * 8)];
    case 5: return 'EcsRamRoleDocumentTesting';
    case 6: return Array.from({ length: Math.floor(next() * 4) }, () => anyJson(next, depth + 1));
    default: {
      const keys = ['regionId', 'roleName', 'instanceIds', 'instanceSelector', 'tags', 'vpcId', 'mode', 'deletionPolicy', 'resyncPeriod', 'n', 'extra'];
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [keys[Math.floor(next() * keys.length)], anyJson(next, depth + 1)]));
    }
  }
}

const schema = compileSchema({
  type: 'object',
  'x-kubernetes-validations': [{ rule: "!has(self.spec) || self.metadata.name != 'forbidden'" }],
  properties: {
    spec: {
      type: 'object',
      required: ['regionId'],
      'x-kubernetes-validations': [
        { rule: 'has(self.instanceIds) || has(self.instanceSelector)', reason: 'FieldValueRequired', message: 'one of two' },
        { rule: 'self.regionId == oldSelf.regionId', message: 'immutable' },
        { rule: 'self.n < 50', messageExpression: "'n is ' + string(self.n)" },
      ],
      properties: {
        regionId: { type: 'string', pattern: '^[a-z]+(-[a-z0-9]+)+$' },
        roleName: { type: 'string', maxLength: 64, minLength: 1 },
        n: { type: 'integer', minimum: 0, default: 1 },
        mode: { type: 'string', enum: ['Enforce', 'Observe'], default: 'Enforce' },
        resyncPeriod: { type: 'string', format: 'duration' },
        instanceIds: { type: 'array', maxItems: 3, 'x-kubernetes-list-type': 'set', items: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('i-')" }] } },
        instanceSelector: {
          type: 'object',
          properties: { tags: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 }, vpcId: { type: 'string', nullable: true } },
        },
        anything: { 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true },
      },
    },
  },
});

function expectCauses(causes: FieldCause[]): void {
  for (const cause of causes) {
    expect(reasons.has(cause.reason), JSON.stringify(cause)).toBe(true);
    expect(cause.field.length).toBeGreaterThan(0);
    expect(cause.message.length).toBeGreaterThan(0);
  }
}

describe('schema module on arbitrary input', () => {
  it('never throws and always answers well-formed causes', () => {
    const next = seededRandom(20261123);
    let invalid = 0;
    let fromRules = 0;
    for (let round = 0; round < 400; round++) {
      const spec = anyJson(next, 0);
      const nearlyValid = next() < 0.5 && typeof spec === 'object' && spec !== null && !Array.isArray(spec);
      const object: Record<string, unknown> = { metadata: { name: next() < 0.1 ? 'forbidden' : 'x' }, spec: nearlyValid ? { ...spec, regionId: 'cn-hangzhou' } : spec };
      const old: Record<string, unknown> = { metadata: { name: 'x' }, spec: anyJson(next, 0) };
      expect(() => schema.prune(object)).not.toThrow();
      expect(() => schema.applyDefaults(object)).not.toThrow();
      const onCreate = schema.validate(object);
      const onUpdate = schema.validate(object, old);
      expectCauses(onCreate);
      expectCauses(onUpdate);
      if (onCreate.length > 0) invalid++;
      fromRules += [...onCreate, ...onUpdate].filter((cause) => /one of two|immutable|n is|failed rule|evaluating rule/.test(cause.message)).length;
    }
    expect(invalid).toBeGreaterThan(100);
    expect(fromRules).toBeGreaterThan(10);
  });
});
