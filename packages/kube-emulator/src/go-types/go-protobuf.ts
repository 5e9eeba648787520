/**
 * Protobuf wire bytes of a built-in kind (as client-go's protobuf serializer writes them) into
 * the JSON the same object has, by the Go type table's field numbers. The result is what
 * kube-apiserver would hold after decoding the message: it still goes through the Go JSON round
 * trip, so zero values of `omitempty` fields drop out exactly as for a JSON request.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { type JsonObject, type JsonValue } from '../json.js';
import { canonicalQuantity } from './quantity.js';
import { formatGoDuration } from './go-duration-format.js';
import { structFields, type GoStructField, type GoType } from './go-type.js';

export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

function toNumber(v: bigint | string): number {
  return Number(v);
}

function readMessage(bytes: Uint8Array, onField: (no: number, wireType: WireType, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (!onField(no, wireType, reader)) reader.skip(wireType);
  }
}

function formatSeconds(seconds: number, nanos: number | undefined): string {
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return nanos === undefined ? `${iso}Z` : `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

function decodeTime(bytes: Uint8Array, micro: boolean): JsonValue {
  if (bytes.length === 0) return null;
  let seconds = 0;
  let nanos = 0;
  readMessage(bytes, (no, wt, r) => {
    if (no === 1 && wt === WireType.Varint) seconds = toNumber(r.int64());
    else if (no === 2 && wt === WireType.Varint) nanos = r.int32();
    else return false;
    return true;
  });
  return formatSeconds(seconds, micro ? nanos : undefined);
}

function decodeSpecial(name: Extract<GoType, { kind: 'special' }>['name'], bytes: Uint8Array): JsonValue {
  switch (name) {
    case 'Time':
      return decodeTime(bytes, false);
    case 'MicroTime':
      return decodeTime(bytes, true);
    case 'Duration': {
      let nanos = 0;
      readMessage(bytes, (no, wt, r) => (no === 1 && wt === WireType.Varint ? ((nanos = toNumber(r.int64())), true) : false));
      return formatGoDuration(nanos);
    }
    case 'Quantity': {
      let text = '';
      readMessage(bytes, (no, wt, r) => (no === 1 && wt === WireType.LengthDelimited ? ((text = r.string()), true) : false));
      return text === '' ? '0' : canonicalQuantity(text);
    }
    case 'IntOrString': {
      let type = 0;
      let intVal = 0;
      let strVal = '';
      readMessage(bytes, (no, wt, r) => {
        if (no === 1 && wt === WireType.Varint) type = toNumber(r.int64());
        else if (no === 2 && wt === WireType.Varint) intVal = r.int32();
        else if (no === 3 && wt === WireType.LengthDelimited) strVal = r.string();
        else return false;
        return true;
      });
      return type === 1 ? strVal : intVal;
    }
    case 'RawExtension':
    case 'FieldsV1': {
      let raw: Uint8Array = new Uint8Array();
      readMessage(bytes, (no, wt, r) => (no === 1 && wt === WireType.LengthDelimited ? ((raw = r.bytes()), true) : false));
      if (raw.length === 0) return null;
      try {
        return JSON.parse(Buffer.from(raw).toString('utf8')) as JsonValue;
      } catch {
        throw new ProtobufDecodeError(`${name} does not hold JSON`);
      }
    }
  }
}

/** One value of a non-repeated type read at the reader's position. */
function readValue(type: GoType, wireType: WireType, reader: BinaryReader): JsonValue {
  switch (type.kind) {
    case 'pointer':
      return readValue(type.elem, wireType, reader);
    case 'scalar':
      switch (type.name) {
        case 'string':
          return reader.string();
        case 'bytes':
          return Buffer.from(reader.bytes()).toString('base64');
        case 'bool':
          return reader.bool();
        case 'int32':
          return reader.int32();
        case 'int64':
          return toNumber(reader.int64());
        case 'float64':
          return reader.double();
      }
      break;
    case 'special':
      return decodeSpecial(type.name, reader.bytes());
    case 'struct':
      return decodeStructBytes(type.name, reader.bytes());
    case 'slice':
      // A named list type inside a map value or a field: a message with `repeated T items = 1`.
      return readWrappedList(type.elem, reader.bytes());
    case 'map':
      throw new ProtobufDecodeError('a map is not a single value');
  }
  throw new ProtobufDecodeError(`cannot read a value of wire type ${wireType}`);
}

function readWrappedList(elem: GoType, bytes: Uint8Array): JsonValue[] {
  const items: JsonValue[] = [];
  readMessage(bytes, (no, wt, r) => {
    if (no !== 1) return false;
    items.push(readValue(elem, wt, r));
    return true;
  });
  return items;
}

function isVarintType(type: GoType): boolean {
  return type.kind === 'scalar' && (type.name === 'bool' || type.name === 'int32' || type.name === 'int64');
}

function readMapEntry(valueType: GoType, bytes: Uint8Array): [string, JsonValue] {
  let key = '';
  let value: JsonValue | undefined;
  readMessage(bytes, (no, wt, r) => {
    if (no === 1 && wt === WireType.LengthDelimited) key = r.string();
    else if (no === 2) value = readValue(valueType, wt, r);
    else return false;
    return true;
  });
  if (value === undefined) value = valueType.kind === 'scalar' && valueType.name === 'string' ? '' : null;
  return [key, value];
}

function fieldsByNumber(name: string): Map<number, GoStructField> {
  const byNumber = new Map<number, GoStructField>();
  for (const f of structFields(name)) if (f.number > 0) byNumber.set(f.number, f);
  return byNumber;
}

const numberIndexes = new Map<string, Map<number, GoStructField>>();

/** The JSON fields (as the wire carries them) of one message of Go struct `name`. */
export function decodeStructBytes(name: string, bytes: Uint8Array): JsonObject {
  let byNumber = numberIndexes.get(name);
  if (!byNumber) {
    byNumber = fieldsByNumber(name);
    numberIndexes.set(name, byNumber);
  }
  const fields = byNumber;
  const out: JsonObject = {};
  readMessage(bytes, (no, wireType, reader) => {
    const field = fields.get(no);
    if (!field) return false;
    const type = field.type;
    if (field.inline && type.kind === 'struct') {
      Object.assign(out, decodeStructBytes(type.name, reader.bytes()));
    } else if (type.kind === 'map') {
      const map = (out[field.json] ?? {}) as JsonObject;
      const [k, v] = readMapEntry(type.value, reader.bytes());
      map[k] = v;
      out[field.json] = map;
    } else if (type.kind === 'slice' && !type.wrapped) {
      const list = (out[field.json] ?? []) as JsonValue[];
      if (wireType === WireType.LengthDelimited && isVarintType(type.elem)) {
        const packed = new BinaryReader(reader.bytes());
        while (packed.pos < packed.len) list.push(readValue(type.elem, WireType.Varint, packed));
      } else {
        list.push(readValue(type.elem, wireType, reader));
      }
      out[field.json] = list;
    } else {
      out[field.json] = readValue(type, wireType, reader);
    }
    return true;
  });
  return out;
}
