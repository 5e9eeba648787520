/** What the simulator's call log says about a phase: calls by action, throttled answers, instances covered. */
import type { CallRecord } from '@ecs-role-operator/alicloud-sim';

export interface CallSummary {
  /** Answered calls (code 200) by action. */
  ok: Record<string, number>;
  /** Answers "Throttling" by action. */
  throttled: Record<string, number>;
  /** Any other error answers. */
  failed: number;
  total: number;
}

export function summarizeCalls(records: readonly CallRecord[]): CallSummary {
  const ok: Record<string, number> = {};
  const throttled: Record<string, number> = {};
  let failed = 0;
  for (const r of records) {
    if (r.code === '200') ok[r.action] = (ok[r.action] ?? 0) + 1;
    else if (r.code.startsWith('Throttling')) throttled[r.action] = (throttled[r.action] ?? 0) + 1;
    else failed++;
  }
  return { ok, throttled, failed, total: records.length };
}

/** Distinct instance IDs that answered calls of `action` named. */
export function instancesCovered(records: readonly CallRecord[], action: string): number {
  const ids = new Set<string>();
  for (const r of records) {
    if (r.action !== action || r.code !== '200') continue;
    const named = r.params.InstanceIds;
    if (Array.isArray(named)) for (const id of named) ids.add(String(id));
  }
  return ids.size;
}

export function sumThrottled(s: CallSummary): number {
  return Object.values(s.throttled).reduce((a, b) => a + b, 0);
}
