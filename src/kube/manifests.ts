/**
 * Reads Kubernetes manifests (multi-document YAML files, a file or a directory tree) and applies
 * them through the API like `kubectl apply`: create when absent, merge-patch when present.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { errorText } from '../util/error-text.js';

export interface ManifestDocument {
  file: string;
  object: KubernetesObject;
}

/** Every object in the YAML files under `path` (recursively, sorted by path). */
export function readManifests(path: string): ManifestDocument[] {
  const files = statSync(path).isDirectory() ? yamlFilesUnder(path) : [path];
  const out: ManifestDocument[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${file}: invalid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: a document is not a Kubernetes object`);
      const object = value as KubernetesObject;
      if (!object.apiVersion || !object.kind) throw new Error(`${file}: a document has no apiVersion or kind`);
      out.push({ file, object });
    }
  }
  return out;
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** Creates or merge-patches each object, namespaces first. */
export async function applyManifests(kubeConfig: KubeConfig, docs: ManifestDocument[], fieldManager: string): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  const ordered = [...docs].sort((a, b) => rank(a.object) - rank(b.object));
  for (const { file, object } of ordered) {
    try {
      await api.read({
        apiVersion: object.apiVersion as string,
        kind: object.kind as string,
        metadata: { name: object.metadata?.name as string, ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}) },
      });
      await api.patch(object, undefined, undefined, fieldManager, undefined, PatchStrategy.MergePatch);
    } catch (err) {
      if (!isNotFound(err)) throw new Error(`${file}: ${object.kind}/${object.metadata?.name ?? '?'}: ${errorMessage(err)}`);
      await api.create(object, undefined, undefined, fieldManager);
    }
  }
}

function rank(o: KubernetesObject): number {
  if (o.kind === 'Namespace') return 0;
  if (o.kind === 'CustomResourceDefinition') return 1;
  return 2;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 404;
}

function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'body' in err) {
    const body = (err as { body: unknown }).body;
    if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: string };
        if (parsed.message) return parsed.message;
      } catch {
        return body;
      }
    }
  }
  return errorText(err);
}
