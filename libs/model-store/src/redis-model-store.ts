import type Redis from 'ioredis';
import {
  DataTypePolicy,
  ModelDescriptor,
  ModelStreamEvent,
  type StoreSnapshot,
} from '@modelserving/contracts';
import { Code, ServingError, modelKey, notFound } from '@modelserving/model-core';
import { Backoff, sleep } from '@modelserving/service-kit';
import { type BackoffOptions, DEFAULT_BACKOFF } from '@modelserving/service-kit';
import { blobDigest, blobKeyOf } from './blob-key';
import { eventKind, prepareEvent } from './event-validation';
import type { ModelStore, PublishEvent } from './model-store';
import { comparePositions, positionTimeMs, validatePosition } from './positions';
import { connectRedis, createRedisConnection, redisError } from './redis-connection';
import {
  formatBytes,
  requirePositiveInt,
  resolveStoreLimits,
  type StoreLimits,
  type StoreLimitsOptions,
} from './store-limits';
import { StreamGapError } from './stream-gap-error';

export interface RedisModelStoreOptions extends StoreLimitsOptions {
  /** Prefix of every key, so several deployments (or tests) can share one Redis. Default `modelserving:`. */
  readonly prefix?: string;
  /** Approximate MAXLEN of the stream. Default 100000. */
  readonly maxLen?: number;
  /** Reconnect backoff. Default 100 ms doubling up to 2 s. */
  readonly retry?: BackoffOptions;
  readonly connectTimeoutMs?: number;
  /** XREAD BLOCK timeout of a tail; only bounds how long a dead socket can go unnoticed. Default 5000. */
  readonly tailBlockMs?: number;
  /** Events fetched per XREAD. Default 100. */
  readonly tailBatch?: number;
}

interface RedisStoreConfig {
  readonly url: string;
  readonly prefix: string;
  readonly maxLen: number;
  readonly retry: BackoffOptions;
  readonly connectTimeoutMs: number;
  readonly tailBlockMs: number;
  readonly tailBatch: number;
  readonly limits: StoreLimits;
}

function resolveConfig(url: string, options: RedisModelStoreOptions): RedisStoreConfig {
  return {
    url,
    prefix: options.prefix ?? 'modelserving:',
    maxLen: requirePositiveInt('maxLen', options.maxLen ?? 100_000),
    retry: {
      initialMs: requirePositiveInt('retry.initialMs', options.retry?.initialMs ?? DEFAULT_BACKOFF.initialMs),
      maxMs: requirePositiveInt('retry.maxMs', options.retry?.maxMs ?? DEFAULT_BACKOFF.maxMs),
    },
    connectTimeoutMs: requirePositiveInt('connectTimeoutMs', options.connectTimeoutMs ?? 10_000),
    tailBlockMs: requirePositiveInt('tailBlockMs', options.tailBlockMs ?? 5_000),
    tailBatch: requirePositiveInt('tailBatch', options.tailBatch ?? 100),
    limits: resolveStoreLimits(options),
  };
}

/** Stream entry fields: the encoded event (position/timestamp come from the entry id) and the previous id. */
const FIELD_EVENT = 'e';
const FIELD_PREV = 'p';
/** Fields per HSCAN page and entries per XRANGE page of a snapshot. */
const SCAN_COUNT = 1000;
const SNAPSHOT_ATTEMPTS = 5;

/**
 * Appends the event and applies it to the state hashes in one atomic step, so the stream and the hashes
 * never disagree. Each entry records the id of the entry before it: a reader that finds an entry whose
 * predecessor is newer than its own cursor knows that events were trimmed in between (exact gap detection
 * despite approximate MAXLEN trimming).
 *
 * KEYS: stream, models, policies, suspended, position
 * ARGV: kind, field (model key / data type / '1'|'0'), value (encoded descriptor/policy), event, maxlen
 */
