import { invalidArgument } from '@modelserving/model-core';
import { DEFAULT_MAX_MESSAGE_BYTES } from '@modelserving/transport';
import { LOG_LEVELS, type LogLevel } from './logger';

export type JoinMode = 'key' | 'partition';

/** Everything the router needs to run, validated. */
export interface RouterConfig {
  /** Bind host (`HOST`). */
  readonly host: string;
  /** Public gRPC port (`ROUTER_PORT`); 0 picks a free port. */
  readonly port: number;
  /** Redis store and membership (`REDIS_URL`); embedded store hosted by the router when unset. */
  readonly redisUrl?: string;
  /** Where the embedded store persists itself (`STORE_FILE`). */
  readonly storeFile?: string;
  /** Static membership (`EXECUTORS`): `host:port` (the address is the member id) or `id=host:port` entries. */
  readonly executors: readonly string[];
  /** Speculative collector (`COLLECTOR_ADDRESS`); speculative data types are refused without one. */
  readonly collectorAddress?: string;
  readonly joinMode: JoinMode;
  /** Owners per model key in key mode (`REPLICAS`). */
  readonly replicas: number;
  /** Largest batch on an internal stream (`MAX_BATCH`). */
  readonly maxBatch: number;
  /** How long `stop()` waits for in-flight work (`DRAIN_MS`). */
  readonly drainMs: number;
  readonly logLevel: LogLevel;
  /** Largest model accepted inline by DeployModel. */
  readonly maxModelBytes: number;
  /** In-flight requests per client stream before the router stops reading it (backpressure). */
  readonly maxInflightPerStream: number;
  /** Speculative deadline when the data type has no policy. */
  readonly defaultSpeculativeTimeoutMs: number;
  /** DeployModel `wait` default. */
  readonly defaultDeployWaitMs: number;
}

export type RouterOptions = Partial<RouterConfig>;

export const ROUTER_DEFAULTS = {
  host: '0.0.0.0',
  port: 50051,
  joinMode: 'key' as JoinMode,
  replicas: 1,
  maxBatch: 1024,
  drainMs: 5_000,
  logLevel: 'info' as LogLevel,
  // Leave room for the rest of the DeployModel message inside the gRPC message limit.
  maxModelBytes: DEFAULT_MAX_MESSAGE_BYTES - 64 * 1024,
  maxInflightPerStream: 8_192,
  defaultSpeculativeTimeoutMs: 1_000,
  defaultDeployWaitMs: 30_000,
} as const;

type Labels = Partial<Record<keyof RouterConfig, string>>;

/** How the environment names each setting, so errors name the variable the user set. */
const ENV_LABELS: Labels = {
  host: 'HOST',
  port: 'ROUTER_PORT',
  executors: 'EXECUTORS',
  collectorAddress: 'COLLECTOR_ADDRESS',
  joinMode: 'JOIN_MODE',
  replicas: 'REPLICAS',
  maxBatch: 'MAX_BATCH',
  drainMs: 'DRAIN_MS',
  logLevel: 'LOG_LEVEL',
};

