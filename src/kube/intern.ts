/**
 * One shared copy of each string that many cached objects repeat. Every watched object arrives as
 * freshly parsed JSON, so 10,000 bindings carry 10,000 copies of "AllInstancesBound", of their
 * condition messages, region and role names; through this table they share one.
 *
 * Bounded: at most `capacity` strings of at most `maxLength` characters. When it is full it starts
 * over empty, so values of unbounded cardinality (a message naming an instance) cannot grow it
 * forever; the strings handed out before stay shared by the objects holding them, and the common
 * ones are back in the table at their next use. Feed it only values that repeat (names, messages,
 * second-granularity timestamps of a wave of passes): never uids, resourceVersions or instance IDs.
 */
export const DEFAULT_INTERN_CAPACITY = 4096;
/** Longer strings are nearly always one-offs (an error text); they are kept as they are. */
export const DEFAULT_INTERN_MAX_LENGTH = 256;

export class InternTable {
  private readonly strings = new Map<string, string>();

  constructor(
    readonly capacity = DEFAULT_INTERN_CAPACITY,
    readonly maxLength = DEFAULT_INTERN_MAX_LENGTH,
  ) {}

  /** The shared copy of a string (this one, the first time); anything else as it is. */
  intern<T>(value: T): T {
    if (typeof value !== 'string' || value.length > this.maxLength) return value;
    const shared = this.strings.get(value);
    if (shared !== undefined) return shared as T;
    if (this.strings.size >= this.capacity) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }

  get size(): number {
    return this.strings.size;
  }
}
