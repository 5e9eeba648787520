/**
 * Keeps a command in the foreground until SIGINT or SIGTERM, then runs its cleanup once and
 * resolves (the command then returns and the process exits 0). The handlers stay installed until
 * the cleanup is done, so a signal arriving meanwhile never falls back to the default action
 * (death by signal); a second signal while stopping exits at once with status 1. A failing
 * cleanup is reported and still ends the wait. `announce` (the "listening on …" line) runs once
 * the handlers are installed, so whoever stops the command on reading that line never meets the
 * default action either.
 */
export function runUntilSignal(name: string, cleanup: () => Promise<void>, announce: () => void = () => undefined): Promise<void> {
  return new Promise<void>((done) => {
    let stopping = false;
    const finish = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      done();
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`${name}: ${signal} received again, exiting without cleanup\n`);
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`${name}: ${signal} received, stopping\n`);
      cleanup().then(finish, (err: unknown) => {
        process.stderr.write(`${name}: stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
        finish();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    announce();
  });
}
