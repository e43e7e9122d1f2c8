import { describe, expect, it } from 'vitest';
import { loadRouterConfigFromEnv, resolveRouterConfig, ROUTER_DEFAULTS } from './config';

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
    });
    expect(c.redisUrl).toBeUndefined();
    expect(c.collectorAddress).toBeUndefined();
    expect(c.maxModelBytes).toBe(ROUTER_DEFAULTS.maxModelBytes);
  });

  it('reads every variable', () => {
    const c = loadRouterConfigFromEnv({
      HOST: '127.0.0.1',
      ROUTER_PORT: '6000',
      REDIS_URL: 'redis://localhost:6379',
      STORE_FILE: '/tmp/store.log',
      EXECUTORS: ' 10.0.0.1:50061, e2=10.0.0.2:50061 ,',
      COLLECTOR_ADDRESS: 'collector:50071',
      JOIN_MODE: 'Partition',
      REPLICAS: '2',
      MAX_BATCH: '256',
      DRAIN_MS: '100',
      LOG_LEVEL: 'DEBUG',
    });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 6000,
      redisUrl: 'redis://localhost:6379',
      storeFile: '/tmp/store.log',
      executors: ['10.0.0.1:50061', 'e2=10.0.0.2:50061'],
      collectorAddress: 'collector:50071',
      joinMode: 'partition',
      replicas: 2,
      maxBatch: 256,
      drainMs: 100,
      logLevel: 'debug',
    });
  });

  it('names the variable in errors', () => {
    expect(() => loadRouterConfigFromEnv({ ROUTER_PORT: 'abc' })).toThrow(
      /ROUTER_PORT must be an integer, got 'abc'/,
    );
    expect(() => loadRouterConfigFromEnv({ ROUTER_PORT: '70000' })).toThrow(
      /ROUTER_PORT must be an integer in \[0, 65535\]/,
    );
    expect(() => loadRouterConfigFromEnv({ REPLICAS: '0' })).toThrow(/REPLICAS/);
    expect(() => loadRouterConfigFromEnv({ MAX_BATCH: '-1' })).toThrow(/MAX_BATCH/);
    expect(() => loadRouterConfigFromEnv({ DRAIN_MS: '1.5' })).toThrow(/DRAIN_MS must be an integer/);
    expect(() => loadRouterConfigFromEnv({ JOIN_MODE: 'hash' })).toThrow(
      /JOIN_MODE must be 'key' or 'partition', got 'hash'/,
    );
    expect(() => loadRouterConfigFromEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => loadRouterConfigFromEnv({ EXECUTORS: 'host-without-port' })).toThrow(
      /EXECUTORS 'host-without-port' is not host:port/,
    );
    expect(() => loadRouterConfigFromEnv({ COLLECTOR_ADDRESS: 'c:0' })).toThrow(/COLLECTOR_ADDRESS/);
  });

  it('validates options given in code', () => {
    expect(() => resolveRouterConfig({ maxInflightPerStream: 0 })).toThrow(/maxInflightPerStream/);
    expect(resolveRouterConfig({ port: 0 }).port).toBe(0);
  });
});