const PUBLISH_LUA = `
if ARGV[1] == 'undeploy' and redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then
  return redis.error_reply('NOT_FOUND model ' .. ARGV[2] .. ' is not deployed')
end
local prev = redis.call('GET', KEYS[5]) or ''
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', '${FIELD_EVENT}', ARGV[4], '${FIELD_PREV}', prev)
if ARGV[1] == 'deploy' then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
elseif ARGV[1] == 'undeploy' then
  redis.call('HDEL', KEYS[2], ARGV[2])
elseif ARGV[1] == 'policy' then
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
elseif ARGV[1] == 'suspended' then
  redis.call('SET', KEYS[4], ARGV[2])
end
redis.call('SET', KEYS[5], id)
return id
`;

interface PublishCommand {
  modelStorePublish(...args: (string | Buffer | number)[]): Promise<string>;
}

/**
 * The model store in Redis: a stream of encoded events, hashes of current descriptors and policies, the
 * suspended flag, the last position, and content-addressed blobs as separate keys. Every process reads it
 * directly; each tail has its own connection (XREAD BLOCK occupies it) that reconnects and resumes by itself.
 */
export class RedisModelStore implements ModelStore {
  private readonly tails = new Set<Redis>();
  private closed = false;
  private tailCount = 0;

  private constructor(
    private readonly config: RedisStoreConfig,
    private readonly redis: Redis,
  ) {
    redis.defineCommand('modelStorePublish', { numberOfKeys: 5, lua: PUBLISH_LUA });
  }

  static async connect(url: string, options: RedisModelStoreOptions = {}): Promise<RedisModelStore> {
    const config = resolveConfig(url, options);
    const redis = createRedisConnection(url, {
      name: 'modelserving-store',
      retry: config.retry,
      // A publisher is waiting: fail after a few reconnect attempts instead of hanging.
      maxRetriesPerRequest: 3,
      connectTimeoutMs: config.connectTimeoutMs,
    });
    await connectRedis(redis, url);
    return new RedisModelStore(config, redis);
  }

  private key(name: string): string {
    return this.config.prefix + name;
  }

  async publish(event: PublishEvent): Promise<string> {
    this.ensureOpen();
    const prepared = await prepareEvent(event, this.config.limits, {
      putBlob: (data) => this.putBlob(data),
      hasBlob: (key) => this.hasBlob(key),
    });
    const payload = Buffer.from(
      ModelStreamEvent.encode({ ...prepared, position: '', timestampMs: 0 }).finish(),
    );
    let field: string;
    let value: Buffer | string = '';
    const kind = eventKind(prepared);
    if (prepared.deploy) {
      field = modelKey(prepared.deploy.dataType, prepared.deploy.name);
      value = Buffer.from(ModelDescriptor.encode(prepared.deploy).finish());
    } else if (prepared.undeploy) {
      field = modelKey(prepared.undeploy.dataType, prepared.undeploy.name);
    } else if (prepared.policy) {
      field = prepared.policy.dataType;
      value = Buffer.from(DataTypePolicy.encode(prepared.policy).finish());
    } else {
      field = prepared.suspended ? '1' : '0';
    }
    try {
      return await (this.redis as unknown as PublishCommand).modelStorePublish(
        this.key('stream'),
        this.key('models'),
        this.key('policies'),
        this.key('suspended'),
        this.key('position'),
        kind,
        field,
        value,
        payload,
        this.config.maxLen,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : '';
      if (message.startsWith('NOT_FOUND ')) throw notFound(message.slice('NOT_FOUND '.length), err);
      throw redisError('cannot publish to the Redis model store', err);
    }
  }

  /**
   * A consistent snapshot without one giant reply: the header (policies, suspended flag, position p1) in
   * one MULTI, the models hash in HSCAN pages, then the position p2 again. Models changed during the scan
   * may have been read in any of their versions, so the events in (p1, p2] are replayed from the stream on
   * top: the result is exactly the fold of the stream up to p2. Retried from scratch if those events were
   * trimmed meanwhile.
   */
  async snapshot(): Promise<StoreSnapshot> {
    this.ensureOpen();
    for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
      let snapshot: StoreSnapshot | undefined;
      try {
        snapshot = await this.trySnapshot();
      } catch (err) {
        if (err instanceof ServingError) throw err;
        throw redisError('cannot read a snapshot of the Redis model store', err);
      }
      if (snapshot) return snapshot;
    }
    throw new ServingError(
      Code.UNAVAILABLE,
      `no consistent snapshot of the Redis model store after ${SNAPSHOT_ATTEMPTS} attempts (the stream was trimmed during each)`,
    );
  }

