import { describe, expect, it } from 'vitest';
import { compileSchema, type FieldCause } from '../../src/schema/index.js';

/** A root schema with one spec property holding `field`. */
function specWith(field: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'object', properties: { spec: { type: 'object', properties: { field }, ...extra } } };
}

function validateField(field: Record<string, unknown>, value: unknown): FieldCause[] {
  return compileSchema(specWith(field)).validate({ spec: { field: value } });
}

describe('type', () => {
  it.each<[string, unknown, string]>([
    ['string', 5, 'integer'],
    ['string', 1.5, 'number'],
    ['integer', '5', 'string'],
    ['integer', 1.5, 'number'],
    ['boolean', 'true', 'string'],
    ['object', [], 'array'],
    ['array', {}, 'object'],
  ])('rejects a value that is not %s (%j) as FieldValueTypeInvalid', (type, value, actual) => {
    const field = type === 'array' ? { type, items: { type: 'string' } } : { type };
    expect(validateField(field, value)).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.field',
        message: `Invalid value: "${actual}": spec.field in body must be of type ${type}: "${actual}"`,
      },
    ]);
  });

  it('accepts integers where numbers are expected', () => {
    expect(validateField({ type: 'number' }, 3)).toEqual([]);
    expect(validateField({ type: 'number' }, 3.25)).toEqual([]);
  });

  it('rejects null unless nullable', () => {
    expect(validateField({ type: 'string', nullable: true }, null)).toEqual([]);
    const schema = compileSchema(specWith({ type: 'array', items: { type: 'string' } }));
    expect(schema.validate({ spec: { field: ['a', null] } })).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'spec.field[1]', message: 'Invalid value: "null": spec.field[1] in body must be of type string: "null"' },
    ]);
  });

  it('accepts integers and strings for x-kubernetes-int-or-string and nothing else', () => {
    const field = { 'x-kubernetes-int-or-string': true };
    expect(validateField(field, 8080)).toEqual([]);
    expect(validateField(field, 'http')).toEqual([]);
    expect(validateField(field, true)).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'spec.field', message: 'Invalid value: "boolean": spec.field in body must be of type integer,string: "boolean"' },
    ]);
  });
});

describe('required', () => {
  it('reports each missing required property at its own path', () => {
    const schema = compileSchema({
      type: 'object',
      required: ['spec'],
      properties: { spec: { type: 'object', required: ['regionId', 'roleName'], properties: { regionId: { type: 'string' }, roleName: { type: 'string' } } } },
    });
    expect(schema.validate({})).toEqual([{ reason: 'FieldValueRequired', field: 'spec', message: 'Required value' }]);
    expect(schema.validate({ spec: { regionId: 'cn-hangzhou' } })).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.roleName', message: 'Required value' },
    ]);
  });
});

