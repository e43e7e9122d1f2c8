import { ConfigError } from '@modelserving/service-kit';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_SETTINGS, loadCollectorConfigFromEnv, resolveCollectorConfig } from './config';

describe('collector config', () => {
  it('applies defaults and ignores the other services’ variables', () => {
    const c = loadCollectorConfigFromEnv({
      REDIS_URL: 'redis://x:6379',
      EXECUTORS: 'a:1',
      JOIN_MODE: 'partition',
    });
    expect(c).toEqual(Object.fromEntries(Object.entries(COLLECTOR_SETTINGS).map(([k, s]) => [k, s.default])));
    expect(c.port).toBe(50071);
    expect(c.orphanTtlMs).toBe(10_000);
  });

  it('reads the environment', () => {
    const c = loadCollectorConfigFromEnv({
      HOST: '127.0.0.1',
      COLLECTOR_PORT: '6000',
      MAX_BATCH: '64',
      DRAIN_MS: '100',
      LOG_LEVEL: 'DEBUG',
      ORPHAN_TTL_MS: '2000',
      MAX_ORPHANS: '10',
      DECIDED_CAPACITY: '20',
      MAX_TIMEOUT_MS: '1000',
    });
    expect(c).toEqual({
      host: '127.0.0.1',
      port: 6000,
      maxBatch: 64,
      drainMs: 100,
      logLevel: 'debug',
      orphanTtlMs: 2000,
      maxOrphans: 10,
      decidedCapacity: 20,
      maxTimeoutMs: 1000,
    });
  });

  it('rejects bad values naming the variable', () => {
    expect(() => loadCollectorConfigFromEnv({ COLLECTOR_PORT: 'abc' })).toThrow(
      /^COLLECTOR_PORT must be a port number, got 'abc'/,
    );
    expect(() => loadCollectorConfigFromEnv({ COLLECTOR_PORT: '70000' })).toThrow(
      /COLLECTOR_PORT must be an integer from 0 to 65535/,
    );
    expect(() => loadCollectorConfigFromEnv({ MAX_BATCH: '0' })).toThrow(ConfigError);
    expect(() => loadCollectorConfigFromEnv({ ORPHAN_TTL_MS: '0' })).toThrow(/ORPHAN_TTL_MS/);
    expect(() => loadCollectorConfigFromEnv({ LOG_LEVEL: 'loud' })).toThrow(
      /LOG_LEVEL must be one of debug, info, warn, error, silent, got 'loud'/,
    );
    expect(() => resolveCollectorConfig({ drainMs: -1 })).toThrow(/^drainMs/);
    expect(() => loadCollectorConfigFromEnv({ DRAIN_MS: '-1' })).toThrow(/^DRAIN_MS/);
  });
});
