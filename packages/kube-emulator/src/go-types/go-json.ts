/**
 * What kube-apiserver makes of a built-in object's JSON: it decodes the body into the kind's Go
 * struct and encodes that struct again when it stores or answers. This gives a JSON object the
 * same round trip, driven by the Go type table: unknown fields drop out (and are reported, for
 * fieldValidation), zero values of `omitempty` fields vanish, non-pointer structs appear even
 * when empty (`resources: {}`, `status: {}`), zero times print as `null`, times lose their
 * fractional seconds, bytes are re-encoded. Type mismatches fail like encoding/json does.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { canonicalQuantity, QUANTITY_SYNTAX, QuantityError } from './quantity.js';
import { parseGoType, shortStructName, structFields, type GoType } from './go-type.js';

/** A type mismatch, worded as encoding/json words it. */
export class GoDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoDecodeError';
  }
}

export interface GoJsonResult {
  value: JsonObject;
  /** Paths of fields the struct does not have (`spec.foo`, `spec.template.spec.containers[0].x`). */
  unknownFields: string[];
}

interface Walk {
  /** JSON keys from the top, without indices: how encoding/json names the failing field. */
  keys: string[];
  /** The same with list indices: how strict decoding names unknown fields. */
  path: string;
  /** The innermost Go struct being decoded. */
  struct: string;
  unknown: string[];
}

