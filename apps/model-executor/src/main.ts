import './instrument';
import { onShutdownSignals, startLoopStats } from '@modelserving/transport';
import { startExecutor, loadExecutorConfigFromEnv, createLogger } from './index';
import { telemetry } from './instrument';

// Composition root only: configuration from the environment, start, stop on SIGINT/SIGTERM.
async function main(): Promise<void> {
  startLoopStats('model-executor');
  const config = loadExecutorConfigFromEnv(process.env);
  const log = createLogger('model-executor', config.logLevel);
  const executor = await startExecutor(config, { logger: log });
  onShutdownSignals(
    async () => {
      try {
        await executor.stop();
      } finally {
        await telemetry.shutdown();
      }
    },
    (msg) => log.info(msg),
  );
}

main().catch(async (err: unknown) => {
  process.stderr.write(`[model-executor] error ${err instanceof Error ? err.message : String(err)}\n`);
  await telemetry.shutdown();
  process.exit(1);
});
