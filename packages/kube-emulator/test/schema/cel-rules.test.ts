import { describe, expect, it } from 'vitest';
import { compileSchema, type CompiledSchema } from '../../src/schema/index.js';

function withSpec(spec: Record<string, unknown>): CompiledSchema {
  return compileSchema({ type: 'object', properties: { spec } });
}

describe('x-kubernetes-validations rules', () => {
  it('reports a failing rule with its message as Invalid value: "<type>"', () => {
    const schema = withSpec({
      type: 'object',
      'x-kubernetes-validations': [{ rule: 'has(self.a) || has(self.b)', message: 'set a, b, or both' }],
      properties: { a: { type: 'string' }, b: { type: 'string' } },
    });
    expect(schema.validate({ spec: { a: 'x' } })).toEqual([]);
    expect(schema.validate({ spec: {} })).toEqual([{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": set a, b, or both' }]);
  });

  it('says "failed rule: <rule>" when the rule has no message', () => {
    const schema = withSpec({ type: 'object', properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= 30' }] } } });
    expect(schema.validate({ spec: { n: 10 } })).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.n', message: 'Invalid value: "integer": failed rule: self >= 30' }]);
  });

  it('uses "<nil>" for a rule on the object root, like the API server', () => {
    const schema = compileSchema({
      type: 'object',
      'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('irb-')", message: 'names start with irb-' }],
      properties: { spec: { type: 'object' } },
    });
    expect(schema.validate({ metadata: { name: 'irb-a' }, spec: {} })).toEqual([]);
    expect(schema.validate({ metadata: { name: 'web' }, spec: {} })).toEqual([
      { reason: 'FieldValueInvalid', field: '<nil>', message: 'Invalid value: "object": names start with irb-' },
    ]);
  });

  it('exposes integers as int, numbers as double and objects with their declared fields', () => {
    const schema = withSpec({
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.count + 1 == 3', message: 'int arithmetic' },
        { rule: 'self.ratio * 2.0 == 1.0', message: 'double arithmetic' },
        { rule: "type(self.count) == int && type(self.ratio) == double && type(self.name) == string && type(self.on) == bool", message: 'types' },
        { rule: "self.nested.inner == 'x'", message: 'nested objects' },
      ],
      properties: {
        count: { type: 'integer' },
        ratio: { type: 'number' },
        name: { type: 'string' },
        on: { type: 'boolean' },
        nested: { type: 'object', properties: { inner: { type: 'string' } } },
      },
    });
    expect(schema.validate({ spec: { count: 2, ratio: 0.5, name: 'n', on: true, nested: { inner: 'x' } } })).toEqual([]);
  });

  it('iterates lists and maps with all() and exists()', () => {
    const schema = withSpec({
      type: 'object',
      properties: {
        ids: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: "self.all(id, id.startsWith('i-'))", message: 'ids start with i-' }] },
        tags: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-validations': [{ rule: "self.exists(k, k == 'app')", message: 'needs an app tag' }] },
      },
    });
    expect(schema.validate({ spec: { ids: ['i-1', 'i-2'], tags: { app: 'web' } } })).toEqual([]);
    expect(schema.validate({ spec: { ids: ['i-1', 'x-2'], tags: { team: 'a' } } })).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.ids', message: 'Invalid value: "array": ids start with i-' },
      { reason: 'FieldValueInvalid', field: 'spec.tags', message: 'Invalid value: "object": needs an app tag' },
    ]);
  });

  it('evaluates rules on list items and map values at their own paths', () => {
    const schema = withSpec({
      type: 'object',
      properties: {
        ids: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() <= 5' }] } },
        tags: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != ''", message: 'empty tag value' }] } },
      },
    });
    expect(schema.validate({ spec: { ids: ['i-1', 'i-123456'], tags: { app: '', team: 'a' } } })).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.ids[1]', message: 'Invalid value: "string": failed rule: self.size() <= 5' },
      { reason: 'FieldValueInvalid', field: 'spec.tags[app]', message: 'Invalid value: "string": empty tag value' },
    ]);
  });

  it('maps reason to the cause type and appends fieldPath to the field', () => {
    const schema = withSpec({
      type: 'object',
      properties: { a: { type: 'string' }, tags: { type: 'object', additionalProperties: { type: 'string' } } },
      'x-kubernetes-validations': [
        { rule: 'has(self.a)', message: 'a is needed', reason: 'FieldValueRequired', fieldPath: '.a' },
        { rule: "!has(self.tags) || !('root' in self.tags)", message: 'root is reserved', reason: 'FieldValueForbidden', fieldPath: ".tags['root']" },
        { rule: 'false', reason: 'FieldValueDuplicate' },
      ],
    });
    expect(schema.validate({ spec: { tags: { root: 'x' } } })).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.a', message: 'Required value: a is needed' },
      { reason: 'FieldValueForbidden', field: 'spec.tags[root]', message: 'Forbidden: root is reserved' },
      { reason: 'FieldValueDuplicate', field: 'spec', message: 'Duplicate value: "object"' },
    ]);
  });

  it('uses messageExpression when it yields a usable string, else the message', () => {
    const schema = withSpec({
      type: 'object',
      properties: { n: { type: 'integer' } },
      'x-kubernetes-validations': [
        { rule: 'self.n < 10', messageExpression: "'n must be below 10, got ' + string(self.n)" },
        { rule: 'self.n < 5', message: 'static message', messageExpression: "''" },
      ],
    });
    expect(schema.validate({ spec: { n: 12 } })).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": n must be below 10, got 12' },
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": static message' },
    ]);
  });

  it('reports runtime errors in cel-go words', () => {
    const schema = withSpec({
      type: 'object',
      properties: { a: { type: 'string' }, list: { type: 'array', items: { type: 'integer' } } },
      'x-kubernetes-validations': [{ rule: "self.a == 'x'" }, { rule: 'self.list[3] == 1', message: 'fourth item' }],
    });
    expect(schema.validate({ spec: { list: [1] } })).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: "Invalid value: \"object\": no such key: a evaluating rule: self.a == 'x'" },
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": index out of bounds: 3 evaluating rule: fourth item' },
    ]);
  });

  it('reads date-time and duration formatted strings as timestamps and durations', () => {
    const schema = withSpec({
      type: 'object',
      properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' }, period: { type: 'string', format: 'duration' } },
      'x-kubernetes-validations': [
        { rule: 'self.end > self.start', message: 'end after start' },
        { rule: "self.period >= duration('30s')", message: 'period of at least 30s' },
      ],
    });
    expect(schema.validate({ spec: { start: '2026-11-23T10:00:00Z', end: '2026-11-23T11:00:00Z', period: '5m' } })).toEqual([]);
    expect(schema.validate({ spec: { start: '2026-11-23T10:00:00Z', end: '2026-11-23T09:00:00+00:00', period: '10s' } })).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": end after start' },
      { reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": period of at least 30s' },
    ]);
  });

  it('escapes property names that are not CEL identifiers', () => {
    const schema = withSpec({
      type: 'object',
      properties: { 'max-count': { type: 'integer' }, namespace: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: "self.max__dash__count > 0 && self.__namespace__ != ''" }],
    });
    expect(schema.validate({ spec: { 'max-count': 1, namespace: 'n' } })).toEqual([]);
    expect(schema.validate({ spec: { 'max-count': 0, namespace: 'n' } })).toHaveLength(1);
  });

  it('provides the Kubernetes list, regex, string and set libraries', () => {
    const rules = [
      'self.nums.isSorted()',
      'self.nums.sum() == 6',
      'self.nums.min() == 1 && self.nums.max() == 3',
      "self.words.indexOf('b') == 1 && self.words.lastIndexOf('a') == 2",
      "self.text.find('[0-9]+') == '42'",
      "self.text.findAll('[a-z]+') == ['abc', 'def']",
      "self.text.lowerAscii().upperAscii() == 'ABC42DEF' && self.text.split('42') == ['abc', 'def']",
      "['x', 'y'].join('-') == 'x-y' && '  t '.trim() == 't'",
      "sets.contains(self.words, ['a']) && sets.intersects(self.words, ['b', 'z']) && !sets.equivalent(self.words, ['a'])",
      "self.text.matches('^[a-z]+[0-9]+[a-z]+$')",
    ];
    const schema = withSpec({
      type: 'object',
      properties: { nums: { type: 'array', items: { type: 'integer' } }, words: { type: 'array', items: { type: 'string' } }, text: { type: 'string' } },
      'x-kubernetes-validations': rules.map((rule) => ({ rule })),
    });
    expect(schema.validate({ spec: { nums: [1, 2, 3], words: ['a', 'b', 'a'], text: 'abc42def' } })).toEqual([]);
    const failures = schema.validate({ spec: { nums: [3, 2], words: ['c'], text: 'xyz' } });
    expect(failures.map((cause) => cause.message)).toEqual([
      'Invalid value: "object": failed rule: self.nums.isSorted()',
      'Invalid value: "object": failed rule: self.nums.sum() == 6',
      'Invalid value: "object": failed rule: self.nums.min() == 1 && self.nums.max() == 3',
      "Invalid value: \"object\": failed rule: self.words.indexOf('b') == 1 && self.words.lastIndexOf('a') == 2",
      "Invalid value: \"object\": failed rule: self.text.find('[0-9]+') == '42'",
      "Invalid value: \"object\": failed rule: self.text.findAll('[a-z]+') == ['abc', 'def']",
      "Invalid value: \"object\": failed rule: self.text.lowerAscii().upperAscii() == 'ABC42DEF' && self.text.split('42') == ['abc', 'def']",
      "Invalid value: \"object\": failed rule: sets.contains(self.words, ['a']) && sets.intersects(self.words, ['b', 'z']) && !sets.equivalent(self.words, ['a'])",
      "Invalid value: \"object\": failed rule: self.text.matches('^[a-z]+[0-9]+[a-z]+$')",
    ]);
  });

  it('extracts matches with find and findAll for RE2-only syntax too', () => {
    const rules = [
      "self.text.find('\\\\pL+') == 'héllo'",
      "self.text.find('(?i)WORLD') == 'world'",
      "self.text.findAll('[[:digit:]]+') == ['42', '7']",
      "self.text.findAll('(?P<n>[0-9])', 1) == ['4']",
      "self.text.find('\\\\Qa.b\\\\E') == 'a.b' && self.text.find('\\\\Ahéllo') == 'héllo'",
    ];
    const schema = withSpec({ type: 'object', properties: { text: { type: 'string' } }, 'x-kubernetes-validations': rules.map((rule) => ({ rule })) });
    expect(schema.validate({ spec: { text: 'héllo world 42 a.b 7' } })).toEqual([]);
  });

  it('provides the Kubernetes Quantity and URL types', () => {
    const rules = [
      "quantity(self.memory).isLessThan(quantity('2Gi'))",
      "quantity(self.memory) == quantity('1024Mi')",
      "quantity(self.memory).compareTo(quantity('1G')) == 1",
      "quantity(self.memory).add(quantity('512Mi')).isGreaterThan(quantity('1.5G'))",
      "quantity(self.cpu).sign() == 1 && !quantity(self.cpu).isInteger() && quantity('3').asInteger() == 3",
      "quantity(self.cpu).asApproximateFloat() == 0.25 && isQuantity('1e3') && !isQuantity('1 Gi')",
      "isURL(self.endpoint) && url(self.endpoint).getScheme() == 'https' && url(self.endpoint).getHostname() == 'ecs.aliyuncs.com'",
      "url(self.endpoint).getPort() == '8443' && url(self.endpoint).getHost() == 'ecs.aliyuncs.com:8443'",
      "url(self.endpoint).getEscapedPath() == '/api/v1' && url(self.endpoint).getQuery()['region'] == ['cn-hangzhou', 'cn-beijing']",
      "url('/relative/path').getScheme() == '' && !isURL('not a url')",
    ];
    const schema = withSpec({
      type: 'object',
      properties: { memory: { type: 'string' }, cpu: { type: 'string' }, endpoint: { type: 'string' } },
      'x-kubernetes-validations': rules.map((rule) => ({ rule })),
    });
    expect(schema.validate({ spec: { memory: '1Gi', cpu: '250m', endpoint: 'https://ecs.aliyuncs.com:8443/api/v1?region=cn-hangzhou&region=cn-beijing' } })).toEqual([]);
    const failed = schema.validate({ spec: { memory: '3Gi', cpu: '1', endpoint: 'http://x' } }).map((cause) => cause.message);
    expect(failed).toEqual([0, 1, 4, 5, 6, 7, 8].map((index) => `Invalid value: "object": failed rule: ${rules[index]}`));
    expect(schema.validate({ spec: { memory: 'lots', cpu: '1', endpoint: 'http://x' } })[0]?.message).toMatch(/quantities must match the regular expression .* evaluating rule: quantity\(self\.memory\)/);
  });

  it('provides the Kubernetes IP and CIDR types', () => {
    const rules = [
      "ip(self.address).family() == 4 && ip('2001:db8::1').family() == 6",
      "cidr(self.network).containsIP(ip(self.address)) && cidr(self.network).containsIP('10.1.2.3') && !cidr(self.network).containsIP('11.0.0.1')",
      "cidr(self.network).containsCIDR('10.9.0.0/16') && !cidr(self.network).containsCIDR('0.0.0.0/0')",
      "cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8') && cidr(self.network).prefixLength() == 8 && cidr('10.1.2.3/8').ip() == ip('10.1.2.3')",
      "ip('127.0.0.1').isLoopback() && ip('::').isUnspecified() && ip('fe80::1').isLinkLocalUnicast() && ip('224.0.0.5').isLinkLocalMulticast()",
      "ip(self.address).isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast()",
      "isIP('1.2.3.4') && !isIP('1.2.3') && !isIP('::ffff:1.2.3.4') && isCIDR('fd00::/8') && !isCIDR('10.0.0.0/33')",
      "ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8:0:0:0:0:0:1') && string(ip('2001:DB8:0:0:0:0:0:1')) == '2001:db8::1'",
      "string(cidr('10.0.0.0/8')) == '10.0.0.0/8'",
    ];
    const schema = withSpec({ type: 'object', properties: { address: { type: 'string' }, network: { type: 'string' } }, 'x-kubernetes-validations': rules.map((rule) => ({ rule })) });
    expect(schema.validate({ spec: { address: '10.2.3.4', network: '10.0.0.0/8' } })).toEqual([]);
    expect(schema.validate({ spec: { address: 'not-an-ip', network: '10.0.0.0/8' } })[0]?.message).toMatch(/IP Address "not-an-ip" parse error during conversion from string/);
  });

  it('provides the Kubernetes format library with the API server messages', () => {
    const schema = withSpec({
      type: 'object',
      properties: { name: { type: 'string' }, label: { type: 'string' }, id: { type: 'string' } },
      'x-kubernetes-validations': [
        { rule: '!format.dns1123Label().validate(self.name).hasValue()', messageExpression: "format.dns1123Label().validate(self.name).value().join('; ')" },
        { rule: "!format.qualifiedName().validate(self.label).hasValue() && !format.labelValue().validate('ok_1').hasValue()", message: 'qualified name' },
        { rule: "format.named('uuid').value().validate(self.id) == optional.none() && !format.named('nope').hasValue()", message: 'uuid' },
        { rule: "!format.dns1123SubdomainPrefix().validate('web-').hasValue() && format.dns1035Label().validate('1abc').hasValue()", message: 'prefix forms' },
      ],
    });
    expect(schema.validate({ spec: { name: 'web-1', label: 'example.com/MyName', id: '123e4567-e89b-12d3-a456-426614174000' } })).toEqual([]);
    expect(schema.validate({ spec: { name: 'Web.1', label: 'a/b/c', id: 'x' } }).map((cause) => cause.message)).toEqual([
      "Invalid value: \"object\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'Invalid value: "object": qualified name',
      'Invalid value: "object": uuid',
    ]);
    expect(schema.validate({ spec: { name: 'web.example', label: 'a', id: '123e4567-e89b-12d3-a456-426614174000' } })[0]?.message).toBe('Invalid value: "object": must not contain dots');
  });

  it('compares set and map lists without regard to order, like Kubernetes CEL', () => {
    const schema = withSpec({
      type: 'object',
      properties: {
        ids: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'ids are immutable' }] },
        ordered: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'ordered is immutable' }] },
      },
    });
    const old = { spec: { ids: ['a', 'b'], ordered: ['a', 'b'] } };
    expect(schema.validate({ spec: { ids: ['b', 'a'], ordered: ['a', 'b'] } }, old)).toEqual([]);
    expect(schema.validate({ spec: { ids: ['b', 'c'], ordered: ['b', 'a'] } }, old).map((cause) => cause.message)).toEqual([
      'Invalid value: "array": ids are immutable',
      'Invalid value: "array": ordered is immutable',
    ]);
  });

  it('evaluates rules written inside allOf branches against the node value', () => {
    const schema = withSpec({
      type: 'object',
      properties: { min: { type: 'integer' }, max: { type: 'integer' } },
      allOf: [{ 'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }] }],
    });
    expect(schema.validate({ spec: { min: 1, max: 2 } })).toEqual([]);
    expect(schema.validate({ spec: { min: 3, max: 2 } })).toEqual([{ reason: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: "object": min must not exceed max' }]);
  });

  it('skips rules when the schema already found blocking errors, and says so', () => {
    const schema = withSpec({
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string' } },
      'x-kubernetes-validations': [{ rule: 'false', message: 'never checked' }],
    });
    expect(schema.validate({ spec: {} })).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.name', message: 'Required value' },
      {
        reason: 'FieldValueInvalid',
        field: '<nil>',
        message: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      },
    ]);
  });
});

describe('transition rules', () => {
  const schema = withSpec({
    type: 'object',
    properties: {
      regionId: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'regionId is immutable' }] },
      replicas: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'replicas may only grow' }] },
      conditions: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
        items: {
          type: 'object',
          required: ['type'],
          properties: { type: { type: 'string' }, since: { type: 'integer' } },
          'x-kubernetes-validations': [{ rule: 'self.since >= oldSelf.since', message: 'since never goes back' }],
        },
      },
    },
  });

  it('are not evaluated on create', () => {
    expect(schema.validate({ spec: { regionId: 'cn-hangzhou', replicas: 1 } })).toEqual([]);
  });

  it('compare with the old value on update', () => {
    const old = { spec: { regionId: 'cn-hangzhou', replicas: 3 } };
    expect(schema.validate({ spec: { regionId: 'cn-hangzhou', replicas: 4 } }, old)).toEqual([]);
    expect(schema.validate({ spec: { regionId: 'cn-beijing', replicas: 2 } }, old)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.regionId', message: 'Invalid value: "string": regionId is immutable' },
      { reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: "integer": replicas may only grow' },
    ]);
  });

  it('are skipped where the old object has no value at that path', () => {
    expect(schema.validate({ spec: { regionId: 'cn-beijing' } }, { spec: {} })).toEqual([]);
  });

  it('pair map-list items with their old selves by key', () => {
    const old = { spec: { conditions: [{ type: 'Ready', since: 5 }, { type: 'Synced', since: 2 }] } };
    expect(schema.validate({ spec: { conditions: [{ type: 'Synced', since: 3 }, { type: 'Ready', since: 5 }, { type: 'New', since: 0 }] } }, old)).toEqual([]);
    expect(schema.validate({ spec: { conditions: [{ type: 'Synced', since: 1 }, { type: 'Ready', since: 5 }] } }, old)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.conditions[0]', message: 'Invalid value: "object": since never goes back' },
    ]);
  });

  it('with optionalOldSelf run on create too, seeing oldSelf as an optional', () => {
    const optional = withSpec({
      type: 'object',
      properties: {
        size: {
          type: 'integer',
          'x-kubernetes-validations': [{ rule: '!oldSelf.hasValue() ? self <= 10 : self >= oldSelf.value()', optionalOldSelf: true, message: 'starts at most 10, then only grows' }],
        },
      },
    });
    expect(optional.validate({ spec: { size: 5 } })).toEqual([]);
    expect(optional.validate({ spec: { size: 50 } })).toHaveLength(1);
    expect(optional.validate({ spec: { size: 50 } }, { spec: { size: 20 } })).toEqual([]);
    expect(optional.validate({ spec: { size: 15 } }, { spec: { size: 20 } })).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.size', message: 'Invalid value: "integer": starts at most 10, then only grows' },
    ]);
  });

  it('offer the optional library to optionalOldSelf rules', () => {
    const optional = withSpec({
      type: 'object',
      properties: {
        name: {
          type: 'string',
          'x-kubernetes-validations': [
            { rule: "oldSelf.or(optional.of('initial')).value() == 'initial' || self == oldSelf.value()", optionalOldSelf: true, message: 'name is fixed once set' },
            { rule: "optional.ofNonZeroValue('').orValue('fallback') == 'fallback' && !optional.none().hasValue()", message: 'optional library' },
          ],
        },
      },
    });
    expect(optional.validate({ spec: { name: 'a' } })).toEqual([]);
    expect(optional.validate({ spec: { name: 'a' } }, { spec: { name: 'a' } })).toEqual([]);
    expect(optional.validate({ spec: { name: 'b' } }, { spec: { name: 'a' } })).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.name', message: 'Invalid value: "string": name is fixed once set' },
    ]);
  });

  it('ratchet other rules: an unchanged value that fails a rule without oldSelf is accepted on update', () => {
    const ratcheting = withSpec({
      type: 'object',
      properties: { name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('irb-')" }] }, other: { type: 'string' } },
    });
    expect(ratcheting.validate({ spec: { name: 'legacy', other: 'changed' } }, { spec: { name: 'legacy', other: 'before' } })).toEqual([]);
    expect(ratcheting.validate({ spec: { name: 'renamed', other: 'changed' } }, { spec: { name: 'legacy', other: 'before' } })).toHaveLength(1);
  });
});

