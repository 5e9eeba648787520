#!/usr/bin/env node
/**
 * Derives the field tables of the built-in kinds the emulator serves from the Go API types of
 * Kubernetes (k8s.io/api and k8s.io/apimachinery, as pinned for the real control plane), and
 * writes them as data to src/go-types/go-types.generated.ts.
 *
 * For every Go struct reachable from the served kinds it records, per field: the protobuf field
 * number, the JSON name, a type reference and whether the JSON tag has `omitempty` or `inline`.
 * That is what the emulator needs to decode protobuf request bodies and to give built-in objects
 * the shape Go's encoding/json gives them (the real server decodes into these structs and encodes
 * them again). Nothing else of the Go sources (code, comments) is kept.
 *
 * Usage: node scripts/generate-go-types.mjs [GOMODCACHE]   (default: `go env GOMODCACHE`)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = 'v0.33.13';
const modCache = process.argv[2] ?? execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'go-types', 'go-types.generated.ts');

/** Go import path -> short package key used in type references. */
const PACKAGES = {
  'k8s.io/api/core/v1': 'core/v1',
  'k8s.io/api/apps/v1': 'apps/v1',
  'k8s.io/api/events/v1': 'events/v1',
  'k8s.io/api/coordination/v1': 'coordination/v1',
  'k8s.io/api/rbac/v1': 'rbac/v1',
  'k8s.io/api/authorization/v1': 'authorization/v1',
  'k8s.io/api/authentication/v1': 'authentication/v1',
  'k8s.io/api/autoscaling/v1': 'autoscaling/v1',
  'k8s.io/api/policy/v1': 'policy/v1',
  'k8s.io/apimachinery/pkg/apis/meta/v1': 'meta/v1',
  'k8s.io/apimachinery/pkg/types': 'types',
  'k8s.io/apimachinery/pkg/runtime': 'runtime',
  'k8s.io/apimachinery/pkg/util/intstr': 'intstr',
  'k8s.io/apimachinery/pkg/api/resource': 'resource',
};

/** Types with their own JSON and protobuf encodings, handled by hand in the codec. */
const SPECIAL = {
  'meta/v1.Time': 'Time',
  'meta/v1.MicroTime': 'MicroTime',
  'meta/v1.Duration': 'Duration',
  'meta/v1.FieldsV1': 'FieldsV1',
  'resource.Quantity': 'Quantity',
  'intstr.IntOrString': 'IntOrString',
  'runtime.RawExtension': 'RawExtension',
};

/** The kinds served, by apiVersion/kind -> Go struct. */
const KINDS = {
  'v1/Namespace': 'core/v1.Namespace',
  'v1/ConfigMap': 'core/v1.ConfigMap',
  'v1/Secret': 'core/v1.Secret',
  'v1/ServiceAccount': 'core/v1.ServiceAccount',
  'v1/Event': 'core/v1.Event',
  'v1/Service': 'core/v1.Service',
  'apps/v1/Deployment': 'apps/v1.Deployment',
  'events.k8s.io/v1/Event': 'events/v1.Event',
  'coordination.k8s.io/v1/Lease': 'coordination/v1.Lease',
  'rbac.authorization.k8s.io/v1/Role': 'rbac/v1.Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'rbac/v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'rbac/v1.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'rbac/v1.ClusterRoleBinding',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'authorization/v1.SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SubjectAccessReview': 'authorization/v1.SubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'authorization/v1.SelfSubjectRulesReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'authentication/v1.SelfSubjectReview',
  'authentication.k8s.io/v1/TokenRequest': 'authentication/v1.TokenRequest',
  'autoscaling/v1/Scale': 'autoscaling/v1.Scale',
  'meta.k8s.io/v1/DeleteOptions': 'meta/v1.DeleteOptions',
};

function packageDir(importPath) {
  if (importPath.startsWith('k8s.io/api/')) return join(modCache, `k8s.io/api@${VERSION}`, importPath.slice('k8s.io/api/'.length));
  return join(modCache, `k8s.io/apimachinery@${VERSION}`, importPath.slice('k8s.io/apimachinery/'.length));
}

