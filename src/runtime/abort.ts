/**
 * AbortSignal helpers for work that cannot be cancelled at its source (an SDK request already
 * sent, a batch shared by several callers): give up waiting for it, or abort it only when every
 * caller has.
 */

/** Settles like `promise`, or rejects with the signal's reason as soon as the signal aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as unknown);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export interface SharedSignal {
  /** Aborts once every caller's signal has aborted; undefined when some caller gave none. */
  signal: AbortSignal | undefined;
  /** Stops listening to the callers' signals; call when the shared work is over. */
  release(): void;
}

/**
 * The signal for work done on behalf of several callers: it aborts once every caller's signal
 * has (never, when some caller gave none, since that caller still wants the result).
 */
export function allAborted(signals: readonly (AbortSignal | undefined)[]): SharedSignal {
  const distinct = [...new Set(signals)];
  if (distinct.length === 0 || distinct.includes(undefined)) return { signal: undefined, release: () => undefined };
  const all = distinct as AbortSignal[];
  if (all.length === 1) return { signal: all[0], release: () => undefined };
  const controller = new AbortController();
  const check = (): void => {
    if (all.every((s) => s.aborted)) controller.abort(all[all.length - 1]?.reason);
  };
  const release = (): void => {
    for (const s of all) s.removeEventListener('abort', check);
  };
  for (const s of all) s.addEventListener('abort', check);
  check();
  return { signal: controller.signal, release };
}
