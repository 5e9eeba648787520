/**
 * Label selectors (equality- and set-based: =, ==, !=, in, notin, exists, !exists, gt, lt) and
 * field selectors (=, ==, !=) in the syntax of the Kubernetes API query parameters.
 */
import { badRequest } from './status.js';

type LabelOp = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists' | 'gt' | 'lt';

interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export type LabelSelector = (labels: Record<string, string>) => boolean;

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function checkKey(key: string, selector: string): string {
  if (!KEY_RE.test(key) || key.length > 316) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE_RE.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in selector "${selector}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return value;
}

function parseRequirement(text: string, selector: string): LabelRequirement {
  let m = /^!\s*(\S+)$/.exec(text);
  if (m) return { key: checkKey(m[1] as string, selector), op: 'notexists', values: [] };
  m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (m) {
    const values = (m[3] as string).split(',').map((v) => checkValue(v.trim(), selector));
    return { key: checkKey(m[1] as string, selector), op: m[2] === 'in' ? 'in' : 'notin', values };
  }
  m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(text);
  if (m) {
    const key = checkKey(m[1] as string, selector);
    const raw = (m[3] as string).trim();
    const opText = m[2] as string;
    if (opText === '>' || opText === '<') {
      if (!/^-?\d+$/.test(raw)) throw badRequest(`unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer: "${selector}"`);
      return { key, op: opText === '>' ? 'gt' : 'lt', values: [raw] };
    }
    return { key, op: opText === '!=' ? 'neq' : 'eq', values: [checkValue(raw, selector)] };
  }
  if (/^\S+$/.test(text)) return { key: checkKey(text, selector), op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: cannot parse "${text}" in label selector "${selector}"`);
}

function matches(req: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'eq':
    case 'in':
      return has && req.values.includes(value as string);
    case 'neq':
    case 'notin':
      return !has || !req.values.includes(value as string);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      return req.op === 'gt' ? n > bound : n < bound;
    }
  }
}

export function parseLabelSelector(selector: string | undefined): LabelSelector | undefined {
  if (selector === undefined || selector.trim() === '') return undefined;
  const requirements = splitTopLevel(selector).map((part) => parseRequirement(part, selector));
  return (labels) => requirements.every((r) => matches(r, labels));
}

interface FieldRequirement {
  field: string;
  value: string;
  equal: boolean;
}

export type FieldSelector = (fieldValue: (field: string) => string | undefined) => boolean;

/** Parses `a=b,c!=d`; every field must be one of `supported` (400 otherwise). */
export function parseFieldSelector(selector: string | undefined, supported: readonly string[]): FieldSelector | undefined {
  if (selector === undefined || selector.trim() === '') return undefined;
  const requirements: FieldRequirement[] = selector
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((part) => {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
      const field = m[1] as string;
      if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
      return { field, value: (m[3] as string).trim(), equal: m[2] !== '!=' };
    });
  return (fieldValue) => requirements.every((r) => (fieldValue(r.field) === r.value) === r.equal);
}

/** A single `metadata.name=X` requirement, so a list can look the name up directly. */
export function exactNameFromFieldSelector(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  const parts = selector.split(',').map((p) => p.trim());
  for (const part of parts) {
    const m = /^metadata\.name\s*(==|=)\s*(.*)$/.exec(part);
    if (m) return (m[2] as string).trim();
  }
  return undefined;
}