/** Parses one package: structs (field lists) and named non-struct types. */
function parsePackage(importPath) {
  const key = PACKAGES[importPath];
  const dir = packageDir(importPath);
  const structs = new Map();
  const named = new Map();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.go') || file.endsWith('_test.go') || file.startsWith('zz_generated') || file === 'generated.pb.go') continue;
    const text = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const imports = new Map();
    const importBlock = /^import \(([\s\S]*?)^\)/m.exec(text)?.[1] ?? (/^import (.*)$/m.exec(text)?.[1] ?? '');
    for (const line of importBlock.split('\n')) {
      const m = /^\s*(\w+)?\s*"([^"]+)"/.exec(line);
      if (!m) continue;
      const path = m[2];
      const alias = m[1] ?? path.split('/').pop();
      imports.set(alias, path);
    }
    const qualify = (goType) => goType.replace(/(?:(\w+)\.)?([A-Za-z_]\w*)/g, (whole, pkg, name) => {
      if (pkg) {
        const path = imports.get(pkg);
        if (!path || !PACKAGES[path]) return `?${whole}`;
        return `${PACKAGES[path]}.${name}`;
      }
      if (['string', 'bool', 'int', 'int32', 'int64', 'float64', 'byte', 'map'].includes(name)) return name;
      return `${key}.${name}`;
    });
    const lines = text.split('\n');
    /** The `// +marker` lines of the comment block above line i. */
    const markersAbove = (i) => {
      const markers = [];
      for (let j = i - 1; j >= 0 && /^\s*\/\//.test(lines[j]); j--) {
        const m = /^\s*\/\/\s*\+(\S+)/.exec(lines[j]);
        if (m) markers.push(m[1]);
      }
      return markers;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const struct = /^type (\w+) struct \{\s*$/.exec(line);
      if (struct) {
        if (markersAbove(i).includes('structType=atomic')) atomicStructs.add(`${key}.${struct[1]}`);
        let fields = [];
        let unreadable;
        for (i++; i < lines.length && lines[i] !== '}'; i++) {
          const body = lines[i].replace(/\/\/.*$/, '').trim();
          if (!body) continue;
          const m = /^(?:(\w+)\s+)?([^\s`]+)\s*(?:`([^`]*)`)?$/.exec(body);
          if (!m) {
            unreadable ??= `${importPath} ${struct[1]}: cannot read field line: ${body}`;
            continue;
          }
          const tag = m[3] ?? '';
          const json = /json:"([^"]*)"/.exec(tag)?.[1];
          const proto = /protobuf:"([^"]*)"/.exec(tag)?.[1];
          const goName = m[1] ?? m[2].replace(/^\*/, '').split('.').pop();
          if (json === '-' || (json === undefined && !m[1] && !proto)) {
            if (json === undefined && !m[1]) fields.push({ goName, embedded: qualify(m[2]), inline: true, json: '', no: 0, omitempty: false });
            continue;
          }
          const [jsonName = '', ...opts] = (json ?? goName).split(',');
          const no = proto ? Number(proto.split(',')[1]) : 0;
          if (proto === '-') continue;
          fields.push({ goName, type: qualify(m[2]), json: jsonName, no, omitempty: opts.includes('omitempty'), inline: opts.includes('inline'), list: listShape(markersAbove(i), tag) });
        }
        if (unreadable) fields = { unreadable };
        structs.set(`${key}.${struct[1]}`, fields);
        continue;
      }
      const alias = /^type (\w+) (?:= )?([^\s{]+)\s*(?:\/\/.*)?$/.exec(line);
      if (alias && !alias[2].startsWith('func') && !alias[2].startsWith('interface')) named.set(`${key}.${alias[1]}`, qualify(alias[2]));
    }
  }
  return { structs, named };
}

/**
 * How server-side apply treats a list field, as the OpenAPI models derive it: the `+listType`
 * marker (with `+listMapKey`s), else a merge patch strategy (keyed by patchMergeKey, or a set of
 * primitives), else atomic. Encoded as `map:key1,key2`, `set` or `atomic`.
 */
function listShape(markers, tag) {
  const listType = markers.find((m) => m.startsWith('listType='))?.slice('listType='.length);
  const keys = markers.filter((m) => m.startsWith('listMapKey=')).map((m) => m.slice('listMapKey='.length)).reverse();
  if (listType === 'map') return `map:${keys.join(',')}`;
  if (listType === 'set' || listType === 'atomic') return listType;
  const strategy = /patchStrategy:"([^"]*)"/.exec(tag)?.[1] ?? '';
  const mergeKey = /patchMergeKey:"([^"]*)"/.exec(tag)?.[1];
  if (strategy.split(',').includes('merge')) return mergeKey ? `map:${mergeKey}` : 'set';
  return 'atomic';
}

