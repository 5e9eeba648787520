// Reads an apiextensions.k8s.io/v1 openAPIV3Schema into a typed tree and enforces the rules
// that make it a structural schema. Every problem is collected with its schema path
// (`openAPIV3Schema.properties[spec].type`) so a bad CRD is rejected with a message that says
// what to fix.

import { compileGoRegexp, type GoRegexp } from './go-regexp.js';
import { formatChecker } from './formats.js';

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
export type ListType = 'atomic' | 'set' | 'map';
export type RuleReason = 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';

export interface ValidationRuleSpec {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: RuleReason;
  optionalOldSelf?: boolean;
  /** Where the rule sits, for compile errors: `openAPIV3Schema.properties[spec].x-kubernetes-validations[0]`. */
  location: string;
}

export interface SchemaNode {
  location: string;
  type: SchemaType | undefined;
  nullable: boolean;
  /** The format as written (CEL reads date-time, date, duration and byte values through it). */
  format: string | undefined;
  /** The format when the API server validates it, else undefined (int64 and friends are stripped). */
  validatedFormat: string | undefined;
  hasDefault: boolean;
  defaultValue: unknown;
  properties: Map<string, SchemaNode> | undefined;
  /** A schema for the values of a map, or `true` for values of any kind. */
  additionalProperties: SchemaNode | true | undefined;
  items: SchemaNode | undefined;
  required: string[];
  enumValues: unknown[] | undefined;
  pattern: GoRegexp | undefined;
  minLength: number | undefined;
  maxLength: number | undefined;
  minItems: number | undefined;
  maxItems: number | undefined;
  minProperties: number | undefined;
  maxProperties: number | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  exclusiveMinimum: boolean;
  exclusiveMaximum: boolean;
  multipleOf: number | undefined;
  intOrString: boolean;
  preserveUnknownFields: boolean;
  embeddedResource: boolean;
  listType: ListType | undefined;
  listMapKeys: string[] | undefined;
  mapType: 'granular' | 'atomic' | undefined;
  validations: ValidationRuleSpec[];
  allOf: SchemaNode[];
  anyOf: SchemaNode[];
  oneOf: SchemaNode[];
  not: SchemaNode | undefined;
}

const schemaTypes: readonly SchemaType[] = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const ruleReasons: readonly RuleReason[] = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];
const knownKeywords = new Set([
  'id', '$schema', '$ref', 'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum',
  'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems',
  'multipleOf', 'enum', 'maxProperties', 'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not',
  'properties', 'additionalProperties', 'patternProperties', 'dependencies', 'additionalItems', 'definitions',
  'externalDocs', 'example', 'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type',
  'x-kubernetes-validations',
]);
const validationRuleFields = new Set(['rule', 'message', 'messageExpression', 'fieldPath', 'reason', 'optionalOldSelf']);
const unsupportedKeywords = ['$ref', 'definitions', 'patternProperties', 'dependencies', 'additionalItems', 'id', '$schema'];

/** Collects schema problems, each with its schema path. */
export class SchemaProblems {
  readonly found: SchemaProblem[] = [];
  add(location: string, problem: string): void {
    this.found.push({ field: location, reason: reasonOf(problem), message: problem });
  }
}

/** One problem of a schema, shaped like a field cause of a 422 on the CRD (`field` relative to the schema). */
export interface SchemaProblem {
  /** Where in the schema, e.g. `openAPIV3Schema.properties[spec].properties[roleName].pattern`. */
  field: string;
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden';
  /** The error body, e.g. `Invalid value: "(": must be a valid regular expression, but isn't: ...`. */
  message: string;
}

function reasonOf(problem: string): SchemaProblem['reason'] {
  if (problem.startsWith('Required value')) return 'FieldValueRequired';
  if (problem.startsWith('Unsupported value')) return 'FieldValueNotSupported';
  if (problem.startsWith('Forbidden')) return 'FieldValueForbidden';
  return 'FieldValueInvalid';
}

