/**
 * Work started while other work goes on (a page's follow-up reads while the listing continues),
 * awaited together later. Each task's failure is handled the moment it is added, so a task that
 * fails early is never an unhandled rejection; `done()` waits for every task and rejects with the
 * first failure.
 */
export class TaskGroup {
  private readonly tasks: Promise<void>[] = [];
  private failed: { error: unknown } | undefined;

  add(task: Promise<unknown>): void {
    this.tasks.push(
      task.then(
        () => undefined,
        (error: unknown) => {
          this.failed ??= { error };
        },
      ),
    );
  }

  /** Settles once every task added so far (and any added meanwhile) has; rejects with the first failure. */
  async done(): Promise<void> {
    for (let settled = 0; settled < this.tasks.length; ) {
      const upTo = this.tasks.length;
      await Promise.all(this.tasks.slice(settled, upTo));
      settled = upTo;
    }
    if (this.failed) throw this.failed.error;
  }
}
