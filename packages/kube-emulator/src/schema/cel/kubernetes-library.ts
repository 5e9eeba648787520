// The Kubernetes CEL extension functions that @bufbuild/cel does not ship, with the semantics
// documented for kube-apiserver: the lists library (isSorted, sum, min, max, indexOf,
// lastIndexOf), the regex library (find, findAll), cel-go's sets extension
// (sets.contains, sets.equivalent, sets.intersects), order-free equality of set and map lists,
// optional values (optional-values.ts: what `optionalOldSelf` rules see as `oldSelf`; hasValue, value,
// orValue), the Quantity and URL types (kubernetes-value-types.ts) and the IP and CIDR types
// (kubernetes-network-types.ts), and the format library (kubernetes-format-library.ts).

import { CelScalar, celEnv, celFunc, celList, celMethod, isCelList, isCelMap, listType, type CelFunc, type CelInput, type CelList, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { compileGoRegexp, toJavaScriptRegExp } from '../go-regexp.js';
import { kubernetesFormatFunctions } from './kubernetes-format-library.js';
import { kubernetesNetworkFunctions } from './kubernetes-network-types.js';
import { optionalFunctions } from './optional-values.js';
import { kubernetesValueTypeFunctions } from './kubernetes-value-types.js';

const DYN_LIST = listType(CelScalar.DYN);

/**
 * Lists whose order carries no meaning (x-kubernetes-list-type set and map): Kubernetes CEL
 * compares them without regard to order, so `self == oldSelf` holds after a reordering.
 */
const unorderedLists = new WeakSet<CelList>();

export function unorderedList(items: readonly CelInput[]): CelList {
  const list = celList(items);
  unorderedLists.add(list);
  return list;
}

const standardEquality = celEnv().funcs.find('_==_');

/** CEL equality, except that set and map lists compare without regard to order. */
function kubernetesEquals(a: CelValue, b: CelValue): boolean {
  if (isCelList(a) && isCelList(b)) {
    if (a.size !== b.size) return false;
    const left = elements(a);
    const right = elements(b);
    if (!unorderedLists.has(a) && !unorderedLists.has(b)) return left.every((value, i) => kubernetesEquals(value, right[i] as CelValue));
    const unmatched = [...right];
    return left.every((value) => {
      const index = unmatched.findIndex((candidate) => kubernetesEquals(value, candidate));
      if (index < 0) return false;
      unmatched.splice(index, 1);
      return true;
    });
  }
  if (isCelMap(a) && isCelMap(b)) {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (!b.has(key) || !kubernetesEquals(value, b.get(key) as CelValue)) return false;
    }
    return true;
  }
  return standardEquality?.call(0, undefined, [a, b]) === true;
}

type Comparable = bigint | number | string | boolean;

function comparableOf(value: CelValue, operation: string): Comparable {
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new Error(`no such overload: ${operation} supports lists of int, uint, double, bool and string`);
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

function elements(list: CelList): CelValue[] {
  return [...list];
}

function extreme(list: CelList, operation: 'min' | 'max'): CelValue {
  const values = elements(list).map((value) => comparableOf(value, operation));
  if (values.length === 0) throw new Error(`${operation} called on empty list`);
  return values.reduce((best, next) => ((operation === 'min' ? compare(next, best) < 0 : compare(next, best) > 0) ? next : best));
}

function sum(list: CelList): CelValue {
  const values = elements(list);
  if (values.length === 0) return 0n;
  if (values.every((value) => typeof value === 'bigint')) return (values as bigint[]).reduce((total, value) => total + value, 0n);
  if (values.every((value) => typeof value === 'number')) return (values as number[]).reduce((total, value) => total + value, 0);
  throw new Error('no such overload: sum supports lists of int, uint, double and duration');
}

const listFunctions: CelFunc[] = [
  celMethod('isSorted', DYN_LIST, [], CelScalar.BOOL, function (this: CelList) {
    const values = elements(this).map((value) => comparableOf(value, 'isSorted'));
    return values.every((value, i) => i === 0 || compare(values[i - 1] as Comparable, value) <= 0);
  }),
  celMethod('sum', DYN_LIST, [], CelScalar.DYN, function (this: CelList) {
    return sum(this);
  }),
  celMethod('min', DYN_LIST, [], CelScalar.DYN, function (this: CelList) {
    return extreme(this, 'min');
  }),
  celMethod('max', DYN_LIST, [], CelScalar.DYN, function (this: CelList) {
    return extreme(this, 'max');
  }),
  celMethod('indexOf', DYN_LIST, [CelScalar.DYN], CelScalar.INT, function (this: CelList, wanted: CelValue) {
    return BigInt(elements(this).findIndex((value) => kubernetesEquals(value, wanted)));
  }),
  celMethod('lastIndexOf', DYN_LIST, [CelScalar.DYN], CelScalar.INT, function (this: CelList, wanted: CelValue) {
    const values = elements(this);
    for (let i = values.length - 1; i >= 0; i--) if (kubernetesEquals(values[i] as CelValue, wanted)) return BigInt(i);
    return -1n;
  }),
];

/**
 * RE2 decides whether there is a match (Go semantics); the matched text itself comes from the
 * JavaScript engine running the same pattern rewritten to its syntax.
 */
function findMatches(text: string, pattern: string, limit: number): string[] {
  if (!compileGoRegexp(pattern).matches(text) || limit === 0) return [];
  const found: string[] = [];
  for (const match of text.matchAll(toJavaScriptRegExp(pattern, true))) {
    found.push(match[0]);
    if (limit > 0 && found.length >= limit) break;
  }
  return found;
}

const regexFunctions: CelFunc[] = [
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, pattern: string) {
    return findMatches(this, pattern, 1)[0] ?? '';
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], DYN_LIST, function (this: string, pattern: string) {
    return findMatches(this, pattern, -1);
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING, CelScalar.INT], DYN_LIST, function (this: string, pattern: string, limit: bigint) {
    return findMatches(this, pattern, Number(limit));
  }),
];

function contains(list: CelList, wanted: CelValue): boolean {
  return elements(list).some((value) => kubernetesEquals(value, wanted));
}

const setFunctions: CelFunc[] = [
  celFunc('sets.contains', [DYN_LIST, DYN_LIST], CelScalar.BOOL, (list: CelList, sub: CelList) =>
    elements(sub).every((value) => contains(list, value))),
  celFunc('sets.equivalent', [DYN_LIST, DYN_LIST], CelScalar.BOOL, (a: CelList, b: CelList) =>
    elements(a).every((value) => contains(b, value)) && elements(b).every((value) => contains(a, value))),
  celFunc('sets.intersects', [DYN_LIST, DYN_LIST], CelScalar.BOOL, (a: CelList, b: CelList) =>
    elements(a).some((value) => contains(b, value))),
];


const equalityFunctions: CelFunc[] = [
  celFunc('_==_', [CelScalar.DYN, CelScalar.DYN], CelScalar.BOOL, (a: CelValue, b: CelValue) => kubernetesEquals(a, b)),
  celFunc('_!=_', [CelScalar.DYN, CelScalar.DYN], CelScalar.BOOL, (a: CelValue, b: CelValue) => !kubernetesEquals(a, b)),
];

/** Every function added to the standard CEL environment for x-kubernetes-validations. */
export const kubernetesCelFunctions: CelFunc[] = [...strings, ...equalityFunctions, ...listFunctions, ...regexFunctions, ...setFunctions, ...optionalFunctions, ...kubernetesValueTypeFunctions, ...kubernetesNetworkFunctions, ...kubernetesFormatFunctions];
