import { DEFAULT_MAX_MESSAGE_BYTES } from '@modelserving/transport';
import { LOG_LEVELS, type LogLevel } from './logger';

export type JoinMode = 'key' | 'partition';

/** What a caller may set; everything else gets a default. */
export interface ExecutorOptions {
  /** Bind host (HOST). */
  readonly host?: string;
  /** Bind port (EXECUTOR_PORT); 0 picks a free port. */
  readonly port?: number;
  /** Member id (EXECUTOR_ID); defaults to the advertised address. */
  readonly executorId?: string;
  /** Address routers reach this executor at (EXECUTOR_ADVERTISE_ADDRESS); default `127.0.0.1:<bound port>`. */
  readonly advertiseAddress?: string;
  /** Redis store + Redis membership (REDIS_URL). */
  readonly redisUrl?: string;
  /** Router hosting the embedded store (STORE_ADDRESS), used when there is no Redis. */
  readonly storeAddress?: string;
  /** Static membership (EXECUTORS): member ids, which are their addresses. */
  readonly executors?: readonly string[];
  /** Speculative collector (COLLECTOR_ADDRESS); without it speculative results are dropped and counted. */
  readonly collectorAddress?: string;
  readonly joinMode?: JoinMode;
  readonly replicas?: number;
  readonly maxBatch?: number;
  readonly drainMs?: number;
  readonly logLevel?: LogLevel;
  /** How long a key that is no longer owned stays loaded so in-flight routing settles (OWNERSHIP_GRACE_MS). */
  readonly ownershipGraceMs?: number;
  /** Largest model content accepted (MAX_MODEL_BYTES). */
  readonly maxModelBytes?: number;
  /** Model builds (fetch + parse) running at once (BUILD_CONCURRENCY). */
  readonly buildConcurrency?: number;
  /**
   * How long an item for a key the store does not know yet waits for the model stream to catch up before
   * it is answered NOT_FOUND (the router may have seen the deploy a moment before this executor).
   */
  readonly unknownKeyWaitMs?: number;
  /** How long items wait for the first store snapshot before they are answered UNAVAILABLE. */
  readonly startupWaitMs?: number;
}

export interface ExecutorConfig {
  readonly host: string;
  readonly port: number;
  readonly executorId: string | undefined;
  readonly advertiseAddress: string | undefined;
  readonly redisUrl: string | undefined;
  readonly storeAddress: string | undefined;
  readonly executors: readonly string[];
  readonly collectorAddress: string | undefined;
  readonly joinMode: JoinMode;
  readonly replicas: number;
  readonly maxBatch: number;
  readonly drainMs: number;
  readonly logLevel: LogLevel;
  readonly ownershipGraceMs: number;
  readonly maxModelBytes: number;
  readonly buildConcurrency: number;
  readonly unknownKeyWaitMs: number;
  readonly startupWaitMs: number;
}

export const EXECUTOR_DEFAULTS = {
  host: '0.0.0.0',
  port: 50061,
  joinMode: 'key' as JoinMode,
  replicas: 1,
  maxBatch: 1024,
  drainMs: 5000,
  logLevel: 'info' as LogLevel,
  ownershipGraceMs: 30_000,
  maxModelBytes: DEFAULT_MAX_MESSAGE_BYTES,
  buildConcurrency: 16,
  unknownKeyWaitMs: 250,
  startupWaitMs: 10_000,
} as const;

/** A configuration value that cannot be used; the message names the setting and what is accepted. */
export class ExecutorConfigError extends Error {
  override readonly name = 'ExecutorConfigError';
}

const ADDRESS_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

function intIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ExecutorConfigError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function address(name: string, value: string): string {
  const m = ADDRESS_RE.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new ExecutorConfigError(`${name}: '${value}' is not a host:port address`);
  }
  return value;
}

