import type { ModelDescriptor } from '@modelserving/contracts';
import {
  MapModelFactoryResolver,
  ModelRegistry,
  ModelType,
  type ModelFactory,
} from '@modelserving/model-core';
import {
  ScriptedStore,
  StoreFollower,
  StreamGapError,
  type FollowableStore,
} from '@modelserving/model-store';
import { afterEach, describe, expect, it } from 'vitest';
import { BuildQueue } from './build-queue';
import { FetchingFactoryResolver } from './content-factory';
import { createLogger } from '@modelserving/service-kit';
import { ModelSync } from './model-sync';
import { Ownership } from './ownership';

const factory: ModelFactory = {
  type: ModelType.PMML,
  create: async (m) => ({
    type: ModelType.PMML,
    runtime: 'fake',
    score: () => ({ value: Buffer.from(m.content).toString() }),
    signature: () => ({ inputs: [], outputs: [] }),
    toBytes: () => m.content,
    cleanup: () => {},
  }),
  restore: () => Promise.reject(new Error('unused')),
};

const d = (name: string, v: string): ModelDescriptor => ({
  name,
  description: '',
  dataType: 'dt',
  modelType: 2,
  data: Buffer.from(v),
  metadata: {},
});

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

function setup(store: FollowableStore) {
  const registry = new ModelRegistry({
    resolver: new FetchingFactoryResolver(
      new MapModelFactoryResolver([factory]),
      async (x) => x.data!,
      new BuildQueue(4),
      1000,
    ),
  });
  const sync = new ModelSync({
    registry,
    ownership: new Ownership('a', 'partition', 1),
    log: createLogger({ service: 't', level: 'error' }),
    ownershipGraceMs: 1000,
    unknownKeyWaitMs: 0,
    startupWaitMs: 1000,
  });
  const follower = new StoreFollower(store, sync, { backoff: { initialMs: 5, maxMs: 20 } });
  stops.push(
    () => follower.stop(),
    () => sync.close(),
  );
  return { registry, sync, follower };
}

async function until(probe: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the shared StoreFollower driving ModelSync', () => {
  it('re-snapshots and reconciles the registry after a gap, and retries a failing store', async () => {
    const store = new ScriptedStore();
    store.failSnapshots = 2;
    store.snapshots.push({
      models: [d('a', '1'), d('b', '1')],
      policies: [],
      suspended: false,
      position: '1-1',
    });
    store.tails.push({
      events: [{ position: '1-2', timestampMs: 0, deploy: d('c', '1') }],
      fail: new StreamGapError('1-2', 'trimmed'),
    });
    // After the gap: a changed, b removed, c unchanged, d new.
    store.snapshots.push({
      models: [d('a', '2'), d('c', '1'), d('d', '1')],
      policies: [],
      suspended: false,
      position: '1-9',
    });
    const { registry, sync, follower } = setup(store);
    follower.start();
    await sync.whenSynced();
    await until(() => follower.snapshotCount === 2 && sync.position === '1-9');
    for (const k of ['dt/a', 'dt/c', 'dt/d']) await sync.whenBuilt(k);
    expect([...registry.keys()].sort()).toEqual(['dt/a', 'dt/c', 'dt/d']);
    expect(registry.score('dt/a', { dataType: 'dt', features: {} }).value).toBe('2');
    expect(sync.positionOf('dt/c')).toBe('1-2');
    expect(sync.positionOf('dt/a')).toBe('1-9');
    expect(store.snapshotCalls).toBe(4);
    expect(store.tailAfter).toEqual(['1-1', '1-9']);
  });
});
