import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ExecutorMember } from './executor-membership';
import { RedisMembership } from './redis-membership';
import { StaticMembership } from './static-membership';
import { Code } from './test-support/fixtures';
import { RedisFixture, uniquePrefix } from './test-support/redis-fixture';
import { delay } from './test-support/tail-reader';

describe('StaticMembership', () => {
  it('lists members sorted, notifies watchers of changes, and stops after unsubscribe', async () => {
    const m = StaticMembership.parse('b=10.0.0.2:9000, a=10.0.0.1:9000');
    expect(await m.members()).toEqual([
      { id: 'a', address: '10.0.0.1:9000' },
      { id: 'b', address: '10.0.0.2:9000' },
    ]);

    const seen: ExecutorMember[][] = [];
    const stop = m.watch((members) => seen.push(members));
    expect(seen).toHaveLength(1);
    await m.register('c', '10.0.0.3:9000');
    expect(seen.at(-1)?.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    await m.register('c', '10.0.0.3:9000'); // no change, no notification
    expect(seen).toHaveLength(2);
    await m.deregister();
    expect(seen.at(-1)?.map((x) => x.id)).toEqual(['a', 'b']);
    stop();
    await m.register('d', '10.0.0.4:9000');
    expect(seen).toHaveLength(3);
    await m.close();
  });

  it('rejects duplicate ids', () => {
    expect(() => StaticMembership.parse('a=h:1,a=h:2')).toThrowError(
      expect.objectContaining({ code: Code.INVALID_ARGUMENT }),
    );
  });
});

const redis = new RedisFixture();
beforeAll(() => redis.start());
afterAll(() => redis.stop());

describe('RedisMembership', () => {
  const HEARTBEAT = 100;
  const TTL = 600;

  async function membership(url: string, prefix: string, pollMs = HEARTBEAT): Promise<RedisMembership> {
    const m = await RedisMembership.connect(url, { prefix, heartbeatMs: HEARTBEAT, ttlMs: TTL, pollMs });
    onTestFinished(() => m.close());
    return m;
  }

  it('keeps registered executors live through heartbeats and drops one whose heartbeats stop', async (ctx) => {
    const { url } = redis.require(ctx);
    const prefix = uniquePrefix();
    const executor = await membership(url, prefix);
    const router = await membership(url, prefix);
    await executor.register('exec-1', '127.0.0.1:7001');

    // A member that heartbeated once and then died: one entry, scored with Redis' own clock.
    const raw = new Redis(url);
    onTestFinished(() => void raw.disconnect());
    const [seconds, micros] = (await raw.time()) as [number, number];
    await raw
      .multi()
      .zadd(`${prefix}executors`, Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), 'crashed')
      .hset(`${prefix}executor-addresses`, 'crashed', '127.0.0.1:7999')
      .exec();

    const seen: string[][] = [];
    const unwatch = router.watch((members) => seen.push(members.map((m) => m.id)));
    expect((await router.members()).map((m) => m.id)).toEqual(['crashed', 'exec-1']);

    await delay(TTL * 3);
    // exec-1 outlived three TTLs thanks to its heartbeat; the crashed one expired.
    expect(await router.members()).toEqual([{ id: 'exec-1', address: '127.0.0.1:7001' }]);
    expect(seen[0]).toEqual(['crashed', 'exec-1']);
    expect(seen.at(-1)).toEqual(['exec-1']);
    unwatch();
  });

  it('deregister removes a member at once and watchers hear of it without waiting for a poll', async (ctx) => {
    const { url } = redis.require(ctx);
    const prefix = uniquePrefix();
    const executor = await membership(url, prefix);
    const router = await membership(url, prefix, 60_000); // polling alone would take a minute
    await executor.register('exec-1', '127.0.0.1:7001');

    const seen: string[][] = [];
    router.watch((members) => seen.push(members.map((m) => m.id)));
    await waitUntil(() => seen.length === 1);
    await delay(100); // the pub/sub subscription is in place
    expect(seen).toEqual([['exec-1']]);

    await executor.deregister();
    expect(await router.members()).toEqual([]);
    await waitUntil(() => seen.length === 2, 2_000);
    expect(seen[1]).toEqual([]);

    await executor.register('exec-2', '127.0.0.1:7002');
    await waitUntil(() => seen.length === 3, 2_000);
    expect(seen[2]).toEqual(['exec-2']);
  });

  it('close() deregisters', async (ctx) => {
    const { url } = redis.require(ctx);
    const prefix = uniquePrefix();
    const executor = await RedisMembership.connect(url, { prefix, heartbeatMs: HEARTBEAT, ttlMs: TTL });
    const router = await membership(url, prefix);
    await executor.register('exec-1', '127.0.0.1:7001');
    expect(await router.members()).toHaveLength(1);
    await executor.close();
    expect(await router.members()).toEqual([]);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(10);
  }
}
