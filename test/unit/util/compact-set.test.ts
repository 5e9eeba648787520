import { describe, expect, it } from 'vitest';
import { type CompactSet, SMALL_SET_LIMIT, hasValue, sizeOf, valuesOf, withValue, withoutValue } from '../../../src/util/compact-set.js';

function setOf(values: readonly string[]): CompactSet | undefined {
  let set: CompactSet | undefined;
  for (const v of values) set = withValue(set, v);
  return set;
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `v-${i}`);

describe('CompactSet', () => {
  it('is the value itself while it holds one value', () => {
    const one = setOf(['key-a']);
    expect(one as unknown).toBe('key-a');
    expect(withValue(one, 'key-a') as unknown).toBe('key-a');
    expect([...valuesOf(one)]).toEqual(['key-a']);
    expect(sizeOf(one)).toBe(1);
    expect(hasValue(one, 'key-a')).toBe(true);
    expect(hasValue(one, 'key')).toBe(false);
  });

  it('is an array of exactly its size up to the limit, a Set past it', () => {
    const small = setOf(names(SMALL_SET_LIMIT));
    expect(Array.isArray(small)).toBe(true);
    expect((small as unknown as string[]).length).toBe(SMALL_SET_LIMIT);
    const large = withValue(small, 'one-more');
    expect(large).toBeInstanceOf(Set);
    expect(sizeOf(large)).toBe(SMALL_SET_LIMIT + 1);
    expect(withValue(large, 'another')).toBe(large);
  });

  it('behaves as a Set: no duplicates, insertion order, removal down to undefined', () => {
    for (const n of [1, 2, SMALL_SET_LIMIT, SMALL_SET_LIMIT + 1, 40]) {
      const values = names(n);
      let set = setOf([...values, ...values]);
      expect([...valuesOf(set)], `n=${n}`).toEqual(values);
      expect(sizeOf(set)).toBe(n);
      expect(values.every((v) => hasValue(set, v))).toBe(true);
      const expected = new Set(values);
      for (const v of [values[n - 1], 'absent', ...values].filter((v): v is string => v !== undefined)) {
        expected.delete(v);
        set = set && withoutValue(set, v);
        expect(set === undefined ? [] : [...valuesOf(set)], `n=${n} without ${v}`).toEqual([...expected]);
        expect(sizeOf(set)).toBe(expected.size);
      }
      expect(set).toBeUndefined();
    }
  });

  it('never changes an array it handed out: adding and removing return new ones', () => {
    const three = setOf(['a', 'b', 'c']) as CompactSet;
    const four = withValue(three, 'd');
    const two = withoutValue(three, 'b');
    expect([...valuesOf(three)]).toEqual(['a', 'b', 'c']);
    expect([...valuesOf(four)]).toEqual(['a', 'b', 'c', 'd']);
    expect([...valuesOf(two)]).toEqual(['a', 'c']);
    expect(withoutValue(three, 'absent')).toBe(three);
    expect(withoutValue(withoutValue(two as CompactSet, 'a') as CompactSet, 'c')).toBeUndefined();
  });

  it('reads undefined as the empty set', () => {
    expect(sizeOf(undefined)).toBe(0);
    expect(hasValue(undefined, 'a')).toBe(false);
    expect([...valuesOf(undefined)]).toEqual([]);
  });
});
