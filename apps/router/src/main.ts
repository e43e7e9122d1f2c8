import './instrument';
import { runService } from '@modelserving/service-kit';
import { loadRouterConfigFromEnv } from './config';
import { telemetry } from './instrument';
import { startRouter } from './router';

// Composition root only: configuration from the environment, start, stop on signals.
runService({ service: 'router', loadConfig: loadRouterConfigFromEnv, start: startRouter, telemetry });
