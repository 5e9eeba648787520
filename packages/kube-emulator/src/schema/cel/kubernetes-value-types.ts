// The Kubernetes CEL value types a CRD rule may build from strings: Quantity (`quantity('1Gi')`,
// compareTo, isLessThan, add, asInteger, ...) and URL (`url('https://...')`, getScheme,
// getHost, getHostname, getPort, getEscapedPath, getQuery). @bufbuild/cel has no custom opaque
// types, so each value travels as a one-entry map under a reserved key; rules reach it only
// through these functions, and two quantities compare equal when their amounts are equal.

import { CelScalar, celFunc, celMap, celMethod, isCelMap, mapType, type CelFunc, type CelMap, type CelValue } from '@bufbuild/cel';

const DYN_MAP = mapType(CelScalar.DYN, CelScalar.DYN);
const quantityKey = '\u0000quantity';
const urlKey = '\u0000url';

// ---- Quantity -----------------------------------------------------------------------------

const nanosPerUnit = 1_000_000_000n;
const decimalSuffixes: Record<string, bigint> = { n: 1n, u: 1_000n, m: 1_000_000n, '': nanosPerUnit, k: 10n ** 12n, M: 10n ** 15n, G: 10n ** 18n, T: 10n ** 21n, P: 10n ** 24n, E: 10n ** 27n };
const binarySuffixes: Record<string, bigint> = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n };

/** Parses a resource.Quantity string into nano-units (rounded up, as the API server rounds to 1n). */
export function parseQuantity(text: string): bigint | undefined {
  const match = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(text);
  if (!match) return undefined;
  const negative = match[1] === '-';
  const [whole = '0', fraction = ''] = (match[2] ?? '0').split('.');
  const digits = BigInt(`${whole}${fraction}` || '0');
  const fractionScale = 10n ** BigInt(fraction.length);
  const suffix = match[3] ?? '';
  let numerator: bigint;
  let denominator = fractionScale;
  if (suffix in binarySuffixes) {
    numerator = digits * (binarySuffixes[suffix] ?? 1n) * nanosPerUnit;
  } else if (suffix in decimalSuffixes) {
    numerator = digits * (decimalSuffixes[suffix] ?? 1n);
  } else {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > 60) return undefined;
    numerator = digits * nanosPerUnit;
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  const nanos = (numerator + denominator - 1n) / denominator;
  return negative ? -nanos : nanos;
}

function quantityValue(nanos: bigint): CelMap {
  return celMap(new Map([[quantityKey, nanos]]));
}

function nanosOf(value: CelValue): bigint {
  if (isCelMap(value) && value.size === 1 && value.has(quantityKey)) return value.get(quantityKey) as bigint;
  if (typeof value === 'bigint') return value * nanosPerUnit;
  throw new Error('no such overload: expected a Quantity');
}

function compareNanos(a: bigint, b: bigint): bigint {
  return a < b ? -1n : a > b ? 1n : 0n;
}

