// Duration strings as the API server reads them for `format: duration` (Go's time.ParseDuration
// units, which strfmt.ParseDuration accepts), returned in milliseconds.

const unitMillis: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses `1h30m`, `-1.5s`, `300ms`; returns undefined when the text is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)(.+)$/.exec(text);
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  const body = match[2] ?? '';
  if (body === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let position = 0;
  while (position < body.length) {
    part.lastIndex = position;
    const piece = part.exec(body);
    if (!piece) return undefined;
    total += Number(piece[1]) * (unitMillis[piece[2] ?? ''] ?? Number.NaN);
    position = part.lastIndex;
  }
  return position > 0 && Number.isFinite(total) ? sign * total : undefined;
}
