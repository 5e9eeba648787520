/**
 * The audit's verdicts: bindings + cloud inventory + RAM roles -> one verdict per instance, role
 * totals and the list of findings. Pure; no I/O.
 *
 * Claiming follows the controller (src/domain/claims.ts, src/domain/binding-view.ts): a binding claims an instance of its
 * region that it names in spec.instanceIds or that matches its instanceSelector (tags AND vpcId).
 * A binding being deleted claims nothing, and neither does one in mode Observe or suspended (they
 * change nothing). Among claimants the oldest binding (creationTimestamp, then namespace/name)
 * decides the desired role, as the controller does.
 *
 * For an instance that exists, in this order:
 *   claimed, classic network                         -> NotVpc
 *   claimed by bindings wanting different roles      -> Conflict
 *   claimed, all want X, carries X                   -> InSync
 *   claimed, all want X, carries nothing or Y != X   -> Drifted
 *   unclaimed, targeted by Observe/suspended bindings -> Observed (what it carries, reported)
 *   unclaimed, carries a role                        -> Unmanaged
 *   unclaimed, carries no role                       -> InSync (Git declares nothing, nothing is there)
 * For an ID named in spec.instanceIds that the region does not have -> Missing.
 */
import type { BindingView } from '../domain/binding-view.js';
import { bindingTargets, compareAge } from '../domain/claims.js';
import { ECS_SERVICE_PRINCIPAL, type InstanceInfo, type RoleInfo } from '../domain/cloud-facts.js';
import { CONDITION_REASONS, asClause } from '../domain/reasons.js';
import {
  type AuditInput,
  type AuditReport,
  FINDING_VERDICTS,
  type InstanceAudit,
  type RegionInventory,
  type RoleAudit,
  VERDICTS,
  type Verdict,
} from './model.js';

function describeRoleProblem(roleName: string, roles: ReadonlyMap<string, RoleInfo | null>): string {
  const role = roles.get(roleName);
  if (role === null) return ` Role ${roleName} does not exist in RAM: ${asClause(CONDITION_REASONS.RoleNotFound.fix)}.`;
  if (role && !role.trustsEcs) return ` Role ${roleName} does not trust ${ECS_SERVICE_PRINCIPAL}: ${asClause(CONDITION_REASONS.RoleNotTrusted.fix)}.`;
  return '';
}

function claimantsWanting(claimants: BindingView[], roleName: string): string[] {
  return claimants.filter((b) => b.spec.roleName === roleName).map((b) => b.key);
}

function auditClaimed(
  instance: InstanceInfo,
  currentRole: string | null,
  claimants: BindingView[],
  roles: ReadonlyMap<string, RoleInfo | null>,
): Pick<InstanceAudit, 'verdict' | 'detail' | 'desiredRole'> {
  const winner = claimants[0]!;
  const desiredRole = winner.spec.roleName;
  if (instance.networkType !== 'vpc') {
    return {
      verdict: 'NotVpc',
      desiredRole,
      detail: `Classic-network instances cannot carry a RAM role: remove ${instance.instanceId} from ${claimants.map((b) => b.key).join(', ')} or migrate it to a VPC.`,
    };
  }
  const wanted = [...new Set(claimants.map((b) => b.spec.roleName))];
  if (wanted.length > 1) {
    const others = wanted
      .filter((r) => r !== desiredRole)
      .map((r) => `${claimantsWanting(claimants, r).join(', ')} want ${r}`)
      .join('; ');
    const carries = currentRole === null ? 'it carries no role' : `it carries ${currentRole}`;
    return {
      verdict: 'Conflict',
      desiredRole,
      detail: `Bindings want different roles: ${winner.key} wants ${desiredRole} and wins as the oldest; ${others}. Today ${carries}. Make the bindings agree or stop one of them from claiming the instance.`,
    };
  }
  if (currentRole === desiredRole) {
    return { verdict: 'InSync', desiredRole, detail: `Carries ${desiredRole} as declared.` };
  }
  const problem = describeRoleProblem(desiredRole, roles);
  if (currentRole === null) {
    return { verdict: 'Drifted', desiredRole, detail: `Should carry ${desiredRole} but carries no role.${problem}` };
  }
  const takeover = claimants.some((b) => b.spec.takeover);
  const fix = takeover
    ? 'takeover is set, so the operator replaces it.'
    : `no binding owns ${currentRole} here, so the operator leaves it (Conflict) unless a binding sets takeover: true.`;
  return { verdict: 'Drifted', desiredRole, detail: `Should carry ${desiredRole} but carries ${currentRole}; ${fix}${problem}` };
}

/** Whether the binding claims what it targets: Enforce and not suspended (and not deleting, see bindingTargets' callers). */
function claims(binding: BindingView): boolean {
  return binding.spec.mode === 'Enforce' && !binding.spec.suspend;
}

function observedDetail(currentRole: string | null, observers: readonly BindingView[]): string {
  const how = observers.map((b) => `${b.key} (${b.spec.suspend ? 'suspended' : 'mode Observe'}, names ${b.spec.roleName})`).join(', ');
  return `Carries ${currentRole ?? 'no role'}; only observed by ${how}, which change nothing. Set spec.mode: Enforce (and suspend: false) to have it carry the role.`;
}

