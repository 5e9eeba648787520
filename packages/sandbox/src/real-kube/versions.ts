/**
 * The pinned versions of the real control plane, read from the Go modules that build it
 * (packages/sandbox/real-kube/{kubernetes,etcd}/go.mod): the go.mod files are the one place a
 * version is written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneVersions {
  /** k8s.io/kubernetes, e.g. "v1.33.13" */
  kubernetes: string;
  /** go.etcd.io/etcd/server/v3, e.g. "v3.6.16" */
  etcd: string;
}

/** packages/sandbox/real-kube: the directory holding the two Go modules. */
export function goModulesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'real-kube');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'kubernetes', 'go.mod'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find real-kube/kubernetes/go.mod of the @ecs-role-operator/sandbox package');
    dir = parent;
  }
}

function requiredVersion(goMod: string, module: string): string {
  const text = readFileSync(goMod, 'utf8');
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`${goMod} does not require ${module}`);
  return match[1];
}

export function pinnedVersions(modulesDir = goModulesDir()): ControlPlaneVersions {
  return {
    kubernetes: requiredVersion(join(modulesDir, 'kubernetes', 'go.mod'), 'k8s.io/kubernetes'),
    etcd: requiredVersion(join(modulesDir, 'etcd', 'go.mod'), 'go.etcd.io/etcd/server/v3'),
  };
}
