/** Parsers for command-line option values; each throws a message naming the flag and the fix. */
import { InvalidArgumentError, Option } from 'commander';
import { formatDurationShort, parseDuration } from '../domain/duration.js';
import { errorText } from '../util/error-text.js';
import { MAX_TIMER_DELAY_MS } from '../util/timer-limits.js';

export function parsePositiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a whole number of at least 1, got "${value}"`);
    return n;
  };
}

export function parsePort(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`${flag} must be a port 0-65535, got "${value}"`);
    return n;
  };
}

export function parsePositiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number, got "${value}"`);
    return n;
  };
}

export function parseDurationFlag(flag: string, minMs = 1, maxMs = MAX_TIMER_DELAY_MS) {
  return (value: string): number => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (err) {
      throw new InvalidArgumentError(`${flag}: ${errorText(err)}`);
    }
    if (ms < minMs) throw new InvalidArgumentError(`${flag} must be at least ${formatDurationShort(minMs)}, got "${value}"`);
    if (ms > maxMs) throw new InvalidArgumentError(`${flag} must be at most ${formatDurationShort(maxMs)}, got "${value}"`);
    return ms;
  };
}

/** A duration flag whose help shows its default as a duration ("5m"), not as milliseconds. */
export function durationOption(flags: string, description: string, defaultMs: number, bounds: { minMs?: number; maxMs?: number } = {}): Option {
  const flag = flags.split(/[ ,]/)[0] as string;
  return new Option(flags, description).argParser(parseDurationFlag(flag, bounds.minMs, bounds.maxMs)).default(defaultMs, formatDurationShort(defaultMs));
}

export function parseProtocol(value: string): 'http' | 'https' {
  if (value !== 'http' && value !== 'https') throw new InvalidArgumentError(`--protocol must be http or https, got "${value}"`);
  return value;
}

/** "host:port" or "host" */
export function parseEndpoint(flag: string) {
  return (value: string): string => {
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(value)) {
      throw new InvalidArgumentError(`${flag} must be HOST or HOST:PORT (no scheme), got "${value}"`);
    }
    return value;
  };
}

/** "Action=N,Action2=M" */
export function parseQpsOverrides(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',').filter(Boolean)) {
    const [action, n] = part.split('=');
    const qps = Number(n);
    if (!action || !Number.isFinite(qps) || qps <= 0) {
      throw new InvalidArgumentError(`--ecs-qps-per-action expects Action=N pairs, got "${part}"`);
    }
    out[action] = qps;
  }
  return out;
}

/** --tenancy: enforce (the default) or disabled. */
export function parseTenancy(value: string): 'enforce' | 'disabled' {
  if (value !== 'enforce' && value !== 'disabled') throw new InvalidArgumentError(`--tenancy must be enforce or disabled, got "${value}"`);
  return value;
}
