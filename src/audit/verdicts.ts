/**
 * The audit's verdicts: bindings + cloud inventory + RAM roles + tenancy -> one verdict per
 * instance, role and policy totals and the list of findings. Pure; no I/O.
 *
 * Claiming follows the controller (src/domain/claims.ts, arbitration.ts, permissions.ts): a binding
 * claims an instance of its region that it names in spec.instanceIds or that matches its
 * instanceSelector (tags AND vpcId), when it is in mode Enforce, not suspended, not deleting, and
 * an InstanceRolePolicy permits its namespace, its role and that instance. Which role the
 * instance should carry is decided as the controller decides it, without the ownership ledger
 * (which the audit does not read): the namespaces of the claimants that want the role the instance
 * carries own it; otherwise the oldest claimant decides.
 *
 * For an instance that exists, in this order:
 *   claimed, classic network                         -> NotVpc
 *   claimed by bindings wanting different roles      -> Conflict
 *   claimed, the decided role X is there             -> InSync
 *   claimed, carries nothing or Y != X               -> Drifted
 *   named only by bindings not permitted on it       -> NotPermitted (policy column: NotPermitted)
 *   unclaimed, targeted by Observe/suspended bindings -> Observed (what it carries, reported)
 *   unclaimed, carries a role                        -> Unmanaged
 *   unclaimed, carries no role                       -> InSync (Git declares nothing, nothing is there)
 * For an ID named in spec.instanceIds that the region does not have -> Missing (or NotPermitted when
 * only bindings not permitted there name it: the operator tells them nothing more either).
 * A selector match outside what a binding's policies cover is not a claim, as for the controller.
 */
import { arbitrate } from '../domain/arbitration.js';
import type { BindingView } from '../domain/binding-view.js';
import { bindingTargets, compareAge } from '../domain/claims.js';
import { ECS_SERVICE_PRINCIPAL, type InstanceInfo, type RoleInfo } from '../domain/cloud-facts.js';
import { byInstanceId } from '../domain/instance-states.js';
import { type Permissions, UNRESTRICTED, identityOf } from '../domain/permissions.js';
import { CONDITION_REASONS, asClause } from '../domain/reasons.js';
import { roleNameKey, sameRoleName } from '../domain/role-names.js';
import { agree } from '../domain/text.js';
import {
  type AuditInput,
  type AuditReport,
  FINDING_VERDICTS,
  type InstanceAudit,
  NOT_PERMITTED,
  type NotPermittedBinding,
  type PolicyAudit,
  type RegionInventory,
  type RoleAudit,
  VERDICTS,
  type Verdict,
} from './model.js';

function roleInfo(roleName: string, roles: ReadonlyMap<string, RoleInfo | null>): RoleInfo | null | undefined {
  if (roles.has(roleName)) return roles.get(roleName);
  for (const [name, info] of roles) if (sameRoleName(name, roleName)) return info;
  return undefined;
}

function describeRoleProblem(roleName: string, roles: ReadonlyMap<string, RoleInfo | null>): string {
  const role = roleInfo(roleName, roles);
  if (role === null) return ` Role ${roleName} does not exist in RAM: ${asClause(CONDITION_REASONS.RoleNotFound.fix)}.`;
  if (role && !role.trustsEcs) return ` Role ${roleName} does not trust ${ECS_SERVICE_PRINCIPAL}: ${asClause(CONDITION_REASONS.RoleNotTrusted.fix)}.`;
  return '';
}

function claimantsWanting(claimants: BindingView[], roleName: string): string[] {
  return claimants.filter((b) => sameRoleName(b.spec.roleName, roleName)).map((b) => b.key);
}

