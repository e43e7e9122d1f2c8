export { startRouter, type RouterHandle, type RouterStatus, type StartRouterOptions } from './router';
export {
  resolveRouterConfig,
  loadRouterConfigFromEnv,
  ROUTER_DEFAULTS,
  type RouterConfig,
  type RouterOptions,
  type JoinMode,
} from './config';
export { createLogger, type Logger, type LogLevel } from './logger';
