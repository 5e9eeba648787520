/**
 * A pass planned and acted on part by part, as its observation arrives (RoleCloud.observe's
 * onPart): each part is planned once the role check and the finalizer are done, and its actions
 * start at once, so a selector over tens of thousands of instances attaches its first ones while
 * the rest is still listed. Each instance's plan depends on its own facts only, so the parts'
 * plans and executions, merged, are what planning the whole observation at once would give.
 */
import type { Observation, RoleCheck } from '../domain/cloud-facts.js';
import { type Plan, mergePlans } from '../domain/planner.js';
import { TaskGroup } from '../util/task-group.js';
import { type Execution, mergeExecutions } from './execute.js';

export interface PartHandlers {
  plan(part: Observation, role: RoleCheck): Plan;
  execute(plan: Plan): Promise<Execution>;
}

export interface PassResult {
  plan: Plan;
  execution: Execution;
}

export class PassParts {
  private readonly plans: Plan[] = [];
  private readonly executions: Execution[] = [];
  private readonly work = new TaskGroup();
  private readonly covered = new Set<string>();

  private readiness: Promise<RoleCheck> | undefined;

  /** `ready`: the role check, once the finalizer is in place too; asked for once, by the first part, which waits for it like every other. */
  constructor(
    private readonly ready: () => Promise<RoleCheck>,
    private readonly handlers: PartHandlers,
  ) {}

  /** A part of the observation: planned and acted on as soon as `ready` is. */
  add(part: Observation): void {
    for (const id of part.targetIds) this.covered.add(id);
    this.readiness ??= this.ready();
    this.work.add(
      this.readiness.then(async (role) => {
        const plan = this.handlers.plan(part, role);
        this.plans.push(plan);
        this.executions.push(await this.handlers.execute(plan));
      }),
    );
  }

  /** What the parts planned so far, merged (the in-flight status). */
  planned(): Plan {
    return mergePlans(this.plans);
  }

  /**
   * The whole observation is in: what no part covered (targets that were not described) is
   * planned too, even when nothing is left (the plan then still carries the role check's stall),
   * and the pass's plan and execution follow once every part is done. Rejects with the first
   * part's failure.
   */
  async finish(observation: Observation): Promise<PassResult> {
    const rest = observation.targetIds.filter((id) => !this.covered.has(id));
    const restRoles = new Map<string, string | null>();
    for (const id of rest) if (observation.observedRoles.has(id)) restRoles.set(id, observation.observedRoles.get(id) ?? null);
    this.add({ targetIds: rest, instances: observation.instances, observedRoles: restRoles, observeErrors: observation.observeErrors });
    await this.work.done();
    return this.merged();
  }

  /** The observation failed: what the parts that ran did, once they have ended (their ledger changes are owed). */
  async abandon(): Promise<PassResult> {
    await this.work.done().catch(() => undefined);
    return this.merged();
  }

  private merged(): PassResult {
    return { plan: mergePlans(this.plans), execution: mergeExecutions(this.executions) };
  }
}