/** Thrown by compileSchema: the message lists every problem; `problems` has them one by one. */
export class InvalidSchemaError extends Error {
  constructor(readonly problems: readonly SchemaProblem[]) {
    super(`invalid openAPIV3Schema (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'InvalidSchemaError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface ReadContext {
  problems: SchemaProblems;
  /** Junctor branches (allOf/anyOf/oneOf/not) only restrict values; they carry no structure. */
  valueValidationOnly: boolean;
}

function readNonNegativeInteger(raw: Record<string, unknown>, key: string, location: string, ctx: ReadContext): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    ctx.problems.add(`${location}.${key}`, `Invalid value: ${JSON.stringify(value)}: must be a non-negative integer`);
    return undefined;
  }
  return value;
}

function readNumber(raw: Record<string, unknown>, key: string, location: string, ctx: ReadContext): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') {
    ctx.problems.add(`${location}.${key}`, `Invalid value: ${JSON.stringify(value)}: must be a number`);
    return undefined;
  }
  return value;
}

function readBoolean(raw: Record<string, unknown>, key: string, location: string, ctx: ReadContext): boolean {
  const value = raw[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    ctx.problems.add(`${location}.${key}`, `Invalid value: ${JSON.stringify(value)}: must be true or false`);
    return false;
  }
  return value;
}

function readStringList(raw: Record<string, unknown>, key: string, location: string, ctx: ReadContext): string[] | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    ctx.problems.add(`${location}.${key}`, 'Invalid value: must be a list of strings');
    return undefined;
  }
  return value as string[];
}

function readValidationRules(raw: Record<string, unknown>, location: string, ctx: ReadContext): ValidationRuleSpec[] {
  const value = raw['x-kubernetes-validations'];
  if (value === undefined) return [];
  const here = `${location}.x-kubernetes-validations`;
  if (!Array.isArray(value)) {
    ctx.problems.add(here, 'Invalid value: must be a list of {rule, message, messageExpression, fieldPath, reason}');
    return [];
  }
  const rules: ValidationRuleSpec[] = [];
  value.forEach((entry: unknown, index) => {
    const ruleLocation = `${here}[${index}]`;
    if (!isRecord(entry)) {
      ctx.problems.add(ruleLocation, 'Invalid value: must be an object with a rule');
      return;
    }
    const rule = entry['rule'];
    if (typeof rule !== 'string' || rule.trim().length === 0) {
      ctx.problems.add(`${ruleLocation}.rule`, 'Required value: rule is not specified');
      return;
    }
    const spec: ValidationRuleSpec = { rule, location: ruleLocation };
    const message = entry['message'];
    if (message !== undefined) {
      if (typeof message !== 'string' || message.trim().length === 0) {
        ctx.problems.add(`${ruleLocation}.message`, 'Invalid value: must be a non-empty string');
      } else if (/[\n]/.test(message)) {
        ctx.problems.add(`${ruleLocation}.message`, `Invalid value: ${JSON.stringify(message)}: message must not contain line breaks`);
      } else {
        spec.message = message;
      }
    }
    const messageExpression = entry['messageExpression'];
    if (messageExpression !== undefined) {
      if (typeof messageExpression !== 'string' || messageExpression.trim().length === 0) {
        ctx.problems.add(`${ruleLocation}.messageExpression`, 'Required value: messageExpression must be non-empty if specified');
      } else {
        spec.messageExpression = messageExpression;
      }
    }
    const fieldPath = entry['fieldPath'];
    if (fieldPath !== undefined) {
      if (typeof fieldPath !== 'string') ctx.problems.add(`${ruleLocation}.fieldPath`, 'Invalid value: must be a string');
      else spec.fieldPath = fieldPath;
    }
    const reason = entry['reason'];
    if (reason !== undefined) {
      if (typeof reason !== 'string' || !ruleReasons.includes(reason as RuleReason)) {
        ctx.problems.add(
          `${ruleLocation}.reason`,
          `Unsupported value: ${JSON.stringify(reason)}: supported values: ${ruleReasons.map((r) => `"${r}"`).join(', ')}`,
        );
      } else {
        spec.reason = reason as RuleReason;
      }
    }
    const optionalOldSelf = entry['optionalOldSelf'];
    if (optionalOldSelf !== undefined) {
      if (typeof optionalOldSelf !== 'boolean') ctx.problems.add(`${ruleLocation}.optionalOldSelf`, 'Invalid value: must be true or false');
      else spec.optionalOldSelf = optionalOldSelf;
    }
    rules.push(spec);
  });
  return rules;
}

function readJunctor(raw: Record<string, unknown>, key: 'allOf' | 'anyOf' | 'oneOf', location: string, ctx: ReadContext): SchemaNode[] {
  const value = raw[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    ctx.problems.add(`${location}.${key}`, 'Invalid value: must be a list of schemas');
    return [];
  }
  const branchCtx: ReadContext = { ...ctx, valueValidationOnly: true };
  return value.map((branch: unknown, index) => readNode(branch, `${location}.${key}[${index}]`, branchCtx));
}

export function readNode(rawValue: unknown, location: string, ctx: ReadContext): SchemaNode {
  const raw: Record<string, unknown> = isRecord(rawValue) ? rawValue : {};
  if (!isRecord(rawValue)) ctx.problems.add(location, 'Invalid value: a schema must be an object');

  // Unknown keywords are not problems: the API server's decoder drops them (rejecting them only
  // under fieldValidation=Strict, see unknownSchemaFields).
  for (const key of Object.keys(raw)) {
    if (unsupportedKeywords.includes(key)) {
      ctx.problems.add(`${location}.${key}`, 'Forbidden: not allowed in a structural schema of apiextensions.k8s.io/v1');
    }
  }
  if (raw['uniqueItems'] === true) {
    ctx.problems.add(`${location}.uniqueItems`, 'Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic; use x-kubernetes-list-type: set');
  }

  let type: SchemaType | undefined;
  const rawType = raw['type'];
  if (rawType !== undefined && rawType !== '') {
    if (typeof rawType === 'string' && schemaTypes.includes(rawType as SchemaType)) type = rawType as SchemaType;
    else ctx.problems.add(`${location}.type`, `Unsupported value: ${JSON.stringify(rawType)}: supported values: ${schemaTypes.map((t) => `"${t}"`).join(', ')}`);
  }

  const intOrString = readBoolean(raw, 'x-kubernetes-int-or-string', location, ctx);
  const preserveUnknownFields = readBoolean(raw, 'x-kubernetes-preserve-unknown-fields', location, ctx);
  const embeddedResource = readBoolean(raw, 'x-kubernetes-embedded-resource', location, ctx);

  let pattern: GoRegexp | undefined;
  const rawPattern = raw['pattern'];
  if (rawPattern !== undefined) {
    if (typeof rawPattern !== 'string') {
      ctx.problems.add(`${location}.pattern`, 'Invalid value: must be a string');
    } else {
      try {
        pattern = compileGoRegexp(rawPattern);
      } catch (error) {
        ctx.problems.add(`${location}.pattern`, `Invalid value: ${JSON.stringify(rawPattern)}: must be a valid regular expression, but isn't: ${(error as Error).message}`);
      }
    }
  }

  const rawFormat = raw['format'];
  let format: string | undefined;
  if (rawFormat !== undefined) {
    if (typeof rawFormat !== 'string') ctx.problems.add(`${location}.format`, 'Invalid value: must be a string');
    else if (rawFormat.length > 0) format = rawFormat;
  }

  let enumValues: unknown[] | undefined;
  if (raw['enum'] !== undefined) {
    if (!Array.isArray(raw['enum'])) ctx.problems.add(`${location}.enum`, 'Invalid value: must be a list of values');
    else enumValues = raw['enum'] as unknown[];
  }

  let properties: Map<string, SchemaNode> | undefined;
  const rawProperties = raw['properties'];
  if (rawProperties !== undefined) {
    if (!isRecord(rawProperties)) {
      ctx.problems.add(`${location}.properties`, 'Invalid value: must be a map of schemas');
    } else {
      properties = new Map();
      for (const [name, child] of Object.entries(rawProperties)) {
        properties.set(name, readNode(child, `${location}.properties[${name}]`, ctx));
      }
    }
  }

  let additionalProperties: SchemaNode | true | undefined;
  const rawAdditional = raw['additionalProperties'];
  if (rawAdditional === false) {
    ctx.problems.add(`${location}.additionalProperties`, 'Forbidden: additionalProperties cannot be set to false');
  } else if (rawAdditional === true) {
    additionalProperties = true;
  } else if (rawAdditional !== undefined) {
    additionalProperties = readNode(rawAdditional, `${location}.additionalProperties`, ctx);
  }

  let items: SchemaNode | undefined;
  if (raw['items'] !== undefined) {
    if (Array.isArray(raw['items'])) ctx.problems.add(`${location}.items`, 'Forbidden: items must be a schema object and not an array');
    else items = readNode(raw['items'], `${location}.items`, ctx);
  }

  let listType: ListType | undefined;
  const rawListType = raw['x-kubernetes-list-type'];
  if (rawListType !== undefined) {
    if (rawListType === 'atomic' || rawListType === 'set' || rawListType === 'map') listType = rawListType;
    else ctx.problems.add(`${location}.x-kubernetes-list-type`, `Unsupported value: ${JSON.stringify(rawListType)}: supported values: "atomic", "map", "set"`);
  }
  const listMapKeys = readStringList(raw, 'x-kubernetes-list-map-keys', location, ctx);
  let mapType: 'granular' | 'atomic' | undefined;
  const rawMapType = raw['x-kubernetes-map-type'];
  if (rawMapType !== undefined) {
    if (rawMapType === 'granular' || rawMapType === 'atomic') mapType = rawMapType;
    else ctx.problems.add(`${location}.x-kubernetes-map-type`, `Unsupported value: ${JSON.stringify(rawMapType)}: supported values: "atomic", "granular"`);
  }

  const node: SchemaNode = {
    location,
    type,
    nullable: readBoolean(raw, 'nullable', location, ctx),
    format,
    validatedFormat: format !== undefined && formatChecker(format) !== undefined ? format : undefined,
    hasDefault: 'default' in raw,
    defaultValue: raw['default'],
    properties,
    additionalProperties,
    items,
    required: readStringList(raw, 'required', location, ctx) ?? [],
    enumValues,
    pattern,
    minLength: readNonNegativeInteger(raw, 'minLength', location, ctx),
    maxLength: readNonNegativeInteger(raw, 'maxLength', location, ctx),
    minItems: readNonNegativeInteger(raw, 'minItems', location, ctx),
    maxItems: readNonNegativeInteger(raw, 'maxItems', location, ctx),
    minProperties: readNonNegativeInteger(raw, 'minProperties', location, ctx),
    maxProperties: readNonNegativeInteger(raw, 'maxProperties', location, ctx),
    minimum: readNumber(raw, 'minimum', location, ctx),
    maximum: readNumber(raw, 'maximum', location, ctx),
    exclusiveMinimum: readBoolean(raw, 'exclusiveMinimum', location, ctx),
    exclusiveMaximum: readBoolean(raw, 'exclusiveMaximum', location, ctx),
    multipleOf: readNumber(raw, 'multipleOf', location, ctx),
    intOrString,
    preserveUnknownFields,
    embeddedResource,
    listType,
    listMapKeys,
    mapType,
    validations: readValidationRules(raw, location, ctx),
    allOf: readJunctor(raw, 'allOf', location, ctx),
    anyOf: readJunctor(raw, 'anyOf', location, ctx),
    oneOf: readJunctor(raw, 'oneOf', location, ctx),
    not: raw['not'] === undefined ? undefined : readNode(raw['not'], `${location}.not`, { ...ctx, valueValidationOnly: true }),
  };
  if (node.multipleOf !== undefined && node.multipleOf <= 0) {
    ctx.problems.add(`${location}.multipleOf`, `Invalid value: ${node.multipleOf}: must be greater than zero`);
  }
  if (ctx.valueValidationOnly) checkValueValidationBranch(raw, location, ctx);
  else checkStructural(node, ctx, rawType !== undefined && rawType !== '');
  return node;
}

