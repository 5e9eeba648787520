// OpenAPI value validation as kube-apiserver runs it on custom resources (kube-openapi's
// validate package, converted to field errors by apiextensions' kubeOpenAPIResultToFieldErrors):
// same checks, same order, same messages (`spec.roleName in body should match '...'`) and the
// same field paths (`spec.instanceIds[2]`, `spec.tags.app`). With an old object, values equal to
// their old counterpart are not re-validated (validation ratcheting, on by default since 1.30).

import {
  invalidCause,
  notSupportedCause,
  requiredCause,
  tooLongCause,
  tooManyCause,
  typeInvalidCause,
  type FieldCause,
} from './field-error.js';
import { goNumber, goQuote } from './go-format.js';
import { formatChecker } from './formats.js';
import { deepEqualJson, isRecord, isUnchanged, noOldValue, oldField, oldListItem, type OldValue } from './correlation.js';
import type { SchemaNode } from './structural.js';

/** kube-openapi names a value by a dotted path; the root is the empty name. */
function fieldOf(name: string): string {
  return name.length > 0 && name !== '.' ? name.replace(/^\./, '') : '<nil>';
}

function childName(parent: string, key: string): string {
  return parent.length > 0 ? `${parent}.${key}` : key;
}

/** The OpenAPI type name of a decoded JSON value. */
export function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

function declaredTypes(node: SchemaNode): string[] {
  if (node.intOrString) return ['integer', 'string'];
  return node.type === undefined ? [] : [node.type];
}

function enumMatches(value: unknown, allowed: unknown): boolean {
  if (typeof value === 'number' && typeof allowed === 'number') return value === allowed;
  return deepEqualJson(value, allowed);
}

class Validator {
  readonly causes: FieldCause[] = [];

  validate(value: unknown, node: SchemaNode, name: string, old: OldValue): void {
    if (isUnchanged(value, old)) return;
    this.validateType(value, node, name);
    if (value === null || value === undefined) {
      this.validateEnum(value, node, name);
      return;
    }
    this.validateJunctors(value, node, name);
    if (typeof value === 'string') {
      this.validateString(value, node, name);
      this.validateFormat(value, node, name);
    }
    if (typeof value === 'number') this.validateNumber(value, node, name);
    if (Array.isArray(value)) this.validateArray(value, node, name, old);
    this.validateEnum(value, node, name);
    if (isRecord(value)) this.validateObject(value, node, name, old);
  }

