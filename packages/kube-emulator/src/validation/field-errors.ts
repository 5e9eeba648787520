/**
 * Field errors worded like apimachinery's field.Error: `Required value`, `Invalid value: <v>`,
 * `Unsupported value: "x": supported values: "a", "b"`, `Forbidden: ...`, `Duplicate value: ...`,
 * `Not found: ...`, with values printed the way Go prints them (%q strings, plain numbers, and
 * Go literals such as `map[string]string{"a":"b"}` or `[]string{"a"}`).
 */
import { isJsonObject, type JsonValue } from '../json.js';
import type { FieldError } from '../status.js';

/** Go's %#v of the JSON-shaped values validation reports. */
export function goLiteral(value: JsonValue | undefined, mapType = 'map[string]string'): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[]string{${value.map((v) => JSON.stringify(String(v))).join(', ')}}`;
  return `${mapType}{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(value[k]))}`).join(', ')}}`;
}

/** A labels map as a Go map value: `map[string]string(nil)` when absent. */
export function goStringMap(value: JsonValue | undefined): string {
  return isJsonObject(value) ? goLiteral(value) : 'map[string]string(nil)';
}

export const required = (field: string, detail = ''): FieldError => ({ reason: 'FieldValueRequired', field, message: `Required value${detail ? `: ${detail}` : ''}` });

/** `printed` is the value as Go prints it (use goLiteral). */
export const invalid = (field: string, printed: string, detail: string): FieldError => ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${printed}${detail ? `: ${detail}` : ''}` });

export const notSupported = (field: string, value: string, supported: string[]): FieldError => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${JSON.stringify(value)}${supported.length > 0 ? `: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : ''}`,
});

export const forbidden = (field: string, detail: string): FieldError => ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` });

export const duplicate = (field: string, printed: string): FieldError => ({ reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${printed}` });

export const notFound = (field: string, printed: string): FieldError => ({ reason: 'FieldValueNotFound', field, message: `Not found: ${printed}` });

/** ValidateNonnegativeField. */
export function nonNegative(field: string, value: JsonValue | undefined): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, String(value), 'must be greater than or equal to 0')] : [];
}

/** IsValidPortNum. */
export function portNumberErrors(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** IsValidPortName (an IANA service name). */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (name.includes('--')) errs.push("must not contain consecutive hyphens");
  if (name.length > 0 && !/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.startsWith('-') || name.endsWith('-')) errs.push("must not begin or end with a hyphen");
  return errs;
}

export const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