const atomicStructs = new Set();
const structs = new Map();
const named = new Map();
for (const importPath of Object.keys(PACKAGES)) {
  const parsed = parsePackage(importPath);
  for (const [k, v] of parsed.structs) structs.set(k, v);
  for (const [k, v] of parsed.named) named.set(k, v);
}

const SCALARS = { string: 'string', bool: 'bool', int32: 'int32', int64: 'int64', int: 'int64', float64: 'float64' };
const needed = new Set();
const queue = [];

/** A Go type expression -> the codec's type reference, queueing structs it names. */
function typeRef(goType, context) {
  if (goType.startsWith('*')) return `*${typeRef(goType.slice(1), context)}`;
  if (goType === '[]byte') return 'bytes';
  if (goType.startsWith('[]')) return `[]${typeRef(goType.slice(2), context)}`;
  const map = /^map\[([^\]]+)\](.+)$/.exec(goType);
  if (map) {
    const keyRef = typeRef(map[1], context);
    if (keyRef !== 'string') throw new Error(`${context}: map key ${map[1]} is not a string type`);
    return `map[${typeRef(map[2], context)}]`;
  }
  if (SCALARS[goType]) return SCALARS[goType];
  if (SPECIAL[goType]) return SPECIAL[goType];
  if (goType.startsWith('?')) throw new Error(`${context}: type ${goType.slice(1)} is from a package the generator does not read`);
  if (structs.has(goType)) {
    if (!needed.has(goType)) {
      needed.add(goType);
      queue.push(goType);
    }
    return goType;
  }
  const underlying = named.get(goType);
  if (underlying) {
    const ref = typeRef(underlying, context);
    // go-to-protobuf wraps a named list type in a message with one repeated field, `items`.
    if (ref.startsWith('[]')) return `list:${ref.slice(2)}`;
    return ref;
  }
  throw new Error(`${context}: unknown type ${goType}`);
}

for (const root of Object.values(KINDS)) typeRef(root, 'roots');
const table = {};
while (queue.length > 0) {
  const name = queue.shift();
  const fields = [];
  const declared = structs.get(name);
  if (!Array.isArray(declared)) throw new Error(declared.unreadable);
  for (const f of declared) {
    if (f.embedded ?? f.type === 'meta/v1.TypeMeta') {
      if ((f.embedded ?? f.type) === 'meta/v1.TypeMeta') {
        fields.push([0, 'kind', 'string', 'o'], [0, 'apiVersion', 'string', 'o']);
        continue;
      }
      throw new Error(`${name}: embedded ${f.embedded} without a protobuf tag`);
    }
    const flags = `${f.omitempty ? 'o' : ''}${f.inline ? 'i' : ''}`;
    const ref = typeRef(f.type, `${name}.${f.goName}`);
    const isList = ref.replace(/^\*/, '').startsWith('[]') || ref.replace(/^\*/, '').startsWith('list:');
    fields.push(isList && f.list !== 'atomic' ? [f.no, f.json, ref, flags, f.list] : [f.no, f.json, ref, flags]);
  }
  table[name] = fields;
}

const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => (a < b ? -1 : 1)));
const lines = [
  '/**',
  ' * GENERATED by scripts/generate-go-types.mjs from the Go API types of Kubernetes ' + VERSION + ' (do not edit).',
  ' * Per Go struct: [protobuf field number, JSON name, type reference, flags (o = omitempty, i = inline),',
  ' * and for lists that server-side apply does not treat as atomic: `set` or `map:<key>,<key>`].',
  ' * GO_ATOMIC_STRUCTS: structs marked +structType=atomic (owned and replaced as a whole).',
  ' */',
  "import type { GoStructTable } from './go-type.js';",
  '',
  `export const GO_KINDS: Readonly<Record<string, string>> = ${JSON.stringify(KINDS, null, 2)};`,
  '',
  `export const GO_ATOMIC_STRUCTS: ReadonlySet<string> = new Set(${JSON.stringify([...atomicStructs].filter((n) => table[n]).sort())});`,
  '',
  'export const GO_STRUCTS: GoStructTable = {',
  ...Object.entries(sorted).map(([k, fields]) => `  ${JSON.stringify(k)}: [${fields.map((f) => JSON.stringify(f)).join(', ')}],`),
  '};',
  '',
];
writeFileSync(out, lines.join('\n'));
console.log(`${Object.keys(sorted).length} structs -> ${out}`);
