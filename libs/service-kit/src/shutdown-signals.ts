import type { Logger } from './logger';

/**
 * Runs `stop` once on the first SIGINT or SIGTERM and exits 0 when it resolves (1 when it throws); a
 * second signal exits at once (130). Returns a function that removes the handlers.
 */
export function onShutdownSignals(stop: (signal: NodeJS.Signals) => Promise<void>, log: Logger): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal });
      process.exit(130);
    }
    stopping = true;
    log.info('draining and stopping', { signal });
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('error while stopping', { error: err instanceof Error ? err.message : String(err) });
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
