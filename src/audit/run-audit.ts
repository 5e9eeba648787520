/**
 * One audit from start to finish: read the bindings (cluster or manifest directory), read the
 * cloud inventory of the regions, compute the report.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { CloudApi } from '../cloud/cloud-api.js';
import type { NamespaceView } from '../domain/tenancy.js';
import { readClusterBindings } from './cluster-bindings.js';
import { readClusterTenancy } from './cluster-tenancy.js';
import { type InventoryOptions, collectInventory } from './inventory.js';
import { readManifestBindings } from './manifest-bindings.js';
import type { AuditBinding, AuditPolicy, AuditReport, InvalidBinding } from './model.js';
import { auditTenancy } from './tenancy-records.js';
import { computeAudit } from './verdicts.js';

export type BindingSource = { kind: 'manifests'; dir: string } | { kind: 'cluster'; kubeConfig: KubeConfig };

export interface AuditOptions {
  /** Regions to audit. Default: every region a binding names. */
  regions?: readonly string[];
  bindings: BindingSource;
  cloud: CloudApi;
  inventory?: InventoryOptions;
  /** enforce (default): judge every binding by the InstanceRolePolicies read with it, as the operator does; disabled: as --tenancy=disabled. */
  tenancy?: 'enforce' | 'disabled';
}

export interface AuditRun {
  report: AuditReport;
  /** Non-fatal problems worth telling the user (skipped files, no bindings found). */
  warnings: string[];
}

interface ReadBindings {
  bindings: AuditBinding[];
  invalidBindings: InvalidBinding[];
  warnings: string[];
  policies: AuditPolicy[];
  namespaces: NamespaceView[];
}

async function readBindings(source: BindingSource, tenancy: 'enforce' | 'disabled'): Promise<ReadBindings> {
  if (source.kind === 'manifests') {
    const read = await readManifestBindings(source.dir);
    const warnings = [...read.warnings];
    if (read.bindings.length === 0 && read.invalidBindings.length === 0) {
      warnings.push(`no InstanceRoleBinding found in ${read.files} manifest file(s) under ${source.dir}`);
    }
    if (tenancy === 'enforce') {
      if (read.policies.length === 0 && read.bindings.length > 0) {
        warnings.push(`no InstanceRolePolicy found under ${source.dir}: tenancy denies every binding (add the policies, or pass --tenancy disabled)`);
      }
      const known = new Set(read.namespaces.map((n) => n.name));
      const unlabelled = [...new Set(read.bindings.map((b) => b.view.namespace))].filter((ns) => !known.has(ns)).sort();
      if (unlabelled.length > 0 && read.policies.some((p) => 'view' in p.checked && p.checked.view.namespaceSelector)) {
        warnings.push(`no Namespace manifest for ${unlabelled.join(', ')}: their labels are unknown, so namespaceSelector policies are judged as if they had none`);
      }
    }
    return { bindings: read.bindings, invalidBindings: read.invalidBindings, warnings, policies: read.policies, namespaces: read.namespaces };
  }
  const read = await readClusterBindings(source.kubeConfig);
  const warnings = read.bindings.length === 0 && read.invalidBindings.length === 0 ? [`no InstanceRoleBinding found on ${read.server}`] : [];
  const { policies, namespaces } = tenancy === 'enforce' ? await readClusterTenancy(source.kubeConfig) : { policies: [], namespaces: [] };
  return { bindings: read.bindings, invalidBindings: read.invalidBindings, warnings, policies, namespaces };
}

export async function runAudit(options: AuditOptions): Promise<AuditRun> {
  const mode = options.tenancy ?? 'enforce';
  const { bindings, invalidBindings, warnings, policies, namespaces } = await readBindings(options.bindings, mode);
  const tenancy = auditTenancy(mode, policies, namespaces);
  const regions = [...new Set(options.regions && options.regions.length > 0 ? options.regions : bindings.map((b) => b.view.spec.regionId))].sort();
  if (regions.length === 0) {
    // Broken manifests are findings of their own: report them even when there is no region to read.
    if (invalidBindings.length > 0) {
      warnings.push('no valid binding names a region, so no instance was audited: pass --region REGION to audit instances too');
      return { report: computeAudit({ regions: [], bindings, invalidBindings, roles: new Map(), tenancy }), warnings };
    }
    throw new Error('no region to audit: no binding names one, so pass --region REGION (repeat it for several regions)');
  }
  const boundRoles = bindings.filter((b) => regions.includes(b.view.spec.regionId) && !b.view.deleting).map((b) => b.view.spec.roleName);
  const inventory = await collectInventory(options.cloud, regions, boundRoles, options.inventory);
  const report = computeAudit({ regions: inventory.regions, bindings, invalidBindings, roles: inventory.roles, tenancy });
  return { report, warnings };
}