function jsonKind(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

/** How Go prints a type in `of type X`: `int32`, `[]v1.Container`, `map[string]string`. */
export function goTypeName(type: GoType): string {
  switch (type.kind) {
    case 'scalar':
      return type.name === 'bytes' ? '[]uint8' : type.name;
    case 'special':
      return { Time: 'v1.Time', MicroTime: 'v1.MicroTime', Duration: 'v1.Duration', Quantity: 'resource.Quantity', IntOrString: 'intstr.IntOrString', RawExtension: 'runtime.RawExtension', FieldsV1: 'v1.FieldsV1' }[type.name];
    case 'pointer':
      return goTypeName(type.elem);
    case 'slice':
      return `[]${goTypeName(type.elem)}`;
    case 'map':
      return `map[string]${goTypeName(type.value)}`;
    case 'struct': {
      const pkg = type.name.slice(0, type.name.lastIndexOf('.'));
      return `${pkg.slice(pkg.lastIndexOf('/') + 1)}.${shortStructName(type.name)}`;
    }
  }
}

function mismatch(walk: Walk, value: JsonValue, type: GoType): GoDecodeError {
  const what = typeof value === 'number' ? `number ${value}` : jsonKind(value);
  const into = walk.keys.length > 0 ? `Go struct field ${shortStructName(walk.struct)}.${walk.keys.join('.')}` : 'Go value';
  return new GoDecodeError(`json: cannot unmarshal ${typeof value === 'number' && Number.isInteger(value) ? 'number' : what} into ${into} of type ${goTypeName(type)}`);
}

/** Go's base64.StdEncoding validity, with the byte offset its CorruptInputError reports. */
function checkBase64(text: string): void {
  const clean = text.replace(/[\r\n]/g, '');
  for (let q = 0; q < clean.length; q += 4) {
    const quantum = clean.slice(q, q + 4);
    for (let j = 0; j < quantum.length; j++) {
      const c = quantum[j] as string;
      if (c === '=') {
        if (j < 2 || (j === 2 && quantum[3] !== '=') || q + 4 < clean.length) throw new GoDecodeError(`illegal base64 data at input byte ${q + j}`);
        break;
      }
      if (!/[A-Za-z0-9+/]/.test(c)) throw new GoDecodeError(`illegal base64 data at input byte ${q + j}`);
    }
    if (quantum.length < 4) throw new GoDecodeError(`illegal base64 data at input byte ${q}`);
  }
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/;

/** RFC 3339 text to milliseconds and microseconds within the second; undefined when unreadable. */
function parseTime(text: string): { ms: number; micros: number } | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(text.toUpperCase());
  if (Number.isNaN(ms)) return undefined;
  const fraction = (m[7] ?? '.').slice(1).padEnd(6, '0').slice(0, 6);
  return { ms, micros: Number(fraction) };
}

function formatTime(ms: number, micros?: number): string {
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(0, 19);
  return micros === undefined ? `${seconds}Z` : `${seconds}.${String(micros).padStart(6, '0')}Z`;
}

const RFC3339_MICRO_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';

/** MicroTime parses with the RFC3339Micro layout: exactly six fractional digits. */
function microTimeError(value: string): GoDecodeError | undefined {
  const m = /^(\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d)(.*)$/.exec(value);
  if (!m) return undefined;
  const rest = m[2] as string;
  if (/^\.\d{6}([Zz]|[+-]\d\d:\d\d)$/.test(rest)) return undefined;
  return new GoDecodeError(`parsing time ${JSON.stringify(value)} as "${RFC3339_MICRO_LAYOUT}": cannot parse ${JSON.stringify(rest)} as ".000000"`);
}

function timeValue(walk: Walk, value: JsonValue, type: GoType, micro: boolean): JsonValue {
  if (value === null) return null;
  if (typeof value !== 'string') throw mismatch(walk, value, type);
  const microError = micro ? microTimeError(value) : undefined;
  if (microError) throw microError;
  const parsed = parseTime(value);
  if (!parsed) throw new GoDecodeError(`parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`);
  return micro ? formatTime(parsed.ms - (parsed.ms % 1000), parsed.micros) : formatTime(parsed.ms);
}

function isZero(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** The JSON of a Go value of `type` decoded from `value`; undefined means "absent in the input". */
function decodeValue(walk: Walk, type: GoType, value: JsonValue | undefined): JsonValue | undefined {
  switch (type.kind) {
    case 'pointer':
      if (value === undefined || value === null) return undefined;
      return decodeValue(walk, type.elem, value) ?? zeroOf(type.elem);
    case 'scalar':
      if (value === undefined || value === null) return zeroOf(type);
      switch (type.name) {
        case 'string':
          if (typeof value !== 'string') throw mismatch(walk, value, type);
          return value;
        case 'bool':
          if (typeof value !== 'boolean') throw mismatch(walk, value, type);
          return value;
        case 'int32':
        case 'int64':
          if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch(walk, value, type);
          return value;
        case 'float64':
          if (typeof value !== 'number') throw mismatch(walk, value, type);
          return value;
        case 'bytes':
          if (typeof value !== 'string') throw mismatch(walk, value, type);
          checkBase64(value);
          return Buffer.from(value.replace(/[\r\n]/g, ''), 'base64').toString('base64');
      }
      break;
    case 'special':
      return decodeSpecial(walk, type, value);
    case 'slice': {
      if (value === undefined || value === null) return undefined;
      if (!Array.isArray(value)) throw mismatch(walk, value, type);
      return value.map((item, i) => decodeValue({ ...walk, path: `${walk.path}[${i}]` }, type.elem, item) ?? zeroOf(type.elem));
    }
    case 'map': {
      if (value === undefined || value === null) return undefined;
      if (!isJsonObject(value)) throw mismatch(walk, value, type);
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) out[k] = decodeValue({ ...walk, path: `${walk.path}.${k}` }, type.value, v) ?? zeroOf(type.value);
      return out;
    }
    case 'struct':
      if (value === undefined || value === null) return decodeStruct({ ...walk, struct: type.name }, type.name, {});
      if (!isJsonObject(value)) throw mismatch(walk, value, type);
      return decodeStruct({ ...walk, struct: type.name }, type.name, value);
  }
  return undefined;
}

function decodeSpecial(walk: Walk, type: Extract<GoType, { kind: 'special' }>, value: JsonValue | undefined): JsonValue | undefined {
  switch (type.name) {
    case 'Time':
      return value === undefined ? null : timeValue(walk, value, type, false);
    case 'MicroTime':
      return value === undefined ? null : timeValue(walk, value, type, true);
    case 'Duration':
      if (value === undefined || value === null) return '0s';
      if (typeof value !== 'string') throw mismatch(walk, value, type);
      return value;
    case 'Quantity':
      if (value === undefined || value === null) return '0';
      if (typeof value !== 'string' && typeof value !== 'number') throw new GoDecodeError(QUANTITY_SYNTAX);
      try {
        return canonicalQuantity(String(value));
      } catch (err) {
        throw new GoDecodeError(err instanceof QuantityError ? err.message : String(err));
      }
    case 'IntOrString':
      if (value === undefined || value === null) return 0;
      if (typeof value === 'string') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw mismatch(walk, value, type);
    case 'RawExtension':
    case 'FieldsV1':
      return value === undefined ? null : value;
  }
}

/** The JSON a zero Go value of `type` encodes to. */
function zeroOf(type: GoType): JsonValue {
  switch (type.kind) {
    case 'scalar':
      return type.name === 'string' || type.name === 'bytes' ? (type.name === 'bytes' ? null : '') : type.name === 'bool' ? false : 0;
    case 'special':
      return decodeSpecial({ keys: [], path: '', struct: '', unknown: [] }, type, undefined) ?? null;
    case 'struct':
      return decodeStruct({ keys: [], path: '', struct: type.name, unknown: [] }, type.name, {});
    default:
      return null;
  }
}

function decodeStruct(walk: Walk, name: string, input: JsonObject): JsonObject {
  const out: JsonObject = {};
  const known = new Set<string>();
  collectInto(walk, name, input, out, known);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) walk.unknown.push(walk.path ? `${walk.path}.${key}` : key);
  }
  return out;
}

