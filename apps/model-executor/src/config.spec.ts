import { describe, expect, it } from 'vitest';
import {
  EXECUTOR_SETTINGS,
  ExecutorConfigError,
  loadExecutorConfigFromEnv,
  resolveExecutorConfig,
} from './config';

describe('executor config', () => {
  it('applies defaults', () => {
    const c = loadExecutorConfigFromEnv({ STORE_ADDRESS: 'router:50051' });
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 50061,
      joinMode: 'key',
      replicas: 1,
      maxBatch: 1024,
      drainMs: 5000,
      logLevel: 'info',
      storeAddress: 'router:50051',
      executors: [],
      ownershipGraceMs: EXECUTOR_SETTINGS.ownershipGraceMs.default,
    });
    expect(c.executorId).toBeUndefined();
    expect(c.collectorAddress).toBeUndefined();
  });

  it('reads every variable', () => {
    const c = loadExecutorConfigFromEnv({
      HOST: '127.0.0.1',
      EXECUTOR_PORT: '6000',
      REDIS_URL: 'redis://localhost:6379',
      EXECUTORS: 'a:1, b:2',
      EXECUTOR_ID: 'exec-1',
      EXECUTOR_ADVERTISE_ADDRESS: 'exec-1:6000',
      COLLECTOR_ADDRESS: 'collector:50071',
      JOIN_MODE: 'Partition',
      REPLICAS: '2',
      MAX_BATCH: '64',
      DRAIN_MS: '100',
      LOG_LEVEL: 'debug',
      OWNERSHIP_GRACE_MS: '10',
      MAX_MODEL_BYTES: '1000',
      BUILD_CONCURRENCY: '3',
    });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 6000,
      redisUrl: 'redis://localhost:6379',
      executors: ['a:1', 'b:2'],
      executorId: 'exec-1',
      advertiseAddress: 'exec-1:6000',
      collectorAddress: 'collector:50071',
      joinMode: 'partition',
      replicas: 2,
      maxBatch: 64,
      drainMs: 100,
      logLevel: 'debug',
      ownershipGraceMs: 10,
      maxModelBytes: 1000,
      buildConcurrency: 3,
    });
  });

  it.each([
    [{ EXECUTOR_PORT: 'abc' }, /^EXECUTOR_PORT must be a port number/],
    [{ EXECUTOR_PORT: '70000' }, /EXECUTOR_PORT must be an integer from 0 to 65535/],
    [{ JOIN_MODE: 'round-robin' }, /^JOIN_MODE must be one of key, partition/],
    [{ DRAIN_MS: 'soon' }, /^DRAIN_MS must be a duration/],
    [{ REPLICAS: '0' }, /REPLICAS/],
    [{ MAX_BATCH: '-1' }, /MAX_BATCH/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ EXECUTORS: 'a:1,nonsense' }, /^EXECUTORS must be host:port or a gRPC target/],
    [{ EXECUTORS: 'a:1,a:1' }, /twice/],
    [{ COLLECTOR_ADDRESS: 'collector' }, /COLLECTOR_ADDRESS/],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('rejects %o', (env, message) => {
    expect(() => loadExecutorConfigFromEnv({ STORE_ADDRESS: 'router:50051', ...env })).toThrow(message);
  });

  it('accepts what the router accepts: LOG_LEVEL=silent, dns:/// targets, durations with units', () => {
    const c = loadExecutorConfigFromEnv({
      STORE_ADDRESS: 'dns:///router:50051',
      COLLECTOR_ADDRESS: 'dns:///collector:50071',
      LOG_LEVEL: 'silent',
      OWNERSHIP_GRACE_MS: '2m',
    });
    expect(c).toMatchObject({
      storeAddress: 'dns:///router:50051',
      collectorAddress: 'dns:///collector:50071',
      logLevel: 'silent',
      ownershipGraceMs: 120_000,
    });
  });

  it('needs a store', () => {
    expect(() => loadExecutorConfigFromEnv({})).toThrow(ExecutorConfigError);
    expect(() => loadExecutorConfigFromEnv({})).toThrow(/^REDIS_URL or STORE_ADDRESS must be set/);
  });

  it('resolving a resolved config is a no-op', () => {
    const c = resolveExecutorConfig({ port: 0, executors: ['h:1'] });
    expect(resolveExecutorConfig(c)).toEqual(c);
  });
});
