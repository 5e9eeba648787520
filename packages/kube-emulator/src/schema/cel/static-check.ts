// Compile-time checks of a CEL rule against the schema it sits on, standing in for cel-go's type
// checker: every function must exist, every identifier must be declared (`self`, `oldSelf`,
// comprehension variables, type names), and field selections on typed objects must name a
// declared property (`undefined field 'nmae'`). It also reports whether the rule reads `oldSelf`.

import type { CelEnv, parse } from '@bufbuild/cel';
import { compileGoRegexp } from '../go-regexp.js';
import type { SchemaNode } from '../structural.js';
import { celFieldsOf } from './values.js';

type Expr = ReturnType<typeof parse>['expr'];

/** What the checker knows about an expression's value: a schema node, or nothing (dyn). */
interface Known {
  node: SchemaNode | undefined;
  isResourceRoot: boolean;
}

const dyn: Known = { node: undefined, isResourceRoot: false };

/** Operators and macros the planner handles itself rather than through the function registry. */
const plannerBuiltins = new Set(['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false', '_[?_]', '_?._']);
const regexFunctions = new Set(['matches', 'find', 'findAll']);
const typeNames = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn',
  'google.protobuf.Timestamp', 'google.protobuf.Duration']);

export interface StaticCheckResult {
  problems: string[];
  usesOldSelf: boolean;
}