  private async trySnapshot(): Promise<StoreSnapshot | undefined> {
    const results = await this.redis
      .multi()
      .hgetallBuffer(this.key('policies'))
      .get(this.key('suspended'))
      .get(this.key('position'))
      .exec();
    if (!results || results.length !== 3)
      throw new ServingError(Code.UNAVAILABLE, 'Redis snapshot transaction was aborted');
    for (const [err] of results) if (err) throw err;
    const policies = new Map<string, DataTypePolicy>();
    for (const [dataType, b] of Object.entries((results[0]?.[1] ?? {}) as Record<string, Buffer>))
      policies.set(
        dataType,
        decodeOrDataLoss('policy', () => DataTypePolicy.decode(b)),
      );
    let suspended = results[1]?.[1] === '1';
    const start = (results[2]?.[1] as string | null) ?? '';

    const models = new Map<string, ModelDescriptor>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscanBuffer(this.key('models'), cursor, 'COUNT', SCAN_COUNT);
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const b = flat[i + 1] as Buffer;
        models.set(
          (flat[i] as Buffer).toString(),
          decodeOrDataLoss('model descriptor', () => ModelDescriptor.decode(b)),
        );
      }
      cursor = next.toString();
    } while (cursor !== '0');

    const end = (await this.redis.get(this.key('position'))) ?? '';
    let position = start;
    while (position !== end) {
      const entries = (await this.redis.xrangeBuffer(
        this.key('stream'),
        position === '' ? '-' : positionAfter(position),
        end,
        'COUNT',
        SCAN_COUNT,
      )) as [Buffer, Buffer[]][];
      if (entries.length === 0) return undefined;
      for (const [idBuf, fields] of entries) {
        const id = idBuf.toString('latin1');
        const { event, prev } = parseEntry(id, fields);
        // The entry before this one was trimmed: the events since `position` are not all there any more.
        if (prev !== position) return undefined;
        if (event.deploy) models.set(modelKey(event.deploy.dataType, event.deploy.name), event.deploy);
        else if (event.undeploy) models.delete(modelKey(event.undeploy.dataType, event.undeploy.name));
        else if (event.policy) policies.set(event.policy.dataType, event.policy);
        else if (event.suspended !== undefined) suspended = event.suspended;
        position = id;
      }
    }
    return {
      models: sortedValues(models),
      policies: sortedValues(policies),
      suspended,
      position,
    };
  }

  tail(after: string, signal?: AbortSignal): AsyncIterable<ModelStreamEvent> {
    validatePosition('tail position', after);
    return this.tailEvents(after, signal);
  }

  private async *tailEvents(after: string, signal?: AbortSignal): AsyncGenerator<ModelStreamEvent> {
    if (this.closed || signal?.aborted) return;
    const conn = createRedisConnection(this.config.url, {
      name: `modelserving-store-tail-${++this.tailCount}`,
      retry: this.config.retry,
      // Wait for Redis for as long as it takes: a tail is live until aborted.
      maxRetriesPerRequest: null,
      connectTimeoutMs: this.config.connectTimeoutMs,
    });
    this.tails.add(conn);
    // Disconnecting rejects the pending XREAD, which ends the loop below.
    const onAbort = () => conn.disconnect();
    signal?.addEventListener('abort', onAbort, { once: true });
    const stopped = () => this.closed || signal?.aborted === true;
    try {
      let cursor = after;
      // From '' we start at whatever the stream still has, so the first entry is not gap-checked; every later
      // entry must name the one before it (or something older) as its predecessor.
      let checkFirst = after !== '';
      const backoff = new Backoff(this.config.retry);
      while (!stopped()) {
        let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
        try {
          reply = (await conn.xreadBuffer(
            'COUNT',
            this.config.tailBatch,
            'BLOCK',
            this.config.tailBlockMs,
            'STREAMS',
            this.key('stream'),
            cursor === '' ? '0-0' : cursor,
          )) as [Buffer, [Buffer, Buffer[]][]][] | null;
          backoff.reset();
        } catch {
          if (stopped()) return;
          // ioredis reconnects and resends by itself; this covers errors it gives up on (e.g. LOADING while
          // a restarted Redis reads its data). Retry from the same cursor, so nothing is lost or repeated.
          if (!(await sleep(backoff.next(), signal))) return;
          continue;
        }
        for (const [, entries] of reply ?? []) {
          for (const [idBuf, fields] of entries) {
            const id = idBuf.toString('latin1');
            const { event, prev } = parseEntry(id, fields);
            if (checkFirst && comparePositions(prev, cursor) > 0) {
              throw new StreamGapError(cursor, `the entry before ${id} (${prev}) was trimmed`);
            }
            checkFirst = true;
            cursor = id;
            yield event;
            if (stopped()) return;
          }
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.tails.delete(conn);
      conn.disconnect();
    }
  }

  async putBlob(data: Uint8Array): Promise<string> {
    this.ensureOpen();
    if (data.length > this.config.limits.maxModelBytes) {
      throw new ServingError(
        Code.RESOURCE_EXHAUSTED,
        `blob of ${formatBytes(data.length)} is larger than the limit of ${formatBytes(this.config.limits.maxModelBytes)} (maxModelBytes)`,
      );
    }
    const key = blobKeyOf(data);
    try {
      // NX: content-addressed, so an existing key already holds these exact bytes.
      await this.redis.set(this.key(key), Buffer.from(data.buffer, data.byteOffset, data.byteLength), 'NX');
    } catch (err) {
      throw redisError(`cannot store blob ${key} in Redis`, err);
    }
    return key;
  }

  async getBlob(key: string): Promise<Uint8Array> {
    this.ensureOpen();
    blobDigest(key);
    let data: Buffer | null;
    try {
      data = await this.redis.getBuffer(this.key(key));
    } catch (err) {
      throw redisError(`cannot read blob ${key} from Redis`, err);
    }
    if (data === null) throw notFound(`blob ${key} is not in the model store`);
    return data;
  }

  private async hasBlob(key: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.key(key))) === 1;
    } catch (err) {
      throw redisError(`cannot check blob ${key} in Redis`, err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of this.tails) conn.disconnect();
    this.tails.clear();
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new ServingError(Code.UNAVAILABLE, 'the Redis model store is closed');
  }
}

