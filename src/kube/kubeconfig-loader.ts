/**
 * Finds and loads the kubeconfig the way kubectl does (--kubeconfig, then $KUBECONFIG, then
 * ~/.kube/config, then the in-cluster ServiceAccount), but fails with a message naming the flag or
 * file and the fix instead of client-node's fall-back to http://localhost:8080 or a bare parser
 * error. Used by `run` and `audit`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { PooledKubeConfig } from './pooled-kubeconfig.js';

export const IN_CLUSTER_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

export interface KubeconfigSources {
  /** The --kubeconfig flag. */
  flag?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  inClusterTokenFile?: string;
}

/** Where the kubeconfig came from, for the start-up log line. */
export interface LoadedKubeconfig {
  config: PooledKubeConfig;
  source: string;
}

export function loadKubeconfig(sources: KubeconfigSources = {}): LoadedKubeconfig {
  const env = sources.env ?? process.env;
  if (sources.flag !== undefined) return { config: fromFiles([sources.flag], `--kubeconfig ${sources.flag}`), source: sources.flag };
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (listed.length > 0) return { config: fromFiles(listed, `KUBECONFIG=${env.KUBECONFIG}`), source: `KUBECONFIG=${env.KUBECONFIG}` };
  const home = join(sources.home ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return { config: fromFiles([home], home), source: home };
  const tokenFile = sources.inClusterTokenFile ?? IN_CLUSTER_TOKEN_FILE;
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(tokenFile)) {
    const config = new PooledKubeConfig();
    config.loadFromCluster();
    return { config, source: 'in-cluster ServiceAccount' };
  }
  throw new KubeconfigError('no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run in a cluster');
}

function fromFiles(paths: string[], what: string): PooledKubeConfig {
  let merged: PooledKubeConfig | undefined;
  for (const path of paths) {
    checkFile(path, what);
    const config = new PooledKubeConfig();
    try {
      config.loadFromFile(path);
    } catch (err) {
      throw new KubeconfigError(`${what}: ${path} is not a usable kubeconfig (${firstLine(err)}); check the file or point to another`);
    }
    if (merged) merged.mergeConfig(config);
    else merged = config;
  }
  const config = merged as PooledKubeConfig;
  const context = config.getCurrentContext();
  if (!context || !config.getContextObject(context)) {
    throw new KubeconfigError(`${what} has no current context: set one with \`kubectl config use-context NAME\` (contexts: ${config.getContexts().map((c) => c.name).join(', ') || 'none'})`);
  }
  if (!config.getCurrentCluster()) throw new KubeconfigError(`${what}: context ${context} names no cluster that the file defines; fix the context or the clusters list`);
  return config;
}

function checkFile(path: string, what: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new KubeconfigError(`${what}: ${path} does not exist; pass the path of a kubeconfig file`);
  }
  if (stats.isDirectory()) throw new KubeconfigError(`${what}: ${path} is a directory; pass the path of a kubeconfig file (such as ${join(path, 'config')})`);
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new KubeconfigError(`${what}: ${path} is not YAML (${firstLine(err)}); pass a kubeconfig file`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(`${what}: ${path} is not a kubeconfig (expected a YAML mapping with clusters, users and contexts)`);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
