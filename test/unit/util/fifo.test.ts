import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/util/fifo.js';

describe('Fifo', () => {
  it('gives items back oldest first and undefined when empty', () => {
    const q = new Fifo<string>();
    expect(q.shift()).toBeUndefined();
    q.push('a');
    q.push('b');
    expect(q.size).toBe(2);
    expect(q.shift()).toBe('a');
    q.push('c');
    expect([q.shift(), q.shift(), q.shift()]).toEqual(['b', 'c', undefined]);
    expect(q.size).toBe(0);
  });

  it('keeps the order across the compaction of a long consumed front', () => {
    const q = new Fifo<number>();
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the queue is never empty while the front passes 1,024.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) q.push(next++);
      for (let i = 0; i < 90; i++) out.push(q.shift() as number);
    }
    expect(q.size).toBe(500);
    while (q.size > 0) out.push(q.shift() as number);
    expect(out).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });
});
