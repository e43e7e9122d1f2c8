import type { ModelDescriptor as ProtoDescriptor, ModelStreamEvent } from '@modelserving/contracts';
import {
  MapModelFactoryResolver,
  ModelRegistry,
  ModelType,
  ServingError,
  type Model,
  type ModelFactory,
} from '@modelserving/model-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BuildQueue } from './build-queue';
import { FetchingFactoryResolver } from './content-factory';
import { createLogger } from '@modelserving/service-kit';
import { ModelSync } from './model-sync';
import { Ownership } from './ownership';
import { rendezvousOwners } from '@modelserving/transport';

/** Content "k" → y = k·x; "fail" → build error. */
const factory: ModelFactory = {
  type: ModelType.PMML,
  async create(m) {
    const text = Buffer.from(m.content).toString();
    if (text === 'fail') throw new ServingError(3, 'bad model');
    const k = Number(text);
    const model: Model = {
      type: ModelType.PMML,
      runtime: 'fake',
      score: (d) => ({ value: k * Number(d.features['x']) }),
      signature: () => ({ inputs: [], outputs: [] }),
      toBytes: () => m.content,
      cleanup: () => {},
    };
    return model;
  },
  restore: () => Promise.reject(new Error('unused')),
};

function descriptor(name: string, content: string): ProtoDescriptor {
  return { name, description: '', dataType: 'dt', modelType: 2, data: Buffer.from(content), metadata: {} };
}

let seq = 0;
function deployEvent(name: string, content: string): ModelStreamEvent {
  return { position: `1-${++seq}`, timestampMs: 0, deploy: descriptor(name, content) };
}

const syncs: ModelSync[] = [];
afterEach(() => {
  for (const s of syncs.splice(0)) s.close();
});

function setup(self: string, members: string[], graceMs = 60_000, fetchFails = false) {
  const registry = new ModelRegistry({
    resolver: new FetchingFactoryResolver(
      new MapModelFactoryResolver([factory]),
      async (d) => {
        if (fetchFails) throw new ServingError(5, 'blob gone');
        return d.data ?? new Uint8Array(0);
      },
      new BuildQueue(4),
      1000,
    ),
  });
  const ownership = new Ownership(self, 'key', 1);
  const sync = new ModelSync({
    registry,
    ownership,
    log: createLogger({ service: 'test', level: 'error' }),
    ownershipGraceMs: graceMs,
    unknownKeyWaitMs: 50,
    startupWaitMs: 1000,
  });
  syncs.push(sync);
  return { registry, sync, ready: sync.membersChanged(members) };
}

/** Names owned by `member` among `members`. */
function namesOwnedBy(member: string, members: string[], count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    if (rendezvousOwners(`dt/m${i}`, members, 1)[0] === member) out.push(`m${i}`);
  }
  return out;
}

async function settle(sync: ModelSync, key: string): Promise<void> {
  for (let i = 0; i < 5; i++) await (sync.readiness(key, i) ?? Promise.resolve());
  await sync.whenBuilt(key);
}

