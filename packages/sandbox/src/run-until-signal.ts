/**
 * Keeps a command in the foreground until SIGINT or SIGTERM, then runs its cleanup once and
 * resolves (the command then returns and the process exits 0). A failing cleanup is reported and
 * still ends the wait.
 */
export function runUntilSignal(name: string, cleanup: () => Promise<void>): Promise<void> {
  return new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write(`${name}: ${signal} received, stopping\n`);
      cleanup().then(done, (err: unknown) => {
        process.stderr.write(`${name}: stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
        done();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
