import { LOG_LEVELS, type LogLevel } from './logger';

/** What a caller may set; everything else gets a default. */
export interface CollectorOptions {
  /** Bind host (HOST). */
  readonly host?: string;
  /** Bind port (COLLECTOR_PORT); 0 picks a free port (tests). */
  readonly port?: number;
  /** Largest DecisionBatch written to a router stream (MAX_BATCH). */
  readonly maxBatch?: number;
  /** How long stop() lets pending requests decide on their own before it decides them as cancelled (DRAIN_MS). */
  readonly drainMs?: number;
  readonly logLevel?: LogLevel;
  /**
   * How long a result that arrived before its expectation is held (ORPHAN_TTL_MS). Results and
   * expectations travel on different connections, so a result may win the race.
   */
  readonly orphanTtlMs?: number;
  /** Most results held for unknown guids at once; the oldest are dropped beyond it (MAX_ORPHANS). */
  readonly maxOrphans?: number;
  /** How many recently decided guids are remembered so their late results are dropped at once (DECIDED_CAPACITY). */
  readonly decidedCapacity?: number;
  /** Longest accepted `timeout_ms` of an expectation (MAX_TIMEOUT_MS). */
  readonly maxTimeoutMs?: number;
}

export interface CollectorConfig {
  readonly host: string;
  readonly port: number;
  readonly maxBatch: number;
  readonly drainMs: number;
  readonly logLevel: LogLevel;
  readonly orphanTtlMs: number;
  readonly maxOrphans: number;
  readonly decidedCapacity: number;
  readonly maxTimeoutMs: number;
}

export const COLLECTOR_DEFAULTS = {
  host: '0.0.0.0',
  port: 50071,
  maxBatch: 1024,
  drainMs: 5000,
  logLevel: 'info' as LogLevel,
  orphanTtlMs: 10_000,
  maxOrphans: 100_000,
  decidedCapacity: 200_000,
  maxTimeoutMs: 3_600_000,
} as const;

/** A configuration value that cannot be used; the message names the setting and what is accepted. */
export class CollectorConfigError extends Error {
  override readonly name = 'CollectorConfigError';
}

function intIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CollectorConfigError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Options → defaults → a validated config. Throws CollectorConfigError naming the bad setting. */
export function resolveCollectorConfig(options: CollectorOptions = {}): CollectorConfig {
  const d = COLLECTOR_DEFAULTS;
  const logLevel = options.logLevel ?? d.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new CollectorConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${String(logLevel)}'`,
    );
  }
  const host = options.host?.trim() || d.host;
  return {
    host,
    port: intIn('COLLECTOR_PORT', options.port ?? d.port, 0, 65535),
    maxBatch: intIn('MAX_BATCH', options.maxBatch ?? d.maxBatch, 1, 1_000_000),
    drainMs: intIn('DRAIN_MS', options.drainMs ?? d.drainMs, 0, 3_600_000),
    logLevel,
    orphanTtlMs: intIn('ORPHAN_TTL_MS', options.orphanTtlMs ?? d.orphanTtlMs, 1, 3_600_000),
    maxOrphans: intIn('MAX_ORPHANS', options.maxOrphans ?? d.maxOrphans, 0, 100_000_000),
    decidedCapacity: intIn('DECIDED_CAPACITY', options.decidedCapacity ?? d.decidedCapacity, 0, 100_000_000),
    maxTimeoutMs: intIn('MAX_TIMEOUT_MS', options.maxTimeoutMs ?? d.maxTimeoutMs, 1, 86_400_000),
  };
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new CollectorConfigError(`${name} must be an integer, got '${raw}'`);
  return Number(raw);
}

/**
 * The collector's configuration from environment variables (names shared with the launcher and compose).
 * Variables meant for the other services (REDIS_URL, EXECUTORS, ...) are ignored.
 */
export function loadCollectorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const logLevel = env['LOG_LEVEL']?.trim().toLowerCase();
  return resolveCollectorConfig({
    host: env['HOST'],
    port: envInt(env, 'COLLECTOR_PORT'),
    maxBatch: envInt(env, 'MAX_BATCH'),
    drainMs: envInt(env, 'DRAIN_MS'),
    logLevel: logLevel ? (logLevel as LogLevel) : undefined,
    orphanTtlMs: envInt(env, 'ORPHAN_TTL_MS'),
    maxOrphans: envInt(env, 'MAX_ORPHANS'),
    decidedCapacity: envInt(env, 'DECIDED_CAPACITY'),
    maxTimeoutMs: envInt(env, 'MAX_TIMEOUT_MS'),
  });
}
