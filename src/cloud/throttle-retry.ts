/**
 * Asking again after a throttled answer, where starting over would cost more than waiting:
 *
 * - a listing's next page (a throttled page would otherwise throw away every page before it):
 *   retryThrottled, up to THROTTLE_RETRIES times;
 * - any other call, only while the action's ThrottleRetryBudget allows it: retries are paid for by
 *   the calls that succeeded (one retry per SUCCESSES_PER_RETRY answers, after gRPC's retry throttling), so a pass of
 *   1,500 calls survives the odd throttled answer (the client's token bucket and the cloud's drift
 *   apart by a request's latency), while under sustained throttling nothing funds a retry: the call
 *   fails its pass, the error policy backs off, and the calls are never multiplied.
 */
import { CloudError } from './cloud-api.js';
import { classifyCloudError } from './error-policy.js';

/** Throttled answers asked again, at most, THROTTLE_RETRY_MS more apart each time (or the cloud's Retry-After). */
export const THROTTLE_RETRIES = 3;
const THROTTLE_RETRY_MS = 200;

/** Answered calls that pay for one retry. */
export const SUCCESSES_PER_RETRY = 10;
/** The most retries saved up: a burst of throttling after a long quiet spell retries this many calls at most. */
export const RETRY_BUDGET_MAX = 10;

/** The retries of throttled calls the cloud client may still make (see the module comment). Starts empty. */
export class ThrottleRetryBudget {
  /** Answered calls not yet spent on a retry. */
  private credits = 0;

  /** A call of the action was answered. */
  succeeded(): void {
    this.credits = Math.min(RETRY_BUDGET_MAX * SUCCESSES_PER_RETRY, this.credits + 1);
  }

  /** Takes one retry when the budget holds one. */
  take(): boolean {
    if (this.credits < SUCCESSES_PER_RETRY) return false;
    this.credits -= SUCCESSES_PER_RETRY;
    return true;
  }
}

/** How long to wait before asking again after `err` (the cloud's Retry-After, or THROTTLE_RETRY_MS per attempt so far). */
export function throttleRetryDelayMs(err: CloudError, attempt: number): number {
  return err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : THROTTLE_RETRY_MS * attempt;
}

/** Waits `ms`; the signal ends the wait (rejects with its reason). */
export function waitBeforeRetry(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as unknown);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether the cloud throttled the call (by the one error table). */
export function isThrottled(err: unknown): err is CloudError {
  return err instanceof CloudError && classifyCloudError(err.code, err.statusCode).reason === 'Throttled';
}

/** `send`, asked again up to THROTTLE_RETRIES times while the cloud throttles it; the signal ends the waits. */
export async function retryThrottled<T>(send: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt > THROTTLE_RETRIES || !isThrottled(err)) throw err;
      await waitBeforeRetry(throttleRetryDelayMs(err, attempt), signal);
    }
  }
}
