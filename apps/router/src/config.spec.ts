import { ConfigError } from '@modelserving/service-kit';
import { describe, expect, it } from 'vitest';
import { loadRouterConfigFromEnv, resolveRouterConfig, ROUTER_SETTINGS } from './config';

describe('router config', () => {
  it('has defaults', () => {
    const c = loadRouterConfigFromEnv({});
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 50051,
      joinMode: 'key',
      replicas: 1,
      maxBatch: 1024,
      drainMs: 5000,
      logLevel: 'info',
      executors: [],
      storeDir: '.modelserving/store',
    });
    expect(c.redisUrl).toBeUndefined();
    expect(c.collectorAddress).toBeUndefined();
    expect(c.maxModelBytes).toBe(ROUTER_SETTINGS.maxModelBytes.default);
  });

  it('reads every variable', () => {
    const c = loadRouterConfigFromEnv({
      HOST: '127.0.0.1',
      ROUTER_PORT: '6000',
      REDIS_URL: 'redis://localhost:6379',
      STORE_DIR: '/var/lib/modelserving',
      EXECUTORS: ' 10.0.0.1:50061, e2=10.0.0.2:50061 ,',
      COLLECTOR_ADDRESS: 'dns:///collector:50071',
      JOIN_MODE: 'Partition',
      REPLICAS: '2',
      MAX_BATCH: '256',
      DRAIN_MS: '2s',
      LOG_LEVEL: 'silent',
      MAX_MODEL_BYTES: '8MiB',
    });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 6000,
      redisUrl: 'redis://localhost:6379',
      storeDir: '/var/lib/modelserving',
      executors: ['10.0.0.1:50061', 'e2=10.0.0.2:50061'],
      collectorAddress: 'dns:///collector:50071',
      joinMode: 'partition',
      replicas: 2,
      maxBatch: 256,
      drainMs: 2000,
      logLevel: 'silent',
      maxModelBytes: 8 * 1024 * 1024,
    });
  });

  it('turns persistence off with STORE_PERSIST=false', () => {
    const off = loadRouterConfigFromEnv({ STORE_PERSIST: 'false' });
    expect(off.storeDir).toBeUndefined();
    // main.ts hands the loaded config to startRouter, which resolves it again: persistence stays off.
    expect(resolveRouterConfig(off).storeDir).toBeUndefined();
    expect(() => loadRouterConfigFromEnv({ STORE_PERSIST: 'maybe' })).toThrow(
      /STORE_PERSIST must be true or false/,
    );
  });

  it('names the variable in errors', () => {
    const bad = (env: Record<string, string>, re: RegExp) => {
      let err: unknown;
      try {
        loadRouterConfigFromEnv(env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(re);
    };
    bad({ ROUTER_PORT: 'abc' }, /^ROUTER_PORT must be a port number, got 'abc'/);
    bad({ ROUTER_PORT: '70000' }, /^ROUTER_PORT must be an integer from 0 to 65535/);
    bad({ REPLICAS: '0' }, /^REPLICAS/);
    bad({ MAX_BATCH: '-1' }, /^MAX_BATCH/);
    bad({ DRAIN_MS: '1.5x' }, /^DRAIN_MS must be a duration/);
    bad({ JOIN_MODE: 'hash' }, /^JOIN_MODE must be one of key, partition, got 'hash'/);
    bad({ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/);
    bad({ EXECUTORS: 'host-without-port' }, /^EXECUTORS must be host:port or a gRPC target/);
    bad({ COLLECTOR_ADDRESS: 'c:0' }, /^COLLECTOR_ADDRESS/);
    bad({ REDIS_URL: 'localhost:6379' }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('validates options given in code, naming the option', () => {
    expect(() => resolveRouterConfig({ maxInflightPerStream: 0 })).toThrow(/^maxInflightPerStream/);
    expect(resolveRouterConfig({ port: 0 }).port).toBe(0);
  });
});
