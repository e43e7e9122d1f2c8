/**
 * Runs `stop` once on the first SIGINT or SIGTERM; a second signal exits at once. Returns a function
 * that removes the handlers.
 */
export function onShutdownSignals(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  log: (msg: string) => void = console.error,
): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: draining and stopping`);
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log(`error while stopping: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
