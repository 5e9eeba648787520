/**
 * meta.k8s.io/v1 Table answers (what `kubectl get` asks for): a Name column, then the kind's
 * printer columns (CRD additionalPrinterColumns evaluated with JSONPath, or built-in cells).
 */
import { compileJsonPath, type CompiledJsonPath } from './jsonpath.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { PrinterColumn, ResourceType } from './resource-type.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const NAME_COLUMN: JsonObject = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

export const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

/** Go's duration.HumanDuration, as kubectl prints ages. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

const compiledPaths = new Map<string, CompiledJsonPath | null>();

function compiled(path: string): CompiledJsonPath | null {
  let c = compiledPaths.get(path);
  if (c === undefined) {
    try {
      c = compileJsonPath(path);
    } catch {
      c = null;
    }
    compiledPaths.set(path, c);
  }
  return c;
}

function cellFor(column: PrinterColumn, obj: JsonObject, now: number): JsonValue {
  if (column.cell) return column.cell(obj);
  const path = column.jsonPath ? compiled(column.jsonPath) : null;
  if (!path) return null;
  const results = path.query(obj);
  if (results.length === 0) return null;
  const value = results[0] as JsonValue;
  switch (column.type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

function rowObject(obj: JsonObject, include: IncludeObject): JsonValue {
  if (include === 'None') return null;
  if (include === 'Object') return obj;
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: isJsonObject(obj['metadata']) ? obj['metadata'] : {},
  };
}

export function buildTable(
  t: ResourceType,
  objects: JsonObject[],
  listMetadata: JsonObject,
  include: IncludeObject,
  withHeaders = true,
  now = Date.now(),
): JsonObject {
  const columns = t.printerColumns;
  const table: JsonObject = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMetadata,
    columnDefinitions: withHeaders
      ? [
          ...(t.ownNameColumn ? [] : [NAME_COLUMN]),
          ...columns.map((c) => ({
            name: c.name,
            type: c.type,
            format: c.format ?? '',
            description: c.description ?? (c.jsonPath ? `Custom resource definition column (in JSONPath format): ${c.jsonPath}` : c.name),
            priority: c.priority ?? 0,
          })),
        ]
      : [],
    rows: objects.map((obj) => {
      const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
      return {
        cells: [...(t.ownNameColumn ? [] : [typeof meta['name'] === 'string' ? meta['name'] : '']), ...columns.map((c) => cellFor(c, obj, now))],
        object: rowObject(obj, include),
      };
    }),
  };
  return table;
}
