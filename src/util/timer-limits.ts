/**
 * The longest delay a Node.js timer can wait: 2^31-1 ms, about 24.8 days. setTimeout with a
 * longer delay warns (TimeoutOverflowWarning) and fires after 1 ms, so every delay is clamped to
 * this before it reaches a timer.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export function clampTimerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_DELAY_MS);
}
