/**
 * A set of strings stored as small as its size allows, for indexes that keep one set per entry
 * where nearly every set holds one value or a few: the value itself while there is one, an array
 * of exactly its size while there are at most SMALL_SET_LIMIT, a Set once it grows past that
 * (until it is empty again), so a set of 50,000 stays O(1) per operation. A Map or Set costs a
 * hash table even for one entry; at 50,000 entries those tables were most of the indexes' heap.
 *
 * The type is opaque (a string is iterable too, character by character): read it only through
 * these functions. Adding and removing return the set to store back; arrays are replaced, never
 * changed; only the Set form is changed in place. Values keep the order they were first added
 * in, as a Set's do.
 */
declare const compact: unique symbol;
export type CompactSet = { readonly [compact]: true };

type Form = string | readonly string[] | Set<string>;

/** Arrays up to this size; a Set past it. */
export const SMALL_SET_LIMIT = 8;

const form = (set: CompactSet): Form => set as unknown as Form;
const compacted = (f: Form): CompactSet => f as unknown as CompactSet;

/** The set with `value` added (a new set when `set` is undefined). */
export function withValue(set: CompactSet | undefined, value: string): CompactSet {
  if (set === undefined) return compacted(value);
  const f = form(set);
  if (typeof f === 'string') return f === value ? set : compacted([f, value]);
  if (f instanceof Set) {
    f.add(value);
    return set;
  }
  if (f.includes(value)) return set;
  return compacted(f.length < SMALL_SET_LIMIT ? [...f, value] : new Set([...f, value]));
}

/** The set without `value`; undefined once it is empty. */
export function withoutValue(set: CompactSet, value: string): CompactSet | undefined {
  const f = form(set);
  if (typeof f === 'string') return f === value ? undefined : set;
  if (f instanceof Set) {
    f.delete(value);
    return f.size === 0 ? undefined : set;
  }
  if (!f.includes(value)) return set;
  const rest = f.filter((v) => v !== value);
  return compacted(rest.length === 1 ? (rest[0] as string) : rest);
}

export function hasValue(set: CompactSet | undefined, value: string): boolean {
  if (set === undefined) return false;
  const f = form(set);
  if (typeof f === 'string') return f === value;
  return f instanceof Set ? f.has(value) : f.includes(value);
}

export function sizeOf(set: CompactSet | undefined): number {
  if (set === undefined) return 0;
  const f = form(set);
  if (typeof f === 'string') return 1;
  return f instanceof Set ? f.size : f.length;
}

/** The values in the order they were added. A live view: copy it before changing the set while iterating. */
export function valuesOf(set: CompactSet | undefined): Iterable<string> {
  if (set === undefined) return [];
  const f = form(set);
  return typeof f === 'string' ? [f] : f;
}