function auditClaimed(
  instance: InstanceInfo,
  currentRole: string | null,
  claimants: BindingView[],
  roles: ReadonlyMap<string, RoleInfo | null>,
  permissions: Permissions,
): Pick<InstanceAudit, 'verdict' | 'detail' | 'desiredRole' | 'policy'> {
  const decision = arbitrate(undefined, claimants, instance.instanceId, instance, currentRole, undefined, permissions);
  const winner = (decision.frozen ? claimants.find((c) => sameRoleName(c.spec.roleName, currentRole)) : decision.competing[0]) ?? (claimants[0] as BindingView);
  const desiredRole = decision.decided ?? winner.spec.roleName;
  const grant = permissions.instance(identityOf(winner), instance);
  const policy = grant.permitted ? grant.policy : null;
  if (instance.networkType !== 'vpc') {
    return {
      verdict: 'NotVpc',
      desiredRole,
      policy,
      detail: `Classic-network instances cannot carry a RAM role: remove ${instance.instanceId} from ${claimants.map((b) => b.key).join(', ')} or migrate it to a VPC.`,
    };
  }
  const wanted = [...new Map(claimants.map((b) => [roleNameKey(b.spec.roleName), b.spec.roleName])).values()];
  if (wanted.length > 1) {
    const others = wanted
      .filter((r) => !sameRoleName(r, desiredRole))
      .map((r) => {
        const keys = claimantsWanting(claimants, r);
        return `${keys.join(', ')} ${agree(keys.length, 'wants', 'want')} ${r}`;
      })
      .join('; ');
    const carries = currentRole === null ? 'it carries no role' : `it carries ${currentRole}`;
    const why = decision.owners.size > 0 ? `: the role it carries is its namespace's, which no other namespace displaces` : ' as the oldest';
    return {
      verdict: 'Conflict',
      desiredRole,
      policy,
      detail: `Bindings want different roles: ${winner.key} wants ${desiredRole} and wins${why}; ${others}. Today ${carries}. Make the bindings agree or stop one of them from claiming the instance.`,
    };
  }
  if (sameRoleName(currentRole, desiredRole)) {
    return { verdict: 'InSync', desiredRole, policy, detail: `Carries ${desiredRole} as declared.` };
  }
  const problem = describeRoleProblem(desiredRole, roles);
  if (currentRole === null) {
    return { verdict: 'Drifted', desiredRole, policy, detail: `Should carry ${desiredRole} but carries no role.${problem}` };
  }
  const takeover = claimants.some((b) => {
    const g = permissions.instance(identityOf(b), instance);
    return b.spec.takeover && g.permitted && g.allowTakeover;
  });
  const fix = takeover
    ? 'takeover is set (and allowed), so the operator replaces it.'
    : `no binding owns ${currentRole} here, so the operator leaves it (Conflict) unless a binding sets takeover: true and its InstanceRolePolicy allows takeover.`;
  return { verdict: 'Drifted', desiredRole, policy, detail: `Should carry ${desiredRole} but carries ${currentRole}; ${fix}${problem}` };
}

/** Whether the binding claims what it targets: Enforce and not suspended (and not deleting, see bindingTargets' callers). */
function claims(binding: BindingView): boolean {
  return binding.spec.mode === 'Enforce' && !binding.spec.suspend;
}

function observedDetail(currentRole: string | null, observers: readonly BindingView[]): string {
  const how = observers.map((b) => `${b.key} (${b.spec.suspend ? 'suspended' : 'mode Observe'}, names ${b.spec.roleName})`).join(', ');
  return `Carries ${currentRole ?? 'no role'}; only observed by ${how}, which change nothing. Set spec.mode: Enforce (and suspend: false) to have it carry the role.`;
}

function notPermittedDetail(instanceId: string, namers: readonly BindingView[]): string {
  const keys = namers.map((b) => b.key);
  return `${keys.join(', ')} ${agree(keys.length, 'names', 'name')} ${instanceId}, but no InstanceRolePolicy permits ${agree(keys.length, 'its namespace and role', 'their namespaces and roles')} on it: the operator neither reads nor changes it for ${agree(keys.length, 'it', 'them')}. Remove the ID, or have a cluster admin extend a policy's spec.instances.`;
}

