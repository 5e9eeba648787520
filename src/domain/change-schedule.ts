/**
 * How a plan's actions are sent, as a pure function: the instances that change role (detach R,
 * then attach S) are cut into swap batches of at most `batchSize` instances with the same R and
 * S, so each detach call is followed at once by the attach call of the very same instances (the
 * roleless window of an instance is then one detach call plus one attach token's wait, not the
 * length of every other detach). Instances that are only attached or only detached go as they
 * are. No I/O.
 */
import type { PlannedAction } from './planner.js';

/** One detach call and the attach call that follows it, for the same instances. */
export interface SwapBatch {
  /** The role detached (named, so a role someone else put there is never removed). */
  fromRole: string;
  /** The role attached right after. */
  toRole: string;
  instanceIds: string[];
}

export interface ChangeSchedule {
  /** Instances whose plan is only an attach (no role there). */
  attachOnly: Array<{ instanceId: string; roleName: string }>;
  /** Instances whose plan is only a detach (a release). */
  detachOnly: Array<{ instanceId: string; roleName: string }>;
  /** Role changes, in plan order, grouped by (fromRole, toRole) and cut to batchSize. */
  swaps: SwapBatch[];
}

export function scheduleChanges(actions: readonly PlannedAction[], batchSize: number): ChangeSchedule {
  if (!(batchSize >= 1)) throw new Error(`batchSize must be at least 1, got ${batchSize}`);
  const byInstance = new Map<string, PlannedAction[]>();
  for (const action of actions) {
    const list = byInstance.get(action.instanceId);
    if (list) list.push(action);
    else byInstance.set(action.instanceId, [action]);
  }
  const schedule: ChangeSchedule = { attachOnly: [], detachOnly: [], swaps: [] };
  const open = new Map<string, SwapBatch>();
  for (const [instanceId, list] of byInstance) {
    const detach = list.find((a) => a.kind === 'detach');
    const attach = list.find((a) => a.kind === 'attach');
    if (detach && attach) {
      const key = `${detach.roleName}\u0000${attach.roleName}`;
      let batch = open.get(key);
      if (!batch || batch.instanceIds.length >= batchSize) {
        batch = { fromRole: detach.roleName, toRole: attach.roleName, instanceIds: [] };
        open.set(key, batch);
        schedule.swaps.push(batch);
      }
      batch.instanceIds.push(instanceId);
    } else if (attach) schedule.attachOnly.push({ instanceId, roleName: attach.roleName });
    else if (detach) schedule.detachOnly.push({ instanceId, roleName: detach.roleName });
  }
  return schedule;
}
