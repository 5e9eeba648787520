/**
 * Bindings, and the InstanceRolePolicies and Namespaces that decide what they may do, from a
 * directory of manifests (a GitOps checkout): every *.yaml / *.yml / *.json file
 * under it, recursively (skipping dot-directories such as .git, and node_modules), every YAML
 * document in each, `kind: List` items included. Documents that are not InstanceRoleBindings are
 * ignored. A GitOps tree holds files that are not plain manifests (Helm templates, values files):
 * a file that does not parse is skipped with a warning, unless its text mentions
 * InstanceRoleBinding, in which case it is reported as an invalid binding (a finding).
 *
 * Unlike src/kube/manifests.ts (which applies a known-good directory and fails on anything odd),
 * this reader is lenient by design.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KIND } from '../api/instance-role-binding.js';
import { type BindingRecord, collectBindingRecords, toBindingRecord } from './binding-records.js';
import type { NamespaceView } from '../domain/tenancy.js';
import type { AuditBinding, AuditPolicy, InvalidBinding } from './model.js';
import { toTenancyRecord } from './tenancy-records.js';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const SKIPPED_DIRECTORIES = new Set(['node_modules']);

export interface ManifestBindings {
  bindings: AuditBinding[];
  invalidBindings: InvalidBinding[];
  /** Files skipped because they do not parse (and do not mention InstanceRoleBinding). */
  warnings: string[];
  /** How many manifest files were read. */
  files: number;
  /** The InstanceRolePolicies and Namespaces among the manifests (tenancy). */
  policies: AuditPolicy[];
  namespaces: NamespaceView[];
}

async function manifestFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(entry.name)) out.push(...(await manifestFiles(full)));
    } else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

function objectsOf(value: unknown): unknown[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) return object.items;
  }
  return [value];
}

/** Reads every InstanceRoleBinding under `dir`. Throws when `dir` is not a readable directory. */
export async function readManifestBindings(dir: string): Promise<ManifestBindings> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new Error(`--manifests ${dir}: no such directory: give the path of a checkout of your manifests`);
  }
  if (!info.isDirectory()) throw new Error(`--manifests ${dir}: not a directory: give the directory that holds the manifest files`);

  const files = await manifestFiles(dir);
  const records: BindingRecord[] = [];
  const warnings: string[] = [];
  const policies: AuditPolicy[] = [];
  const namespaces: NamespaceView[] = [];
  for (const file of files) {
    const name = relative(dir, file) || file;
    const text = await readFile(file, 'utf8');
    const docs = parseAllDocuments(text);
    const broken = docs.find((d) => d.errors.length > 0)?.errors[0]?.message;
    if (broken !== undefined) {
      const problem = `does not parse as YAML (${broken.split('\n')[0]})`;
      if (text.includes(KIND)) {
        records.push({ invalid: { key: '', source: name, message: `the file mentions ${KIND} but ${problem}: fix the file` } });
      } else {
        warnings.push(`${name}: skipped: ${problem}`);
      }
      continue;
    }
    docs.forEach((doc, index) => {
      const source = docs.length > 1 ? `${name} (document ${index + 1})` : name;
      for (const object of objectsOf(doc.toJS())) {
        records.push(toBindingRecord(object, source));
        const tenancy = toTenancyRecord(object, source);
        if (tenancy && 'policy' in tenancy) policies.push(tenancy.policy);
        if (tenancy && 'namespace' in tenancy) namespaces.push(tenancy.namespace);
      }
    });
  }
  return { ...collectBindingRecords(records), warnings, files: files.length, policies, namespaces };
}