describe('rule compilation', () => {
  function compileRule(rule: Record<string, unknown>, properties: Record<string, unknown> = { a: { type: 'string' } }): () => CompiledSchema {
    return () => withSpec({ type: 'object', properties, 'x-kubernetes-validations': [rule] });
  }

  it('rejects a syntax error with the rule location', () => {
    expect(compileRule({ rule: 'has(self.a' })).toThrow(
      /openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: "has\(self\.a": compilation failed: ERROR: <input>:1:\d+/,
    );
  });

  it('rejects a field the schema does not declare', () => {
    expect(compileRule({ rule: "self.nmae == 'x'" })).toThrow(/compilation failed: ERROR: <input>:1:5: undefined field 'nmae'/);
    expect(compileRule({ rule: 'has(self.b)' })).toThrow(/undefined field 'b'/);
  });

  it('rejects unknown functions and undeclared variables', () => {
    expect(compileRule({ rule: 'self.a.toSet() == self.a' })).toThrow(/undeclared reference to 'toSet'/);
    expect(compileRule({ rule: "other == 'x'" })).toThrow(/undeclared reference to 'other'/);
    expect(compileRule({ rule: 'self.all(x, y > 0)' })).toThrow(/undeclared reference to 'y'/);
  });

  it('checks fields through list items and comprehension variables', () => {
    const properties = { items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } };
    expect(compileRule({ rule: "self.items.all(i, i.name != '')" }, properties)).not.toThrow();
    expect(compileRule({ rule: "self.items.all(i, i.nmae != '')" }, properties)).toThrow(/undefined field 'nmae'/);
    expect(compileRule({ rule: "self.items[0].nmae != ''" }, properties)).toThrow(/undefined field 'nmae'/);
  });

  it('rejects a constant regular expression that RE2 does not accept', () => {
    expect(compileRule({ rule: "self.a.matches('(unclosed')" })).toThrow(/invalid matches argument: error parsing regexp: missing closing \)/);
    expect(compileRule({ rule: "self.a.find('a(?=b)') == ''" })).toThrow(/invalid find argument/);
  });

  it('rejects a messageExpression that does not compile, a bad fieldPath, and optionalOldSelf without oldSelf', () => {
    expect(compileRule({ rule: 'true', messageExpression: "'x' +" })).toThrow(/x-kubernetes-validations\[0\]\.messageExpression: Invalid value/);
    expect(compileRule({ rule: 'true', fieldPath: '.missing' })).toThrow(/fieldPath: Invalid value: "\.missing": fieldPath must be a valid path: does not refer to a valid field/);
    expect(compileRule({ rule: 'true', optionalOldSelf: true })).toThrow(/optionalOldSelf: Forbidden: may not be set if oldSelf is not used in rule/);
  });

  it('forbids oldSelf below the items of lists that are not map lists', () => {
    expect(compileRule({ rule: 'true' }, { ids: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } })).toThrow(
      /items\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within openAPIV3Schema\.properties\[spec\]\.properties\[ids\]/,
    );
  });

  it('rejects an unsupported reason and a multi-line message', () => {
    expect(compileRule({ rule: 'true', reason: 'FieldValueTooLong' })).toThrow(/reason: Unsupported value: "FieldValueTooLong"/);
    expect(compileRule({ rule: 'true', message: 'two\nlines' })).toThrow(/message must not contain line breaks/);
  });
});
