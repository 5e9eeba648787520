/**
 * ConfigMap and Secret validation: keys are config keys (`[-._a-zA-Z0-9]+`, at most 253
 * characters, not `.`/`..`-prefixed paths), a key may not be in both data and binaryData, the
 * total size stays under 1 MiB; once `immutable` is true neither the data nor the flag may change,
 * and a Secret's type never changes.
 */
import { deepEqual, isJsonObject, type JsonObject } from '../json.js';
import type { FieldError } from '../status.js';
import { forbidden, invalid } from './field-errors.js';

const MAX_SIZE = 1024 * 1024;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const IMMUTABLE = 'field is immutable when `immutable` is set';

export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(key)) {
    errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function keyErrors(obj: JsonObject, field: string): { errors: FieldError[]; size: number } {
  const errors: FieldError[] = [];
  let size = 0;
  const map = obj[field];
  if (isJsonObject(map)) {
    for (const [key, value] of Object.entries(map)) {
      for (const m of configKeyErrors(key)) errors.push(invalid(`${field}[${key}]`, JSON.stringify(key), m));
      size += field === 'binaryData' || obj['kind'] === 'Secret' ? Buffer.from(String(value), 'base64').length : Buffer.byteLength(String(value));
    }
  }
  return { errors, size };
}

function immutableErrors(obj: JsonObject, old: JsonObject | undefined, fields: string[]): FieldError[] {
  if (!old || old['immutable'] !== true) return [];
  const errors: FieldError[] = [];
  if (obj['immutable'] !== true) errors.push(forbidden('immutable', IMMUTABLE));
  for (const f of fields) if (!deepEqual(obj[f] ?? null, old[f] ?? null)) errors.push(forbidden(f, IMMUTABLE));
  return errors;
}

export function validateConfigMap(obj: JsonObject, old: JsonObject | undefined): FieldError[] {
  const errors = immutableErrors(obj, old, ['data', 'binaryData']);
  const data = keyErrors(obj, 'data');
  const binary = keyErrors(obj, 'binaryData');
  errors.push(...data.errors);
  const binaryData = obj['binaryData'];
  if (isJsonObject(obj['data']) && isJsonObject(binaryData)) {
    for (const key of Object.keys(obj['data'])) if (key in binaryData) errors.push(invalid(`data[${key}]`, JSON.stringify(key), 'duplicate of key present in binaryData'));
  }
  errors.push(...binary.errors);
  if (data.size + binary.size > MAX_SIZE) errors.push({ reason: 'FieldValueTooLong', field: '', message: `Too long: may not be more than ${MAX_SIZE} bytes` });
  return errors;
}

export function validateSecret(obj: JsonObject, old: JsonObject | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (old && old['type'] !== obj['type']) errors.push(invalid('type', JSON.stringify(obj['type'] ?? ''), 'field is immutable'));
  errors.push(...immutableErrors(obj, old, ['data']));
  const data = keyErrors(obj, 'data');
  errors.push(...data.errors);
  if (data.size > MAX_SIZE) errors.push({ reason: 'FieldValueTooLong', field: 'data', message: `Too long: may not be more than ${MAX_SIZE} bytes` });
  return errors;
}