function parseEntry(id: string, fields: Buffer[]): { event: ModelStreamEvent; prev: string } {
  let payload: Buffer | undefined;
  let prev = '';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = (fields[i] as Buffer).toString('latin1');
    if (name === FIELD_EVENT) payload = fields[i + 1];
    else if (name === FIELD_PREV) prev = (fields[i + 1] as Buffer).toString('latin1');
  }
  if (payload === undefined)
    throw new ServingError(Code.DATA_LOSS, `model stream entry ${id} has no '${FIELD_EVENT}' field`);
  const decoded = decodeOrDataLoss(`model stream entry ${id}`, () =>
    ModelStreamEvent.decode(payload as Buffer),
  );
  return { event: { ...decoded, position: id, timestampMs: positionTimeMs(id) }, prev };
}

function decodeOrDataLoss<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw new ServingError(Code.DATA_LOSS, `cannot decode ${what} read from Redis`, { cause: err });
  }
}

function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map.keys()].sort().map((k) => map.get(k) as T);
}

/** The smallest stream id after `id` (XRANGE's exclusive `(` needs Redis 6.2). */
function positionAfter(id: string): string {
  const dash = id.indexOf('-');
  return `${id.slice(0, dash)}-${(BigInt(id.slice(dash + 1)) + 1n).toString()}`;
}