function auditRegion(region: RegionInventory, bindings: BindingView[], roles: ReadonlyMap<string, RoleInfo | null>): InstanceAudit[] {
  // Index so each instance is checked only against bindings that can claim it.
  const byExplicitId = new Map<string, BindingView[]>();
  for (const binding of bindings) {
    for (const id of binding.spec.instanceIds) byExplicitId.set(id, [...(byExplicitId.get(id) ?? []), binding]);
  }
  const withSelector = bindings.filter((b) => b.spec.selector !== undefined);
  const rows: InstanceAudit[] = [];
  for (const instance of region.instances) {
    const currentRole = instance.networkType === 'vpc' ? (region.attachedRoles.get(instance.instanceId) ?? null) : null;
    const candidates = new Set([...(byExplicitId.get(instance.instanceId) ?? []), ...withSelector]);
    const targeting = [...candidates].filter((b) => bindingTargets(b, instance, instance.instanceId)).sort(compareAge);
    const claimants = targeting.filter(claims);
    const observers = targeting.filter((b) => !claims(b));
    const base = {
      regionId: region.regionId,
      instanceId: instance.instanceId,
      networkType: instance.networkType,
      ...(instance.vpcId !== undefined ? { vpcId: instance.vpcId } : {}),
      status: instance.status,
      currentRole,
      claimedBy: claimants.map((b) => b.key),
    };
    if (claimants.length > 0) {
      rows.push({ ...base, ...auditClaimed(instance, currentRole, claimants, roles) });
    } else if (observers.length > 0) {
      rows.push({ ...base, claimedBy: observers.map((b) => b.key), desiredRole: null, verdict: 'Observed', detail: observedDetail(currentRole, observers) });
    } else if (currentRole !== null) {
      rows.push({
        ...base,
        desiredRole: null,
        verdict: 'Unmanaged',
        detail: `Carries ${currentRole} but no binding claims it: add it to a binding, or detach the role if it should not be there.`,
      });
    } else {
      rows.push({ ...base, desiredRole: null, verdict: 'InSync', detail: 'No binding claims it and it carries no role.' });
    }
  }

  const existing = new Set(region.instances.map((i) => i.instanceId));
  for (const [instanceId, named] of byExplicitId) {
    if (existing.has(instanceId)) continue;
    const claimants = [...named].sort(compareAge);
    rows.push({
      regionId: region.regionId,
      instanceId,
      currentRole: null,
      desiredRole: claimants[0]!.spec.roleName,
      claimedBy: claimants.map((b) => b.key),
      verdict: 'Missing',
      detail: `${claimants.map((b) => b.key).join(', ')} name ${instanceId}, but region ${region.regionId} has no such instance: remove the ID or fix spec.regionId.`,
    });
  }
  return rows;
}

function compareRows(a: InstanceAudit, b: InstanceAudit): number {
  if (a.regionId !== b.regionId) return a.regionId < b.regionId ? -1 : 1;
  return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
}

function roleAudits(rows: InstanceAudit[], bindings: BindingView[], roles: ReadonlyMap<string, RoleInfo | null>): RoleAudit[] {
  const names = new Set<string>(roles.keys());
  for (const b of bindings) names.add(b.spec.roleName);
  for (const row of rows) {
    if (row.currentRole !== null) names.add(row.currentRole);
    if (row.desiredRole !== null) names.add(row.desiredRole);
  }
  const existing = rows.filter((r) => r.verdict !== 'Missing');
  return [...names].sort().map((roleName) => {
    const info = roles.get(roleName);
    return {
      roleName,
      exists: info !== null,
      trustsEcs: info === null ? null : (info?.trustsEcs ?? null),
      arn: info?.arn || null,
      attached: existing.filter((r) => r.currentRole === roleName).length,
      desired: existing.filter((r) => r.desiredRole === roleName).length,
      inSync: existing.filter((r) => r.verdict === 'InSync' && r.currentRole === roleName).length,
      drifted: existing.filter((r) => r.verdict === 'Drifted' && r.desiredRole === roleName).length,
      unmanaged: existing.filter((r) => r.verdict === 'Unmanaged' && r.currentRole === roleName).length,
      bindings: bindings.filter((b) => b.spec.roleName === roleName).map((b) => b.key).sort(),
    };
  });
}

/** Computes the audit report. Bindings of regions not in `input.regions` are listed, not evaluated. */
export function computeAudit(input: AuditInput): AuditReport {
  const regionIds = new Set(input.regions.map((r) => r.regionId));
  const live = input.bindings.map((b) => b.view).filter((v) => !v.deleting);
  const inScope = live.filter((v) => regionIds.has(v.spec.regionId));
  const rows: InstanceAudit[] = [];
  for (const region of input.regions) {
    const regionBindings = inScope.filter((v) => v.spec.regionId === region.regionId);
    rows.push(...auditRegion(region, regionBindings, input.roles));
  }
  rows.sort(compareRows);

  const roles = roleAudits(rows, inScope, input.roles);
  const untrustedRoles = roles.filter((r) => r.trustsEcs === false).map((r) => r.roleName);
  const missingRoles = roles.filter((r) => !r.exists).map((r) => r.roleName);
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const row of rows) totals[row.verdict]++;
  const findingRows = rows.filter((r) => FINDING_VERDICTS.has(r.verdict)).length;
  const invalidBindings = [...input.invalidBindings].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));

  return {
    regions: [...regionIds].sort(),
    instances: rows,
    roles,
    untrustedRoles,
    missingRoles,
    invalidBindings,
    bindingsOutsideRegions: live.filter((v) => !regionIds.has(v.spec.regionId)).map((v) => v.key).sort(),
    totals,
    findings: findingRows + invalidBindings.length + untrustedRoles.length + missingRoles.length,
  };
}

/** Exit status of `ecs-role-operator audit` for a finished report: 0 in sync, 3 findings. (1 is for errors.) */
export const AUDIT_EXIT_IN_SYNC = 0;
export const AUDIT_EXIT_FINDINGS = 3;
export function auditExitCode(report: AuditReport): number {
  return report.findings > 0 ? AUDIT_EXIT_FINDINGS : AUDIT_EXIT_IN_SYNC;
}
