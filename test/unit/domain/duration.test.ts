import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, formatDurationShort } from '../../../src/domain/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['2m30s', 150_000],
    ['1h0m0s', 3_600_000],
    ['.5s', 500],
    ['1.s', 1_000],
    ['0', 0],
    ['+10s', 10_000],
    ['-1m', -60_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['2000000ns', 2],
    ['1m1ms', 60_001],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', /empty/],
    ['5', /"5" has no unit/],
    ['10x', /cannot read "10x"/],
    ['m', /cannot read "m"/],
    ['1h 30m', /cannot read " 30m"/],
    [' 5m', /surrounding spaces/],
    ['5M', /valid units are ns, us, ms, s, m, h/],
    ['1.2.3s', /cannot read/],
    ['-', /empty/],
  ])('rejects %j with a clear message', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
    expect(() => parseDuration(text)).toThrow(/^invalid duration/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m0s'],
    [-60_000, '-1m0s'],
  ])('%d ms = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1_000, 61_500, 3_600_000, 86_400_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('formatDurationShort', () => {
  it.each([
    [300_000, '5m'],
    [15_000, '15s'],
    [2_000, '2s'],
    [5_400_000, '1h30m'],
    [3_600_000, '1h'],
    [3_605_000, '1h0m5s'],
    [90_500, '1m30.5s'],
    [500, '500ms'],
    [0, '0s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDurationShort(ms)).toBe(text);
  });
});
