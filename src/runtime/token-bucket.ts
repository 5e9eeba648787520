/**
 * A token bucket guarding a quota: `acquire()` resolves when a token is available and takes it;
 * `whenAvailable()` resolves when one could be taken, without taking it (for a batcher that seals
 * a batch only when its call could go out). Waiters are served in order, except that urgent ones
 * (`{ urgent: true }`: the attach that gives a just-detached instance its new role) go ahead of
 * every waiter that is not urgent. Shared by every worker so the operator as a whole stays under
 * the configured rate.
 */
interface Waiter {
  grant: () => void;
  /** false for whenAvailable(): resolves at the head of the queue without taking the token. */
  takes: boolean;
  urgent: boolean;
}

export interface WaitOptions {
  /** Ends the wait: the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Served before every waiter that is not urgent (after the urgent ones already waiting). */
  urgent?: boolean | undefined;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number = Math.max(1, Math.ceil(ratePerSecond)),
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`rate must be positive, got ${ratePerSecond}`);
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token, waiting for one; an aborted signal ends the wait (rejects with its reason). */
  acquire(options: WaitOptions = {}): Promise<void> {
    return this.wait(true, options);
  }

  /** Resolves once a token is available and nobody is ahead in the queue; takes nothing. */
  whenAvailable(options: WaitOptions = {}): Promise<void> {
    return this.wait(false, options);
  }

  private wait(takes: boolean, { signal, urgent = false }: WaitOptions): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as unknown);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(signal?.reason as unknown);
      };
      const waiter: Waiter = {
        takes,
        urgent,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (urgent) {
        const firstOrdinary = this.queue.findIndex((w) => !w.urgent);
        this.queue.splice(firstOrdinary < 0 ? this.queue.length : firstOrdinary, 0, waiter);
      } else this.queue.push(waiter);
      this.drain();
    });
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
  }

  private drain(): void {
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      const waiter = this.queue.shift() as Waiter;
      if (waiter.takes) this.tokens -= 1;
      waiter.grant();
    }
    if (this.queue.length > 0 && !this.timer) {
      const waitMs = Math.max(1, ((1 - this.tokens) / this.ratePerSecond) * 1000);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, waitMs);
    }
  }
}
