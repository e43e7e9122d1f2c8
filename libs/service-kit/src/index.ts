export { Backoff, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export { sleep } from './sleep';
export {
  createLogger,
  defaultInstance,
  errorMessage,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogFields,
  type LogLevel,
} from './logger';
export { InMemoryLogger, type LogEntry } from './in-memory-logger';
export { ConfigError, quote } from './config/config-error';
export {
  boolean,
  checkGrpcTarget,
  duration,
  grpcTarget,
  integer,
  list,
  oneOf,
  port,
  size,
  string,
  type ConfigOf,
  type OptionsOf,
  type Setting,
  type Settings,
} from './config/setting';
export { ensure, loadConfig, resolveConfig } from './config/load-config';
export { CLUSTER_SETTINGS, COMMON_SETTINGS, JOIN_MODES, type JoinMode } from './config/common-settings';
export {
  settingsMarkdown,
  settingsRows,
  type ServiceSettings,
  type SettingsRow,
} from './config/settings-table';
export { channelOptions, clientCredentials, serverCredentials } from './channels';
export {
  ReconnectingStream,
  type LinkState,
  type ReconnectingStreamOptions,
  type StreamCall,
} from './reconnecting-stream';
export { onShutdownSignals } from './shutdown-signals';
export { startLoopStats } from './loop-stats';
export { runService, type RunServiceOptions, type ServiceDeps, type ServiceHandle } from './run-service';
