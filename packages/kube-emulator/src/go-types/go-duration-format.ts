/** Nanoseconds as Go's time.Duration prints them: `0s`, `1.5s`, `2m0s`, `1h0m0s`, `300ms`, `1µs`. */

function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  if (rest === 0) return String(whole);
  const digits = String(rest).padStart(String(unit).length - 1, '0').replace(/0+$/, '');
  return `${whole}.${digits}`;
}

export function formatGoDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  const n = Math.abs(nanos);
  if (n < 1_000) return `${sign}${n}ns`;
  if (n < 1_000_000) return `${sign}${fraction(n, 1_000)}µs`;
  if (n < 1_000_000_000) return `${sign}${fraction(n, 1_000_000)}ms`;
  const totalSeconds = Math.floor(n / 1_000_000_000);
  const seconds = fraction(n % 60_000_000_000, 1_000_000_000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
