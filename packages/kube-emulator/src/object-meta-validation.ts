/**
 * metadata checks as kube-apiserver words them (apimachinery's ValidateObjectMeta with the kind's
 * name rule): names are RFC 1123 subdomains (at most 253 characters), or RFC 1123 labels for
 * Namespaces, RFC 1035 labels for Services, path segments for RBAC kinds; generateName is checked
 * as a prefix; label keys are qualified names and values at most 63 characters; annotation keys
 * are qualified names and all annotations together at most 256 KiB. Each broken rule is its own
 * cause, length before pattern, like the Go validators.
 */
import { isJsonObject, type JsonObject } from './json.js';
import type { ResourceType } from './resource-type.js';
import type { FieldError } from './status.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;
const ANNOTATIONS_LIMIT = 256 * 1024;

const full = (pattern: string): RegExp => new RegExp(`^${pattern}$`);
const DNS1123_LABEL_RE = full(DNS1123_LABEL);
const DNS1123_SUBDOMAIN_RE = full(DNS1123_SUBDOMAIN);
const DNS1035_LABEL_RE = full(DNS1035_LABEL);
const QUALIFIED_NAME_RE = full(QUALIFIED_NAME);
const LABEL_VALUE_RE = full(LABEL_VALUE);

/** RegexError: the message, examples, and the pattern. */
function regexError(message: string, pattern: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${pattern}')`;
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${pattern}')`;
}

const maxLen = (n: number): string => `must be no more than ${n} characters`;

export function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLen(253));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN, 'example.com'));
  }
  return errs;
}

export function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!DNS1123_LABEL_RE.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL, 'my-name', '123-abc'));
  }
  return errs;
}

export function dns1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!DNS1035_LABEL_RE.test(value)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL, 'my-name', 'abc-123'));
  }
  return errs;
}

function pathSegmentName(value: string): string[] {
  for (const illegal of ['.', '..']) if (value === illegal) return [`may not be '${illegal}'`];
  return ['/', '%'].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
}

export function qualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push(`name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

export function labelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

type NameRule = (value: string) => string[];

function nameRule(t: ResourceType): NameRule {
  if (t.group === '' && t.plural === 'namespaces') return dns1123Label;
  if (t.group === '' && t.plural === 'services') return dns1035Label;
  if (t.group === 'rbac.authorization.k8s.io') return pathSegmentName;
  return dns1123Subdomain;
}

const invalidValue = (field: string, value: string, message: string): FieldError => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
});

/** The errors of an object's metadata (name already generated from generateName when asked). */
export function objectMetaErrors(t: ResourceType, obj: JsonObject): FieldError[] {
  // core/v1 Events keep their legacy validation, which does not look at metadata.
  if (t.group === '' && t.plural === 'events') return [];
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  const errors: FieldError[] = [];
  const rule = nameRule(t);
  const generateName = typeof meta['generateName'] === 'string' ? meta['generateName'] : '';
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  if (generateName) {
    // A prefix may end in '-': the rule sees it masked, the way apimachinery's maskTrailingDash does.
    const masked = generateName.length > 1 && generateName.endsWith('-') ? `${generateName.slice(0, -2)}a` : generateName;
    for (const m of rule(masked)) errors.push(invalidValue('metadata.generateName', generateName, m));
  }
  if (!name) errors.push({ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' });
  else for (const m of rule(name)) errors.push(invalidValue('metadata.name', name, m));
  const labels = meta['labels'];
  if (isJsonObject(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      for (const m of qualifiedName(k)) errors.push(invalidValue('metadata.labels', k, m));
      for (const m of labelValue(String(v))) errors.push(invalidValue('metadata.labels', String(v), m));
    }
  }
  const annotations = meta['annotations'];
  if (isJsonObject(annotations)) {
    let total = 0;
    for (const [k, v] of Object.entries(annotations)) {
      for (const m of qualifiedName(k.toLowerCase())) errors.push(invalidValue('metadata.annotations', k, m));
      total += k.length + String(v).length;
    }
    if (total > ANNOTATIONS_LIMIT) errors.push({ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: `Too long: may not be more than ${ANNOTATIONS_LIMIT} bytes` });
  }
  return errors;
}
