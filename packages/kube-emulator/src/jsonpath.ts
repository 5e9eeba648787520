/**
 * The subset of Kubernetes JSONPath that CRD printer columns use: `.field`, `['field']`, `[n]`,
 * `[*]` and filters `[?(@.path == "x")]` (==, !=, <, >, <=, >=, or bare existence).
 */
import { isJsonObject, type JsonValue } from './json.js';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: Step[]; op?: string; literal?: JsonValue };

export class JsonPathError extends Error {}

function parseLiteral(text: string): JsonValue {
  const t = text.trim();
  if (/^'.*'$/.test(t)) return t.slice(1, -1);
  try {
    return JSON.parse(t) as JsonValue;
  } catch {
    throw new JsonPathError(`unrecognized literal ${t}`);
  }
}

function parseSteps(expr: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i];
    if (ch === '.') {
      const m = /^\.([A-Za-z0-9_$-]+|\*)/.exec(expr.slice(i));
      if (!m) throw new JsonPathError(`unexpected "${expr.slice(i)}"`);
      const name = m[1] as string;
      steps.push(name === '*' ? { kind: 'all' } : { kind: 'field', name });
      i += m[0].length;
    } else if (ch === '[') {
      const close = findClose(expr, i);
      const inner = expr.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const body = inner.slice(2, -1).trim();
        const m = /^@((?:\.[A-Za-z0-9_$-]+|\[[^\]]*\])*)\s*(==|!=|<=|>=|<|>)?\s*(.*)$/.exec(body);
        if (!m) throw new JsonPathError(`unsupported filter ${inner}`);
        const path = parseSteps(m[1] as string);
        if (m[2]) steps.push({ kind: 'filter', path, op: m[2], literal: parseLiteral(m[3] as string) });
        else steps.push({ kind: 'filter', path });
      } else throw new JsonPathError(`unsupported subscript [${inner}]`);
    } else {
      throw new JsonPathError(`unexpected "${expr.slice(i)}"`);
    }
  }
  return steps;
}

function findClose(expr: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < expr.length; j++) {
    const c = expr[j];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') {
      depth--;
      if (depth === 0) return j;
    }
  }
  throw new JsonPathError(`unclosed [ in ${expr}`);
}

function compare(a: JsonValue | undefined, op: string, b: JsonValue | undefined): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default: {
      if (typeof a !== 'number' || typeof b !== 'number') return false;
      return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    }
  }
}

function evaluate(steps: Step[], roots: JsonValue[]): JsonValue[] {
  let current = roots;
  for (const step of steps) {
    const next: JsonValue[] = [];
    for (const value of current) {
      if (step.kind === 'field') {
        if (isJsonObject(value) && step.name in value) next.push(value[step.name] as JsonValue);
      } else if (step.kind === 'index') {
        if (Array.isArray(value)) {
          const item = value[step.index < 0 ? value.length + step.index : step.index];
          if (item !== undefined) next.push(item);
        }
      } else if (step.kind === 'all') {
        if (Array.isArray(value)) next.push(...value);
        else if (isJsonObject(value)) next.push(...Object.values(value));
      } else {
        const items = Array.isArray(value) ? value : [value];
        for (const item of items) {
          const found = evaluate(step.path, [item]);
          if (step.op === undefined ? found.length > 0 : found.length > 0 && compare(found[0], step.op, step.literal)) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}

/** A compiled JSONPath; `query` returns every match in document order. */
export interface CompiledJsonPath {
  query(value: JsonValue): JsonValue[];
}

export function compileJsonPath(expression: string): CompiledJsonPath {
  let expr = expression.trim();
  if (expr.startsWith('{') && expr.endsWith('}')) expr = expr.slice(1, -1).trim();
  if (expr.startsWith('$')) expr = expr.slice(1);
  if (!expr.startsWith('.') && !expr.startsWith('[')) throw new JsonPathError(`JSONPath "${expression}" must start with "."`);
  const steps = parseSteps(expr);
  return { query: (value) => evaluate(steps, [value]) };
}