describe('string constraints', () => {
  it('checks pattern with the message the API server gives', () => {
    expect(validateField({ type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$' }, 'bad name')).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: `Invalid value: "bad name": spec.field in body should match '^[A-Za-z0-9.-]{1,64}$'` },
    ]);
    expect(validateField({ type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$' }, 'EcsRamRole.Testing-1')).toEqual([]);
  });

  it('uses Go RE2 semantics: unanchored search, (?i) flags, Unicode classes', () => {
    expect(validateField({ type: 'string', pattern: 'web' }, 'my-web-app')).toEqual([]);
    expect(validateField({ type: 'string', pattern: '(?i)^web$' }, 'WEB')).toEqual([]);
    expect(validateField({ type: 'string', pattern: '^\\pL+$' }, 'héllo')).toEqual([]);
    expect(validateField({ type: 'string', pattern: '^\\pL+$' }, 'h3llo')).toHaveLength(1);
  });

  it('rejects a pattern RE2 does not accept when the schema is compiled', () => {
    expect(() => compileSchema(specWith({ type: 'string', pattern: 'a(?=b)' }))).toThrow(
      /openAPIV3Schema\.properties\[spec\]\.properties\[field\]\.pattern: Invalid value: "a\(\?=b\)": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: `\(\?=`/,
    );
  });

  it('counts characters, not bytes, for maxLength and minLength', () => {
    expect(validateField({ type: 'string', maxLength: 3 }, 'äöü')).toEqual([]);
    expect(validateField({ type: 'string', maxLength: 3 }, 'abcd')).toEqual([
      { reason: 'FieldValueTooLong', field: 'spec.field', message: 'Too long: may not be more than 3 bytes' },
    ]);
    expect(validateField({ type: 'string', minLength: 2 }, 'a')).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: "a": spec.field in body should be at least 2 chars long' },
    ]);
  });

  it('stops at the first failing string check, like kube-openapi', () => {
    expect(validateField({ type: 'string', maxLength: 2, pattern: '^[a-z]+$' }, 'ABC')).toEqual([
      { reason: 'FieldValueTooLong', field: 'spec.field', message: 'Too long: may not be more than 2 bytes' },
    ]);
  });
});

describe('formats', () => {
  it('validates date-time and reports it as a type error', () => {
    expect(validateField({ type: 'string', format: 'date-time' }, '2026-11-23T10:00:00Z')).toEqual([]);
    expect(validateField({ type: 'string', format: 'date-time' }, '2026-11-23T10:00:00.123+08:00')).toEqual([]);
    expect(validateField({ type: 'string', format: 'date-time' }, 'yesterday')).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'spec.field', message: 'Invalid value: "yesterday": spec.field in body must be of type date-time: "yesterday"' },
    ]);
  });

  it.each<[string, string, string]>([
    ['date', '2026-02-28', '2026-02-30'],
    ['ipv4', '10.0.0.1', '10.0.0.256'],
    ['cidr', '10.0.0.0/8', '10.0.0.0/33'],
    ['uuid', '123e4567-e89b-12d3-a456-426614174000', 'not-a-uuid'],
    ['duration', '1h30m', 'soon'],
    ['byte', 'aGVsbG8=', 'not base64!'],
    ['hostname', 'ecs.aliyuncs.com', 'bad_host!'],
  ])('validates format %s', (format, good, bad) => {
    expect(validateField({ type: 'string', format }, good)).toEqual([]);
    expect(validateField({ type: 'string', format }, bad)).toEqual([
      expect.objectContaining({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${bad}": spec.field in body must be of type ${format}: "${bad}"` }),
    ]);
  });

  it('does not validate formats the API server strips (int64, unknown names)', () => {
    expect(validateField({ type: 'integer', format: 'int64' }, 5)).toEqual([]);
    expect(validateField({ type: 'string', format: 'ecs-instance-id' }, 'anything')).toEqual([]);
  });
});

describe('number constraints', () => {
  it('checks minimum, maximum and their exclusive forms', () => {
    expect(validateField({ type: 'integer', minimum: 30 }, 10)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: 10: spec.field in body should be greater than or equal to 30' },
    ]);
    expect(validateField({ type: 'integer', minimum: 30, exclusiveMinimum: true }, 30)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: 30: spec.field in body should be greater than 30' },
    ]);
    expect(validateField({ type: 'number', maximum: 1.5 }, 2.25)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: 2.25: spec.field in body should be less than or equal to 1.5' },
    ]);
    expect(validateField({ type: 'number', maximum: 1.5, exclusiveMaximum: true }, 1.5)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: 1.5: spec.field in body should be less than 1.5' },
    ]);
    expect(validateField({ type: 'integer', minimum: 1, maximum: 10 }, 10)).toEqual([]);
  });

  it('checks multipleOf', () => {
    expect(validateField({ type: 'integer', multipleOf: 5 }, 15)).toEqual([]);
    expect(validateField({ type: 'integer', multipleOf: 5 }, 12)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: 12: spec.field in body should be a multiple of 5' },
    ]);
  });
});

describe('array constraints', () => {
  const ids = { type: 'array', items: { type: 'string', pattern: '^i-[a-z0-9]+$' }, minItems: 1, maxItems: 3 };

  it('validates every item at its index', () => {
    expect(validateField(ids, ['i-a', 'i-b', 'bad id'])).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field[2]', message: `Invalid value: "bad id": spec.field[2] in body should match '^i-[a-z0-9]+$'` },
    ]);
  });

  it('checks minItems and maxItems', () => {
    expect(validateField(ids, [])).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: 0: spec.field in body should have at least 1 items' },
    ]);
    expect(validateField(ids, ['i-a', 'i-b', 'i-c', 'i-d'])).toEqual([
      { reason: 'FieldValueTooMany', field: 'spec.field', message: 'Too many: 4: must have at most 3 items' },
    ]);
  });
});

describe('object constraints', () => {
  const tags = { type: 'object', additionalProperties: { type: 'string', maxLength: 4 }, minProperties: 1, maxProperties: 2 };

  it('validates map values at spec.field.<key>, as kube-openapi names them', () => {
    expect(validateField(tags, { app: 'toolong' })).toEqual([
      { reason: 'FieldValueTooLong', field: 'spec.field.app', message: 'Too long: may not be more than 4 bytes' },
    ]);
  });

  it('checks minProperties and maxProperties', () => {
    expect(validateField(tags, {})).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: 0: spec.field in body should have at least 1 properties' },
    ]);
    expect(validateField(tags, { a: '1', b: '2', c: '3' })).toEqual([
      { reason: 'FieldValueTooMany', field: 'spec.field', message: 'Too many: 3: must have at most 2 items' },
    ]);
  });

  it('accepts any values under additionalProperties: true', () => {
    expect(validateField({ type: 'object', additionalProperties: true }, { a: 1, b: { c: [true] } })).toEqual([]);
  });
});

