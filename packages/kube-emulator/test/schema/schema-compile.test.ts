import { describe, expect, it } from 'vitest';
import { compileSchema, InvalidSchemaError, unknownSchemaFields } from '../../src/schema/index.js';
import { goBadValue, goQuote, goSyntax } from '../../src/schema/go-format.js';

function compileSpec(spec: Record<string, unknown>): () => unknown {
  return () => compileSchema({ type: 'object', properties: { spec } });
}

describe('compileSchema rejects schemas that are not structural', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a field without a type', { type: 'object', properties: { a: {} } }, /properties\[spec\]\.properties\[a\]\.type: Required value: must not be empty/],
    ['an unknown type', { type: 'map' }, /properties\[spec\]\.type: Unsupported value: "map": supported values: "array", "boolean", "integer", "number", "object", "string"/],
    ['an array without items', { type: 'array' }, /properties\[spec\]\.items: Required value: must be specified for type: array/],
    ['properties on a string', { type: 'string', properties: { a: { type: 'string' } } }, /properties\[spec\]\.properties: Forbidden: must only be used with type: object, not string/],
    ['properties with additionalProperties', { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }, /additionalProperties and properties are mutual exclusive/],
    ['additionalProperties: false', { type: 'object', additionalProperties: false }, /additionalProperties cannot be set to false/],
    ['a $ref', { type: 'object', $ref: '#/definitions/x' }, /properties\[spec\]\.\$ref: Forbidden: not allowed in a structural schema/],
    ['uniqueItems', { type: 'array', items: { type: 'string' }, uniqueItems: true }, /uniqueItems cannot be set to true/],
    ['an unknown list type', { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' }, /x-kubernetes-list-type: Unsupported value: "bag"/],
    ['a map list without keys', { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { k: { type: 'string' } } } }, /x-kubernetes-list-map-keys: Required value/],
    ['a map-list key that is not required and has no default', { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'string' } } } }, /all map keys must be required or have a default value/],
    ['list-map-keys on a set', { type: 'array', 'x-kubernetes-list-type': 'set', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'string' } }, /list-map-keys: Forbidden: must only be used with x-kubernetes-list-type: map/],
    ['a set of non-atomic objects', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', properties: { k: { type: 'string' } } } }, /must be a scalar, or an atomic object or list/],
    ['a type next to x-kubernetes-int-or-string', { type: 'string', 'x-kubernetes-int-or-string': true }, /must be empty when x-kubernetes-int-or-string is true/],
    ['an embedded resource that is not an object', { type: 'string', 'x-kubernetes-embedded-resource': true }, /must be object if x-kubernetes-embedded-resource is true/],
    ['a negative maxLength', { type: 'string', maxLength: -1 }, /maxLength: Invalid value: -1: must be a non-negative integer/],
    ['a type inside anyOf other than int-or-string', { type: 'object', anyOf: [{ type: 'object', required: ['a'] }] }, /anyOf\[0\]\.type: Forbidden: must not be specified inside allOf, anyOf, oneOf or not/],
  ])('rejects %s', (_label, spec, message) => {
    expect(compileSpec(spec)).toThrow(message);
  });

  it('throws an InvalidSchemaError whose problems read like field causes of a 422', () => {
    let thrown: unknown;
    try {
      compileSchema({ type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'string', pattern: '(' }, b: { type: 'list' } } } } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidSchemaError);
    expect((thrown as InvalidSchemaError).problems).toEqual([
      {
        field: 'openAPIV3Schema.properties[spec].properties[a].pattern',
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "(": must be a valid regular expression, but isn\'t: error parsing regexp: missing closing ): `(`',
      },
      {
        field: 'openAPIV3Schema.properties[spec].properties[b].type',
        reason: 'FieldValueNotSupported',
        message: 'Unsupported value: "list": supported values: "array", "boolean", "integer", "number", "object", "string"',
      },
    ]);
  });

  it('requires type object at the root and lists every problem at once', () => {
    expect(() => compileSchema({ type: 'string' })).toThrow(/openAPIV3Schema\.type: Invalid value: must be object at the root/);
    expect(compileSpec({ type: 'object', properties: { a: {}, b: { type: 'array' } } })).toThrow(/invalid openAPIV3Schema \(2 problems\)/);
  });

  it('accepts a valid structural schema with every supported keyword', () => {
    expect(
      compileSpec({
        type: 'object',
        description: 'd',
        required: ['a'],
        minProperties: 1,
        properties: {
          a: { type: 'string', pattern: '^a', minLength: 1, maxLength: 5, enum: ['a', 'ab'], default: 'a', format: 'password', example: 'a', title: 't' },
          b: { type: 'integer', minimum: 0, maximum: 9, exclusiveMinimum: true, exclusiveMaximum: false, multipleOf: 3, format: 'int64' },
          c: { type: 'number', nullable: true },
          d: { type: 'array', items: { type: 'string' }, minItems: 0, maxItems: 2, 'x-kubernetes-list-type': 'set' },
          e: { type: 'object', additionalProperties: { type: 'boolean' }, maxProperties: 3, 'x-kubernetes-map-type': 'granular' },
          f: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          g: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          h: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
          i: { 'x-kubernetes-preserve-unknown-fields': true },
        },
        externalDocs: { url: 'https://example.com' },
      }),
    ).not.toThrow();
  });
});

describe('unknownSchemaFields', () => {
  it('names fields that are not JSONSchemaProps, which the API server drops (or rejects under strict field validation)', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          requried: ['a'],
          properties: { a: { type: 'string', 'Reconciling or Stalled).': null }, list: { type: 'array', items: { type: 'string', colour: 'red' } } },
          'x-kubernetes-validations': [{ rule: 'true', messsage: 'typo' }],
        },
      },
    };
    expect(unknownSchemaFields(schema)).toEqual([
      'properties.spec.requried',
      'properties.spec.properties.a.Reconciling or Stalled).',
      'properties.spec.properties.list.items.colour',
      'properties.spec.x-kubernetes-validations[0].messsage',
    ]);
    expect(() => compileSchema(schema)).not.toThrow();
  });
});

describe('Go value formatting in messages', () => {
  it('quotes like strconv.Quote', () => {
    expect(goQuote('plain')).toBe('"plain"');
    expect(goQuote('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(goQuote('tab\tnl\n\u0001\u007f')).toBe('"tab\\tnl\\n\\x01\\x7f"');
    expect(goQuote('héllo ✓')).toBe('"héllo ✓"');
  });

  it('prints bad values as field.Error does', () => {
    expect(goBadValue('x')).toBe('"x"');
    expect(goBadValue(12)).toBe('12');
    expect(goBadValue(1.5)).toBe('1.5');
    expect(goBadValue(true)).toBe('true');
    expect(goBadValue(null)).toBe('"null"');
    expect(goSyntax({ b: [1, 'two', null], a: true })).toBe('map[string]interface {}{"a":true, "b":[]interface {}{1, "two", interface {}(nil)}}');
  });
});
