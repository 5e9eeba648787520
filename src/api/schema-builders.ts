/**
 * TypeBox builders for the shapes a structural Kubernetes schema allows. TypeBox's own unions and
 * records produce anyOf/const/patternProperties, which CRDs reject, so enums and string maps are
 * written here as the plain JSON Schema the API server accepts, with the static type attached.
 */
import { type SchemaOptions, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';

/** A string that must be one of `values` (`enum`), typed as their union. */
export function stringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** An object used as a string-to-string map (`additionalProperties`). */
export function stringMap(value: TSchema, options: SchemaOptions = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: value, ...options });
}

/** One `x-kubernetes-validations` rule. */
export interface CelRule {
  rule: string;
  message: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
}

export function celRules(...rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}
