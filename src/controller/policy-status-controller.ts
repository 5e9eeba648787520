/**
 * Keeps the status of every InstanceRolePolicy: Ready / Stalled (InvalidPolicy), observedGeneration
 * and how many bindings it permits now (domain/policy-status.ts). A policy is written when it
 * changes; every policy is recounted, debounced, after bindings or namespaces change. A status is
 * written only when it says something new. Runs on the leader only, through the generic loop (a
 * failed write is retried with backoff).
 */
import type { Logger } from 'pino';
import type { BindingView } from '../domain/binding-view.js';
import { computePolicyStatus, permittedBindingsOf, samePolicyStatus } from '../domain/policy-status.js';
import type { InstanceRolePolicyStatus } from '../api/instance-role-policy.js';
import type { PolicyStatusApi } from '../kube/kube-policy-api.js';
import type { TenancyCache } from '../kube/tenancy-cache.js';
import { reconcileLogger } from '../observability/logger.js';
import { ReconcileLoop } from '../runtime/reconcile-loop.js';
import { WorkQueue } from '../runtime/work-queue.js';
import { errorText } from '../util/error-text.js';

export interface PolicyStatusControllerOptions {
  tenancy: TenancyCache;
  /** Every binding's view (the binding cache). */
  bindings(): Iterable<BindingView>;
  api: PolicyStatusApi;
  logger: Logger;
  /** How long a recount waits for more changes. Default 1 s. */
  recountDelayMs?: number;
  now?: () => Date;
}

export class PolicyStatusController {
  private readonly queue = new WorkQueue();
  private readonly loop: ReconcileLoop<never>;
  private readonly written = new Map<string, { generation: number; status: InstanceRolePolicyStatus }>();
  private recountTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly opts: PolicyStatusControllerOptions) {
    this.loop = new ReconcileLoop<never>({
      queue: this.queue,
      concurrency: 1,
      reconcile: (name) => this.writeStatus(name),
      errorPolicy: () => ({ kind: 'backoff' }),
      passLogger: (name) => reconcileLogger(opts.logger, `InstanceRolePolicy/${name}`),
    });
  }

  /** Starts writing (on the leader), with every known policy queued. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop.start();
    this.recountNow();
  }

  async stop(): Promise<void> {
    if (this.recountTimer) clearTimeout(this.recountTimer);
    this.recountTimer = undefined;
    await this.loop.stop();
  }

  /** The policy changed (or is new, or gone). */
  policyChanged(name: string): void {
    if (this.running) this.queue.add(name);
  }

  /** Bindings or namespaces changed: every policy's count may have. */
  recount(): void {
    if (!this.running || this.recountTimer) return;
    this.recountTimer = setTimeout(() => {
      this.recountTimer = undefined;
      this.recountNow();
    }, this.opts.recountDelayMs ?? 1_000);
    this.recountTimer.unref();
  }

  private recountNow(): void {
    for (const entry of this.opts.tenancy.policyEntries()) this.queue.add(entry.name);
  }

  private async writeStatus(name: string): Promise<{ kind: 'done'; why: string }> {
    const { tenancy } = this.opts;
    const entry = tenancy.policy(name);
    if (!entry) {
      this.written.delete(name);
      return { kind: 'done', why: 'policy gone' };
    }
    const generation = entry.policy.metadata.generation ?? 0;
    const mine = this.written.get(name);
    const previous = mine && mine.generation === generation ? mine.status : entry.policy.status;
    const status = computePolicyStatus({
      generation,
      checked: entry.checked,
      permittedBindings: 'view' in entry.checked ? permittedBindingsOf(name, this.opts.bindings(), tenancy.permissions()) : 0,
      enforced: tenancy.enforced,
      previous,
      now: (this.opts.now?.() ?? new Date()).toISOString(),
    });
    if (samePolicyStatus(previous, status)) return { kind: 'done', why: 'status unchanged' };
    try {
      await this.opts.api.patchStatus(name, status);
    } catch (err) {
      if ((err as { code?: number }).code === 404) return { kind: 'done', why: 'policy gone' };
      throw new Error(`writing the status of InstanceRolePolicy ${name}: ${errorText(err)}`);
    }
    this.written.set(name, { generation, status });
    return { kind: 'done', why: 'status written' };
  }
}
