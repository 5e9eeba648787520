/**
 * When each instance lost its RAM role and when it got the next one: a window opens when an
 * instance's role is removed (detach, or drift through the control plane) and closes when a role
 * is attached again. A direct change from one role to another never leaves the instance
 * roleless and opens no window. Memory is bounded: at most `instanceLimit` instances are
 * tracked (the least recently changed are forgotten first) and `windowsPerInstance` windows each.
 */

export interface RolelessWindow {
  instanceId: string;
  /** ISO-8601, millisecond precision. */
  lostAt: string;
  /** null while the instance is still roleless. */
  regainedAt: string | null;
  roleBefore: string;
  roleAfter: string | null;
  /** regainedAt - lostAt; null while open. */
  durationMs: number | null;
  /** Set when the instance was released while roleless (the window never closes). */
  releasedAt: string | null;
}

export interface RolelessSummary {
  /** Closed windows (the instance got a role again). */
  count: number;
  /** Nearest-rank percentiles and maximum of the closed windows' durations; null when none. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Instances whose window is open and which still exist. */
  currentlyRoleless: number;
  /** Age of the oldest open window; null when none. */
  longestOpenMs: number | null;
  trackedInstances: number;
  /** Instances forgotten to stay within the limit since the last reset. */
  evictedInstances: number;
  /** Windows dropped because one instance had more than windowsPerInstance. */
  droppedWindows: number;
}

export interface RolelessReport {
  windows: RolelessWindow[];
  summary: RolelessSummary;
}

interface OpenOrClosed {
  lostAt: number;
  regainedAt: number | null;
  roleBefore: string;
  roleAfter: string | null;
  releasedAt: number | null;
}

export const DEFAULT_ROLELESS_INSTANCE_LIMIT = 50_000;
export const DEFAULT_ROLELESS_WINDOWS_PER_INSTANCE = 16;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export class RolelessLog {
  private readonly byInstance = new Map<string, OpenOrClosed[]>();
  private evicted = 0;
  private dropped = 0;

  constructor(
    private readonly instanceLimit: number = DEFAULT_ROLELESS_INSTANCE_LIMIT,
    private readonly now: () => number = Date.now,
    private readonly windowsPerInstance: number = DEFAULT_ROLELESS_WINDOWS_PER_INSTANCE,
  ) {}

  /** Called on every role change of an instance (before/after: role names, null for none). */
  roleChanged(instanceId: string, before: string | null, after: string | null): void {
    if (before !== null && after === null) {
      const windows = this.touch(instanceId);
      windows.push({ lostAt: this.now(), regainedAt: null, roleBefore: before, roleAfter: null, releasedAt: null });
      if (windows.length > this.windowsPerInstance) {
        windows.shift();
        this.dropped++;
      }
    } else if (before === null && after !== null) {
      const windows = this.byInstance.get(instanceId);
      const open = windows?.at(-1);
      if (!windows || !open || open.regainedAt !== null || open.releasedAt !== null) return;
      open.regainedAt = this.now();
      open.roleAfter = after;
      this.touch(instanceId);
    }
  }

  /** The instance was released: an open window stays open for good, marked released. */
  released(instanceId: string): void {
    const open = this.byInstance.get(instanceId)?.at(-1);
    if (open && open.regainedAt === null && open.releasedAt === null) open.releasedAt = this.now();
  }

  clear(): void {
    this.byInstance.clear();
    this.evicted = 0;
    this.dropped = 0;
  }

  report(instanceId?: string): RolelessReport {
    const now = this.now();
    const windows: RolelessWindow[] = [];
    const durations: number[] = [];
    let currentlyRoleless = 0;
    let oldestOpen: number | null = null;
    for (const [id, list] of this.byInstance) {
      for (const w of list) {
        const durationMs = w.regainedAt === null ? null : w.regainedAt - w.lostAt;
        if (durationMs !== null) durations.push(durationMs);
        else if (w.releasedAt === null) {
          currentlyRoleless++;
          oldestOpen = oldestOpen === null ? w.lostAt : Math.min(oldestOpen, w.lostAt);
        }
        if (instanceId !== undefined && id !== instanceId) continue;
        windows.push({
          instanceId: id,
          lostAt: new Date(w.lostAt).toISOString(),
          regainedAt: w.regainedAt === null ? null : new Date(w.regainedAt).toISOString(),
          roleBefore: w.roleBefore,
          roleAfter: w.roleAfter,
          durationMs,
          releasedAt: w.releasedAt === null ? null : new Date(w.releasedAt).toISOString(),
        });
      }
    }
    windows.sort((a, b) => (a.lostAt < b.lostAt ? -1 : a.lostAt > b.lostAt ? 1 : 0));
    durations.sort((a, b) => a - b);
    return {
      windows,
      summary: {
        count: durations.length,
        p50Ms: durations.length === 0 ? null : percentile(durations, 50),
        p99Ms: durations.length === 0 ? null : percentile(durations, 99),
        maxMs: durations.length === 0 ? null : durations.at(-1)!,
        currentlyRoleless,
        longestOpenMs: oldestOpen === null ? null : now - oldestOpen,
        trackedInstances: this.byInstance.size,
        evictedInstances: this.evicted,
        droppedWindows: this.dropped,
      },
    };
  }

  /** The instance's windows, moved to the most-recently-changed end; evicts beyond the limit. */
  private touch(instanceId: string): OpenOrClosed[] {
    const windows = this.byInstance.get(instanceId) ?? [];
    this.byInstance.delete(instanceId);
    this.byInstance.set(instanceId, windows);
    while (this.byInstance.size > this.instanceLimit) {
      const oldest = this.byInstance.keys().next().value as string;
      this.byInstance.delete(oldest);
      this.evicted++;
    }
    return windows;
  }
}
