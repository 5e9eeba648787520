/**
 * How server-side apply sees the shape of an object's fields: which lists are sets (owned per
 * value), maps (owned per item, keyed by some fields) or atomic (owned whole), and which structs
 * are atomic. Built-in kinds take it from their Go types (list markers, merge keys,
 * +structType=atomic), custom resources from the CRD schema (x-kubernetes-list-type,
 * x-kubernetes-list-map-keys, x-kubernetes-map-type); metadata always follows ObjectMeta.
 */
import { isAtomicStruct, structFields, type GoStructField, type GoType, type ListShape } from './go-types/go-type.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

export type { ListShape };

/** Paths are JSON field names from the object's root; `*` stands for a list item or map value. */
export interface FieldShapes {
  listAt(path: readonly string[]): ListShape;
  atomicAt(path: readonly string[]): boolean;
}

const ATOMIC: ListShape = { kind: 'atomic' };

/** Objects without a known shape: maps are granular, lists atomic. */
export const UNTYPED_SHAPES: FieldShapes = { listAt: () => ATOMIC, atomicAt: () => false };

function fieldOf(struct: string, json: string): GoStructField | undefined {
  for (const f of structFields(struct)) {
    if (f.inline && f.type.kind === 'struct') {
      const inner = fieldOf(f.type.name, json);
      if (inner) return inner;
    } else if (f.json === json) {
      return f;
    }
  }
  return undefined;
}

function unpointer(type: GoType): GoType {
  return type.kind === 'pointer' ? unpointer(type.elem) : type;
}

/** The Go type and field at a path inside struct `root` (undefined when the path leaves the types). */
function goTypeAt(root: string, path: readonly string[]): { type: GoType; field?: GoStructField } | undefined {
  let type: GoType = { kind: 'struct', name: root };
  let field: GoStructField | undefined;
  for (const seg of path) {
    type = unpointer(type);
    if (seg === '*') {
      if (type.kind === 'slice') type = type.elem;
      else if (type.kind === 'map') type = type.value;
      else return undefined;
      field = undefined;
      continue;
    }
    if (type.kind !== 'struct') return undefined;
    field = fieldOf(type.name, seg);
    if (!field) return undefined;
    type = field.type;
  }
  return { type: unpointer(type), ...(field ? { field } : {}) };
}

/** Shapes from a Go struct of the type table (a built-in kind). */
export function goFieldShapes(struct: string): FieldShapes {
  return {
    listAt: (path) => goTypeAt(struct, path)?.field?.list ?? ATOMIC,
    atomicAt: (path) => {
      const at = goTypeAt(struct, path);
      return at?.type.kind === 'struct' && isAtomicStruct(at.type.name);
    },
  };
}

const OBJECT_META_SHAPES = goFieldShapes('meta/v1.ObjectMeta');

function schemaAt(schema: JsonObject, path: readonly string[]): JsonObject | undefined {
  let cur: JsonValue | undefined = schema;
  for (const seg of path) {
    if (!isJsonObject(cur)) return undefined;
    if (seg === '*') {
      cur = isJsonObject(cur['items']) ? cur['items'] : cur['additionalProperties'];
    } else {
      const props: JsonValue | undefined = cur['properties'];
      cur = isJsonObject(props) ? props[seg] : undefined;
    }
  }
  return isJsonObject(cur) ? cur : undefined;
}

/** Shapes from a CRD version's openAPIV3Schema. */
export function schemaFieldShapes(schema: JsonObject): FieldShapes {
  return {
    listAt: (path) => {
      if (path[0] === 'metadata') return OBJECT_META_SHAPES.listAt(path.slice(1));
      const node = schemaAt(schema, path);
      const type = node?.['x-kubernetes-list-type'];
      if (type === 'set') return { kind: 'set' };
      if (type === 'map') {
        const keys = node?.['x-kubernetes-list-map-keys'];
        return { kind: 'map', keys: Array.isArray(keys) ? keys.map(String) : [] };
      }
      return ATOMIC;
    },
    atomicAt: (path) => {
      if (path[0] === 'metadata') return OBJECT_META_SHAPES.atomicAt(path.slice(1));
      return schemaAt(schema, path)?.['x-kubernetes-map-type'] === 'atomic';
    },
  };
}