function optionalString(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** Options → defaults → a validated config. Throws ExecutorConfigError naming the bad setting. */
export function resolveExecutorConfig(options: ExecutorOptions = {}): ExecutorConfig {
  const d = EXECUTOR_DEFAULTS;
  const joinMode = options.joinMode ?? d.joinMode;
  if (joinMode !== 'key' && joinMode !== 'partition') {
    throw new ExecutorConfigError(`JOIN_MODE must be 'key' or 'partition', got '${String(joinMode)}'`);
  }
  const logLevel = options.logLevel ?? d.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ExecutorConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${String(logLevel)}'`,
    );
  }
  const executors = (options.executors ?? []).map((e) => address('EXECUTORS', e.trim()));
  if (new Set(executors).size !== executors.length) {
    throw new ExecutorConfigError(`EXECUTORS lists an executor twice: ${executors.join(',')}`);
  }
  const storeAddress = optionalString(options.storeAddress);
  const collectorAddress = optionalString(options.collectorAddress);
  const advertiseAddress = optionalString(options.advertiseAddress);
  const redisUrl = optionalString(options.redisUrl);
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ExecutorConfigError(`REDIS_URL must start with redis:// or rediss://, got '${redisUrl}'`);
  }
  const host = optionalString(options.host) ?? d.host;
  return {
    host,
    port: intIn('EXECUTOR_PORT', options.port ?? d.port, 0, 65535),
    executorId: optionalString(options.executorId),
    advertiseAddress:
      advertiseAddress === undefined ? undefined : address('EXECUTOR_ADVERTISE_ADDRESS', advertiseAddress),
    redisUrl,
    storeAddress: storeAddress === undefined ? undefined : address('STORE_ADDRESS', storeAddress),
    executors,
    collectorAddress:
      collectorAddress === undefined ? undefined : address('COLLECTOR_ADDRESS', collectorAddress),
    joinMode,
    replicas: intIn('REPLICAS', options.replicas ?? d.replicas, 1, 1000),
    maxBatch: intIn('MAX_BATCH', options.maxBatch ?? d.maxBatch, 1, 1_000_000),
    drainMs: intIn('DRAIN_MS', options.drainMs ?? d.drainMs, 0, 3_600_000),
    logLevel,
    ownershipGraceMs: intIn(
      'OWNERSHIP_GRACE_MS',
      options.ownershipGraceMs ?? d.ownershipGraceMs,
      0,
      86_400_000,
    ),
    maxModelBytes: intIn('MAX_MODEL_BYTES', options.maxModelBytes ?? d.maxModelBytes, 1, 2 ** 31 - 1),
    buildConcurrency: intIn('BUILD_CONCURRENCY', options.buildConcurrency ?? d.buildConcurrency, 1, 10_000),
    unknownKeyWaitMs: intIn('unknownKeyWaitMs', options.unknownKeyWaitMs ?? d.unknownKeyWaitMs, 0, 600_000),
    startupWaitMs: intIn('startupWaitMs', options.startupWaitMs ?? d.startupWaitMs, 0, 3_600_000),
  };
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new ExecutorConfigError(`${name} must be an integer, got '${raw}'`);
  return Number(raw);
}

/** The executor's configuration from environment variables (names shared with the launcher and compose). */
export function loadExecutorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutorConfig {
  const executors = env['EXECUTORS']
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const joinMode = env['JOIN_MODE']?.trim().toLowerCase();
  const logLevel = env['LOG_LEVEL']?.trim().toLowerCase();
  const config = resolveExecutorConfig({
    host: env['HOST'],
    port: envInt(env, 'EXECUTOR_PORT'),
    executorId: env['EXECUTOR_ID'],
    advertiseAddress: env['EXECUTOR_ADVERTISE_ADDRESS'],
    redisUrl: env['REDIS_URL'],
    storeAddress: env['STORE_ADDRESS'],
    executors,
    collectorAddress: env['COLLECTOR_ADDRESS'],
    joinMode: joinMode ? (joinMode as JoinMode) : undefined,
    replicas: envInt(env, 'REPLICAS'),
    maxBatch: envInt(env, 'MAX_BATCH'),
    drainMs: envInt(env, 'DRAIN_MS'),
    logLevel: logLevel ? (logLevel as LogLevel) : undefined,
    ownershipGraceMs: envInt(env, 'OWNERSHIP_GRACE_MS'),
    maxModelBytes: envInt(env, 'MAX_MODEL_BYTES'),
    buildConcurrency: envInt(env, 'BUILD_CONCURRENCY'),
  });
  if (config.redisUrl === undefined && config.storeAddress === undefined) {
    throw new ExecutorConfigError(
      'set REDIS_URL (Redis model store) or STORE_ADDRESS (router hosting the embedded store)',
    );
  }
  return config;
}
