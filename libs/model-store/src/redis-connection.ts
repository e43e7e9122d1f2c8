import Redis from 'ioredis';
import { Code, ServingError } from '@modelserving/model-core';
import { backoffDelay, type BackoffOptions } from '@modelserving/service-kit';

export interface RedisConnectionOptions {
  /** Shown in CLIENT LIST, so operators can tell the store's connections apart. */
  readonly name: string;
  readonly retry: BackoffOptions;
  /**
   * How often a command is retried across reconnects before failing; `null` waits for Redis indefinitely
   * (right for a tail, wrong for a publish that a caller is waiting on).
   */
  readonly maxRetriesPerRequest: number | null;
  readonly connectTimeoutMs: number;
}

/**
 * An ioredis connection that reconnects forever with capped exponential backoff. Commands issued while
 * disconnected queue up and are (re)sent once the connection is back.
 */
export function createRedisConnection(url: string, options: RedisConnectionOptions): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: options.name,
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: options.maxRetriesPerRequest,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    retryStrategy: (times) => backoffDelay(times - 1, options.retry),
    // Redis 7 feature; older servers would reject it and spam errors.
    disableClientInfo: true,
  });
  // Connection errors are reported through the commands that fail; without a listener ioredis would print
  // every reconnect attempt as an "unhandled error event".
  redis.on('error', () => undefined);
  return redis;
}

/** Connects, or fails with UNAVAILABLE naming the URL (without credentials). */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new ServingError(
      Code.UNAVAILABLE,
      `cannot connect to Redis at ${redactUrl(url)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** A Redis failure as a ServingError: connection trouble is UNAVAILABLE, anything else INTERNAL. */
export function redisError(what: string, err: unknown): ServingError {
  if (err instanceof ServingError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const isReply = err instanceof Error && err.name === 'ReplyError';
  return new ServingError(isReply ? Code.INTERNAL : Code.UNAVAILABLE, `${what}: ${message}`, { cause: err });
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid Redis URL>';
  }
}
