/**
 * Field selectors (=, ==, !=) in the syntax of the Kubernetes API query parameters; label
 * selectors live in label-selector.ts.
 */
import { badRequest } from './status.js';

interface FieldRequirement {
  field: string;
  value: string;
  equal: boolean;
}

export type FieldSelector = (fieldValue: (field: string) => string | undefined) => boolean;

/** Parses `a=b,c!=d`; every field must be one of `supported` (400 otherwise). */
export function parseFieldSelector(selector: string | undefined, supported: readonly string[]): FieldSelector | undefined {
  if (selector === undefined || selector.trim() === '') return undefined;
  const requirements: FieldRequirement[] = selector
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((part) => {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
      const field = m[1] as string;
      if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
      return { field, value: (m[3] as string).trim(), equal: m[2] !== '!=' };
    });
  return (fieldValue) => requirements.every((r) => (fieldValue(r.field) === r.value) === r.equal);
}

/** A single `metadata.name=X` requirement, so a list can look the name up directly. */
export function exactNameFromFieldSelector(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  const parts = selector.split(',').map((p) => p.trim());
  for (const part of parts) {
    const m = /^metadata\.name\s*(==|=)\s*(.*)$/.exec(part);
    if (m) return (m[2] as string).trim();
  }
  return undefined;
}
