/**
 * Finalizer handling in one place (kube-rs's finalizer helper): a live object that should carry
 * the finalizer gets it before `apply` runs (so before any cloud write); a deleting object that
 * carries it runs `cleanup`, and the finalizer is removed only once cleanup says the object is
 * released. A deleting object without our finalizer is not ours to clean up.
 */
import { FINALIZER, type InstanceRoleBinding } from '../api/instance-role-binding.js';

export type Cleanup<R> = { released: true } | { released: false; result: R };

export interface FinalizerHandlers<R> {
  /** Whether the live object should carry the finalizer. */
  wanted: boolean;
  apply(): Promise<R>;
  cleanup(): Promise<Cleanup<R>>;
  /** The result once the finalizer was removed, or when it was never ours. */
  finished(why: 'finalized' | 'not ours to clean up'): R;
}

export interface FinalizerWrites {
  setFinalizers(binding: InstanceRoleBinding, finalizers: string[]): Promise<void>;
}

export async function withFinalizer<R>(binding: InstanceRoleBinding, writes: FinalizerWrites, handlers: FinalizerHandlers<R>): Promise<R> {
  const finalizers = binding.metadata.finalizers ?? [];
  const ours = finalizers.includes(FINALIZER);
  if (binding.metadata.deletionTimestamp) {
    if (!ours) return handlers.finished('not ours to clean up');
    const cleanup = await handlers.cleanup();
    if (!cleanup.released) return cleanup.result;
    await writes.setFinalizers(binding, finalizers.filter((f) => f !== FINALIZER));
    return handlers.finished('finalized');
  }
  if (handlers.wanted && !ours) await writes.setFinalizers(binding, [...finalizers, FINALIZER]);
  return handlers.apply();
}
