/**
 * One audit from start to finish: read the bindings (cluster or manifest directory), read the
 * cloud inventory of the regions, compute the report.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { CloudApi } from '../cloud/cloud-api.js';
import { readClusterBindings } from './cluster-bindings.js';
import { type InventoryOptions, collectInventory } from './inventory.js';
import { readManifestBindings } from './manifest-bindings.js';
import type { AuditBinding, AuditReport, InvalidBinding } from './model.js';
import { computeAudit } from './verdicts.js';

export type BindingSource = { kind: 'manifests'; dir: string } | { kind: 'cluster'; kubeConfig: KubeConfig };

export interface AuditOptions {
  /** Regions to audit. Default: every region a binding names. */
  regions?: readonly string[];
  bindings: BindingSource;
  cloud: CloudApi;
  inventory?: InventoryOptions;
}

export interface AuditRun {
  report: AuditReport;
  /** Non-fatal problems worth telling the user (skipped files, no bindings found). */
  warnings: string[];
}

async function readBindings(source: BindingSource): Promise<{ bindings: AuditBinding[]; invalidBindings: InvalidBinding[]; warnings: string[] }> {
  if (source.kind === 'manifests') {
    const read = await readManifestBindings(source.dir);
    const warnings = [...read.warnings];
    if (read.bindings.length === 0 && read.invalidBindings.length === 0) {
      warnings.push(`no InstanceRoleBinding found in ${read.files} manifest file(s) under ${source.dir}`);
    }
    return { bindings: read.bindings, invalidBindings: read.invalidBindings, warnings };
  }
  const read = await readClusterBindings(source.kubeConfig);
  const warnings = read.bindings.length === 0 && read.invalidBindings.length === 0 ? [`no InstanceRoleBinding found on ${read.server}`] : [];
  return { bindings: read.bindings, invalidBindings: read.invalidBindings, warnings };
}

export async function runAudit(options: AuditOptions): Promise<AuditRun> {
  const { bindings, invalidBindings, warnings } = await readBindings(options.bindings);
  const regions = [...new Set(options.regions && options.regions.length > 0 ? options.regions : bindings.map((b) => b.view.spec.regionId))].sort();
  if (regions.length === 0) {
    // Broken manifests are findings of their own: report them even when there is no region to read.
    if (invalidBindings.length > 0) {
      warnings.push('no valid binding names a region, so no instance was audited: pass --region REGION to audit instances too');
      return { report: computeAudit({ regions: [], bindings, invalidBindings, roles: new Map() }), warnings };
    }
    throw new Error('no region to audit: no binding names one, so pass --region REGION (repeat it for several regions)');
  }
  const boundRoles = bindings.filter((b) => regions.includes(b.view.spec.regionId) && !b.view.deleting).map((b) => b.view.spec.roleName);
  const inventory = await collectInventory(options.cloud, regions, boundRoles, options.inventory);
  const report = computeAudit({ regions: inventory.regions, bindings, invalidBindings, roles: inventory.roles });
  return { report, warnings };
}
