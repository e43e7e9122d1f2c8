import {
  COMMON_SETTINGS,
  duration,
  integer,
  loadConfig,
  port,
  resolveConfig,
  type ConfigOf,
  type OptionsOf,
} from '@modelserving/service-kit';

/** Every collector setting: its variable, default, check and documentation. */
export const COLLECTOR_SETTINGS = {
  ...COMMON_SETTINGS,
  port: port({ env: 'COLLECTOR_PORT', doc: 'collector gRPC port', default: 50071 }),
  // Results and expectations travel on different connections, so a result may win the race.
  orphanTtlMs: duration({
    env: 'ORPHAN_TTL_MS',
    doc: 'how long a result that arrived before its expectation is held',
    default: 10_000,
    minMs: 1,
    maxMs: 3_600_000,
  }),
  maxOrphans: integer({
    env: 'MAX_ORPHANS',
    doc: 'results held for unknown guids at once (the oldest are dropped beyond it)',
    default: 100_000,
    max: 100_000_000,
  }),
  decidedCapacity: integer({
    env: 'DECIDED_CAPACITY',
    doc: 'recently decided guids remembered so their late results are dropped at once',
    default: 200_000,
    max: 100_000_000,
  }),
  maxTimeoutMs: duration({
    env: 'MAX_TIMEOUT_MS',
    doc: 'longest accepted speculative deadline',
    default: 3_600_000,
    minMs: 1,
    maxMs: 86_400_000,
  }),
} as const;

export type CollectorConfig = ConfigOf<typeof COLLECTOR_SETTINGS>;
export type CollectorOptions = OptionsOf<typeof COLLECTOR_SETTINGS>;

/** Options → defaults → a validated config. Throws ConfigError naming the bad option. */
export function resolveCollectorConfig(options: CollectorOptions = {}): CollectorConfig {
  return resolveConfig(COLLECTOR_SETTINGS, options);
}

/** The collector's configuration from environment variables; other services' variables are ignored. */
export function loadCollectorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  return loadConfig(COLLECTOR_SETTINGS, env);
}
