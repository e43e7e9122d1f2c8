import type Redis from 'ioredis';
import { invalidArgument } from '@modelserving/model-core';
import { DEFAULT_BACKOFF, type BackoffOptions } from '@modelserving/service-kit';
import { sameMembers, type ExecutorMember, type ExecutorMembership } from './executor-membership';
import { connectRedis, createRedisConnection, redisError } from './redis-connection';
import { requirePositiveInt } from './store-limits';

export interface RedisMembershipOptions {
  /** Key prefix, shared with the model store by default. Default `modelserving:`. */
  readonly prefix?: string;
  /** Heartbeat period of a registered executor. Default 1000 ms. */
  readonly heartbeatMs?: number;
  /** A member is live while its last heartbeat is younger than this. Default 3000 ms. */
  readonly ttlMs?: number;
  /** How often watchers re-read the set (expiry is only noticed by polling). Default `heartbeatMs`. */
  readonly pollMs?: number;
  readonly retry?: BackoffOptions;
  readonly connectTimeoutMs?: number;
}

interface MembershipConfig {
  readonly url: string;
  readonly prefix: string;
  readonly heartbeatMs: number;
  readonly ttlMs: number;
  readonly pollMs: number;
  readonly retry: BackoffOptions;
  readonly connectTimeoutMs: number;
}

function resolveConfig(url: string, options: RedisMembershipOptions): MembershipConfig {
  const heartbeatMs = requirePositiveInt('heartbeatMs', options.heartbeatMs ?? 1_000);
  const ttlMs = requirePositiveInt('ttlMs', options.ttlMs ?? 3_000);
  if (ttlMs <= heartbeatMs)
    throw invalidArgument(`ttlMs (${ttlMs}) must be larger than heartbeatMs (${heartbeatMs})`);
  return {
    url,
    prefix: options.prefix ?? 'modelserving:',
    heartbeatMs,
    ttlMs,
    pollMs: requirePositiveInt('pollMs', options.pollMs ?? heartbeatMs),
    retry: {
      initialMs: options.retry?.initialMs ?? DEFAULT_BACKOFF.initialMs,
      maxMs: options.retry?.maxMs ?? DEFAULT_BACKOFF.maxMs,
    },
    connectTimeoutMs: requirePositiveInt('connectTimeoutMs', options.connectTimeoutMs ?? 10_000),
  };
}

// Scores are Redis server time, not the executors' clocks: skewed hosts must not look dead (or immortal).
const NOW_LUA = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: zset, hash. ARGV: id, address. */
const HEARTBEAT_LUA = `${NOW_LUA}
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now`;

/** KEYS: zset, hash. ARGV: ttlMs, forgetAfterMs. Returns [id, address, id, address, …] of live members. */
const MEMBERS_LUA = `${NOW_LUA}
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))
for _, id in ipairs(gone) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - tonumber(ARGV[1])), '+inf')
local out = {}
for _, id in ipairs(live) do
  local address = redis.call('HGET', KEYS[2], id)
  if address then
    out[#out + 1] = id
    out[#out + 1] = address
  end
end
return out`;

interface MembershipCommands {
  membershipHeartbeat(zset: string, hash: string, id: string, address: string): Promise<number>;
  membershipMembers(zset: string, hash: string, ttlMs: number, forgetAfterMs: number): Promise<string[]>;
}

/**
 * Executors in Redis: a sorted set of ids scored by their last heartbeat (server time) plus a hash
 * id → address. Live = heartbeat younger than `ttlMs`; deregister removes a member at once and notifies
 * watchers over pub/sub, while expiry is noticed by polling.
 */
export class RedisMembership implements ExecutorMembership {
  private registered: { id: string; address: string } | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight: Promise<unknown> = Promise.resolve();
  private readonly watchers = new Set<(members: ExecutorMember[]) => void>();
  private pollTimer: NodeJS.Timeout | undefined;
  private subscriber: Redis | undefined;
  private last: ExecutorMember[] | undefined;
  private refreshing: Promise<boolean> | undefined;
  private closed = false;

  private constructor(
    private readonly config: MembershipConfig,
    private readonly redis: Redis,
  ) {
    redis.defineCommand('membershipHeartbeat', { numberOfKeys: 2, lua: HEARTBEAT_LUA });
    redis.defineCommand('membershipMembers', { numberOfKeys: 2, lua: MEMBERS_LUA });
  }

