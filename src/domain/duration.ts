/**
 * Go-style durations (what `time.ParseDuration` accepts and what Kubernetes users write in
 * fields such as `resyncPeriod`): a sequence of decimal numbers, each with an optional fraction
 * and a unit, e.g. "30s", "5m", "1h30m", "1.5h", "500ms". Units: ns, us (or µs), ms, s, m, h.
 * A bare "0" is allowed, as in Go. A leading "+" or "-" applies to the whole value.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** One "<number><unit>" term; units are tried longest first so "ms" is not read as "m". */
const TERM = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a Go-style duration into milliseconds. Throws an Error that quotes the bad input. */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new Error(`invalid duration ${String(text)}: expected a string such as "5m"`);
  const original = text;
  let rest = text.trim();
  if (rest !== original) throw new Error(`invalid duration "${original}": surrounding spaces are not allowed`);
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`invalid duration "${original}": empty; write a number with a unit such as "30s", "5m" or "1h30m"`);
  let total = 0;
  while (rest.length > 0) {
    const match = TERM.exec(rest);
    if (!match) {
      const missingUnit = /^\d+(\.\d*)?$/.test(rest);
      const why = missingUnit ? `"${rest}" has no unit` : `cannot read "${rest}"`;
      throw new Error(`invalid duration "${original}": ${why}; valid units are ns, us, ms, s, m, h (e.g. "30s", "5m", "1h30m", "1.5h")`);
    }
    const [term, number, unit] = match as unknown as [string, string, string];
    total += Number(number) * (UNIT_MS[unit] as number);
    rest = rest.slice(term.length);
  }
  if (!Number.isFinite(total)) throw new Error(`invalid duration "${original}": too large`);
  return sign * total;
}

/** Formats milliseconds the way Go prints a duration ("1h30m0s", "45s", "500ms"), for messages. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1_000) return `${sign}${trimNumber(rest)}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = trimNumber(rest / 1_000);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

function trimNumber(n: number): string {
  return String(Number(n.toFixed(3)));
}

/** The shortest form of a duration, for help texts and flags ("5m", "1h30m", "15s", "500ms"). */
export function formatDurationShort(ms: number): string {
  if (ms === 0) return '0s';
  if (Math.abs(ms) < 1_000) return formatDuration(ms);
  return formatDuration(ms).replace(/([hm])0s$/, '$1').replace(/h0m$/, 'h');
}
