import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createModelStore } from './create-model-store';
import { EmbeddedModelStore } from './embedded-model-store';
import { RedisModelStore } from './redis-model-store';
import { RemoteModelStore } from './remote-model-store';
import { descriptor } from './test-support/fixtures';
import { RedisFixture, uniquePrefix } from './test-support/redis-fixture';

const redis = new RedisFixture();
beforeAll(() => redis.start());
afterAll(() => redis.stop());

describe('createModelStore', () => {
  it('is embedded (and persisted in a directory when asked) without Redis or a store address', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'create-store-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const store = await createModelStore({ dir: join(dir, 'store') });
    expect(store).toBeInstanceOf(EmbeddedModelStore);
    const p = await store.publish({ deploy: descriptor('a') });
    await store.close();
    const reopened = await createModelStore({ dir: join(dir, 'store') });
    onTestFinished(() => reopened.close());
    expect((await reopened.snapshot()).position).toBe(p);
  });

  it('uses a remote store for storeAddress and Redis for redisUrl, Redis winning', async (ctx) => {
    const remote = await createModelStore({ storeAddress: '127.0.0.1:1' });
    onTestFinished(() => remote.close());
    expect(remote).toBeInstanceOf(RemoteModelStore);

    const { url } = redis.require(ctx);
    const store = await createModelStore({
      redisUrl: url,
      storeAddress: '127.0.0.1:1',
      redisPrefix: uniquePrefix(),
    });
    onTestFinished(() => store.close());
    expect(store).toBeInstanceOf(RedisModelStore);
    expect(await store.snapshot()).toMatchObject({ position: '' });
  });
});
