import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import {
  ModelStoreServiceService,
  type ModelDescriptor,
  type ModelStreamEvent,
} from '@modelserving/contracts';
import { modelKey } from '@modelserving/model-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { EmbeddedModelStore } from './embedded-model-store';
import type { ModelStore, PublishEvent } from './model-store';
import { createModelStoreServiceImpl } from './model-store-service';
import { comparePositions } from './positions';
import { RedisModelStore } from './redis-model-store';
import { RemoteModelStore } from './remote-model-store';
import type { StoreLimitsOptions } from './store-limits';
import { Code, descriptor, expectServingError } from './test-support/fixtures';
import { RedisFixture, uniquePrefix } from './test-support/redis-fixture';
import { TailReader, delay } from './test-support/tail-reader';

// Small limits so "large" models are cheap to build.
const LIMITS: StoreLimitsOptions = { inlineLimitBytes: 1024, maxModelBytes: 64 * 1024 };

type Ctx = { skip: (note?: string) => never };
type Open = (ctx: Ctx) => Promise<ModelStore>;

const redis = new RedisFixture();
beforeAll(() => redis.start());
afterAll(() => redis.stop());

const openEmbedded: Open = async () => {
  const store = await EmbeddedModelStore.open(LIMITS);
  onTestFinished(() => store.close());
  return store;
};

/** Persisted in a temp directory (fsync off: the contract is about behaviour, not durability). */
const openPersistent: Open = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'store-contract-'));
  const store = await EmbeddedModelStore.open({ ...LIMITS, dir, fsync: false });
  onTestFinished(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
};

const openRedis: Open = async (ctx) => {
  const server = redis.require(ctx);
  const store = await RedisModelStore.connect(server.url, { ...LIMITS, prefix: uniquePrefix() });
  onTestFinished(() => store.close());
  return store;
};

/** An embedded store served by a grpc-js server on an ephemeral port, used through RemoteModelStore. */
const openRemote: Open = async () => {
  const backing = await EmbeddedModelStore.open(LIMITS);
  const server = new Server();
  server.addService(ModelStoreServiceService, createModelStoreServiceImpl(backing));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const store = RemoteModelStore.connect(`127.0.0.1:${port}`, { reconnect: { initialMs: 20, maxMs: 200 } });
  onTestFinished(async () => {
    await store.close();
    server.forceShutdown();
    await backing.close();
  });
  return store;
};

const deploy = (name: string, overrides = {}): PublishEvent => ({ deploy: descriptor(name, overrides) });

/** Collects `n` events of a tail (failing after `timeoutMs`), then stops it. */
async function take(
  store: ModelStore,
  after: string,
  n: number,
  timeoutMs = 5_000,
): Promise<ModelStreamEvent[]> {
  const reader = new TailReader(store, after);
  try {
    return await reader.waitForCount(n, timeoutMs);
  } finally {
    await reader.stop();
  }
}