const quantityFunctions: CelFunc[] = [
  celFunc('quantity', [CelScalar.STRING], DYN_MAP, (text: string) => {
    const nanos = parseQuantity(text);
    if (nanos === undefined) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${text}`);
    return quantityValue(nanos);
  }),
  celFunc('isQuantity', [CelScalar.STRING], CelScalar.BOOL, (text: string) => parseQuantity(text) !== undefined),
  celMethod('sign', DYN_MAP, [], CelScalar.INT, function (this: CelMap) {
    return compareNanos(nanosOf(this), 0n);
  }),
  celMethod('isInteger', DYN_MAP, [], CelScalar.BOOL, function (this: CelMap) {
    return nanosOf(this) % nanosPerUnit === 0n;
  }),
  celMethod('asInteger', DYN_MAP, [], CelScalar.INT, function (this: CelMap) {
    const nanos = nanosOf(this);
    if (nanos % nanosPerUnit !== 0n) throw new Error('cannot convert value to integer');
    const value = nanos / nanosPerUnit;
    if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) throw new Error('cannot convert value to integer');
    return value;
  }),
  celMethod('asApproximateFloat', DYN_MAP, [], CelScalar.DOUBLE, function (this: CelMap) {
    return Number(nanosOf(this)) / 1e9;
  }),
  celMethod('add', DYN_MAP, [CelScalar.DYN], DYN_MAP, function (this: CelMap, other: CelValue) {
    return quantityValue(nanosOf(this) + nanosOf(other));
  }),
  celMethod('sub', DYN_MAP, [CelScalar.DYN], DYN_MAP, function (this: CelMap, other: CelValue) {
    return quantityValue(nanosOf(this) - nanosOf(other));
  }),
  celMethod('compareTo', DYN_MAP, [DYN_MAP], CelScalar.INT, function (this: CelMap, other: CelMap) {
    return compareNanos(nanosOf(this), nanosOf(other));
  }),
  celMethod('isLessThan', DYN_MAP, [DYN_MAP], CelScalar.BOOL, function (this: CelMap, other: CelMap) {
    return nanosOf(this) < nanosOf(other);
  }),
  celMethod('isGreaterThan', DYN_MAP, [DYN_MAP], CelScalar.BOOL, function (this: CelMap, other: CelMap) {
    return nanosOf(this) > nanosOf(other);
  }),
];

// ---- URL ----------------------------------------------------------------------------------

/** url.ParseRequestURI: an absolute URI, or an absolute path with no fragment. */
function parseRequestUri(text: string): URL | undefined {
  if (text.length === 0 || /\s/.test(text) || text.includes('#')) return undefined;
  try {
    if (text.startsWith('/')) return new URL(text, 'path-only:/');
    const parsed = new URL(text);
    return /^[a-zA-Z][a-zA-Z0-9+.-]*:$/.test(parsed.protocol) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function urlOf(value: CelMap): URL {
  const href = value.size === 1 ? value.get(urlKey) : undefined;
  if (typeof href !== 'string') throw new Error('no such overload: expected a URL');
  const parsed = parseRequestUri(href);
  if (parsed === undefined) throw new Error(`URL parse error during conversion from string: ${href}`);
  return parsed;
}

function isPathOnly(url: URL): boolean {
  return url.protocol === 'path-only:';
}

const urlFunctions: CelFunc[] = [
  celFunc('url', [CelScalar.STRING], DYN_MAP, (text: string) => {
    if (parseRequestUri(text) === undefined) throw new Error(`URL parse error during conversion from string: ${text}`);
    return celMap(new Map([[urlKey, text]]));
  }),
  celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (text: string) => parseRequestUri(text) !== undefined),
  celMethod('getScheme', DYN_MAP, [], CelScalar.STRING, function (this: CelMap) {
    const url = urlOf(this);
    return isPathOnly(url) ? '' : url.protocol.slice(0, -1);
  }),
  celMethod('getHost', DYN_MAP, [], CelScalar.STRING, function (this: CelMap) {
    const url = urlOf(this);
    return isPathOnly(url) ? '' : url.host;
  }),
  celMethod('getHostname', DYN_MAP, [], CelScalar.STRING, function (this: CelMap) {
    const url = urlOf(this);
    return isPathOnly(url) ? '' : url.hostname.replace(/^\[(.*)\]$/, '$1');
  }),
  celMethod('getPort', DYN_MAP, [], CelScalar.STRING, function (this: CelMap) {
    const url = urlOf(this);
    return isPathOnly(url) ? '' : url.port;
  }),
  celMethod('getEscapedPath', DYN_MAP, [], CelScalar.STRING, function (this: CelMap) {
    return urlOf(this).pathname;
  }),
  celMethod('getQuery', DYN_MAP, [], DYN_MAP, function (this: CelMap) {
    const query = new Map<string, string[]>();
    for (const [key, value] of urlOf(this).searchParams) query.set(key, [...(query.get(key) ?? []), value]);
    return query;
  }),
];

export const kubernetesValueTypeFunctions: CelFunc[] = [...quantityFunctions, ...urlFunctions];