describe('enum', () => {
  it('lists the supported values, quoting strings and JSON-encoding the rest', () => {
    expect(validateField({ type: 'string', enum: ['Detach', 'Orphan'] }, 'Delete')).toEqual([
      { reason: 'FieldValueNotSupported', field: 'spec.field', message: 'Unsupported value: "Delete": supported values: "Detach", "Orphan"' },
    ]);
    expect(validateField({ type: 'integer', enum: [1, 2] }, 3)).toEqual([
      { reason: 'FieldValueNotSupported', field: 'spec.field', message: 'Unsupported value: 3: supported values: "1", "2"' },
    ]);
    expect(validateField({ type: 'integer', enum: [1, 2] }, 2)).toEqual([]);
  });
});

describe('anyOf, oneOf, allOf, not', () => {
  it('reports a value that matches no anyOf branch the way kube-openapi does', () => {
    const field = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+%$' }] };
    expect(validateField(field, 50)).toEqual([]);
    expect(validateField(field, '50%')).toEqual([]);
    expect(validateField(field, 'half')).toEqual([
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "": "spec.field" must validate at least one schema (anyOf)' },
    ]);
  });

  it('requires exactly one oneOf branch and no match for not', () => {
    const oneOf = { type: 'integer', oneOf: [{ minimum: 0 }, { maximum: 10 }] };
    expect(validateField(oneOf, 20)).toEqual([]);
    expect(validateField(oneOf, 5)).toEqual([
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "": "spec.field" must validate one and only one schema (oneOf). Found 2 valid alternatives' },
    ]);
    const not = { type: 'string', not: { enum: ['root'] } };
    expect(validateField(not, 'admin')).toEqual([]);
    expect(validateField(not, 'root')).toEqual([
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "": "spec.field" must not validate the schema (not)' },
    ]);
  });

  it('merges allOf branch errors and adds the summary', () => {
    const field = { type: 'string', allOf: [{ minLength: 2 }, { pattern: '^a' }] };
    expect(validateField(field, 'ab')).toEqual([]);
    expect(validateField(field, 'b')).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.field', message: 'Invalid value: "b": spec.field in body should be at least 2 chars long' },
      { reason: 'FieldValueInvalid', field: 'spec.field', message: `Invalid value: "b": spec.field in body should match '^a'` },
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "": "spec.field" must validate all the schemas (allOf). None validated' },
    ]);
  });
});

describe('embedded resources', () => {
  it('requires apiVersion and kind of an x-kubernetes-embedded-resource', () => {
    const schema = compileSchema(specWith({ type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true }));
    expect(schema.validate({ spec: { field: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } } })).toEqual([]);
    expect(schema.validate({ spec: { field: { kind: '' } } })).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.field.apiVersion', message: 'Required value: must not be empty' },
      { reason: 'FieldValueInvalid', field: 'spec.field.kind', message: 'Invalid value: "": must not be empty' },
    ]);
  });
});

describe('ratcheting on update', () => {
  const schema = compileSchema({
    type: 'object',
    properties: { spec: { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z]+$' }, other: { type: 'string' } } } },
  });

  it('accepts an invalid value that did not change, and rejects a changed one', () => {
    const old = { spec: { name: 'Legacy_Name', other: 'a' } };
    expect(schema.validate({ spec: { name: 'Legacy_Name', other: 'b' } }, old)).toEqual([]);
    expect(schema.validate({ spec: { name: 'Still_Bad', other: 'b' } }, old)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.name', message: `Invalid value: "Still_Bad": spec.name in body should match '^[a-z]+$'` },
    ]);
    expect(schema.validate({ spec: { name: 'Legacy_Name', other: 'b' } })).toHaveLength(1);
  });

  it('pairs map-list items by key, but not set-list items', () => {
    const lists = compileSchema({
      type: 'object',
      properties: {
        byKey: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string', maxLength: 3 } } },
        },
        set: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string', maxLength: 3 } },
      },
    });
    const old = { byKey: [{ name: 'a', value: 'toolong' }], set: ['toolong'] };
    expect(lists.validate({ byKey: [{ name: 'b', value: 'ok' }, { name: 'a', value: 'toolong' }], set: ['toolong'] }, old)).toEqual([]);
    expect(lists.validate({ byKey: [{ name: 'a', value: 'toolong' }], set: ['toolong', 'new'] }, old)).toEqual([
      { reason: 'FieldValueTooLong', field: 'set[0]', message: 'Too long: may not be more than 3 bytes' },
    ]);
  });
});
