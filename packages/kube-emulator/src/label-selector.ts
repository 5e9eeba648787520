/**
 * Label selectors (`labelSelector=`) parsed the way apimachinery's labels.Parse does: a lexer of
 * identifiers and the symbols `= == != ! ( ) , > <` plus the keywords `in`/`notin`, a parser of
 * comma-separated requirements, and the same error texts (`unable to parse requirement: found
 * 'key', expected: in, notin, =, ==, !=, gt, lt`, key and value validation with field paths).
 */
import { labelValue, qualifiedName } from './object-meta-validation.js';
import { badRequest } from './status.js';

type Op = 'in' | 'notin' | '=' | '==' | '!=' | 'gt' | 'lt' | 'exists' | '!';

interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export type LabelSelector = (labels: Record<string, string>) => boolean;

type TokenKind = 'id' | 'end' | 'error' | ')' | ',' | '!' | '==' | '=' | '>' | 'in' | '<' | '!=' | 'notin' | '(';

interface Token {
  kind: TokenKind;
  text: string;
}

const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const LITERALS: Record<string, TokenKind> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  for (;;) {
    while (pos < text.length && isSpace(text[pos] as string)) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'end', text: '' });
      return tokens;
    }
    const c = text[pos] as string;
    if (SYMBOLS.has(c)) {
      // The longest run of symbols that still spells a token.
      let buffer = '';
      let last: Token | undefined;
      while (pos < text.length && SYMBOLS.has(text[pos] as string)) {
        buffer += text[pos];
        const kind = LITERALS[buffer];
        if (kind) {
          last = { kind, text: buffer };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      tokens.push(last ?? { kind: 'error', text: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let word = '';
    while (pos < text.length && !SYMBOLS.has(text[pos] as string) && !isSpace(text[pos] as string)) word += text[pos++];
    tokens.push({ kind: LITERALS[word] ?? 'id', text: word });
  }
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  /** In value position the keywords in/notin are plain identifiers. */
  private peek(values = true): Token {
    const t = this.tokens[this.position] as Token;
    return values && (t.kind === 'in' || t.kind === 'notin') ? { kind: 'id', text: t.text } : t;
  }

  private next(values = true): Token {
    const t = this.peek(values);
    this.position++;
    return t;
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'end') return out;
      if (t.kind !== 'id' && t.kind !== '!') throw new Error(`found '${t.text}', expected: !, identifier, or 'end of string'`);
      let r: Requirement;
      try {
        r = this.requirement();
      } catch (err) {
        throw new Error(`unable to parse requirement: ${err instanceof Error ? err.message : String(err)}`);
      }
      out.push(r);
      const after = this.next();
      if (after.kind === 'end') return out;
      if (after.kind !== ',') throw new Error(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.kind !== 'id' && following.kind !== '!') throw new Error(`found '${following.text}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    let op: Op | undefined;
    if (t.kind === '!') {
      op = '!';
      t = this.next();
    }
    if (t.kind !== 'id') throw new Error(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const keyErrors = qualifiedName(key);
    if (keyErrors.length > 0) throw new Error(`<nil>: Invalid value: ${JSON.stringify(key)}: ${keyErrors.join('; ')}`);
    const ahead = this.peek();
    if (ahead.kind === 'end' || ahead.kind === ',') return { key, op: op ?? 'exists', values: [] };
    if (op === '!') return checked({ key, op, values: [] });
    const opToken = this.next(false);
    const ops: Partial<Record<TokenKind, Op>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    const found = ops[opToken.kind];
    if (!found) throw new Error(`found '${opToken.text}', expected: ${BINARY_OPERATORS}`);
    const values = found === 'in' || found === 'notin' ? this.valueSet() : this.exactValue();
    return checked({ key, op: found, values: [...new Set(values)].sort() });
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new Error(`found '${open.text}' expected: '('`);
    const first = this.peek();
    if (first.kind === ')') {
      this.next();
      return [''];
    }
    if (first.kind !== 'id' && first.kind !== ',') throw new Error(`found '${first.text}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'id') {
        values.push(t.text);
        const after = this.peek();
        if (after.kind === ',') continue;
        if (after.kind === ')') break;
        throw new Error(`found '${after.text}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        if (values.length === 0) values.push('');
        const after = this.peek();
        if (after.kind === ')') {
          values.push('');
          break;
        }
        if (after.kind === ',') {
          this.next();
          values.push('');
        }
      } else {
        throw new Error(`found '${t.text}', expected: ',', or identifier`);
      }
    }
    const close = this.next();
    if (close.kind !== ')') throw new Error(`found '${first.text}', expected: ')'`);
    return values;
  }

  private exactValue(): string[] {
    const t = this.peek();
    if (t.kind === 'end' || t.kind === ',') return [''];
    this.next();
    if (t.kind === 'id') return [t.text];
    throw new Error(`found '${t.text}', expected: identifier`);
  }
}

/** NewRequirement's checks: value counts, integer bounds, label values. */
function checked(r: Requirement): Requirement {
  const errors: string[] = [];
  if ((r.op === 'in' || r.op === 'notin') && r.values.length === 0) errors.push(`values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`);
  if (r.op === 'gt' || r.op === 'lt') {
    r.values.forEach((v, i) => {
      if (!/^[+-]?\d+$/.test(v)) errors.push(`values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
    });
  }
  r.values.forEach((v, i) => {
    const msgs = labelValue(v);
    if (msgs.length > 0) errors.push(`values[${i}][${r.key}]: Invalid value: ${JSON.stringify(v)}: ${msgs.join('; ')}`);
  });
  if (errors.length === 1) throw new Error(errors[0]);
  if (errors.length > 1) throw new Error(`[${errors.join(', ')}]`);
  return r;
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key] as string;
  switch (r.op) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(value)) return false;
      return r.op === 'gt' ? Number(value) > Number(r.values[0]) : Number(value) < Number(r.values[0]);
    }
  }
}

/** Parses a label selector; undefined for an empty one. Throws 400 with the real parser's message. */
export function parseLabelSelector(selector: string | undefined): LabelSelector | undefined {
  if (selector === undefined || selector.trim() === '') return undefined;
  let requirements: Requirement[];
  try {
    requirements = new Parser(lex(selector)).parse();
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : String(err));
  }
  return (labels) => requirements.every((r) => matches(r, labels));
}