/** Options → defaults → validated config. Throws INVALID_ARGUMENT naming the bad setting. */
export function resolveRouterConfig(options: RouterOptions = {}, labels: Labels = {}): RouterConfig {
  const c: RouterConfig = {
    host: options.host ?? ROUTER_DEFAULTS.host,
    port: options.port ?? ROUTER_DEFAULTS.port,
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.storeFile ? { storeFile: options.storeFile } : {}),
    executors: options.executors ?? [],
    ...(options.collectorAddress ? { collectorAddress: options.collectorAddress } : {}),
    joinMode: options.joinMode ?? ROUTER_DEFAULTS.joinMode,
    replicas: options.replicas ?? ROUTER_DEFAULTS.replicas,
    maxBatch: options.maxBatch ?? ROUTER_DEFAULTS.maxBatch,
    drainMs: options.drainMs ?? ROUTER_DEFAULTS.drainMs,
    logLevel: options.logLevel ?? ROUTER_DEFAULTS.logLevel,
    maxModelBytes: options.maxModelBytes ?? ROUTER_DEFAULTS.maxModelBytes,
    maxInflightPerStream: options.maxInflightPerStream ?? ROUTER_DEFAULTS.maxInflightPerStream,
    defaultSpeculativeTimeoutMs:
      options.defaultSpeculativeTimeoutMs ?? ROUTER_DEFAULTS.defaultSpeculativeTimeoutMs,
    defaultDeployWaitMs: options.defaultDeployWaitMs ?? ROUTER_DEFAULTS.defaultDeployWaitMs,
  };
  const n = (k: keyof RouterConfig) => labels[k] ?? k;
  if (!c.host) throw invalidArgument(`${n('host')} must not be empty`);
  integer(n('port'), c.port, 0, 65535);
  integer(n('replicas'), c.replicas, 1, 1_000);
  integer(n('maxBatch'), c.maxBatch, 1, 1_000_000);
  integer(n('drainMs'), c.drainMs, 0, 3_600_000);
  integer(n('maxModelBytes'), c.maxModelBytes, 1, Number.MAX_SAFE_INTEGER);
  integer(n('maxInflightPerStream'), c.maxInflightPerStream, 1, 10_000_000);
  integer(n('defaultSpeculativeTimeoutMs'), c.defaultSpeculativeTimeoutMs, 1, 3_600_000);
  integer(n('defaultDeployWaitMs'), c.defaultDeployWaitMs, 1, 3_600_000);
  if (c.joinMode !== 'key' && c.joinMode !== 'partition') {
    throw invalidArgument(`${n('joinMode')} must be 'key' or 'partition', got '${String(c.joinMode)}'`);
  }
  if (!LOG_LEVELS.includes(c.logLevel)) {
    throw invalidArgument(
      `${n('logLevel')} must be one of ${LOG_LEVELS.join(', ')}, got '${String(c.logLevel)}'`,
    );
  }
  for (const e of c.executors)
    address(n('executors'), e.includes('=') ? e.slice(e.indexOf('=') + 1).trim() : e);
  if (c.collectorAddress) address(n('collectorAddress'), c.collectorAddress);
  return c;
}

/** Reads the router's environment variables; bad values throw INVALID_ARGUMENT naming the variable. */
export function loadRouterConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  const opts: { -readonly [K in keyof RouterConfig]?: RouterConfig[K] } = {};
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const int = (name: string): number | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw invalidArgument(`${name} must be an integer, got '${v}'`);
    return Number(v);
  };
  const host = str('HOST');
  if (host) opts.host = host;
  const port = int('ROUTER_PORT');
  if (port !== undefined) opts.port = port;
  const redisUrl = str('REDIS_URL');
  if (redisUrl) opts.redisUrl = redisUrl;
  const storeFile = str('STORE_FILE');
  if (storeFile) opts.storeFile = storeFile;
  const executors = str('EXECUTORS');
  if (executors)
    opts.executors = executors
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const collector = str('COLLECTOR_ADDRESS');
  if (collector) opts.collectorAddress = collector;
  const joinMode = str('JOIN_MODE');
  if (joinMode) opts.joinMode = joinMode.toLowerCase() as JoinMode;
  const replicas = int('REPLICAS');
  if (replicas !== undefined) opts.replicas = replicas;
  const maxBatch = int('MAX_BATCH');
  if (maxBatch !== undefined) opts.maxBatch = maxBatch;
  const drainMs = int('DRAIN_MS');
  if (drainMs !== undefined) opts.drainMs = drainMs;
  const logLevel = str('LOG_LEVEL');
  if (logLevel) opts.logLevel = logLevel.toLowerCase() as LogLevel;
  return resolveRouterConfig(opts, ENV_LABELS);
}

function integer(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max)
    throw invalidArgument(`${name} must be an integer in [${min}, ${max}], got ${v}`);
}

function address(what: string, v: string): void {
  // host:port, [v6]:port, or a grpc-js target such as dns:///host:port / unix:/path.
  if (/^(dns|unix|ipv4|ipv6):/.test(v)) return;
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
    throw invalidArgument(`${what} '${v}' is not host:port`);
}
