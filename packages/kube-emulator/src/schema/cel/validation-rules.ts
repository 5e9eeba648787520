// x-kubernetes-validations: compiled once per schema, evaluated per object the way
// apiextensions' cel.Validator does — parent rules before children, `self` bound to the value
// at the rule's node, transition rules (those reading `oldSelf`) only on update where an old
// value correlates (or always, as an optional, with optionalOldSelf), and errors worded like the
// real server (`Invalid value: "object": <message>`, `failed rule: <rule>`,
// `no such key: x evaluating rule: <rule>`). Unchanged values ratchet: a failing rule that
// does not read oldSelf is not reported for a value equal to its old counterpart.

import { celEnv, isCelError, parse, plan, CelScalar, type CelEnv, type CelInput, type CelResult, type CelValue } from '@bufbuild/cel';
import {
  duplicateCause,
  forbiddenCause,
  invalidCause,
  requiredCause,
  type FieldCause,
} from '../field-error.js';
import { FieldPath } from '../field-path.js';
import { isRecord, isUnchanged, noOldValue, oldField, oldListItem, type OldValue } from '../correlation.js';
import { nodeTypeName, type SchemaNode, type SchemaProblems, type ValidationRuleSpec } from '../structural.js';
import { kubernetesCelFunctions } from './kubernetes-library.js';
import { optionalOf } from './optional-values.js';
import { checkCelExpression, type CheckedVariable } from './static-check.js';
import { toCelValue } from './values.js';

type Program = (bindings: Record<string, CelInput>) => CelResult;

interface CompiledRule {
  spec: ValidationRuleSpec;
  program: Program;
  messageProgram: Program | undefined;
  usesOldSelf: boolean;
  /** The rule's fieldPath, normalised to field.Path form (`tags[app]`), appended to the node's path. */
  fieldPath: string | undefined;
}

interface RuleValidator {
  node: SchemaNode;
  isResourceRoot: boolean;
  rules: CompiledRule[];
  properties: Map<string, RuleValidator>;
  additionalProperties: RuleValidator | undefined;
  items: RuleValidator | undefined;
}

const environment: CelEnv = celEnv({
  variables: { self: CelScalar.DYN, oldSelf: CelScalar.DYN },
  funcs: kubernetesCelFunctions,
});

function compileExpression(
  source: string,
  node: SchemaNode,
  isResourceRoot: boolean,
  location: string,
  problems: SchemaProblems,
): { program: Program; usesOldSelf: boolean } | undefined {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    problems.add(location, `Invalid value: ${JSON.stringify(source)}: compilation failed: ERROR: ${(error as Error).message}`);
    return undefined;
  }
  const self: CheckedVariable = { node, isResourceRoot };
  const variables = new Map<string, CheckedVariable>([['self', self], ['oldSelf', self]]);
  const checked = checkCelExpression(parsed, environment, variables);
  if (checked.problems.length > 0) {
    problems.add(location, `Invalid value: ${JSON.stringify(source)}: compilation failed: ${checked.problems.map((p) => `ERROR: ${p}`).join('; ')}`);
    return undefined;
  }
  const evaluate = plan(environment, parsed);
  return { program: (bindings) => evaluate(bindings), usesOldSelf: checked.usesOldSelf };
}

/** Normalises a rule's fieldPath (`.spec.tags['app']`) against the schema, or reports why it is invalid. */
function normalizeFieldPath(fieldPath: string, node: SchemaNode): string | { error: string } {
  const tokens = fieldPath.match(/'(?:[^'\\]|\\.)*'|[.[\]]|[^.[\]']+/g) ?? [];
  const path: string[] = [];
  let current: SchemaNode = node;
  let index = 0;
  const step = (name: string): string | undefined => {
    if (current.properties !== undefined) {
      const property = current.properties.get(name);
      if (property === undefined) return 'does not refer to a valid field';
      path.push(path.length === 0 ? name : `.${name}`);
      current = property;
      return undefined;
    }
    if (current.additionalProperties !== undefined && current.additionalProperties !== true) {
      path.push(`[${name}]`);
      current = current.additionalProperties;
      return undefined;
    }
    return 'does not refer to a valid field';
  };
  while (index < tokens.length) {
    const token = tokens[index++];
    if (token === '.') {
      const name = tokens[index++];
      if (name === undefined) return { error: 'unexpected end of JSON path' };
      const problem = step(name);
      if (problem) return { error: problem };
    } else if (token === '[') {
      const quoted = tokens[index++];
      if (quoted === undefined || !/^'.*'$/.test(quoted)) return { error: `expected single quoted string but got ${quoted ?? 'end of path'}` };
      const problem = step(quoted.slice(1, -1).replace(/\\(.)/g, '$1'));
      if (problem) return { error: problem };
      if (tokens[index++] !== ']') return { error: 'expected ]' };
    } else {
      return { error: `expected [ or . but got: ${token}` };
    }
  }
  return path.join('');
}