function auditRegion(region: RegionInventory, bindings: BindingView[], roles: ReadonlyMap<string, RoleInfo | null>, permissions: Permissions): InstanceAudit[] {
  // Index so each instance is checked only against bindings that can claim it.
  const byExplicitId = new Map<string, BindingView[]>();
  for (const binding of bindings) {
    for (const id of binding.spec.instanceIds) byExplicitId.set(id, [...(byExplicitId.get(id) ?? []), binding]);
  }
  const withSelector = bindings.filter((b) => b.spec.selector !== undefined);
  const permitted = (b: BindingView, instance: InstanceInfo | undefined): boolean => permissions.instance(identityOf(b), instance).permitted;
  const rows: InstanceAudit[] = [];
  for (const instance of region.instances) {
    const currentRole = instance.networkType === 'vpc' ? (region.attachedRoles.get(instance.instanceId) ?? null) : null;
    const candidates = new Set([...(byExplicitId.get(instance.instanceId) ?? []), ...withSelector]);
    const targeting = [...candidates].filter((b) => bindingTargets(b, instance, instance.instanceId)).sort(compareAge);
    const allowed = targeting.filter((b) => permitted(b, instance));
    const claimants = allowed.filter(claims);
    const observers = allowed.filter((b) => !claims(b));
    const refused = targeting.filter((b) => !permitted(b, instance) && b.spec.instanceIds.includes(instance.instanceId));
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
      rows.push({ ...base, ...auditClaimed(instance, currentRole, claimants, roles, permissions) });
    } else if (refused.length > 0) {
      rows.push({ ...base, claimedBy: refused.map((b) => b.key), desiredRole: null, policy: NOT_PERMITTED, verdict: 'NotPermitted', detail: notPermittedDetail(instance.instanceId, refused) });
    } else if (observers.length > 0) {
      const grant = permissions.instance(identityOf(observers[0] as BindingView), instance);
      rows.push({
        ...base,
        claimedBy: observers.map((b) => b.key),
        desiredRole: null,
        policy: grant.permitted ? grant.policy : null,
        verdict: 'Observed',
        detail: observedDetail(currentRole, observers),
      });
    } else if (currentRole !== null) {
      rows.push({
        ...base,
        desiredRole: null,
        policy: null,
        verdict: 'Unmanaged',
        detail: `Carries ${currentRole} but no binding claims it: add it to a binding, or detach the role if it should not be there.`,
      });
    } else {
      rows.push({ ...base, desiredRole: null, policy: null, verdict: 'InSync', detail: 'No binding claims it and it carries no role.' });
    }
  }

  const existing = new Set(region.instances.map((i) => i.instanceId));
  for (const [instanceId, named] of byExplicitId) {
    if (existing.has(instanceId)) continue;
    const sorted = [...named].sort(compareAge);
    const claimants = sorted.filter((b) => permitted(b, undefined));
    const row = { regionId: region.regionId, instanceId, currentRole: null };
    if (claimants.length === 0) {
      rows.push({ ...row, desiredRole: null, claimedBy: sorted.map((b) => b.key), policy: NOT_PERMITTED, verdict: 'NotPermitted', detail: notPermittedDetail(instanceId, sorted) });
      continue;
    }
    const grant = permissions.instance(identityOf(claimants[0] as BindingView), undefined);
    rows.push({
      ...row,
      desiredRole: claimants[0]!.spec.roleName,
      claimedBy: claimants.map((b) => b.key),
      policy: grant.permitted ? grant.policy : null,
      verdict: 'Missing',
      detail: `${claimants.map((b) => b.key).join(', ')} ${agree(claimants.length, 'names', 'name')} ${instanceId}, but region ${region.regionId} has no such instance: remove the ID from spec.instanceIds or fix spec.regionId.`,
    });
  }
  return rows;
}

function compareRows(a: InstanceAudit, b: InstanceAudit): number {
  if (a.regionId !== b.regionId) return a.regionId < b.regionId ? -1 : 1;
  return byInstanceId(a, b);
}

function roleAudits(rows: InstanceAudit[], bindings: BindingView[], roles: ReadonlyMap<string, RoleInfo | null>): RoleAudit[] {
  // One entry per role, whatever case each place spells it in (RAM's spelling first).
  const names = new Map<string, string>();
  const add = (name: string): void => {
    if (!names.has(roleNameKey(name))) names.set(roleNameKey(name), name);
  };
  for (const name of roles.keys()) add(name);
  for (const b of bindings) add(b.spec.roleName);
  for (const row of rows) {
    if (row.currentRole !== null) add(row.currentRole);
    if (row.desiredRole !== null) add(row.desiredRole);
  }
  const existing = rows.filter((r) => r.verdict !== 'Missing' && !(r.verdict === 'NotPermitted' && r.networkType === undefined));
  return [...names.values()].sort().map((roleName) => {
    const info = roleInfo(roleName, roles);
    const is = (name: string | null): boolean => sameRoleName(name, roleName);
    return {
      roleName,
      exists: info !== null,
      trustsEcs: info === null ? null : (info?.trustsEcs ?? null),
      arn: info?.arn || null,
      attached: existing.filter((r) => is(r.currentRole)).length,
      desired: existing.filter((r) => is(r.desiredRole)).length,
      inSync: existing.filter((r) => r.verdict === 'InSync' && is(r.currentRole)).length,
      drifted: existing.filter((r) => r.verdict === 'Drifted' && is(r.desiredRole)).length,
      unmanaged: existing.filter((r) => r.verdict === 'Unmanaged' && is(r.currentRole)).length,
      bindings: bindings.filter((b) => is(b.spec.roleName)).map((b) => b.key).sort(),
    };
  });
}