export function checkCelExpression(
  parsed: ReturnType<typeof parse>,
  env: CelEnv,
  variables: ReadonlyMap<string, Known>,
): StaticCheckResult {
  const problems: string[] = [];
  let usesOldSelf = false;
  const positions = parsed.sourceInfo?.positions ?? {};
  const lineOffsets = parsed.sourceInfo?.lineOffsets ?? [];

  const where = (expr: Expr): string => {
    const offset = (positions as Record<string, number>)[String(expr.id)];
    if (offset === undefined) return '';
    let line = 1;
    let lineStart = 0;
    for (const end of lineOffsets) {
      if (offset < end) break;
      line++;
      lineStart = end;
    }
    return `<input>:${line}:${offset - lineStart + 1}: `;
  };

  const functionExists = (name: string): boolean => plannerBuiltins.has(name) || env.funcs.find(name) !== undefined;

  /** `a.b.c` as a dotted name when it is made only of identifiers not in scope (a namespace). */
  const qualifiedName = (expr: Expr, scope: ReadonlyMap<string, Known>): string | undefined => {
    const kind = expr.exprKind;
    if (kind.case === 'identExpr') return scope.has(kind.value.name) ? undefined : kind.value.name;
    if (kind.case === 'selectExpr' && kind.value.operand !== undefined && !kind.value.testOnly) {
      const prefix = qualifiedName(kind.value.operand, scope);
      return prefix === undefined ? undefined : `${prefix}.${kind.value.field}`;
    }
    return undefined;
  };

  const visit = (expr: Expr | undefined, scope: ReadonlyMap<string, Known>): Known => {
    if (expr === undefined) return dyn;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return dyn;
      case 'identExpr': {
        const name = kind.value.name;
        if (name === 'oldSelf') usesOldSelf = true;
        const known = scope.get(name);
        if (known !== undefined) return known;
        if (!typeNames.has(name)) problems.push(`${where(expr)}undeclared reference to '${name}'`);
        return dyn;
      }
      case 'selectExpr': {
        const operandName = kind.value.operand === undefined ? undefined : qualifiedName(kind.value.operand, scope);
        if (operandName !== undefined && typeNames.has(`${operandName}.${kind.value.field}`)) return dyn;
        const operand = visit(kind.value.operand, scope);
        return selectField(operand, kind.value.field, expr);
      }
      case 'callExpr': {
        const call = kind.value;
        const namespace = call.target === undefined ? undefined : qualifiedName(call.target, scope);
        if (namespace !== undefined && functionExists(`${namespace}.${call.function}`)) {
          call.args.forEach((arg) => visit(arg, scope));
          return dyn;
        }
        const target = visit(call.target, scope);
        const args = call.args.map((arg) => visit(arg, scope));
        if (!functionExists(call.function)) {
          problems.push(`${where(expr)}undeclared reference to '${call.function}'`);
          return dyn;
        }
        if (regexFunctions.has(call.function)) checkRegexLiteral(call.target === undefined ? call.args[1] : call.args[0], call.function, expr);
        if (call.function === '_[_]') return indexInto(args[0] ?? target);
        return dyn;
      }
      case 'listExpr':
        kind.value.elements.forEach((element) => visit(element, scope));
        return dyn;
      case 'structExpr':
        kind.value.entries.forEach((entry) => {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value, scope);
          visit(entry.value, scope);
        });
        return dyn;
      case 'comprehensionExpr': {
        const comprehension = kind.value;
        const range = visit(comprehension.iterRange, scope);
        const inner = new Map(scope);
        inner.set(comprehension.iterVar, iterationVariable(range));
        if (comprehension.iterVar2) inner.set(comprehension.iterVar2, dyn);
        visit(comprehension.accuInit, scope);
        inner.set(comprehension.accuVar, dyn);
        visit(comprehension.loopCondition, inner);
        visit(comprehension.loopStep, inner);
        const resultScope = new Map(scope);
        resultScope.set(comprehension.accuVar, dyn);
        visit(comprehension.result, resultScope);
        return dyn;
      }
      default:
        return dyn;
    }
  };

  /** Like cel-go's ValidateRegexLiterals: a constant pattern must be valid RE2. */
  const checkRegexLiteral = (pattern: Expr | undefined, name: string, expr: Expr): void => {
    const kind = pattern?.exprKind;
    if (kind?.case !== 'constExpr' || kind.value.constantKind.case !== 'stringValue') return;
    try {
      compileGoRegexp(kind.value.constantKind.value);
    } catch (error) {
      problems.push(`${where(expr)}invalid ${name} argument: ${(error as Error).message}`);
    }
  };

  const selectField = (operand: Known, field: string, expr: Expr): Known => {
    const node = operand.node;
    if (node === undefined) return dyn;
    const fields = celFieldsOf(node, operand.isResourceRoot);
    if (fields !== undefined) {
      if (!fields.has(field)) {
        problems.push(`${where(expr)}undefined field '${field}'`);
        return dyn;
      }
      const property = fields.get(field);
      return { node: property, isResourceRoot: property?.embeddedResource ?? false };
    }
    if (node.type === 'object' && node.additionalProperties !== undefined && node.additionalProperties !== true) {
      return { node: node.additionalProperties, isResourceRoot: node.additionalProperties.embeddedResource };
    }
    if (node.type !== undefined && node.type !== 'object') {
      problems.push(`${where(expr)}type '${node.type}' does not support field selection`);
    }
    return dyn;
  };

  const indexInto = (container: Known): Known => {
    const node = container.node;
    if (node?.type === 'array' && node.items !== undefined) return { node: node.items, isResourceRoot: node.items.embeddedResource };
    if (node?.type === 'object' && node.additionalProperties !== undefined && node.additionalProperties !== true) {
      return { node: node.additionalProperties, isResourceRoot: node.additionalProperties.embeddedResource };
    }
    return dyn;
  };

  const iterationVariable = (range: Known): Known => {
    const node = range.node;
    if (node?.type === 'array' && node.items !== undefined) return { node: node.items, isResourceRoot: node.items.embeddedResource };
    return dyn;
  };

  visit(parsed.expr, variables);
  const root = parsed.expr.exprKind;
  if (root.case === 'constExpr' && root.value.constantKind.case !== 'boolValue' && root.value.constantKind.case !== 'stringValue') {
    problems.push(`constant ${root.value.constantKind.case} is neither a bool nor a string`);
  }
  return { problems, usesOldSelf };
}

export type { Known as CheckedVariable };