/** Decodes the fields of struct `name` from `input` into `out` (inline structs share both). */
function collectInto(walk: Walk, name: string, input: JsonObject, out: JsonObject, known: Set<string>): void {
  for (const field of structFields(name)) {
    if (field.inline && field.type.kind === 'struct') {
      collectInto({ ...walk, struct: field.type.name }, field.type.name, input, out, known);
      continue;
    }
    known.add(field.json);
    const child: Walk = { ...walk, struct: name, keys: [...walk.keys, field.json], path: walk.path ? `${walk.path}.${field.json}` : field.json };
    const decoded = decodeValue(child, field.type, input[field.json]);
    const encoded = decoded === undefined ? absentEncoding(field.type) : decoded;
    if (encoded === undefined) continue;
    if (field.omitempty && isOmitted(field.type, encoded)) continue;
    out[field.json] = encoded;
  }
}

/** What an absent field encodes to without omitempty: nil pointers, slices and maps are null. */
function absentEncoding(type: GoType): JsonValue | undefined {
  return type.kind === 'pointer' || type.kind === 'slice' || type.kind === 'map' ? null : zeroOf(type);
}

/** encoding/json's omitempty: false, 0, "", nil pointers and empty slices and maps; never structs. */
function isOmitted(type: GoType, encoded: JsonValue): boolean {
  switch (type.kind) {
    case 'pointer':
      return encoded === null;
    case 'scalar':
      return type.name === 'bytes' ? encoded === null || encoded === '' : isZero(encoded);
    case 'slice':
      return encoded === null || (Array.isArray(encoded) && encoded.length === 0);
    case 'map':
      return encoded === null || (isJsonObject(encoded) && Object.keys(encoded).length === 0);
    default:
      return false;
  }
}

/**
 * The object as kube-apiserver would hold it after decoding `value` into the Go struct `structName`
 * and encoding it again. Throws GoDecodeError on a type mismatch.
 */
export function roundTripGoJson(structName: string, value: JsonObject): GoJsonResult {
  const walk: Walk = { keys: [], path: '', struct: structName, unknown: [] };
  const out = decodeStruct(walk, structName, value);
  return { value: out, unknownFields: walk.unknown };
}

/** The JSON encoding of a Go value of `typeRef` decoded from protobuf-produced JSON (same rules). */
export function roundTripGoValue(typeRef: string, value: JsonValue | undefined): JsonValue | undefined {
  return decodeValue({ keys: [], path: '', struct: '', unknown: [] }, parseGoType(typeRef), value);
}