/** Branches of allOf/anyOf/oneOf/not may only restrict values (structural schema rule). */
function checkValueValidationBranch(raw: Record<string, unknown>, location: string, ctx: ReadContext): void {
  const forbidden = ['description', 'type', 'default', 'additionalProperties', 'nullable', 'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type'];
  for (const key of forbidden) {
    if (key in raw && !(key === 'type' && isIntOrStringBranch(raw))) {
      ctx.problems.add(`${location}.${key}`, 'Forbidden: must not be specified inside allOf, anyOf, oneOf or not');
    }
  }
}

function isIntOrStringBranch(raw: Record<string, unknown>): boolean {
  return raw['type'] === 'integer' || raw['type'] === 'string';
}

function isScalar(node: SchemaNode): boolean {
  return node.type === 'string' || node.type === 'integer' || node.type === 'number' || node.type === 'boolean' || node.intOrString;
}

function checkStructural(node: SchemaNode, ctx: ReadContext, typeWritten: boolean): void {
  const location = node.location;
  const problems = ctx.problems;
  if (node.intOrString) {
    if (node.type !== undefined) problems.add(`${location}.type`, 'Forbidden: must be empty when x-kubernetes-int-or-string is true');
  } else if (!typeWritten && !node.preserveUnknownFields) {
    problems.add(`${location}.type`, 'Required value: must not be empty for specified fields (or set x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string)');
  }
  if (node.properties !== undefined && node.type !== 'object' && node.type !== undefined) {
    problems.add(`${location}.properties`, `Forbidden: must only be used with type: object, not ${node.type}`);
  }
  if (node.additionalProperties !== undefined) {
    if (node.type !== 'object' && node.type !== undefined) {
      problems.add(`${location}.additionalProperties`, `Forbidden: must only be used with type: object, not ${node.type}`);
    }
    if (node.properties !== undefined) {
      problems.add(`${location}.additionalProperties`, 'Forbidden: additionalProperties and properties are mutual exclusive');
    }
  }
  if (node.type === 'array' && node.items === undefined) {
    problems.add(`${location}.items`, 'Required value: must be specified for type: array');
  }
  if (node.items !== undefined && node.type !== 'array' && node.type !== undefined) {
    problems.add(`${location}.items`, `Forbidden: must only be used with type: array, not ${node.type}`);
  }
  if (node.embeddedResource) {
    if (node.type !== 'object') problems.add(`${location}.type`, 'Invalid value: must be object if x-kubernetes-embedded-resource is true');
    if (node.properties === undefined && !node.preserveUnknownFields) {
      problems.add(`${location}.properties`, 'Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields');
    }
  }
  if (node.listType !== undefined && node.type !== 'array') {
    problems.add(`${location}.x-kubernetes-list-type`, 'Invalid value: must only be used on type: array');
  }
  if (node.listMapKeys !== undefined && node.listType !== 'map') {
    problems.add(`${location}.x-kubernetes-list-map-keys`, 'Forbidden: must only be used with x-kubernetes-list-type: map');
  }
  if (node.mapType !== undefined && node.type !== 'object') {
    problems.add(`${location}.x-kubernetes-map-type`, 'Invalid value: must only be used on type: object');
  }
  if (node.listType === 'set' && node.items !== undefined && !isScalar(node.items)) {
    const atomicItems = (node.items.type === 'object' && node.items.mapType === 'atomic') || (node.items.type === 'array' && node.items.listType === 'atomic');
    if (!atomicItems) {
      problems.add(`${location}.items`, 'Invalid value: must be a scalar, or an atomic object or list, when x-kubernetes-list-type is set');
    }
  }
  if (node.listType === 'map') checkListMap(node, ctx);
}

