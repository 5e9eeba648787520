/**
 * The error policy the loop applies to a failed pass (kube-rs's error_policy), by the failure's
 * class: recoverable → per-key capped exponential backoff with jitter; wait → look again after a
 * short delay; terminal → wait for the binding's resync period (Stalled says what to fix; no hot
 * loop). A delay is never zero.
 */
import type { Failure } from '../domain/failures.js';
import type { Retry } from '../runtime/reconcile-loop.js';

export interface RequeuePolicyOptions {
  /** Delay after a wait-class failure. */
  waitMs: number;
  /** The resync period of the binding with this key (the operator default when it has none). */
  resyncMsOf(key: string): number;
}

export function bindingErrorPolicy(opts: RequeuePolicyOptions): (failure: Failure, key: string) => Retry {
  return (failure, key) => {
    switch (failure.class) {
      case 'recoverable':
        return { kind: 'backoff' };
      case 'wait':
        return { kind: 'after', ms: opts.waitMs };
      case 'terminal':
        return { kind: 'after', ms: opts.resyncMsOf(key) };
    }
  };
}
