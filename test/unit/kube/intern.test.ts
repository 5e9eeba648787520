import { describe, expect, it } from 'vitest';
import { DEFAULT_INTERN_CAPACITY, InternTable } from '../../../src/kube/intern.js';

/**
 * A separate copy of an equal string, as JSON.parse makes one per object. JavaScript cannot tell
 * two equal strings apart (toBe compares their values), so these tests check what the table keeps;
 * that the objects then share one copy is measured on the heap (the report of this change).
 */
const copyOf = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

describe('InternTable', () => {
  it('keeps one entry per distinct string, however many copies of it come', () => {
    const table = new InternTable();
    const message = 'every targeted instance is as declared; nothing in flight';
    for (let i = 0; i < 100; i++) {
      expect(table.intern(copyOf(message))).toBe(message);
      expect(table.intern(copyOf('AllInstancesBound'))).toBe('AllInstancesBound');
    }
    expect(table.size).toBe(2);
  });

  it('passes anything but a string, and strings longer than its limit, through as they are', () => {
    const table = new InternTable(10, 5);
    const object = { a: 1 };
    expect(table.intern(object)).toBe(object);
    expect(table.intern(42)).toBe(42);
    expect(table.intern(undefined)).toBeUndefined();
    expect(table.intern('too long')).toBe('too long');
    expect(table.size).toBe(0);
  });

  it('never holds more than its capacity: full, it starts over', () => {
    const table = new InternTable(3);
    for (const s of ['a', 'b', 'c']) table.intern(s);
    expect(table.size).toBe(3);
    table.intern('d');
    expect(table.size).toBe(1);
    const unbounded = new InternTable();
    let largest = 0;
    for (let i = 0; i < 3 * DEFAULT_INTERN_CAPACITY + 5; i++) {
      unbounded.intern(`instance i-${i} not found`);
      largest = Math.max(largest, unbounded.size);
    }
    expect(largest).toBe(DEFAULT_INTERN_CAPACITY);
    expect(unbounded.size).toBe(5);
    unbounded.intern('Reconciling');
    unbounded.intern(copyOf('Reconciling'));
    expect(unbounded.size).toBe(6);
  });
});
