export { startRouter, type RouterHandle, type RouterStatus, type RouterDeps } from './router';
export {
  resolveRouterConfig,
  loadRouterConfigFromEnv,
  ROUTER_SETTINGS,
  type RouterConfig,
  type RouterOptions,
  type JoinMode,
} from './config';
export { createLogger, type Logger, type LogLevel } from '@modelserving/service-kit';
