/** The audit report as JSON: the AuditReport object itself (see model.ts), pretty-printed. */
import type { AuditReport } from './model.js';

export function formatJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
