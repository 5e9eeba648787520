/**
 * The audit report as CSV (RFC 4180): a header and one row per instance. Role totals and the
 * other lists are not tabular per instance; use the JSON output for those.
 */
import type { AuditReport, InstanceAudit } from './model.js';

export const CSV_COLUMNS = [
  'region',
  'instance_id',
  'network',
  'vpc_id',
  'status',
  'current_role',
  'desired_role',
  'claimed_by',
  'policy',
  'verdict',
  'detail',
] as const;

/** Quotes a field when it holds a comma, quote, CR/LF or edge spaces; doubles inner quotes. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvRow(row: InstanceAudit): string[] {
  return [
    row.regionId,
    row.instanceId,
    row.networkType ?? '',
    row.vpcId ?? '',
    row.status ?? '',
    row.currentRole ?? '',
    row.desiredRole ?? '',
    row.claimedBy.join(' '),
    row.policy ?? '',
    row.verdict,
    row.detail,
  ];
}

export function formatCsv(report: AuditReport): string {
  const lines = [CSV_COLUMNS.join(','), ...report.instances.map((row) => csvRow(row).map(csvField).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
