import './instrument';
import { onShutdownSignals } from '@modelserving/transport';
import { createLogger, loadCollectorConfigFromEnv, startCollector } from './index';
import { telemetry } from './instrument';

// Composition root only: configuration from the environment, start, stop on SIGINT/SIGTERM.
async function main(): Promise<void> {
  const config = loadCollectorConfigFromEnv(process.env);
  const log = createLogger('speculative-collector', config.logLevel);
  const collector = await startCollector(config, { logger: log });
  onShutdownSignals(
    async () => {
      try {
        await collector.stop();
      } finally {
        await telemetry.shutdown();
      }
    },
    (msg) => log.info(msg),
  );
}

main().catch(async (err: unknown) => {
  process.stderr.write(`[speculative-collector] error ${err instanceof Error ? err.message : String(err)}\n`);
  await telemetry.shutdown();
  process.exit(1);
});
