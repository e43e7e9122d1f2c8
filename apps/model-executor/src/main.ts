import './instrument';
import { runService } from '@modelserving/service-kit';
import { loadExecutorConfigFromEnv } from './config';
import { startExecutor } from './index';
import { telemetry } from './instrument';

// Composition root only: configuration from the environment, start, stop on SIGINT/SIGTERM.
runService({
  service: 'model-executor',
  loadConfig: loadExecutorConfigFromEnv,
  start: startExecutor,
  telemetry,
});
