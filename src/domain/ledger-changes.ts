/**
 * What a pass changes in the ownership ledger for the binding it planned, from the plan and what
 * the cloud answered: the plan's own changes (adoption, stale records, letting go), then hold for
 * every confirmed attach and forget for every confirmed detach (or a detach that found the role
 * already gone). A failed call changes nothing: the next pass tries again with the same record.
 * Pure; the reconciler applies the result (ownership.ts applyLedgerChanges).
 */
import type { LedgerChange } from './ownership.js';
import type { Plan } from './planner.js';

export interface ConfirmedActions {
  /** Instances whose attach succeeded. */
  attached: readonly string[];
  /** Instances whose detach succeeded, or found the named role not attached. */
  detached: readonly string[];
}

export function ledgerChangesOf(plan: Plan, confirmed: ConfirmedActions): LedgerChange[] {
  const attached = new Set(confirmed.attached);
  const detached = new Set(confirmed.detached);
  const changes: LedgerChange[] = [];
  for (const p of plan.instances) {
    if (p.ledger) changes.push(p.ledger);
    if (detached.has(p.instanceId) && p.actions.some((a) => a.kind === 'detach')) changes.push({ kind: 'forget', instanceId: p.instanceId });
    const attach = p.actions.find((a) => a.kind === 'attach');
    if (attach && attached.has(p.instanceId)) changes.push({ kind: 'hold', instanceId: p.instanceId, roleName: attach.roleName });
  }
  return changes;
}
