// Custom-resource values as CEL sees them (k8s.io/apiserver/pkg/cel/common UnstructuredToVal):
// objects with properties become messages of their declared (escaped) fields, maps keep their
// keys, integers are CEL ints, numbers doubles, and strings with format date-time/date,
// duration or byte become timestamps, durations and bytes.

import type { CelInput } from '@bufbuild/cel';
import { durationFromMs, timestampFromMs } from '@bufbuild/protobuf/wkt';
import { isRecord } from '../correlation.js';
import { parseDate, parseDateTime } from '../formats.js';
import { parseGoDuration } from '../go-duration.js';
import { blankNode, type SchemaNode } from '../structural.js';
import { escapeCelName } from './escaping.js';
import { unorderedList } from './kubernetes-library.js';

/** A JSON value with no schema (preserved unknown fields). */
export function untypedToCel(value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(untypedToCel);
  const out: Record<string, CelInput> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) out[key] = untypedToCel(entry);
  return out;
}

function stringToCel(text: string, node: SchemaNode): CelInput {
  switch (node.format) {
    case 'duration': {
      const millis = parseGoDuration(text);
      if (millis === undefined) throw new Error(`Invalid duration ${text}`);
      return durationFromMs(millis);
    }
    case 'date': {
      const millis = parseDate(text);
      if (millis === undefined) throw new Error(`Invalid date formatted string ${text}`);
      return timestampFromMs(millis);
    }
    case 'date-time':
    case 'datetime': {
      const millis = parseDateTime(text);
      if (millis === undefined) throw new Error(`Invalid date-time formatted string ${text}`);
      return timestampFromMs(millis);
    }
    case 'byte':
      return new Uint8Array(Buffer.from(text, 'base64'));
    default:
      return text;
  }
}

const rootMetadataFields = ['name', 'generateName'];
const objectMetaAsCelSeesIt = blankNode(
  'metadata',
  'object',
  new Map(rootMetadataFields.map((field) => [field, blankNode(`metadata.${field}`, 'string')])),
);

function objectToCel(value: Record<string, unknown>, node: SchemaNode, withTypeAndObjectMeta: boolean): CelInput {
  const out: Record<string, CelInput> = {};
  if (withTypeAndObjectMeta) {
    for (const field of ['apiVersion', 'kind']) if (typeof value[field] === 'string') out[field] = value[field] as string;
    const metadata = value['metadata'];
    if (isRecord(metadata)) {
      const visible: Record<string, CelInput> = {};
      for (const field of rootMetadataFields) if (typeof metadata[field] === 'string') visible[field] = metadata[field] as string;
      out['metadata'] = visible;
    }
  }
  for (const [name, property] of node.properties ?? []) {
    if (withTypeAndObjectMeta && (name === 'apiVersion' || name === 'kind' || name === 'metadata')) continue;
    const celName = escapeCelName(name);
    if (celName === undefined || !(name in value)) continue;
    out[celName] = toCelValue(value[name], property, property.embeddedResource);
  }
  return out;
}

/** Converts `value` for CEL per its schema; throws on data that does not fit the schema. */
export function toCelValue(value: unknown, node: SchemaNode, isResourceRoot = false): CelInput {
  if (value === null || value === undefined) return null;
  if (node.intOrString) {
    if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
    if (typeof value === 'string') return value;
    throw new Error('invalid data, expected XIntOrString value to be either a string or integer');
  }
  switch (node.type) {
    case 'object': {
      if (!isRecord(value)) throw new Error('invalid data, expected a map for the provided schema with type=object');
      if (node.embeddedResource || isResourceRoot || node.properties !== undefined) {
        return objectToCel(value, node, node.embeddedResource || isResourceRoot);
      }
      const additional = node.additionalProperties;
      if (additional !== undefined && additional !== true) {
        return new Map(Object.entries(value).map(([key, entry]) => [key, toCelValue(entry, additional, additional.embeddedResource)]));
      }
      return untypedToCel(value);
    }
    case 'array': {
      if (!Array.isArray(value)) throw new Error('invalid data, expected an array for the provided schema with type=array');
      const items = node.items;
      const converted = items === undefined ? value.map(untypedToCel) : value.map((item) => toCelValue(item, items, items.embeddedResource));
      return node.listType === 'set' || node.listType === 'map' ? unorderedList(converted) : converted;
    }
    case 'string':
      if (typeof value !== 'string') throw new Error(`invalid data, expected string, got ${typeof value}`);
      return stringToCel(value, node);
    case 'number':
      if (typeof value !== 'number') throw new Error(`invalid data, expected float, got ${typeof value}`);
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`invalid data, expected int, got ${typeof value}`);
      return BigInt(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`invalid data, expected bool, got ${typeof value}`);
      return value;
    default:
      return untypedToCel(value);
  }
}

/** The fields CEL may select on an object node (escaped names), or undefined for maps and unknown shapes. */
export function celFieldsOf(node: SchemaNode, isResourceRoot: boolean): Map<string, SchemaNode | undefined> | undefined {
  if (node.type !== 'object') return undefined;
  const withMeta = node.embeddedResource || isResourceRoot;
  if (!withMeta && node.properties === undefined) return undefined;
  const fields = new Map<string, SchemaNode | undefined>();
  if (withMeta) {
    fields.set('apiVersion', blankNode('apiVersion', 'string'));
    fields.set('kind', blankNode('kind', 'string'));
    fields.set('metadata', objectMetaAsCelSeesIt);
  }
  for (const [name, property] of node.properties ?? []) {
    if (withMeta && (name === 'apiVersion' || name === 'kind' || name === 'metadata')) continue;
    const celName = escapeCelName(name);
    if (celName !== undefined) fields.set(celName, property);
  }
  return fields;
}
