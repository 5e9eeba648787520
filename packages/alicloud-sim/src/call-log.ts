/** The ActionTrail of the simulator: every API call, oldest first. */

export interface CallRecord {
  /** ISO-8601 time the call arrived. */
  time: string;
  action: string;
  /** Business parameters; InstanceIds parsed to an array when it is valid JSON. */
  params: Record<string, unknown>;
  /** The AccessKey ID that signed the call ("" when unsigned). */
  accessKeyId: string;
  /** HTTP status answered. */
  status: number;
  /** "200" on success, else the error code. */
  code: string;
  requestId: string;
  /** Time the simulator spent answering, injected latency included (milliseconds). */
  durationMs: number;
  /** Set when an injected fault hit the call. */
  faultIds?: number[];
  /** Set when an injected fault delayed the call. */
  injectedLatencyMs?: number;
}

/**
 * Keeps the newest `limit` records. An entry of a 50-ID call holds about 2 KB, and the sandbox
 * runs the simulator in the operator's process: keep the default modest.
 */
export const DEFAULT_CALL_LOG_LIMIT = 20_000;

export class CallLog {
  private records: CallRecord[] = [];

  constructor(private readonly limit: number = DEFAULT_CALL_LOG_LIMIT) {}

  record(entry: CallRecord): void {
    this.records.push(entry);
    if (this.records.length > this.limit * 1.1) this.records = this.records.slice(this.records.length - this.limit);
  }

  /** Oldest first; optionally only calls of one action. */
  entries(action?: string): CallRecord[] {
    const all = this.records.length > this.limit ? this.records.slice(this.records.length - this.limit) : this.records;
    return action ? all.filter((r) => r.action === action) : [...all];
  }

  clear(): void {
    this.records = [];
  }
}

/** Call-log params: InstanceIds as a parsed array so tests can assert on IDs. */
export function paramsForLog(params: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  if (typeof params['InstanceIds'] === 'string') {
    try {
      const parsed: unknown = JSON.parse(params['InstanceIds']);
      if (Array.isArray(parsed)) out['InstanceIds'] = parsed;
    } catch {
      // keep the raw string: the call was answered InvalidInstanceIds.Malformed
    }
  }
  return out;
}
