/**
 * Asking again after a throttled answer, where starting over would cost more than waiting: a
 * listing's next page (a throttled page would otherwise throw away every page before it). Other
 * calls are not retried here: a throttled call fails its pass, which the error policy backs off,
 * so sustained throttling never multiplies the calls.
 */
import { abortable } from '../runtime/abort.js';
import { CloudError } from './cloud-api.js';
import { classifyCloudError } from './error-policy.js';

/** Throttled answers asked again, at most, THROTTLE_RETRY_MS more apart each time (or the cloud's Retry-After). */
export const THROTTLE_RETRIES = 3;
const THROTTLE_RETRY_MS = 200;

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
      const waitMs = err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : THROTTLE_RETRY_MS * attempt;
      await abortable(new Promise((resolve) => setTimeout(resolve, waitMs)), signal);
    }
  }
}
