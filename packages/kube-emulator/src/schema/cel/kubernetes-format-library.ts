// The Kubernetes CEL format library (k8s.io/apiserver/pkg/cel/library/format.go, 1.31+):
// `format.dns1123Label().validate(self)` answers optional.none() for a valid string or an
// optional list of the API server's own validation messages; `format.named('uuid')` looks a
// format up by name. A format travels as a one-entry map under a reserved key.

import { CelScalar, celFunc, celMap, celMethod, isCelMap, mapType, type CelFunc, type CelMap, type CelValue } from '@bufbuild/cel';
import { formatChecker } from '../formats.js';
import { optionalOf } from './optional-values.js';

const DYN_MAP = mapType(CelScalar.DYN, CelScalar.DYN);
const formatKey = '\u0000format';

/** apimachinery's MaxLenError and RegexError wording. */
function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

function regexError(message: string, pattern: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${pattern}')`;
  return `${message} (e.g. ${examples.map((example) => `'${example}', `).join(' or ')}regex used for validation is '${pattern}')`;
}

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const labelValueFmt = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const anchored = (pattern: string): RegExp => new RegExp(`^${pattern}$`);
const dns1123Label = anchored(dns1123LabelFmt);
const dns1123Subdomain = anchored(dns1123SubdomainFmt);
const dns1035Label = anchored(dns1035LabelFmt);
const labelValue = anchored(labelValueFmt);
const qualifiedName = anchored(qualifiedNameFmt);

function isDns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!dns1123Label.test(value)) {
    errors.push(dns1123Subdomain.test(value)
      ? 'must not contain dots'
      : regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errors;
}

function isDns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLenError(253));
  if (!dns1123Subdomain.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", dns1123SubdomainFmt, 'example.com'));
  }
  return errors;
}

function isDns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!dns1035Label.test(value)) {
    errors.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", dns1035LabelFmt, 'my-name', 'abc-123'));
  }
  return errors;
}

function isLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!labelValue.test(value)) {
    errors.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", labelValueFmt, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

function isQualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...isDns1123Subdomain(prefix).map((message) => `prefix part ${message}`));
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!qualifiedName.test(name)) errors.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errors;
}

/** NameIsDNS*(name, prefix=true): a trailing dash is allowed, as generateName would add a suffix. */
function asPrefix(check: (value: string) => string[]): (value: string) => string[] {
  return (value) => check(value.length > 1 && value.endsWith('-') ? `${value.slice(0, -1)}a` : value);
}

function byFormat(format: string, message: string): (value: string) => string[] {
  const check = formatChecker(format);
  return (value) => (check !== undefined && check(value) ? [] : [message]);
}

const formats: Record<string, (value: string) => string[]> = {
  dns1123Label: isDns1123Label,
  dns1123Subdomain: isDns1123Subdomain,
  dns1035Label: isDns1035Label,
  qualifiedName: isQualifiedName,
  dns1123LabelPrefix: asPrefix(isDns1123Label),
  dns1123SubdomainPrefix: asPrefix(isDns1123Subdomain),
  dns1035LabelPrefix: asPrefix(isDns1035Label),
  labelValue: isLabelValue,
  uri: (value) => (formatChecker('uri')?.(value) ? [] : [`parse ${JSON.stringify(value)}: invalid URI for request`]),
  uuid: byFormat('uuid', 'does not match the UUID format'),
  byte: byFormat('byte', 'invalid base64'),
  date: byFormat('date', 'invalid date'),
  datetime: byFormat('datetime', 'invalid datetime'),
};

function formatValue(name: string): CelMap {
  return celMap(new Map([[formatKey, name]]));
}

function formatOf(value: CelValue): (text: string) => string[] {
  const name = isCelMap(value) && value.size === 1 ? value.get(formatKey) : undefined;
  const check = typeof name === 'string' ? formats[name] : undefined;
  if (check === undefined) throw new Error('no such overload: validate applies to a format');
  return check;
}

export const kubernetesFormatFunctions: CelFunc[] = [
  ...Object.keys(formats).map((name) => celFunc(`format.${name}`, [], DYN_MAP, () => formatValue(name))),
  celFunc('format.named', [CelScalar.STRING], DYN_MAP, (name: string) => optionalOf(name in formats ? formatValue(name) : undefined)),
  celMethod('validate', DYN_MAP, [CelScalar.STRING], DYN_MAP, function (this: CelMap, text: string) {
    const errors = formatOf(this)(text);
    return optionalOf(errors.length === 0 ? undefined : errors);
  }),
];
