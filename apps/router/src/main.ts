import './instrument';
import { onShutdownSignals, startLoopStats } from '@modelserving/transport';
import { loadRouterConfigFromEnv } from './config';
import { telemetry } from './instrument';
import { createLogger, errorMessage } from './logger';
import { startRouter } from './router';

// Composition root only: configuration from the environment, start, stop on signals.
async function main(): Promise<void> {
  startLoopStats('router');
  const config = loadRouterConfigFromEnv(process.env);
  const log = createLogger('router', config.logLevel);
  const router = await startRouter({ ...config, logger: log });
  onShutdownSignals(
    async () => {
      await router.stop();
      await telemetry.shutdown();
    },
    (msg) => log.info(msg),
  );
}

main().catch(async (err: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'error', service: 'router', msg: `failed to start: ${errorMessage(err)}` })}\n`,
  );
  await telemetry.shutdown();
  process.exit(1);
});
