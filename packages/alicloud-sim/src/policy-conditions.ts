import { wildcardMatches } from './wildcard.js';

/**
 * The `Condition` block of RAM policies: the documented operator families (String, Numeric,
 * Date, Boolean, IP address) over the request context. Within one operator, every key must hold
 * and a key holds when any of its values matches (for the negated operators: when none does).
 * A key the request does not carry fails a positive operator and passes a negated one, so a
 * condition the simulator cannot evaluate never widens an Allow and never lifts a Deny.
 */

export const CONDITION_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'IpAddress',
  'NotIpAddress',
] as const;

export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** Condition keys (lower-cased) and their values for one request. */
export type RequestContext = Readonly<Record<string, string>>;

export interface ConditionTest {
  operator: ConditionOperator;
  key: string;
  values: readonly string[];
}

/** The condition keys the simulator fills in; any other key is absent from every request. */
export const CONTEXT_KEYS = {
  sourceIp: 'acs:sourceip',
  currentTime: 'acs:currenttime',
  secureTransport: 'acs:securetransport',
  mfaPresent: 'acs:mfapresent',
} as const;

export function requestContext(sourceIp: string, now: Date): RequestContext {
  return {
    [CONTEXT_KEYS.sourceIp]: sourceIp.startsWith('::ffff:') ? sourceIp.slice(7) : sourceIp,
    [CONTEXT_KEYS.currentTime]: now.toISOString(),
    // The simulator serves plain HTTP and knows nothing of MFA.
    [CONTEXT_KEYS.secureTransport]: 'false',
    [CONTEXT_KEYS.mfaPresent]: 'false',
  };
}

export function isConditionOperator(name: string): name is ConditionOperator {
  return (CONDITION_OPERATORS as readonly string[]).includes(name);
}

const NEGATED: ReadonlySet<ConditionOperator> = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
]);

function ipv4ToNumber(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

function parseCidr(value: string): { base: number; bits: number } | null {
  const [ip, bitsText] = value.split('/');
  const base = ipv4ToNumber(ip ?? '');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  return { base, bits };
}

function inCidr(ip: string, cidr: string): boolean {
  const addr = ipv4ToNumber(ip);
  const range = parseCidr(cidr);
  if (addr === null || range === null) return false;
  const size = 2 ** (32 - range.bits);
  return Math.floor(addr / size) === Math.floor(range.base / size);
}

function parseDate(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

function compareNumbers(a: number, b: number, operator: string): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (operator.endsWith('LessThanEquals')) return a <= b;
  if (operator.endsWith('LessThan')) return a < b;
  if (operator.endsWith('GreaterThanEquals')) return a >= b;
  if (operator.endsWith('GreaterThan')) return a > b;
  return a === b;
}

/** Whether one request value matches one policy value under the positive form of the operator. */
function matchesValue(operator: ConditionOperator, actual: string, expected: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'StringNotEquals':
      return actual === expected;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return wildcardMatches(expected, actual, { ignoreCase: false, singleCharacter: true });
    case 'Bool':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'IpAddress':
    case 'NotIpAddress':
      return inCidr(actual, expected);
    default:
      if (operator.startsWith('Numeric')) return compareNumbers(Number(actual), Number(expected), operator);
      return compareNumbers(parseDate(actual), parseDate(expected), operator);
  }
}

/** Why a policy value cannot be used with the operator, or null when it can. */
export function conditionValueProblem(operator: ConditionOperator, value: string): string | null {
  if (operator.startsWith('Numeric') && Number.isNaN(Number(value))) return `${operator} needs numbers, got ${JSON.stringify(value)}`;
  if (operator.startsWith('Date') && Number.isNaN(parseDate(value))) return `${operator} needs ISO 8601 dates, got ${JSON.stringify(value)}`;
  if (operator === 'Bool' && !/^(true|false)$/i.test(value)) return `Bool needs "true" or "false", got ${JSON.stringify(value)}`;
  if ((operator === 'IpAddress' || operator === 'NotIpAddress') && parseCidr(value) === null) {
    return `${operator} needs IPv4 addresses or CIDR blocks, got ${JSON.stringify(value)}`;
  }
  return null;
}

export function conditionHolds(test: ConditionTest, context: RequestContext): boolean {
  const actual = context[test.key.toLowerCase()];
  const negated = NEGATED.has(test.operator);
  if (actual === undefined) return negated;
  const anyMatch = test.values.some((expected) => matchesValue(test.operator, actual, expected));
  return negated ? !anyMatch : anyMatch;
}
