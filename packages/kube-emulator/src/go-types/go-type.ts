/**
 * The Go API types of the built-in kinds, as data: per struct, its fields with protobuf field
 * number, JSON name, type reference and JSON tag flags (the table is generated from the
 * Kubernetes Go sources by scripts/generate-go-types.mjs). Type references:
 *
 *   string | bool | int32 | int64 | float64 | bytes    scalars ([]byte is `bytes`)
 *   Time | MicroTime | Duration | Quantity | IntOrString | RawExtension | FieldsV1
 *   *T   pointer      []T   slice      map[T]   map with string keys
 *   list:T   a named slice type (protobuf wraps it in a message with a repeated field 1)
 *   pkg/v1.Name   another struct in the table
 */
import { GO_ATOMIC_STRUCTS, GO_KINDS, GO_STRUCTS } from './go-types.generated.js';

/**
 * [protobuf field number (0: not in protobuf), JSON name, type reference, flags: o = omitempty,
 * i = inline, and for granular lists their server-side apply shape: `set` or `map:<keys>`].
 */
export type GoField = readonly [number, string, string, string] | readonly [number, string, string, string, string];
export type GoStructTable = Readonly<Record<string, readonly GoField[]>>;

export type GoScalar = 'string' | 'bool' | 'int32' | 'int64' | 'float64' | 'bytes';
export type GoSpecial = 'Time' | 'MicroTime' | 'Duration' | 'Quantity' | 'IntOrString' | 'RawExtension' | 'FieldsV1';

export type GoType =
  | { kind: 'scalar'; name: GoScalar }
  | { kind: 'special'; name: GoSpecial }
  | { kind: 'pointer'; elem: GoType }
  | { kind: 'slice'; elem: GoType; wrapped: boolean }
  | { kind: 'map'; value: GoType }
  | { kind: 'struct'; name: string };

/** How server-side apply owns a list: as a whole, per value, or per item keyed by some fields. */
export type ListShape = { kind: 'atomic' } | { kind: 'set' } | { kind: 'map'; keys: string[] };

export interface GoStructField {
  number: number;
  json: string;
  type: GoType;
  omitempty: boolean;
  inline: boolean;
  list: ListShape;
}

const SCALARS = new Set<string>(['string', 'bool', 'int32', 'int64', 'float64', 'bytes']);
const SPECIALS = new Set<string>(['Time', 'MicroTime', 'Duration', 'Quantity', 'IntOrString', 'RawExtension', 'FieldsV1']);

const parsedTypes = new Map<string, GoType>();

export function parseGoType(ref: string): GoType {
  const cached = parsedTypes.get(ref);
  if (cached) return cached;
  let type: GoType;
  if (ref.startsWith('*')) type = { kind: 'pointer', elem: parseGoType(ref.slice(1)) };
  else if (ref.startsWith('[]')) type = { kind: 'slice', elem: parseGoType(ref.slice(2)), wrapped: false };
  else if (ref.startsWith('list:')) type = { kind: 'slice', elem: parseGoType(ref.slice(5)), wrapped: true };
  else if (ref.startsWith('map[') && ref.endsWith(']')) type = { kind: 'map', value: parseGoType(ref.slice(4, -1)) };
  else if (SCALARS.has(ref)) type = { kind: 'scalar', name: ref as GoScalar };
  else if (SPECIALS.has(ref)) type = { kind: 'special', name: ref as GoSpecial };
  else if (GO_STRUCTS[ref]) type = { kind: 'struct', name: ref };
  else throw new Error(`unknown Go type reference ${ref}`);
  parsedTypes.set(ref, type);
  return type;
}

const parsedStructs = new Map<string, GoStructField[]>();

export function structFields(name: string): GoStructField[] {
  const cached = parsedStructs.get(name);
  if (cached) return cached;
  const table = GO_STRUCTS[name];
  if (!table) throw new Error(`unknown Go struct ${name}`);
  const fields = table.map(([number, json, ref, flags, list]) => ({
    number,
    json,
    type: parseGoType(ref),
    omitempty: flags.includes('o'),
    inline: flags.includes('i'),
    list: listShape(list),
  }));
  parsedStructs.set(name, fields);
  return fields;
}

function listShape(encoded: string | undefined): ListShape {
  if (encoded === 'set') return { kind: 'set' };
  if (encoded?.startsWith('map:')) return { kind: 'map', keys: encoded.slice(4).split(',').filter((k) => k !== '') };
  return { kind: 'atomic' };
}

/** Whether a struct is marked +structType=atomic. */
export function isAtomicStruct(name: string): boolean {
  return GO_ATOMIC_STRUCTS.has(name);
}

/** The Go struct of a served kind (`apps/v1` + `Deployment`), if the table has it. */
export function structOfKind(apiVersion: string, kind: string): string | undefined {
  return GO_KINDS[`${apiVersion}/${kind}`];
}

/** `Deployment` of `apps/v1.Deployment`: how Go error messages name a struct. */
export function shortStructName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}
