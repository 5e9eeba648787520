/**
 * The layout's rules, checked over every import of src/ (TypeScript's own pre-processor reads
 * them, dynamic import('...') of a literal included):
 *
 * - the binding domain is pure: it imports only the domain, the API types, the error-text helper
 *   and the compact set; no adapter, no runtime machinery, no Node module, no package;
 * - the runtime machinery knows no binding: nothing of the domain, the adapters or the controller;
 * - the adapters (kube, cloud) do not know each other, the controller or the assembly;
 * - the controller reaches the cloud only through the RoleCloud port;
 * - the audit does not use the controller; nothing but the assembly (operator/, cli/, index.ts)
 *   wires everything together; nothing in src/ imports tests or the workspace packages.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const SRC = join(ROOT, 'src');

interface Import {
  /** The importing file, relative to the repository root. */
  from: string;
  /** A path relative to the repository root for relative imports, else the bare specifier. */
  to: string;
}

interface Rule {
  /** Top-level folders of src/ (or files directly in it) this rule covers. */
  folder: string;
  /** src/ folders or files it may import; its own folder is always allowed. */
  may: readonly string[];
  /** Whether it may import Node built-ins and npm packages. */
  packages: boolean;
  why: string;
}

const RULES: readonly Rule[] = [
  { folder: 'api', may: [], packages: true, why: 'the API types depend on nothing of the operator' },
  { folder: 'util', may: [], packages: true, why: 'helpers depend on nothing of the operator' },
  { folder: 'domain', may: ['api', 'util/error-text.ts', 'util/compact-set.ts'], packages: false, why: 'the binding domain is pure: no adapter, no I/O' },
  { folder: 'runtime', may: ['util'], packages: true, why: 'the runtime machinery knows nothing of bindings or adapters' },
  { folder: 'kube', may: ['api', 'domain', 'runtime', 'util'], packages: true, why: 'the Kubernetes adapter knows no cloud and no controller' },
  { folder: 'cloud', may: ['api', 'domain', 'runtime', 'util'], packages: true, why: 'the cloud adapter knows no Kubernetes and no controller' },
  {
    folder: 'controller',
    may: ['api', 'domain', 'runtime', 'util', 'kube', 'cloud/role-cloud.ts', 'observability/logger.ts'],
    packages: true,
    why: 'the controller reaches the cloud only through the RoleCloud port',
  },
  { folder: 'observability', may: ['api', 'runtime', 'util'], packages: true, why: 'observability knows no adapter and no controller' },
  { folder: 'audit', may: ['api', 'domain', 'runtime', 'util', 'cloud', 'kube/pooled-kubeconfig.ts'], packages: true, why: 'the audit reads; it never uses the controller' },
  { folder: 'cli', may: ['api', 'domain', 'runtime', 'util', 'cloud', 'kube', 'audit', 'observability', 'operator'], packages: true, why: 'the commands use the assembly, not the controller' },
  { folder: 'operator', may: ['api', 'domain', 'runtime', 'util', 'cloud', 'kube', 'controller', 'observability'], packages: true, why: 'the assembly wires everything' },
  { folder: 'index.ts', may: ['api', 'domain', 'runtime', 'util', 'cloud', 'kube', 'controller', 'observability', 'operator', 'cli'], packages: true, why: 'the library entry point' },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

function importsOf(file: string): Import[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map(({ fileName }) => ({
    from: relative(ROOT, file),
    to: fileName.startsWith('.') ? relative(ROOT, resolve(dirname(file), fileName)).replace(/\.js$/, '.ts') : fileName,
  }));
}

/** "src/domain/claims.ts" → "domain"; "src/index.ts" → "index.ts". */
function folderOf(path: string): string {
  return path.split('/')[1] ?? path;
}

function allowed(target: string, may: readonly string[]): boolean {
  const inSrc = target.slice('src/'.length);
  return may.some((m) => inSrc === m || inSrc.startsWith(`${m}/`));
}

function violations(imports: readonly Import[]): string[] {
  const found: string[] = [];
  for (const { from, to } of imports) {
    const rule = RULES.find((r) => r.folder === folderOf(from));
    if (!rule) {
      found.push(`${from}: no rule covers its folder; add one to this test`);
      continue;
    }
    const local = to.startsWith('src/') || to.startsWith('test/') || to.startsWith('packages/') || to.startsWith('..');
    if (!local) {
      if (to.startsWith('@ecs-role-operator/')) found.push(`${from} imports ${to}: the product depends on no workspace package`);
      else if (!rule.packages) found.push(`${from} imports ${to}: ${rule.why}`);
      continue;
    }
    if (!to.startsWith('src/')) {
      found.push(`${from} imports ${to}: nothing in src/ imports tests or the workspace packages`);
      continue;
    }
    if (folderOf(to) === rule.folder) continue;
    if (!allowed(to, rule.may)) found.push(`${from} imports ${to}: ${rule.why}`);
  }
  return found;
}

describe('the layout of src/', () => {
  const imports = sourceFiles(SRC).flatMap(importsOf);

  it('reads the imports of every module', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports.some((i) => i.from === 'src/domain/planner.ts' && i.to === 'src/domain/claims.ts')).toBe(true);
  });

  it('keeps every folder to its rule (the domain pure, adapters apart, the controller on ports)', () => {
    expect(violations(imports)).toEqual([]);
  });

  it('would catch the domain importing an adapter, a Node module, or a test', () => {
    expect(
      violations([
        { from: 'src/domain/planner.ts', to: 'src/cloud/cloud-api.ts' },
        { from: 'src/domain/planner.ts', to: 'node:fs' },
        { from: 'src/controller/reconciler.ts', to: 'src/cloud/error-policy.ts' },
        { from: 'src/cloud/api-role-cloud.ts', to: 'test/unit/fakes/fake-cloud.ts' },
        { from: 'src/operator/operator.ts', to: '@ecs-role-operator/alicloud-sim' },
      ]),
    ).toHaveLength(5);
  });
});
