import type { ChannelCredentials } from '@grpc/grpc-js';
import { EmbeddedModelStore } from './embedded-model-store';
import type { ModelStore } from './model-store';
import { RedisModelStore } from './redis-model-store';
import { RemoteModelStore } from './remote-model-store';
import type { StoreLimitsOptions } from './store-limits';

export interface ModelStoreConfig extends StoreLimitsOptions {
  /** `REDIS_URL`: every process uses Redis directly. Wins over everything else. */
  readonly redisUrl?: string;
  /** `STORE_ADDRESS`: `host:port` of a process serving ModelStoreService (the router in embedded mode). */
  readonly storeAddress?: string;
  /** `STORE_DIR`: data directory of the embedded store (memory only when unset). */
  readonly dir?: string;
  /** Key prefix in Redis. */
  readonly redisPrefix?: string;
  /** Credentials of the channel to `storeAddress` (the service kit's `clientCredentials()`). */
  readonly credentials?: ChannelCredentials;
}

/** The store for a process's configuration: Redis if configured, else a remote store, else embedded. */
export async function createModelStore(config: ModelStoreConfig = {}): Promise<ModelStore> {
  const limits: StoreLimitsOptions = {
    ...(config.inlineLimitBytes !== undefined ? { inlineLimitBytes: config.inlineLimitBytes } : {}),
    ...(config.maxModelBytes !== undefined ? { maxModelBytes: config.maxModelBytes } : {}),
  };
  if (config.redisUrl) {
    return RedisModelStore.connect(config.redisUrl, {
      ...limits,
      ...(config.redisPrefix ? { prefix: config.redisPrefix } : {}),
    });
  }
  if (config.storeAddress) {
    // Limits are enforced by the store behind the address; the client only needs room for the messages.
    return RemoteModelStore.connect(
      config.storeAddress,
      config.credentials ? { credentials: config.credentials } : {},
    );
  }
  return EmbeddedModelStore.open({ ...limits, ...(config.dir ? { dir: config.dir } : {}) });
}
