/**
 * Injected faults: a matching call (by action name, or `*` for all) is delayed by `latencyMs`
 * and/or answered with the given error, with probability `rate`, at most `count` times.
 */
import { seededRandom } from './seeded-random.js';

export interface FaultSpec {
  /** Action name, or "*" for every action. */
  action: string;
  /** Error code to answer with; omit for a latency-only fault. */
  code?: string;
  /** HTTP status for the error (default 503 for codes starting "ServiceUnavailable", 400 for Throttling*, else 500). */
  status?: number;
  message?: string;
  /** Probability 0..1 that a matching call is hit (default 1). */
  rate?: number;
  /** How many calls this fault hits at most (default unlimited). */
  count?: number;
  /** Delay added to each hit call, in milliseconds (default 0). */
  latencyMs?: number;
}

export interface Fault extends Required<Omit<FaultSpec, 'code' | 'message' | 'count'>> {
  id: number;
  code: string | null;
  message: string;
  /** Remaining hits; null = unlimited. */
  remaining: number | null;
  hits: number;
}

export interface FaultOutcome {
  latencyMs: number;
  error: { status: number; code: string; message: string } | null;
  /** IDs of the faults that hit this call. */
  faultIds: number[];
}

/** Validates a fault body; returns the problem, naming the field, or the normalised spec. */
export function validateFaultSpec(body: unknown): FaultSpec | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'body must be a JSON object' };
  const b = body as Record<string, unknown>;
  const allowed = ['action', 'code', 'status', 'message', 'rate', 'count', 'latencyMs'];
  for (const k of Object.keys(b)) if (!allowed.includes(k)) return { error: `${k}: unknown field (allowed: ${allowed.join(', ')})` };
  if (typeof b.action !== 'string' || b.action === '') return { error: 'action: must be an action name or "*"' };
  const spec: FaultSpec = { action: b.action };
  if (b.code !== undefined && b.code !== null) {
    if (typeof b.code !== 'string' || b.code === '') return { error: 'code: must be a non-empty string' };
    spec.code = b.code;
  }
  if (b.status !== undefined && b.status !== null) {
    if (typeof b.status !== 'number' || !Number.isInteger(b.status) || b.status < 400 || b.status > 599) return { error: 'status: must be an HTTP status from 400 to 599' };
    if (spec.code === undefined) return { error: 'status: needs a code' };
    spec.status = b.status;
  }
  if (b.message !== undefined && b.message !== null) {
    if (typeof b.message !== 'string') return { error: 'message: must be a string' };
    spec.message = b.message;
  }
  if (b.rate !== undefined && b.rate !== null) {
    if (typeof b.rate !== 'number' || !(b.rate >= 0 && b.rate <= 1)) return { error: 'rate: must be a number from 0 to 1' };
    spec.rate = b.rate;
  }
  if (b.count !== undefined && b.count !== null) {
    if (typeof b.count !== 'number' || !Number.isInteger(b.count) || b.count < 1) return { error: 'count: must be a positive integer' };
    spec.count = b.count;
  }
  if (b.latencyMs !== undefined && b.latencyMs !== null) {
    if (typeof b.latencyMs !== 'number' || !Number.isInteger(b.latencyMs) || b.latencyMs < 0 || b.latencyMs > 120_000) return { error: 'latencyMs: must be an integer from 0 to 120000' };
    spec.latencyMs = b.latencyMs;
  }
  if (spec.code === undefined && !spec.latencyMs) return { error: 'code: give an error code, a latencyMs, or both' };
  return spec;
}

function defaultStatus(code: string): number {
  if (code.startsWith('ServiceUnavailable')) return 503;
  if (code.includes('Throttling')) return 400;
  return 500;
}

export class FaultInjector {
  private faults: Fault[] = [];
  private nextId = 1;
  private readonly random: () => number;

  constructor(seed?: number) {
    this.random = seed === undefined ? Math.random : seededRandom(seed);
  }

  add(spec: FaultSpec): Fault {
    const code = spec.code ?? null;
    const fault: Fault = {
      id: this.nextId++,
      action: spec.action,
      code,
      status: spec.status ?? (code ? defaultStatus(code) : 0),
      message: spec.message ?? (code ? `Injected fault ${code} for ${spec.action}.` : ''),
      rate: spec.rate ?? 1,
      remaining: spec.count ?? null,
      latencyMs: spec.latencyMs ?? 0,
      hits: 0,
    };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Decides what the faults do to one call of `action`; spent faults are dropped. */
  apply(action: string): FaultOutcome {
    const outcome: FaultOutcome = { latencyMs: 0, error: null, faultIds: [] };
    for (const f of this.faults) {
      if (f.action !== '*' && f.action !== action) continue;
      if (f.remaining === 0) continue;
      if (f.code && outcome.error) continue; // one error per call; a later error fault keeps its budget
      if (!(this.random() < f.rate)) continue;
      f.hits++;
      if (f.remaining !== null) f.remaining--;
      outcome.faultIds.push(f.id);
      outcome.latencyMs += f.latencyMs;
      if (f.code) outcome.error = { status: f.status, code: f.code, message: f.message };
    }
    this.faults = this.faults.filter((f) => f.remaining !== 0);
    return outcome;
  }
}
