// Validation causes built like k8s.io/apimachinery/pkg/util/validation/field: `reason` is the
// cause type, `field` the path, `message` the error body (`Invalid value: "x": detail`).

import { goBadValue, goQuote } from './go-format.js';

export type FieldCauseReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueDuplicate'
  | 'FieldValueUnknown';

export interface FieldCause {
  reason: FieldCauseReason;
  field: string;
  message: string;
}

function withDetail(head: string, detail: string): string {
  return detail.length > 0 ? `${head}: ${detail}` : head;
}

export function requiredCause(field: string, detail = ''): FieldCause {
  return { reason: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

export function forbiddenCause(field: string, detail: string): FieldCause {
  return { reason: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

export function invalidCause(field: string, value: unknown, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${goBadValue(value)}`, detail) };
}

export function typeInvalidCause(field: string, value: unknown, detail: string): FieldCause {
  return { reason: 'FieldValueTypeInvalid', field, message: withDetail(`Invalid value: ${goBadValue(value)}`, detail) };
}

export function notSupportedCause(field: string, value: unknown, supported: readonly string[]): FieldCause {
  const detail = supported.length > 0 ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${goBadValue(value)}`, detail) };
}

export function tooLongCause(field: string, maxLength: number): FieldCause {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} bytes` : 'value is too long';
  return { reason: 'FieldValueTooLong', field, message: `Too long: ${detail}` };
}

export function tooManyCause(field: string, actual: number, max: number): FieldCause {
  const detail = max >= 0 ? `must have at most ${max} items` : 'has too many items';
  const head = actual >= 0 ? `Too many: ${actual}` : 'Too many';
  return { reason: 'FieldValueTooMany', field, message: `${head}: ${detail}` };
}

export function duplicateCause(field: string, value: unknown): FieldCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${goBadValue(value)}` };
}

/** Errors after which the real server skips CEL rules (hasBlockingErr in the CR strategy). */
export function isBlockingCause(cause: FieldCause): boolean {
  return (
    cause.reason === 'FieldValueNotSupported' ||
    cause.reason === 'FieldValueRequired' ||
    cause.reason === 'FieldValueTooLong' ||
    cause.reason === 'FieldValueTooMany' ||
    cause.reason === 'FieldValueTypeInvalid'
  );
}
