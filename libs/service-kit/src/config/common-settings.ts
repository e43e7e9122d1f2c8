import { LOG_LEVELS } from '../logger';
import { ConfigError, quote } from './config-error';
import { DEFAULT_MAX_MESSAGE_BYTES } from '@modelserving/transport';
import { checkGrpcTarget, duration, grpcTarget, integer, list, oneOf, size, string } from './setting';

/** Settings every service has, with the same names, defaults and checks. */
export const COMMON_SETTINGS = {
  host: string({ env: 'HOST', doc: 'bind host', default: '0.0.0.0', maxLength: 255 }),
  logLevel: oneOf({
    env: 'LOG_LEVEL',
    doc: '`debug`, `info`, `warn`, `error` or `silent`',
    default: 'info',
    values: LOG_LEVELS,
  }),
  instance: string({
    env: 'INSTANCE_ID',
    doc: '`instance` field of every log line (which process of the service)',
    defaultText: '`<hostname>:<pid>`',
    maxLength: 256,
  }),
  maxBatch: integer({
    env: 'MAX_BATCH',
    doc: 'largest batch on an internal stream',
    default: 1_024,
    min: 1,
    max: 1_000_000,
  }),
  drainMs: duration({
    env: 'DRAIN_MS',
    doc: 'how long a stop waits for in-flight work',
    default: 5_000,
    maxMs: 3_600_000,
  }),
} as const;

/** `host:port` (the address is the member id) or `id=host:port`. */
function memberEntry(label: string, v: string): string {
  const eq = v.indexOf('=');
  if (eq === 0) throw new ConfigError(label, `entry ${quote(v)} has an empty member id`);
  checkGrpcTarget(label, eq > 0 ? v.slice(eq + 1).trim() : v);
  return v;
}

export const JOIN_MODES = Object.freeze(['key', 'partition'] as const);
export type JoinMode = (typeof JOIN_MODES)[number];

/** Settings of the processes that route or score (router and executors) and must agree. */
export const CLUSTER_SETTINGS = {
  redisUrl: string({
    env: 'REDIS_URL',
    doc: 'Redis model store and executor membership; without it the router hosts an embedded store',
    pattern: /^rediss?:\/\/\S+$/,
    patternText: 'a redis:// or rediss:// URL',
  }),
  executors: list({
    env: 'EXECUTORS',
    doc: 'static membership: comma-separated `host:port` (the address is the member id) or `id=host:port`',
    default: [],
    each: memberEntry,
  }),
  collectorAddress: grpcTarget({ env: 'COLLECTOR_ADDRESS', doc: 'speculative collector' }),
  joinMode: oneOf({
    env: 'JOIN_MODE',
    doc: '`key` (each model on `REPLICAS` owners, rendezvous hashing) or `partition` (every executor holds every model)',
    default: 'key',
    values: JOIN_MODES,
  }),
  replicas: integer({
    env: 'REPLICAS',
    doc: 'owners per model key in key mode',
    default: 1,
    min: 1,
    max: 1_000,
  }),
  // Leave room for the rest of the DeployModel message inside the gRPC message limit.
  maxModelBytes: size({
    env: 'MAX_MODEL_BYTES',
    doc: 'largest model: sent inline to DeployModel (router) or fetched from a location (executor)',
    default: DEFAULT_MAX_MESSAGE_BYTES - 64 * 1024,
    min: 1,
    max: 2 ** 31 - 1,
  }),
} as const;
