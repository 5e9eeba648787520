// Optional values for Kubernetes CEL: what `optionalOldSelf` rules see as `oldSelf`, what
// `format...validate()` answers, and what optional.of/none/ofNonZeroValue build. @bufbuild/cel
// has no optional type, so an optional is a map with one reserved key; CEL code reads it only
// through hasValue(), value(), orValue() and or(). (The `.?field` syntax is not supported.)

import { CelScalar, celFunc, celMap, celMethod, isCelList, isCelMap, mapType, type CelFunc, type CelInput, type CelMap, type CelValue } from '@bufbuild/cel';

const DYN_MAP = mapType(CelScalar.DYN, CelScalar.DYN);

const optionalKey = '\u0000optional';
const noneKey = '\u0000none';

export function optionalOf(value: CelInput | undefined): CelMap {
  return value === undefined ? celMap(new Map([[noneKey, true]])) : celMap(new Map([[optionalKey, value]]));
}

function asOptional(target: CelMap): { present: boolean; value: CelValue | undefined } {
  if (target.has(optionalKey)) return { present: true, value: target.get(optionalKey) };
  if (target.has(noneKey) && target.size === 1) return { present: false, value: undefined };
  throw new Error('no such overload: hasValue, value and orValue apply to optional values');
}

export const optionalFunctions: CelFunc[] = [
  celMethod('hasValue', DYN_MAP, [], CelScalar.BOOL, function (this: CelMap) {
    return asOptional(this).present;
  }),
  celMethod('value', DYN_MAP, [], CelScalar.DYN, function (this: CelMap) {
    const optional = asOptional(this);
    if (!optional.present) throw new Error('optional.none() dereference');
    return optional.value as CelValue;
  }),
  celMethod('orValue', DYN_MAP, [CelScalar.DYN], CelScalar.DYN, function (this: CelMap, fallback: CelValue) {
    const optional = asOptional(this);
    return optional.present ? (optional.value as CelValue) : fallback;
  }),
  celMethod('or', DYN_MAP, [DYN_MAP], DYN_MAP, function (this: CelMap, alternative: CelMap) {
    asOptional(alternative);
    return asOptional(this).present ? this : alternative;
  }),
  celFunc('optional.of', [CelScalar.DYN], DYN_MAP, (value: CelValue) => optionalOf(value)),
  celFunc('optional.none', [], DYN_MAP, () => optionalOf(undefined)),
  celFunc('optional.ofNonZeroValue', [CelScalar.DYN], DYN_MAP, (value: CelValue) => optionalOf(isZeroValue(value) ? undefined : value)),
];

function isZeroValue(value: CelValue): boolean {
  if (value === null || value === false || value === '' || value === 0 || value === 0n) return true;
  if (value instanceof Uint8Array) return value.length === 0;
  if (isCelList(value) || isCelMap(value)) return value.size === 0;
  return false;
}