  static async connect(url: string, options: RedisMembershipOptions = {}): Promise<RedisMembership> {
    const config = resolveConfig(url, options);
    const redis = createRedisConnection(url, {
      name: 'modelserving-membership',
      retry: config.retry,
      maxRetriesPerRequest: 3,
      connectTimeoutMs: config.connectTimeoutMs,
    });
    await connectRedis(redis, url);
    return new RedisMembership(config, redis);
  }

  private get zsetKey(): string {
    return `${this.config.prefix}executors`;
  }

  private get hashKey(): string {
    return `${this.config.prefix}executor-addresses`;
  }

  private get channel(): string {
    return `${this.config.prefix}executors:changed`;
  }

  private get commands(): MembershipCommands {
    return this.redis as unknown as MembershipCommands;
  }

  async register(id: string, address: string): Promise<void> {
    if (id === '' || address === '') throw invalidArgument('executor id and address are required');
    if (this.registered && this.registered.id !== id) await this.deregister();
    this.registered = { id, address };
    await this.heartbeat();
    // Only announce arrivals after the first heartbeat, so watchers that refresh do see the member.
    await this.redis.publish(this.channel, id).catch(() => undefined);
    if (this.heartbeatTimer === undefined) {
      this.heartbeatTimer = setInterval(() => {
        // A missed heartbeat is retried at the next tick; ttlMs > heartbeatMs gives room for that.
        this.heartbeat().catch(() => undefined);
      }, this.config.heartbeatMs);
      this.heartbeatTimer.unref();
    }
  }

  async deregister(): Promise<void> {
    const member = this.registered;
    if (member === undefined) return;
    this.registered = undefined;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    // A heartbeat still on the wire would otherwise re-add the member after the removal.
    await this.heartbeatInFlight.catch(() => undefined);
    try {
      await this.redis
        .multi()
        .zrem(this.zsetKey, member.id)
        .hdel(this.hashKey, member.id)
        .publish(this.channel, member.id)
        .exec();
    } catch (err) {
      throw redisError(`cannot deregister executor ${member.id}`, err);
    }
  }

  async members(): Promise<ExecutorMember[]> {
    let flat: string[];
    try {
      // Long-dead entries (10 × ttl) are forgotten so crashed executors do not accumulate.
      flat = await this.commands.membershipMembers(
        this.zsetKey,
        this.hashKey,
        this.config.ttlMs,
        this.config.ttlMs * 10,
      );
    } catch (err) {
      throw redisError('cannot read executor membership from Redis', err);
    }
    const members: ExecutorMember[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2)
      members.push({ id: flat[i] as string, address: flat[i + 1] as string });
    return members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  watch(cb: (members: ExecutorMember[]) => void): () => void {
    this.watchers.add(cb);
    this.startWatching();
    void this.refresh().then(
      (notified) => {
        // A refresh that found a change already told every watcher, this one included.
        if (!notified && this.watchers.has(cb) && this.last) cb([...this.last]);
      },
      () => undefined,
    );
    return () => {
      this.watchers.delete(cb);
      if (this.watchers.size === 0) this.stopWatching();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    this.stopWatching();
    await this.deregister().catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private heartbeat(): Promise<unknown> {
    const member = this.registered;
    if (member === undefined) return Promise.resolve();
    const p = this.commands.membershipHeartbeat(this.zsetKey, this.hashKey, member.id, member.address);
    this.heartbeatInFlight = p.catch(() => undefined);
    return p.catch((err: unknown) => {
      throw redisError(`cannot register executor ${member.id}`, err);
    });
  }

  /** Re-reads the members and notifies watchers when they changed; true when it notified. */
  private refresh(): Promise<boolean> {
    this.refreshing ??= this.members()
      .then((members) => {
        if (this.last !== undefined && sameMembers(members, this.last)) return false;
        this.last = members;
        for (const cb of this.watchers) cb([...members]);
        return true;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private startWatching(): void {
    if (this.pollTimer !== undefined || this.closed) return;
    this.pollTimer = setInterval(() => void this.refresh().catch(() => undefined), this.config.pollMs);
    this.pollTimer.unref();
    const sub = createRedisConnection(this.config.url, {
      name: 'modelserving-membership-watch',
      retry: this.config.retry,
      maxRetriesPerRequest: null,
      connectTimeoutMs: this.config.connectTimeoutMs,
    });
    this.subscriber = sub;
    sub.on('message', () => void this.refresh().catch(() => undefined));
    // Pub/sub only makes changes show up sooner; polling alone is correct, so a failure here is harmless.
    sub.subscribe(this.channel).catch(() => undefined);
  }

  private stopWatching(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    this.last = undefined;
  }
}