  private validateType(value: unknown, node: SchemaNode, name: string): void {
    const types = declaredTypes(node);
    if (types.length === 0) return;
    const actual = jsonTypeName(value);
    if (actual === 'null') {
      if (!node.nullable) {
        this.causes.push(typeInvalidCause(fieldOf(name), 'null', `${name} in body must be of type ${types.join(',')}: "null"`));
      }
      return;
    }
    const accepted = types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!accepted) {
      this.causes.push(typeInvalidCause(fieldOf(name), actual, `${name} in body must be of type ${types.join(',')}: ${goQuote(actual)}`));
    }
  }

  private validateJunctors(value: unknown, node: SchemaNode, name: string): void {
    const passes = (branch: SchemaNode): boolean => {
      const probe = new Validator();
      probe.validate(value, branch, name, noOldValue);
      return probe.causes.length === 0;
    };
    if (node.anyOf.length > 0 && !node.anyOf.some(passes)) {
      this.causes.push(invalidCause('<nil>', '', `${goQuote(name)} must validate at least one schema (anyOf)`));
    }
    if (node.oneOf.length > 0) {
      const valid = node.oneOf.filter(passes).length;
      if (valid !== 1) {
        const detail = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
        this.causes.push(invalidCause('<nil>', '', `${goQuote(name)} must validate one and only one schema (oneOf). ${detail}`));
      }
    }
    if (node.allOf.length > 0) {
      let validated = 0;
      for (const branch of node.allOf) {
        const probe = new Validator();
        probe.validate(value, branch, name, noOldValue);
        if (probe.causes.length === 0) validated++;
        this.causes.push(...probe.causes);
      }
      if (validated !== node.allOf.length) {
        const detail = validated === 0 ? '. None validated' : '';
        this.causes.push(invalidCause('<nil>', '', `${goQuote(name)} must validate all the schemas (allOf)${detail}`));
      }
    }
    if (node.not !== undefined && passes(node.not)) {
      this.causes.push(invalidCause('<nil>', '', `${goQuote(name)} must not validate the schema (not)`));
    }
  }

  private validateString(value: string, node: SchemaNode, name: string): void {
    const length = [...value].length;
    if (node.maxLength !== undefined && length > node.maxLength) {
      this.causes.push(tooLongCause(fieldOf(name), node.maxLength));
      return;
    }
    if (node.minLength !== undefined && length < node.minLength) {
      this.causes.push(invalidCause(fieldOf(name), value, `${name} in body should be at least ${node.minLength} chars long`));
      return;
    }
    if (node.pattern !== undefined && !node.pattern.matches(value)) {
      this.causes.push(invalidCause(fieldOf(name), value, `${name} in body should match '${node.pattern.source}'`));
    }
  }

  private validateFormat(value: string, node: SchemaNode, name: string): void {
    if (node.validatedFormat === undefined) return;
    const check = formatChecker(node.validatedFormat);
    if (check !== undefined && !check(value)) {
      this.causes.push(typeInvalidCause(fieldOf(name), value, `${name} in body must be of type ${node.validatedFormat}: ${goQuote(value)}`));
    }
  }

  private validateNumber(value: number, node: SchemaNode, name: string): void {
    if (node.multipleOf !== undefined) {
      const quotient = value / node.multipleOf;
      if (Math.abs(quotient - Math.round(quotient)) > 1e-9) {
        this.causes.push(invalidCause(fieldOf(name), value, `${name} in body should be a multiple of ${goNumber(node.multipleOf)}`));
      }
    }
    if (node.minimum !== undefined) {
      const fails = node.exclusiveMinimum ? value <= node.minimum : value < node.minimum;
      if (fails) {
        const relation = node.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
        this.causes.push(invalidCause(fieldOf(name), value, `${name} in body should be ${relation} ${goNumber(node.minimum)}`));
      }
    }
    if (node.maximum !== undefined) {
      const fails = node.exclusiveMaximum ? value >= node.maximum : value > node.maximum;
      if (fails) {
        const relation = node.exclusiveMaximum ? 'less than' : 'less than or equal to';
        this.causes.push(invalidCause(fieldOf(name), value, `${name} in body should be ${relation} ${goNumber(node.maximum)}`));
      }
    }
  }

  private validateArray(value: unknown[], node: SchemaNode, name: string, old: OldValue): void {
    if (node.items !== undefined) {
      const items = node.items;
      value.forEach((item, index) => this.validate(item, items, `${name}[${index}]`, oldListItem(node, old, item)));
    }
    if (node.minItems !== undefined && value.length < node.minItems) {
      this.causes.push(invalidCause(fieldOf(name), value.length, `${name} in body should have at least ${node.minItems} items`));
    }
    if (node.maxItems !== undefined && value.length > node.maxItems) {
      this.causes.push(tooManyCause(fieldOf(name), value.length, node.maxItems));
    }
  }

  private validateEnum(value: unknown, node: SchemaNode, name: string): void {
    if (node.enumValues === undefined || node.enumValues.length === 0) return;
    if (node.enumValues.some((allowed) => enumMatches(value, allowed))) return;
    const supported = node.enumValues.map((allowed) => (typeof allowed === 'string' ? allowed : JSON.stringify(allowed)));
    this.causes.push(notSupportedCause(fieldOf(name), value, supported));
  }

  private validateObject(value: Record<string, unknown>, node: SchemaNode, name: string, old: OldValue): void {
    const size = Object.keys(value).length;
    if (node.minProperties !== undefined && size < node.minProperties) {
      this.causes.push(invalidCause(fieldOf(name), size, `${name} in body should have at least ${node.minProperties} properties`));
    }
    if (node.maxProperties !== undefined && size > node.maxProperties) {
      this.causes.push(tooManyCause(fieldOf(name), size, node.maxProperties));
    }
    const additional = node.additionalProperties;
    if (additional !== undefined && additional !== true) {
      for (const key of Object.keys(value).sort()) {
        if (node.properties?.has(key)) continue;
        this.validate(value[key], additional, `${name}.${key}`, oldField(old, key));
      }
    }
    if (node.properties !== undefined) {
      for (const [key, property] of node.properties) {
        if (key in value) this.validate(value[key], property, childName(name, key), oldField(old, key));
      }
    }
    for (const key of node.required) {
      if (!(key in value)) this.causes.push(requiredCause(fieldOf(`${name}.${key}`)));
    }
  }
}

/**
 * Validates `value` against `node`. `old` (the stored object on update) turns on ratcheting:
 * parts equal to their old counterpart are accepted as they are.
 */
export function validateOpenApi(value: unknown, node: SchemaNode, old: OldValue = noOldValue): FieldCause[] {
  const validator = new Validator();
  validator.validate(value, node, '', old);
  return validator.causes;
}
