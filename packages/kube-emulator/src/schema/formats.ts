// The string formats kube-apiserver validates for custom resources (validation/formats.go
// `supportedFormats`); every other format is stripped and never checked. Checks follow the
// go-openapi strfmt definitions, leniently where Go's parsers are lenient.

import { isIPv4, isIPv6 } from 'node:net';
import { parseGoDuration } from './go-duration.js';

type FormatCheck = (value: string) => boolean;

const rfc3339DateTime =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const hostnamePattern =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;
const durationWords =
  /^(\d+)\s*(ns|us|µs|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|sec|min|hr)$/;

function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

function isDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match !== null && isValidDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** RFC 3339 date-time as strfmt.ParseDateTime reads it; returns epoch milliseconds or undefined. */
export function parseDateTime(value: string): number | undefined {
  const match = rfc3339DateTime.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isValidDate(year, month, day) || hour > 23 || minute > 59 || second > 60) return undefined;
  const zone = match[8] ?? 'Z';
  const normalizedZone = /^[Zz]$/.test(zone) ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${match[7] ?? ''}${normalizedZone}`;
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? undefined : millis;
}

export function parseDate(value: string): number | undefined {
  return isDate(value) ? Date.parse(`${value}T00:00:00Z`) : undefined;
}

function isCidr(value: string): boolean {
  const slash = value.lastIndexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (isIPv4(address)) return Number(bits) <= 32;
  if (isIPv6(address)) return Number(bits) <= 128;
  return false;
}

function isMac(value: string): boolean {
  return (
    /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(value) ||
    /^([0-9a-fA-F]{2}[:-]){7}[0-9a-fA-F]{2}$/.test(value) ||
    /^([0-9a-fA-F]{2}[:-]){19}[0-9a-fA-F]{2}$/.test(value) ||
    /^([0-9a-fA-F]{4}\.){2,9}[0-9a-fA-F]{4}$/.test(value)
  );
}

function isRequestUri(value: string): boolean {
  if (value.startsWith('/')) return !/\s/.test(value);
  try {
    const parsed = new URL(value);
    return parsed.protocol.length > 1;
  } catch {
    return false;
  }
}

function isIsbn10(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{9}[\dX]$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (digits[i] === 'X' ? 10 : Number(digits[i])) * (10 - i);
  return sum % 11 === 0;
}

function isIsbn13(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{13}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return sum % 10 === 0;
}

function isBase64(value: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0;
}

const uuidPattern = (version: string): RegExp =>
  new RegExp(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${version}[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$`, 'i');

const checks: Record<string, FormatCheck> = {
  bsonobjectid: (v) => /^[0-9a-fA-F]{24}$/.test(v),
  uri: isRequestUri,
  email: (v) => emailPattern.test(v),
  hostname: (v) => v.length <= 255 && hostnamePattern.test(v),
  ipv4: (v) => isIPv4(v),
  ipv6: (v) => isIPv6(v),
  cidr: isCidr,
  mac: isMac,
  uuid: (v) => uuidPattern('[0-9a-f]').test(v),
  uuid3: (v) => uuidPattern('3').test(v),
  uuid4: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(v),
  uuid5: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(v),
  isbn: (v) => isIsbn10(v) || isIsbn13(v),
  isbn10: isIsbn10,
  isbn13: isIsbn13,
  creditcard: (v) => /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/.test(v.replace(/\D/g, '')),
  ssn: (v) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(v),
  hexcolor: (v) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v),
  rgbcolor: (v) => /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/.test(v),
  byte: isBase64,
  password: () => true,
  date: isDate,
  duration: (v) => parseGoDuration(v) !== undefined || durationWords.test(v),
  datetime: (v) => parseDateTime(v) !== undefined,
};

/**
 * The checker for a schema `format`, or undefined when the API server strips the format
 * (int32, int64, float, double and anything unknown are never validated).
 */
export function formatChecker(format: string): FormatCheck | undefined {
  return checks[format.replace(/-/g, '')];
}
