// Structural-schema support for the Kubernetes API emulator: compile a CRD version's
// openAPIV3Schema once, then default, prune and validate custom objects with the real
// kube-apiserver's semantics, field paths and messages.
//
// How the real server (and so this module) names things:
// - OpenAPI value errors use kube-openapi's dotted names: `spec.roleName`, `spec.instanceIds[2]`,
//   and map entries as `spec.instanceSelector.tags.app`; junctor failures use field `<nil>`.
// - list-type duplicates and CEL rule errors use field.Path: `spec.tags[app]`, and `<nil>` for
//   a rule on the object root.
// - prune() returns `.spec.foo`; the real strict-decoding error prints it without the leading
//   dot: `unknown field "spec.foo"`.
// Order on a write, as in the API server: prune, applyDefaults, then validate (OpenAPI,
// embedded resources, list types, then CEL unless an earlier error is blocking). On update pass
// the stored object: transition rules see it as oldSelf and unchanged values ratchet.
// A bad schema throws InvalidSchemaError (`problems` has one field cause per problem, its field
// relative to the version's `schema`); unknownSchemaFields lists what strict field validation
// of the CRD itself would reject.

import { applyDefaultValues, pruneNonNullableNulls } from './defaulting.js';
import { isBlockingCause, invalidCause, type FieldCause } from './field-error.js';
import { pruneUnknownFields, pruneValue } from './pruning.js';
import { noOldValue } from './correlation.js';
import { validateOpenApi } from './value-validation.js';
import { validateListTypes } from './list-type-validation.js';
import { validateEmbeddedResources } from './embedded-resource-validation.js';
import { InvalidSchemaError, readStructuralSchema, SchemaProblems, type SchemaNode } from './structural.js';
import { buildRuleValidator, evaluateValidationRules, type RuleValidator } from './cel/validation-rules.js';

export type { FieldCause, FieldCauseReason } from './field-error.js';
export { InvalidSchemaError, unknownSchemaFields, type SchemaProblem } from './structural.js';

export interface CompiledSchema {
  /** Mutates in place: drops nulls of non-nullable fields without defaults, then applies structural defaults. */
  applyDefaults(obj: Record<string, unknown>): void;
  /** Removes unknown fields (keeping apiVersion/kind/metadata and preserve-unknown subtrees); returns their paths, e.g. ".spec.foo". */
  prune(obj: Record<string, unknown>): string[];
  /** Schema, list-type, embedded-resource and CEL validation; pass oldObj on update for transition rules and ratcheting. */
  validate(obj: Record<string, unknown>, oldObj?: Record<string, unknown>): FieldCause[];
}

class CompiledStructuralSchema implements CompiledSchema {
  constructor(
    private readonly root: SchemaNode,
    private readonly rules: RuleValidator | undefined,
  ) {}

  applyDefaults(obj: Record<string, unknown>): void {
    pruneNonNullableNulls(obj, this.root);
    applyDefaultValues(obj, this.root);
  }

  prune(obj: Record<string, unknown>): string[] {
    return pruneUnknownFields(obj, this.root);
  }

  validate(obj: Record<string, unknown>, oldObj?: Record<string, unknown>): FieldCause[] {
    const old = oldObj ?? noOldValue;
    const causes = [...validateOpenApi(obj, this.root, old), ...validateEmbeddedResources(obj, this.root)];
    if (oldObj === undefined || validateListTypes(oldObj, this.root).length === 0) {
      causes.push(...validateListTypes(obj, this.root));
    }
    if (this.rules === undefined) return causes;
    if (causes.some(isBlockingCause)) {
      causes.push(invalidCause('<nil>', null, 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation'));
      return causes;
    }
    causes.push(...evaluateValidationRules(this.rules, obj, old));
    return causes;
  }
}

/**
 * Checks every default as the API server does for a CRD: no unknown fields, valid for its own
 * schema, and accepted by the CEL rules at and below it.
 */
function checkDefaults(node: SchemaNode, problems: SchemaProblems): void {
  if (node.hasDefault) {
    const where = `${node.location}.default`;
    const shown = JSON.stringify(node.defaultValue);
    const pruned = structuredClone(node.defaultValue);
    if (pruneValue(pruned, node).length > 0) problems.add(where, `Invalid value: ${shown}: must not have unknown fields`);
    const schemaCauses = validateOpenApi(structuredClone(node.defaultValue), node);
    for (const cause of schemaCauses) problems.add(where, `Invalid value: ${shown}: ${cause.message}`);
    const rules = schemaCauses.length === 0 ? buildRuleValidator(node, node.embeddedResource, new SchemaProblems()) : undefined;
    if (rules !== undefined) {
      const value: unknown = structuredClone(node.defaultValue);
      const causes = [...evaluateValidationRules(rules, value, value), ...evaluateValidationRules(rules, value, noOldValue)];
      for (const cause of causes) problems.add(cause.field === '<nil>' ? where : `${where}.${cause.field}`, cause.message);
    }
  }
  for (const property of node.properties?.values() ?? []) checkDefaults(property, problems);
  if (node.additionalProperties !== undefined && node.additionalProperties !== true) checkDefaults(node.additionalProperties, problems);
  if (node.items !== undefined) checkDefaults(node.items, problems);
}

function throwIfAny(problems: SchemaProblems): void {
  if (problems.found.length > 0) throw new InvalidSchemaError(problems.found);
}

/**
 * Compiles an apiextensions.k8s.io/v1 openAPIV3Schema. Throws an InvalidSchemaError (an Error
 * whose message lists every problem, with `problems` one by one) for a non-structural schema, a
 * bad pattern, an invalid default or a CEL rule that does not compile.
 */
export function compileSchema(openAPIV3Schema: Record<string, unknown>): CompiledSchema {
  const problems = new SchemaProblems();
  const root = readStructuralSchema(openAPIV3Schema, problems);
  throwIfAny(problems);
  const rules = buildRuleValidator(root, true, problems);
  throwIfAny(problems);
  checkDefaults(root, problems);
  throwIfAny(problems);
  return new CompiledStructuralSchema(root, rules);
}