describe('ModelSync', () => {
  it('builds owned keys only, on demand the others, and tracks positions', async () => {
    const { registry, sync, ready } = setup('a', ['a', 'b']);
    await ready;
    await sync.reconcile({ models: [], position: '1-0' });
    const [mine] = namesOwnedBy('a', ['a', 'b'], 1);
    const [theirs] = namesOwnedBy('b', ['a', 'b'], 1);
    const e1 = deployEvent(mine!, '2');
    const e2 = deployEvent(theirs!, '3');
    sync.applyEvent(e1);
    sync.applyEvent(e2);
    expect(sync.position).toBe(e2.position);
    await settle(sync, `dt/${mine}`);
    expect(registry.status(`dt/${mine}`)?.state).toBe('SERVING');
    expect(sync.positionOf(`dt/${mine}`)).toBe(e1.position);
    expect(registry.status(`dt/${theirs}`)).toBeUndefined();
    // An item for the other key builds it on demand.
    await settle(sync, `dt/${theirs}`);
    expect(registry.score(`dt/${theirs}`, { dataType: 'dt', features: { x: 2 } }).value).toBe(6);
    expect(sync.positionOf(`dt/${theirs}`)).toBe(e2.position);
  });

  it('keeps the previous version when a build or fetch fails', async () => {
    const { registry, sync, ready } = setup('a', ['a']);
    await ready;
    await sync.reconcile({ models: [descriptor('m', '2')], position: '1-0' });
    await settle(sync, 'dt/m');
    sync.applyEvent(deployEvent('m', 'fail'));
    await settle(sync, 'dt/m');
    const st = registry.status('dt/m');
    expect(st?.state).toBe('SERVING');
    expect(st?.error).toMatch(/bad model/);
    expect(registry.score('dt/m', { dataType: 'dt', features: { x: 1 } }).value).toBe(2);
  });

  it('reports a fetch failure as the build error', async () => {
    const { registry, sync, ready } = setup('a', ['a'], 60_000, true);
    await ready;
    await sync.reconcile({ models: [descriptor('m', '2')], position: '1-0' });
    await settle(sync, 'dt/m');
    expect(registry.status('dt/m')).toMatchObject({
      state: 'FAILED',
      error: expect.stringMatching(/blob gone/),
    });
  });

  it('reconciles: changed rebuilt, removed dropped, unchanged kept', async () => {
    const { registry, sync, ready } = setup('a', ['a']);
    await ready;
    await sync.reconcile({
      models: [descriptor('x', '1'), descriptor('y', '1'), descriptor('z', '1')],
      position: '1-1',
    });
    for (const k of ['dt/x', 'dt/y', 'dt/z']) await settle(sync, k);
    const genY = registry.status('dt/y')!.generation;
    await sync.reconcile({ models: [descriptor('y', '1'), descriptor('z', '5')], position: '1-9' });
    for (const k of ['dt/y', 'dt/z']) await settle(sync, k);
    expect(registry.status('dt/x')).toBeUndefined();
    expect(registry.status('dt/y')!.generation).toBe(genY);
    expect(sync.positionOf('dt/y')).toBe('1-1');
    expect(sync.positionOf('dt/z')).toBe('1-9');
    expect(registry.score('dt/z', { dataType: 'dt', features: { x: 1 } }).value).toBe(5);
  });

  it('drops keys no longer owned after the grace period and builds newly owned ones', async () => {
    const { registry, sync, ready } = setup('a', ['a'], 100);
    await ready;
    const names = namesOwnedBy('b', ['a', 'b'], 2);
    await sync.reconcile({ models: names.map((n) => descriptor(n, '1')), position: '1-1' });
    for (const n of names) await settle(sync, `dt/${n}`);
    expect([...registry.keys()].sort()).toEqual(names.map((n) => `dt/${n}`).sort());
    await sync.membersChanged(['a', 'b']);
    // Still there during the grace period.
    expect(registry.has(`dt/${names[0]}`)).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(registry.size).toBe(0);
    // b leaves: a owns everything again.
    await sync.membersChanged(['a']);
    for (const n of names) await settle(sync, `dt/${n}`);
    expect(registry.size).toBe(2);
  });

  it('answers unknown keys after a short wait and undeployed keys at once', async () => {
    const { sync, ready } = setup('a', ['a']);
    await ready;
    await sync.reconcile({ models: [], position: '1-0' });
    const t0 = Date.now();
    await sync.readiness('dt/nope', 0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
    expect(sync.readiness('dt/nope', 1)).toBeUndefined();
    sync.applyEvent({ position: '1-5', timestampMs: 0, undeploy: { dataType: 'dt', name: 'gone' } });
    expect(sync.readiness('dt/gone', 0)).toBeUndefined();
  });
});

describe('ModelSync after a restart with many models', () => {
  it('builds the models that requests wait for before the rest of the backlog', async () => {
    const built: string[] = [];
    const slow: ModelFactory = {
      ...factory,
      async create(m) {
        await new Promise((r) => setTimeout(r, 1));
        built.push(m.name);
        return factory.create(m);
      },
    };
    const registry = new ModelRegistry({
      resolver: new FetchingFactoryResolver(
        new MapModelFactoryResolver([slow]),
        async (d) => d.data ?? new Uint8Array(0),
        new BuildQueue(2),
        1000,
      ),
    });
    const sync = new ModelSync({
      registry,
      ownership: new Ownership('a', 'partition', 1),
      log: createLogger({ service: 'test', level: 'error' }),
      ownershipGraceMs: 60_000,
      unknownKeyWaitMs: 50,
      startupWaitMs: 1000,
    });
    syncs.push(sync);
    await sync.membersChanged(['a']);
    const N = 400;
    const models = Array.from({ length: N }, (_, i) => descriptor(`m${i}`, String(i)));
    await sync.load({ models, position: '1-1' });

    // A request for a model near the end of the backlog arrives while everything is queued.
    const wanted = 'dt/m350';
    const waiting = sync.readiness(wanted, 0);
    expect(waiting).toBeDefined();
    await waiting;
    expect(registry.score(wanted, { dataType: 'dt', features: { x: 2 } }).value).toBe(700);
    // Built within the first few (the two already running, then it), not after ~350 others.
    expect(built.indexOf('m350')).toBeLessThan(10);
    expect(built.length).toBeLessThan(50);
  });
});