function checkListMap(node: SchemaNode, ctx: ReadContext): void {
  const location = node.location;
  if (node.items === undefined || node.items.type !== 'object') {
    ctx.problems.add(`${location}.items.type`, 'Invalid value: must be object when x-kubernetes-list-type is map');
    return;
  }
  if (node.listMapKeys === undefined || node.listMapKeys.length === 0) {
    ctx.problems.add(`${location}.x-kubernetes-list-map-keys`, 'Required value: must not be empty when x-kubernetes-list-type is map');
    return;
  }
  for (const key of node.listMapKeys) {
    const keySchema = node.items.properties?.get(key);
    if (keySchema === undefined) {
      ctx.problems.add(`${location}.x-kubernetes-list-map-keys`, `Invalid value: "${key}": entries must all be names of item properties`);
      continue;
    }
    if (!isScalar(keySchema)) {
      ctx.problems.add(`${location}.items.properties[${key}].type`, 'Invalid value: must be a scalar type if the field is a map key');
    }
    if (!node.items.required.includes(key) && !keySchema.hasDefault) {
      ctx.problems.add(`${location}.items.properties[${key}]`, 'Invalid value: all map keys must be required or have a default value');
    }
  }
}

/** Reads and checks a whole openAPIV3Schema (the root must be an object). */
export function readStructuralSchema(raw: Record<string, unknown>, problems: SchemaProblems): SchemaNode {
  const root = readNode(raw, 'openAPIV3Schema', { problems, valueValidationOnly: false });
  if (root.type !== 'object') problems.add('openAPIV3Schema.type', 'Invalid value: must be object at the root');
  if (root.nullable) problems.add('openAPIV3Schema.nullable', 'Forbidden: must be false at the root');
  if (root.hasDefault) problems.add('openAPIV3Schema.default', 'Forbidden: must not be set at the root');
  const metadata = root.properties?.get('metadata');
  if (metadata?.properties !== undefined) {
    for (const name of metadata.properties.keys()) {
      if (name !== 'name' && name !== 'generateName') {
        problems.add(`openAPIV3Schema.properties[metadata].properties[${name}]`, 'Forbidden: only name and generateName may be restricted at the root metadata');
      }
    }
  }
  return root;
}