describe.each([
  ['EmbeddedModelStore', openEmbedded],
  ['EmbeddedModelStore (data directory)', openPersistent],
  ['RedisModelStore', openRedis],
  ['RemoteModelStore', openRemote],
] as const)('%s (ModelStore contract)', (_name, open) => {
  it('starts empty', async (ctx) => {
    const store = await open(ctx);
    expect(await store.snapshot()).toEqual({ models: [], policies: [], suspended: false, position: '' });
  });

  it('assigns increasing positions and snapshots the latest deploy per model key', async (ctx) => {
    const store = await open(ctx);
    const p1 = await store.publish(deploy('a'));
    const p2 = await store.publish(deploy('b', { dataType: 'iris' }));
    const p3 = await store.publish(deploy('a', { description: 'a, retrained' }));
    for (const p of [p1, p2, p3]) expect(p).toMatch(/^\d+-\d+$/);
    expect(comparePositions(p1, p2)).toBeLessThan(0);
    expect(comparePositions(p2, p3)).toBeLessThan(0);

    const snap = await store.snapshot();
    expect(snap.position).toBe(p3);
    expect(snap.models.map((m) => [m.dataType, m.name, m.description])).toEqual([
      ['iris', 'b', 'model b'],
      ['wine', 'a', 'a, retrained'],
    ]);
    expect(Buffer.from(snap.models[1]?.data ?? []).toString()).toBe('<PMML name="a"/>');
  });

  it('undeploy removes the model; undeploying an unknown model is NOT_FOUND and appends nothing', async (ctx) => {
    const store = await open(ctx);
    await store.publish(deploy('a'));
    await store.publish(deploy('b'));
    const p = await store.publish({ undeploy: { dataType: 'wine', name: 'a' } });
    let snap = await store.snapshot();
    expect(snap.models.map((m) => m.name)).toEqual(['b']);
    expect(snap.position).toBe(p);

    await expectServingError(
      store.publish({ undeploy: { dataType: 'wine', name: 'a' } }),
      Code.NOT_FOUND,
      /wine\/a/,
    );
    snap = await store.snapshot();
    expect(snap.position).toBe(p);
    expect(snap.models.map((m) => m.name)).toEqual(['b']);
  });

  it('tail from a position delivers exactly the later events, in order, then live ones', async (ctx) => {
    const store = await open(ctx);
    const positions = [
      await store.publish(deploy('a')),
      await store.publish(deploy('b')),
      await store.publish({
        policy: { dataType: 'wine', decider: 'first', timeoutMs: 100, alwaysSpeculative: false },
      }),
      await store.publish({ undeploy: { dataType: 'wine', name: 'a' } }),
      await store.publish({ suspended: true }),
    ];

    const all = await take(store, '', 5);
    expect(all.map((e) => e.position)).toEqual(positions);
    expect(all[0]?.deploy?.name).toBe('a');
    expect(all[2]?.policy?.decider).toBe('first');
    expect(all[3]?.undeploy).toEqual({ dataType: 'wine', name: 'a' });
    expect(all[4]?.suspended).toBe(true);

    const reader = new TailReader(store, positions[1] as string);
    try {
      const later = await reader.waitForCount(3);
      expect(later.map((e) => e.position)).toEqual(positions.slice(2));
      // Nothing before or in between is repeated: the next thing to arrive is the next publish.
      const marker = await store.publish(deploy('marker'));
      await reader.waitForCount(4);
      await delay(100);
      expect(reader.positions).toEqual([...positions.slice(2), marker]);
    } finally {
      await reader.stop();
    }
    expect(reader.error).toBeUndefined();
  });

  it('tail delivers live events with store-assigned timestamps and ends when aborted or closed', async (ctx) => {
    const store = await open(ctx);
    const start = (await store.snapshot()).position;
    const reader = new TailReader(store, start);
    const other = new TailReader(store, start);
    await delay(50); // the tails are waiting before anything is published
    const before = Date.now();
    const published: string[] = [];
    for (const name of ['x', 'y', 'z']) {
      published.push(await store.publish(deploy(name)));
      await delay(20);
    }
    const got = await reader.waitForCount(3);
    expect(got.map((e) => e.position)).toEqual(published);
    expect(got.map((e) => e.deploy?.name)).toEqual(['x', 'y', 'z']);
    for (const e of got) expect(Math.abs(e.timestampMs - before)).toBeLessThan(10_000);

    await reader.stop();
    expect(reader.ended).toBe(true);
    expect(reader.error).toBeUndefined();

    await other.waitForCount(3);
    await store.close();
    expect(await other.waitForEnd()).toBeUndefined();
  });

  it('publish ignores a position and timestamp supplied by the caller', async (ctx) => {
    const store = await open(ctx);
    const forged = { ...deploy('a'), position: '99999999999999-0', timestampMs: 1 } as PublishEvent;
    const p = await store.publish(forged);
    expect(p).not.toBe('99999999999999-0');
    const [event] = await take(store, '', 1);
    expect(event?.position).toBe(p);
    expect(event?.timestampMs).toBeGreaterThan(1_600_000_000_000);
  });

  it('stores blobs by content address', async (ctx) => {
    const store = await open(ctx);
    const data = randomBytes(5000);
    const key = await store.putBlob(data);
    expect(key).toBe(`blob:sha256:${createHash('sha256').update(data).digest('hex')}`);
    expect(Buffer.from(await store.getBlob(key)).equals(data)).toBe(true);
    expect(await store.putBlob(Uint8Array.from(data))).toBe(key);

    const missing = `blob:sha256:${'0'.repeat(64)}`;
    await expectServingError(store.getBlob(missing), Code.NOT_FOUND, new RegExp(missing));
    await expectServingError(() => store.getBlob('sha256:abc'), Code.INVALID_ARGUMENT);

    // A deploy may point at a stored blob, but not at a missing one.
    await store.publish(deploy('by-ref', { data: undefined, location: key }));
    await expectServingError(
      store.publish(deploy('dangling', { data: undefined, location: missing })),
      Code.NOT_FOUND,
    );
    const snap = await store.snapshot();
    expect(snap.models.map((m) => [m.name, m.location])).toEqual([['by-ref', key]]);
  });

  it('moves large inline model data to a blob on publish and keeps small data inline', async (ctx) => {
    const store = await open(ctx);
    const big = randomBytes(4096); // above the 1 KiB inline limit
    await store.publish(deploy('big', { data: big }));
    await store.publish(deploy('small', { data: Buffer.from('tiny') }));

    const snap = await store.snapshot();
    const bigModel = snap.models.find((m) => m.name === 'big');
    expect(bigModel?.data === undefined || bigModel.data.length === 0).toBe(true);
    expect(bigModel?.location).toMatch(/^blob:sha256:[0-9a-f]{64}$/);
    expect(Buffer.from(await store.getBlob(bigModel?.location as string)).equals(big)).toBe(true);
    expect(Buffer.from(snap.models.find((m) => m.name === 'small')?.data ?? []).toString()).toBe('tiny');

    const [event] = await take(store, '', 1);
    expect(event?.deploy?.location).toBe(bigModel?.location);
  });

  it('rejects models and blobs above maxModelBytes with RESOURCE_EXHAUSTED', async (ctx) => {
    const store = await open(ctx);
    const huge = randomBytes(100 * 1024);
    await expectServingError(
      store.publish(deploy('huge', { data: huge })),
      Code.RESOURCE_EXHAUSTED,
      /maxModelBytes/,
    );
    await expectServingError(store.putBlob(huge), Code.RESOURCE_EXHAUSTED, /maxModelBytes/);
    expect((await store.snapshot()).position).toBe('');
  });

  it('rejects malformed events with INVALID_ARGUMENT and appends nothing', async (ctx) => {
    const store = await open(ctx);
    const bad: [string, PublishEvent, RegExp][] = [
      ['empty event', {}, /empty/],
      ['two members', { ...deploy('a'), suspended: true }, /exactly one/],
      ['bad model name', deploy('no spaces allowed'), /model name/],
      ['bad data type', deploy('a', { dataType: '' }), /data type/],
      ['data and location', deploy('a', { location: '/models/a.pmml' }), /both data and location/],
      ['neither', deploy('a', { data: undefined }), /neither data nor location/],
      [
        'unsupported scheme',
        deploy('a', { data: undefined, location: 'ftp://host/a.pmml' }),
        /unsupported scheme/,
      ],
      ['bad blob key', deploy('a', { data: undefined, location: 'blob:md5:abc' }), /blob key/],
      ['unknown model type', deploy('a', { modelType: 42 }), /model type/],
      ['bad undeploy', { undeploy: { dataType: 'wine', name: '' } }, /model name/],
      [
        'empty decider',
        { policy: { dataType: 'wine', decider: '', timeoutMs: 10, alwaysSpeculative: false } },
        /decider/,
      ],
      [
        'negative timeout',
        { policy: { dataType: 'wine', decider: 'first', timeoutMs: -1, alwaysSpeculative: false } },
        /timeoutMs/,
      ],
    ];
    for (const [what, event, message] of bad) {
      const e = await expectServingError(store.publish(event), Code.INVALID_ARGUMENT, message).catch(
        (err: unknown) => {
          throw new Error(`${what}: ${(err as Error).message}`);
        },
      );
      expect(e.message, what).toBeTruthy();
    }
    await expectServingError(async () => {
      for await (const _ of store.tail('not-a-position')) break;
    }, Code.INVALID_ARGUMENT);
    expect((await store.snapshot()).position).toBe('');
  });

  it('reflects policy and suspended events in the snapshot', async (ctx) => {
    const store = await open(ctx);
    await store.publish({
      policy: { dataType: 'wine', decider: 'first', timeoutMs: 100, alwaysSpeculative: false },
    });
    await store.publish({
      policy: { dataType: 'iris', decider: 'majority', timeoutMs: 50, alwaysSpeculative: false },
    });
    await store.publish({
      policy: { dataType: 'wine', decider: 'majority', timeoutMs: 250, alwaysSpeculative: true },
    });
    const p = await store.publish({ suspended: true });
    let snap = await store.snapshot();
    expect(snap.policies).toEqual([
      { dataType: 'iris', decider: 'majority', timeoutMs: 50, alwaysSpeculative: false },
      { dataType: 'wine', decider: 'majority', timeoutMs: 250, alwaysSpeculative: true },
    ]);
    expect(snap.suspended).toBe(true);
    expect(snap.position).toBe(p);

    await store.publish({ suspended: false });
    snap = await store.snapshot();
    expect(snap.suspended).toBe(false);
    expect(snap.policies).toHaveLength(2);
  });

  it('snapshots many models (several pages) consistently while publishes go on', async (ctx) => {
    const store = await open(ctx);
    const N = 2_500;
    let next = 0;
    const publisher = async () => {
      while (next < N) {
        const i = next++;
        await store.publish(deploy(`m${i}`, { data: Buffer.from(`<PMML n="${i}"/>`) }));
        if (i % 3 === 0) await store.publish({ undeploy: { dataType: 'wine', name: `m${i}` } });
      }
    };
    const publishing = Promise.all(Array.from({ length: 16 }, publisher));
    // Snapshots taken while the publishers run must each be exactly the fold of the stream up to their position.
    const snaps = [];
    while (next < N) {
      snaps.push(await store.snapshot());
      await delay(25);
    }
    await publishing;
    snaps.push(await store.snapshot());
    const last = snaps.at(-1) as Awaited<ReturnType<ModelStore['snapshot']>>;
    expect(last.models).toHaveLength(N - Math.ceil(N / 3));

    const events = await take(store, '', N + Math.ceil(N / 3), 20_000);
    for (const snap of snaps) {
      const fold = new Map<string, ModelDescriptor>();
      for (const e of events) {
        if (comparePositions(e.position, snap.position) > 0) break;
        if (e.deploy) fold.set(modelKey(e.deploy.dataType, e.deploy.name), e.deploy);
        else if (e.undeploy) fold.delete(modelKey(e.undeploy.dataType, e.undeploy.name));
      }
      expect(snap.models.map((d) => d.name)).toEqual(
        [...fold.keys()].sort().map((k) => (fold.get(k) as ModelDescriptor).name),
      );
    }
  }, 60_000);
});
