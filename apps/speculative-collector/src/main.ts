import './instrument';
import { runService } from '@modelserving/service-kit';
import { startCollector } from './collector';
import { loadCollectorConfigFromEnv } from './config';
import { telemetry } from './instrument';

// Composition root only: configuration from the environment, start, stop on SIGINT/SIGTERM.
runService({
  service: 'speculative-collector',
  loadConfig: loadCollectorConfigFromEnv,
  start: startCollector,
  telemetry,
});