/** A node's value type for messages and CEL errors (`sts.Type`): empty for int-or-string. */
export function nodeTypeName(node: SchemaNode): string {
  return node.type ?? '';
}

/** A node with no constraints, for synthetic schemas (the `metadata` CEL sees at a resource root). */
export function blankNode(location: string, type: SchemaType | undefined, properties?: Map<string, SchemaNode>): SchemaNode {
  return {
    location, type, nullable: false, format: undefined, validatedFormat: undefined, hasDefault: false, defaultValue: undefined,
    properties, additionalProperties: undefined, items: undefined, required: [], enumValues: undefined, pattern: undefined,
    minLength: undefined, maxLength: undefined, minItems: undefined, maxItems: undefined, minProperties: undefined,
    maxProperties: undefined, minimum: undefined, maximum: undefined, exclusiveMinimum: false, exclusiveMaximum: false,
    multipleOf: undefined, intOrString: false, preserveUnknownFields: false, embeddedResource: false, listType: undefined,
    listMapKeys: undefined, mapType: undefined, validations: [], allOf: [], anyOf: [], oneOf: [], not: undefined,
  };
}

/**
 * Fields of an openAPIV3Schema that are not JSONSchemaProps fields, as the API server's strict
 * decoder names them relative to the schema (`properties.spec.properties.foo.requried`).
 * kube-apiserver drops them, warns under fieldValidation=Warn and rejects the CRD under Strict
 * (`kubectl apply` defaults to Strict).
 */
export function unknownSchemaFields(raw: unknown, path = ''): string[] {
  if (!isRecord(raw)) return [];
  const join = (segment: string): string => (path.length > 0 ? `${path}.${segment}` : segment);
  const found: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!knownKeywords.has(key)) {
      found.push(join(key));
      continue;
    }
    if ((key === 'properties' || key === 'patternProperties' || key === 'definitions' || key === 'dependencies') && isRecord(value)) {
      for (const [name, child] of Object.entries(value)) found.push(...unknownSchemaFields(child, join(`${key}.${name}`)));
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      value.forEach((child: unknown, index) => found.push(...unknownSchemaFields(child, join(`${key}[${index}]`))));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isRecord(value)) {
      found.push(...unknownSchemaFields(value, join(key)));
    } else if (key === 'x-kubernetes-validations' && Array.isArray(value)) {
      value.forEach((rule: unknown, index) => {
        if (!isRecord(rule)) return;
        for (const field of Object.keys(rule)) {
          if (!validationRuleFields.has(field)) found.push(join(`${key}[${index}].${field}`));
        }
      });
    }
  }
  return found;
}