function compileRules(node: SchemaNode, isResourceRoot: boolean, problems: SchemaProblems): CompiledRule[] {
  const compiled: CompiledRule[] = [];
  for (const spec of node.validations) {
    const rule = compileExpression(spec.rule, node, isResourceRoot, `${spec.location}.rule`, problems);
    let messageProgram: Program | undefined;
    if (spec.messageExpression !== undefined) {
      messageProgram = compileExpression(spec.messageExpression, node, isResourceRoot, `${spec.location}.messageExpression`, problems)?.program;
    }
    let fieldPath: string | undefined;
    if (spec.fieldPath !== undefined) {
      const normalized = normalizeFieldPath(spec.fieldPath, node);
      if (typeof normalized === 'string') fieldPath = normalized.length > 0 ? normalized : undefined;
      else problems.add(`${spec.location}.fieldPath`, `Invalid value: ${JSON.stringify(spec.fieldPath)}: fieldPath must be a valid path: ${normalized.error}`);
    }
    if (spec.optionalOldSelf && rule !== undefined && !rule.usesOldSelf) {
      problems.add(`${spec.location}.optionalOldSelf`, 'Forbidden: may not be set if oldSelf is not used in rule');
    }
    if (rule !== undefined) compiled.push({ spec, program: rule.program, messageProgram, usesOldSelf: rule.usesOldSelf, fieldPath });
  }
  return compiled;
}

/**
 * Builds validators only along paths that lead to rules. `uncorrelatable` names the list whose
 * items have no old counterpart (any list but a map list), below which oldSelf is forbidden.
 */
export function buildRuleValidator(
  node: SchemaNode,
  isResourceRoot: boolean,
  problems: SchemaProblems,
  uncorrelatable?: string,
): RuleValidator | undefined {
  // Rules inside allOf branches apply to this node's value, typed by this node's schema.
  const rules = [node, ...node.allOf.map((branch) => ({ ...node, validations: branch.validations }))]
    .flatMap((ruleSource) => compileRules(ruleSource, isResourceRoot, problems));
  if (uncorrelatable !== undefined) {
    for (const rule of rules) {
      if (rule.usesOldSelf) {
        problems.add(`${rule.spec.location}.rule`, `Invalid value: ${JSON.stringify(rule.spec.rule)}: oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`);
      }
    }
  }
  const properties = new Map<string, RuleValidator>();
  for (const [name, property] of node.properties ?? []) {
    const child = buildRuleValidator(property, property.embeddedResource, problems, uncorrelatable);
    if (child !== undefined) properties.set(name, child);
  }
  const additional = node.additionalProperties;
  const additionalProperties = additional !== undefined && additional !== true
    ? buildRuleValidator(additional, additional.embeddedResource, problems, uncorrelatable)
    : undefined;
  const itemsUncorrelatable = uncorrelatable ?? (node.listType === 'map' ? undefined : node.location);
  const items = node.items === undefined ? undefined : buildRuleValidator(node.items, node.items.embeddedResource, problems, itemsUncorrelatable);
  if (rules.length === 0 && properties.size === 0 && additionalProperties === undefined && items === undefined) return undefined;
  return { node, isResourceRoot, rules, properties, additionalProperties, items };
}

/** cel-go's wording for runtime errors, which the real server puts in its messages. */
function celGoErrorText(error: Error): string {
  const message = error.message;
  const missing = /^field not found: (.*)$/.exec(message) ?? /^no such key: (.*)$/.exec(message);
  if (missing) return `no such key: ${missing[1]}`;
  if (/no matching overload|unbound function|no such overload/.test(message)) return 'no such overload';
  if (/divide by zero|division by zero/.test(message)) return 'division by zero';
  if (/modulus by zero|modulo by zero/.test(message)) return 'modulus by zero';
  const outOfBounds = /index (-?\d+) out of bounds/.exec(message);
  if (outOfBounds) return `index out of bounds: ${outOfBounds[1]}`;
  return message;
}

