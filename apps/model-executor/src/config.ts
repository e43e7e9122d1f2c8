import {
  CLUSTER_SETTINGS,
  COMMON_SETTINGS,
  ConfigError,
  duration,
  ensure,
  grpcTarget,
  integer,
  loadConfig,
  port,
  resolveConfig,
  string,
  type ConfigOf,
  type JoinMode,
  type OptionsOf,
} from '@modelserving/service-kit';

export type { JoinMode };

/** Every executor setting: its variable, default, check and documentation. */
export const EXECUTOR_SETTINGS = {
  ...COMMON_SETTINGS,
  port: port({ env: 'EXECUTOR_PORT', doc: 'executor gRPC port', default: 50061 }),
  ...CLUSTER_SETTINGS,
  executorId: string({
    env: 'EXECUTOR_ID',
    doc: 'member id (default: the advertised address)',
    maxLength: 256,
    defaultText: 'the advertised address',
  }),
  advertiseAddress: grpcTarget({
    env: 'EXECUTOR_ADVERTISE_ADDRESS',
    doc: 'address routers reach the executor at',
    defaultText: '`127.0.0.1:<port>`',
  }),
  storeAddress: grpcTarget({
    env: 'STORE_ADDRESS',
    doc: 'router hosting the embedded store (when there is no `REDIS_URL`)',
  }),
  ownershipGraceMs: duration({
    env: 'OWNERSHIP_GRACE_MS',
    doc: 'how long a key this executor no longer owns stays loaded while routing settles',
    default: 30_000,
  }),
  buildConcurrency: integer({
    env: 'BUILD_CONCURRENCY',
    doc: 'model builds (fetch + parse) running at once',
    default: 16,
    min: 1,
    max: 10_000,
  }),
  unknownKeyWaitMs: duration({
    env: 'UNKNOWN_KEY_WAIT_MS',
    doc: 'how long a request for a key the store does not know yet waits for the model stream before NOT_FOUND',
    default: 250,
    maxMs: 600_000,
  }),
  startupWaitMs: duration({
    env: 'STARTUP_WAIT_MS',
    doc: 'how long requests wait for the first store snapshot before UNAVAILABLE',
    default: 10_000,
    maxMs: 3_600_000,
  }),
} as const;

export type ExecutorConfig = ConfigOf<typeof EXECUTOR_SETTINGS>;
export type ExecutorOptions = OptionsOf<typeof EXECUTOR_SETTINGS>;

/** Options → defaults → a validated config. Throws ConfigError naming the bad option. */
export function resolveExecutorConfig(options: ExecutorOptions = {}): ExecutorConfig {
  return crossCheck(resolveConfig(EXECUTOR_SETTINGS, options), (k) => k);
}

/** The executor's configuration from environment variables; a bad value throws ConfigError naming it. */
export function loadExecutorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutorConfig {
  const c = crossCheck(loadConfig(EXECUTOR_SETTINGS, env), (k) => EXECUTOR_SETTINGS[k].env);
  // In-process callers may inject a store; a process needs one of the two.
  ensure(
    c.redisUrl !== undefined || c.storeAddress !== undefined,
    'REDIS_URL',
    'or STORE_ADDRESS must be set: the executor follows a model store',
  );
  return c;
}

function crossCheck(c: ExecutorConfig, label: (k: keyof ExecutorConfig) => string): ExecutorConfig {
  ensure(new Set(c.executors).size === c.executors.length, label('executors'), 'lists an executor twice');
  return c;
}

export { ConfigError as ExecutorConfigError };
