/**
 * Finalizer handling in one place (kube-rs's finalizer helper): a live object that should carry
 * the finalizer gets it before `apply` writes anything: the finalizer write is sent first and
 * `apply` gets its promise, to await before its first write (a cloud write or a status write);
 * reading the cloud need not wait for it. A deleting object that carries it runs `cleanup`, and
 * the finalizer is removed only once cleanup says the object is released. A deleting object
 * without our finalizer is not ours to clean up.
 */
import { FINALIZER, type InstanceRoleBinding } from '../api/instance-role-binding.js';

export type Cleanup<R> = { released: true } | { released: false; result: R };

export interface FinalizerHandlers<R> {
  /** Whether the live object should carry the finalizer. */
  wanted: boolean;
  /** Must await `finalizerInPlace` before its first write; it rejects when the finalizer could not be set. */
  apply(finalizerInPlace: Promise<void>): Promise<R>;
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
  if (!handlers.wanted || ours) return handlers.apply(Promise.resolve());
  const finalizerInPlace = writes.setFinalizers(binding, [...finalizers, FINALIZER]);
  // Handled here so that an apply that fails first (an aborted read) leaves no unhandled rejection.
  finalizerInPlace.catch(() => undefined);
  const result = await handlers.apply(finalizerInPlace);
  // A pass whose finalizer write failed fails, whatever apply made of it.
  await finalizerInPlace;
  return result;
}