/** Bindings tenancy does not permit at all, with the operator's message. */
function notPermittedBindings(bindings: ReadonlyArray<{ view: BindingView; source: string }>, permissions: Permissions): NotPermittedBinding[] {
  const out: NotPermittedBinding[] = [];
  for (const { view, source } of bindings) {
    const grant = permissions.binding(identityOf(view));
    if (!grant.permitted) out.push({ key: view.key, source, message: grant.message });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function policyAudits(input: AuditInput, live: BindingView[], rows: InstanceAudit[], permissions: Permissions): PolicyAudit[] {
  return [...(input.tenancy?.policies ?? [])]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => {
      const bindings = live.filter((v) => {
        const grant = permissions.binding(identityOf(v));
        return grant.permitted && grant.policies.some((x) => x.name === p.name);
      }).length;
      const instances = rows.filter((r) => r.policy === p.name).length;
      return 'invalid' in p.checked
        ? { name: p.name, source: p.source, valid: false, message: p.checked.invalid, bindings, instances }
        : { name: p.name, source: p.source, valid: true, bindings, instances };
    });
}

/** Computes the audit report. Bindings of regions not in `input.regions` are listed, not evaluated. */
export function computeAudit(input: AuditInput): AuditReport {
  const regionIds = new Set(input.regions.map((r) => r.regionId));
  const permissions = input.tenancy?.permissions ?? UNRESTRICTED;
  const live = input.bindings.map((b) => b.view).filter((v) => !v.deleting);
  const inScope = live.filter((v) => regionIds.has(v.spec.regionId));
  const rows: InstanceAudit[] = [];
  for (const region of input.regions) {
    const regionBindings = inScope.filter((v) => v.spec.regionId === region.regionId);
    rows.push(...auditRegion(region, regionBindings, input.roles, permissions));
  }
  rows.sort(compareRows);

  const roles = roleAudits(rows, inScope, input.roles);
  const untrustedRoles = roles.filter((r) => r.trustsEcs === false).map((r) => r.roleName);
  const missingRoles = roles.filter((r) => !r.exists).map((r) => r.roleName);
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const row of rows) totals[row.verdict]++;
  const findingRows = rows.filter((r) => FINDING_VERDICTS.has(r.verdict)).length;
  const invalidBindings = [...input.invalidBindings].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  // Like every other judgement, only the bindings of the audited regions (all of them when none is).
  const judged = input.bindings.filter((b) => !b.view.deleting && (regionIds.size === 0 || regionIds.has(b.view.spec.regionId)));
  const refused = notPermittedBindings(judged, permissions);
  const policies = policyAudits(input, live, rows, permissions);
  const invalidPolicies = policies.filter((p) => !p.valid).length;

  return {
    regions: [...regionIds].sort(),
    instances: rows,
    roles,
    untrustedRoles,
    missingRoles,
    invalidBindings,
    bindingsOutsideRegions: live.filter((v) => !regionIds.has(v.spec.regionId)).map((v) => v.key).sort(),
    tenancy: input.tenancy?.enforced === true ? 'enforce' : 'disabled',
    notPermittedBindings: refused,
    policies,
    totals,
    findings: findingRows + invalidBindings.length + refused.length + invalidPolicies + untrustedRoles.length + missingRoles.length,
  };
}

/** Exit status of `ecs-role-operator audit` for a finished report: 0 in sync, 3 findings. (1 is for errors.) */
export const AUDIT_EXIT_IN_SYNC = 0;
export const AUDIT_EXIT_FINDINGS = 3;
export function auditExitCode(report: AuditReport): number {
  return report.findings > 0 ? AUDIT_EXIT_FINDINGS : AUDIT_EXIT_IN_SYNC;
}