function ruleErrorString(spec: ValidationRuleSpec): string {
  return spec.message !== undefined && spec.message.trim().length > 0 ? spec.message.trim() : spec.rule.trim();
}

function ruleMessageOrDefault(spec: ValidationRuleSpec): string {
  return spec.message !== undefined && spec.message.trim().length > 0 ? spec.message.trim() : `failed rule: ${ruleErrorString(spec)}`;
}

function causeForReason(spec: ValidationRuleSpec, field: string, typeName: string, detail: string): FieldCause {
  switch (spec.reason) {
    case 'FieldValueForbidden':
      return forbiddenCause(field, detail);
    case 'FieldValueRequired':
      return requiredCause(field, detail);
    case 'FieldValueDuplicate':
      return duplicateCause(field, typeName);
    default:
      return invalidCause(field, typeName, detail);
  }
}

function evaluateMessage(rule: CompiledRule, bindings: Record<string, CelInput>): string | undefined {
  if (rule.messageProgram === undefined) return undefined;
  const result: CelResult = rule.messageProgram(bindings);
  if (isCelError(result) || typeof result !== 'string') return undefined;
  const trimmed = result.trim();
  if (trimmed.length === 0 || trimmed.includes('\n') || trimmed.length > 5 * 1024) return undefined;
  return trimmed;
}

class RuleEvaluator {
  readonly causes: FieldCause[] = [];

  validate(validator: RuleValidator, value: unknown, old: OldValue, path: FieldPath): void {
    if (value === null || value === undefined) return;
    if (validator.rules.length > 0) this.evaluateRules(validator, value, old, path);
    if (Array.isArray(value)) {
      const items = validator.items;
      if (items === undefined) return;
      value.forEach((item, index) => this.validate(items, item, oldListItem(validator.node, old, item), path.index(index)));
      return;
    }
    if (!isRecord(value)) return;
    for (const [name, child] of validator.properties) {
      if (name in value) this.validate(child, value[name], oldField(old, name), path.child(name));
    }
    const additional = validator.additionalProperties;
    if (additional !== undefined) {
      for (const key of Object.keys(value).sort()) {
        if (validator.node.properties?.has(key)) continue;
        this.validate(additional, value[key], oldField(old, key), path.key(key));
      }
    }
  }

  /** The old value as CEL sees it; a stored value that no longer fits the schema counts as absent. */
  private oldSelfOf(validator: RuleValidator, old: OldValue): CelInput | undefined {
    if (old === noOldValue || old === null || old === undefined) return undefined;
    try {
      return toCelValue(old, validator.node, validator.isResourceRoot);
    } catch {
      return undefined;
    }
  }

  private evaluateRules(validator: RuleValidator, value: unknown, old: OldValue, path: FieldPath): void {
    const typeName = nodeTypeName(validator.node);
    let self: CelInput;
    try {
      self = toCelValue(value, validator.node, validator.isResourceRoot);
    } catch (error) {
      this.causes.push(invalidCause(path.toString(), typeName, (error as Error).message));
      return;
    }
    const oldSelf = this.oldSelfOf(validator, old);
    for (const rule of validator.rules) {
      if (rule.usesOldSelf && oldSelf === undefined && !rule.spec.optionalOldSelf) continue;
      const bindings: Record<string, CelInput> = { self };
      if (rule.spec.optionalOldSelf) bindings['oldSelf'] = optionalOf(oldSelf as CelValue | undefined);
      else if (oldSelf !== undefined) bindings['oldSelf'] = oldSelf;
      const result = rule.program(bindings);
      if (isCelError(result)) {
        const text = celGoErrorText(result);
        const detail = text === 'no such overload'
          ? `'${text}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule.spec)}`
          : `${text} evaluating rule: ${ruleErrorString(rule.spec)}`;
        this.causes.push(invalidCause(path.toString(), typeName, detail));
        continue;
      }
      if (result === true) continue;
      if (!rule.usesOldSelf && isUnchanged(value, old)) continue;
      const field = rule.fieldPath === undefined ? path : path.child(rule.fieldPath);
      const message = evaluateMessage(rule, bindings) ?? ruleMessageOrDefault(rule.spec);
      this.causes.push(causeForReason(rule.spec, field.toString(), typeName, message));
    }
  }
}

export function evaluateValidationRules(validator: RuleValidator, object: unknown, old: OldValue): FieldCause[] {
  const evaluator = new RuleEvaluator();
  evaluator.validate(validator, object, old, FieldPath.root);
  return evaluator.causes;
}

export type { RuleValidator };
