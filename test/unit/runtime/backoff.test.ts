import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/runtime/backoff.js';

describe('Backoff', () => {
  it('doubles from the base up to the cap (no jitter)', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1_000, jitter: 0 });
    expect(Array.from({ length: 7 }, () => b.next('k'))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(b.failuresOf('k')).toBe(7);
  });

  it('keeps keys independent and starts over after reset', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 10_000, jitter: 0 });
    b.next('a');
    b.next('a');
    expect(b.next('b')).toBe(100);
    expect(b.next('a')).toBe(400);
    b.reset('a');
    expect(b.failuresOf('a')).toBe(0);
    expect(b.next('a')).toBe(100);
  });

  it('jitter only shortens, within the configured fraction, and stays under the cap', () => {
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const b = new Backoff({ baseMs: 1_000, maxMs: 8_000, jitter: 0.5, random: () => r });
      const delays = Array.from({ length: 6 }, () => b.next('k'));
      const raw = [1_000, 2_000, 4_000, 8_000, 8_000, 8_000];
      delays.forEach((d, i) => {
        const full = raw[i] as number;
        expect(d).toBeLessThanOrEqual(full);
        expect(d).toBeGreaterThanOrEqual(Math.floor(full * 0.5));
      });
    }
  });

  it('spreads keys that fail together', () => {
    const values = [0.1, 0.9];
    let i = 0;
    const b = new Backoff({ baseMs: 1_000, jitter: 0.5, random: () => values[i++ % 2] as number });
    expect(b.next('a')).not.toBe(b.next('b'));
  });

  it('never returns 0, however small the base or large the jitter', () => {
    const b = new Backoff({ baseMs: 0.001, maxMs: 0.002, jitter: 0.99, random: () => 0.999 });
    for (let n = 0; n < 5; n++) expect(b.next('k')).toBeGreaterThanOrEqual(1);
  });

  it('stays finite after very many failures', () => {
    const b = new Backoff({ baseMs: 5, maxMs: 60_000, jitter: 0 });
    let last = 0;
    for (let n = 0; n < 5_000; n++) last = b.next('k');
    expect(last).toBe(60_000);
  });

  it('rejects nonsensical options', () => {
    expect(() => new Backoff({ baseMs: 0 })).toThrow(/baseMs/);
    expect(() => new Backoff({ baseMs: 10, maxMs: 5 })).toThrow(/maxMs/);
    expect(() => new Backoff({ jitter: 1 })).toThrow(/jitter/);
  });

  it('has sane defaults: a sub-second first retry, capped at five minutes', () => {
    const b = new Backoff({ random: () => 0 });
    expect(b.next('k')).toBe(500);
    for (let n = 0; n < 40; n++) b.next('k');
    expect(b.next('k')).toBe(300_000);
  });
});
