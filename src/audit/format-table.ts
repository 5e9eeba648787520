/**
 * The audit report as aligned text tables for a terminal: instances, role totals, then the
 * problems that are not per instance, and a one-line summary.
 */
import { CONDITION_REASONS, asClause } from '../domain/reasons.js';
import { type AuditReport, FINDING_VERDICTS, VERDICTS } from './model.js';

const NONE = '-';

/** Left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function alignColumns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function yesNo(value: boolean | null): string {
  return value === null ? NONE : value ? 'yes' : 'no';
}

export function formatTable(report: AuditReport): string {
  const out: string[] = [];
  const audited = VERDICTS.reduce((sum, v) => sum + report.totals[v], 0);
  if (report.instances.length === 0) {
    const where = report.regions.join(', ') || 'the audited regions';
    // --only-findings leaves no rows when everything is fine: say so, not that there is nothing.
    out.push(audited > 0 ? `No findings among the ${audited} instances of ${where}.` : `No instances in ${where}.`);
  } else {
    out.push(
      ...alignColumns(
        ['REGION', 'INSTANCE', 'NETWORK', 'ROLE', 'DESIRED', 'BINDINGS', 'POLICY', 'VERDICT', 'DETAIL'],
        report.instances.map((r) => [
          r.regionId,
          r.instanceId,
          r.networkType ?? NONE,
          r.currentRole ?? NONE,
          r.desiredRole ?? NONE,
          r.claimedBy.length > 0 ? r.claimedBy.join(',') : NONE,
          r.policy ?? NONE,
          r.verdict,
          r.detail,
        ]),
      ),
    );
  }
  if (report.roles.length > 0) {
    out.push('');
    out.push(
      ...alignColumns(
        ['ROLE', 'EXISTS', 'TRUSTS-ECS', 'ATTACHED', 'DESIRED', 'IN-SYNC', 'DRIFTED', 'UNMANAGED', 'BINDINGS'],
        report.roles.map((r) => [
          r.roleName,
          yesNo(r.exists),
          yesNo(r.trustsEcs),
          String(r.attached),
          String(r.desired),
          String(r.inSync),
          String(r.drifted),
          String(r.unmanaged),
          r.bindings.length > 0 ? r.bindings.join(',') : NONE,
        ]),
      ),
    );
  }
  if (report.policies.length > 0) {
    out.push('');
    out.push(
      ...alignColumns(
        ['POLICY', 'VALID', 'BINDINGS', 'INSTANCES', 'SOURCE'],
        report.policies.map((p) => [p.name, p.valid ? 'yes' : `no: ${p.message ?? ''}`, String(p.bindings), String(p.instances), p.source]),
      ),
    );
  }
  if (report.tenancy === 'disabled') {
    out.push('');
    out.push('Tenancy not judged (--tenancy disabled): every binding counts as permitted, as for an operator run with --tenancy=disabled.');
  }
  if (report.notPermittedBindings.length > 0) {
    out.push('');
    out.push('Bindings no InstanceRolePolicy permits (the operator acts on none of them):');
    for (const b of report.notPermittedBindings) out.push(`  ${b.key} in ${b.source}: ${b.message}`);
  }
  if (report.untrustedRoles.length > 0) {
    out.push('');
    out.push(`Roles whose trust policy does not allow ECS: ${report.untrustedRoles.join(', ')}`);
    out.push(`  fix, for each: ${asClause(CONDITION_REASONS.RoleNotTrusted.fix)}.`);
  }
  if (report.missingRoles.length > 0) {
    out.push('');
    out.push(`Roles that do not exist in RAM: ${report.missingRoles.join(', ')}`);
    out.push(`  fix, for each: ${asClause(CONDITION_REASONS.RoleNotFound.fix)} in the bindings that name it.`);
  }
  if (report.invalidBindings.length > 0) {
    out.push('');
    out.push('Invalid bindings (ignored):');
    for (const b of report.invalidBindings) out.push(`  ${b.key || '(unnamed)'} in ${b.source}: ${b.message}`);
  }
  if (report.bindingsOutsideRegions.length > 0) {
    out.push('');
    out.push(`Bindings of other regions (not audited): ${report.bindingsOutsideRegions.join(', ')}`);
  }
  out.push('');
  const counts = VERDICTS.map((v) => `${report.totals[v]} ${v}`).join(', ');
  const status =
    report.findings > 0
      ? `${report.findings} finding${report.findings === 1 ? '' : 's'} (${[...FINDING_VERDICTS].join('/')} instances, invalid or not permitted bindings, invalid policies, missing or untrusted roles)`
      : 'in sync';
  out.push(`${audited} instances: ${counts}. ${status}.`);
  return `${out.join('\n')}\n`;
}
