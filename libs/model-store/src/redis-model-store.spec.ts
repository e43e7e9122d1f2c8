import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { RedisModelStore } from './redis-model-store';
import { StreamGapError } from './stream-gap-error';
import { Code, descriptor, expectServingError } from './test-support/fixtures';
import {
  RedisFixture,
  freePort,
  startRedisServer,
  uniquePrefix,
  type RedisServerHandle,
} from './test-support/redis-fixture';
import { TailReader, delay, eventually } from './test-support/tail-reader';

const redis = new RedisFixture();
beforeAll(() => redis.start());
afterAll(() => redis.stop());

const FAST_RETRY = { initialMs: 20, maxMs: 200 };

async function connect(
  url: string,
  options: Parameters<typeof RedisModelStore.connect>[1] = {},
): Promise<RedisModelStore> {
  const store = await RedisModelStore.connect(url, { prefix: uniquePrefix(), retry: FAST_RETRY, ...options });
  onTestFinished(() => store.close());
  return store;
}

function admin(url: string): Redis {
  const client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  onTestFinished(() => void client.disconnect());
  return client;
}

describe('RedisModelStore', () => {
  it('resumes a tail after redis-server restarts, without losing events published after it came back', async (ctx) => {
    redis.require(ctx);
    // A server of its own: this test kills it.
    let server: RedisServerHandle = await startRedisServer();
    onTestFinished(() => server.stop());
    const store = await connect(server.url);
    const reader = new TailReader(store, '');
    onTestFinished(() => reader.stop());

    const p1 = await store.publish({ deploy: descriptor('before') });
    await reader.waitForCount(1);

    await server.stop();
    await delay(300); // the tail is now reconnecting with backoff
    server = await startRedisServer({ port: server.port });

    // --save "" means the restarted server is empty; what matters is that the tail sees everything new.
    const p2 = await eventually(() => store.publish({ deploy: descriptor('after-1') }));
    const p3 = await store.publish({ deploy: descriptor('after-2') });
    const events = await reader.waitForCount(3, 15_000);
    expect(events.map((e) => e.position)).toEqual([p1, p2, p3]);
    expect(events.map((e) => e.deploy?.name)).toEqual(['before', 'after-1', 'after-2']);
    expect(reader.error).toBeUndefined();
  });

  it('resumes from its last position after its connection is killed, delivering what was published meanwhile exactly once', async (ctx) => {
    const { url } = redis.require(ctx);
    const store = await connect(url);
    const reader = new TailReader(store, '');
    onTestFinished(() => reader.stop());
    const p1 = await store.publish({ deploy: descriptor('a') });
    await reader.waitForCount(1);

    const killer = admin(url);
    const killed = (await killer.client('KILL', 'TYPE', 'normal')) as number;
    expect(killed).toBeGreaterThanOrEqual(2); // at least the publisher's and the tail's connections

    const later: string[] = [];
    for (const name of ['b', 'c', 'd'])
      later.push(await eventually(() => store.publish({ deploy: descriptor(name) })));
    await reader.waitForCount(4);
    await delay(100);
    expect(reader.positions).toEqual([p1, ...later]);
    expect(reader.error).toBeUndefined();
  });

  it('detects trimmed events: a tail from before the trim point throws StreamGapError', async (ctx) => {
    const { url } = redis.require(ctx);
    // MAXLEN ~ trims whole radix-tree nodes (100 entries by default), so publish well past that.
    const prefix = uniquePrefix();
    const store = await connect(url, { maxLen: 10, prefix });
    const positions: string[] = [];
    for (let i = 0; i < 250; i++) positions.push(await store.publish({ suspended: i % 2 === 0 }));
    const length = await admin(url).xlen(`${prefix}stream`);
    expect(length).toBeLessThan(250);

    const gap = new TailReader(store, positions[0] as string);
    const error = await gap.waitForEnd();
    expect(error).toBeInstanceOf(StreamGapError);
    expect((error as StreamGapError).code).toBe(Code.OUT_OF_RANGE);

    // From a kept position the tail continues normally; from '' it starts at the oldest kept event.
    const kept = new TailReader(store, positions[247] as string);
    onTestFinished(() => kept.stop());
    expect((await kept.waitForCount(2)).map((e) => e.position)).toEqual(positions.slice(248));
    const fromStart = new TailReader(store, '');
    onTestFinished(() => fromStart.stop());
    const all = await fromStart.waitForCount(length);
    expect(all.at(-1)?.position).toBe(positions[249]);
    expect(fromStart.error).toBeUndefined();
    expect((await store.snapshot()).position).toBe(positions[249]);
  });

  it('isolates stores by key prefix', async (ctx) => {
    const { url } = redis.require(ctx);
    const a = await connect(url);
    const b = await connect(url);
    await a.publish({ deploy: descriptor('only-in-a') });
    expect((await a.snapshot()).models).toHaveLength(1);
    expect(await b.snapshot()).toEqual({ models: [], policies: [], suspended: false, position: '' });
  });

  it('fails to connect with UNAVAILABLE naming the URL', async () => {
    const port = await freePort();
    await expectServingError(
      RedisModelStore.connect(`redis://127.0.0.1:${port}`, { retry: FAST_RETRY, connectTimeoutMs: 500 }),
      Code.UNAVAILABLE,
      new RegExp(`127\\.0\\.0\\.1:${port}`),
    );
  });
});
