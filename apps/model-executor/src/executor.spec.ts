import {
  Server,
  ServerCredentials,
  credentials,
  type ClientDuplexStream,
  type ServerReadableStream,
} from '@grpc/grpc-js';
import {
  ModelExecutorServiceClient,
  ModelStatus_State,
  SpeculativeCollectorServiceService,
  type CollectAck,
  type CollectBatch,
  type CollectItem,
  type ExecutorStatusResponse,
  type ScoreBatch,
  type ScoreItem,
  type ScoreResultBatch,
  type ServingResult,
} from '@modelserving/contracts';
import { Code, ModelType, invalidArgument, type Model, type ModelFactory } from '@modelserving/model-core';
import { PmmlModelFactory } from '@modelserving/pmml';
import { EmbeddedModelStore, type ModelStore } from '@modelserving/model-store';
import { InMemoryTelemetry } from '@modelserving/telemetry';
import { freePort } from '@modelserving/testing';
import { rendezvousOwners } from '@modelserving/transport';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { startExecutor, type ExecutorHandle, type ExecutorOptions } from './index';

// ---- fixtures: our own tiny PMML documents ----

/** A PMML 4.4 RegressionModel: y = slope·x + intercept. */
function regressionPmml(slope: number, intercept: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header description="executor test model"/>
  <DataDictionary numberOfFields="2">
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression" modelName="linear">
    <MiningSchema>
      <MiningField name="x"/>
      <MiningField name="y" usageType="target"/>
    </MiningSchema>
    <RegressionTable intercept="${intercept}">
      <NumericPredictor name="x" coefficient="${slope}"/>
    </RegressionTable>
  </RegressionModel>
</PMML>
`;
}

const PMML = 2;
const V1 = regressionPmml(2, 1); // y = 2x + 1
const V2 = regressionPmml(3, -1); // y = 3x - 1

// ---- helpers ----

interface Env {
  store: ModelStore;
  executor: ExecutorHandle;
  client: ModelExecutorServiceClient;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startEnv(
  options: ExecutorOptions = {},
  store?: ModelStore,
  factories?: ModelFactory[],
): Promise<Env> {
  const s = store ?? (await EmbeddedModelStore.open());
  if (!store) cleanups.push(() => s.close());
  const executor = await startExecutor(
    { host: '127.0.0.1', port: 0, logLevel: 'error', drainMs: 1000, ...options },
    factories ? { store: s, factories } : { store: s },
  );
  cleanups.push(() => executor.stop());
  const client = new ModelExecutorServiceClient(`127.0.0.1:${executor.port}`, credentials.createInsecure());
  cleanups.push(() => client.close());
  await executor.synced();
  return { store: s, executor, client };
}

function deploy(
  store: ModelStore,
  name: string,
  pmml: string | Uint8Array,
  dataType = 'dt',
  modelType = PMML,
): Promise<string> {
  return store.publish({
    deploy: {
      name,
      description: `${name} model`,
      dataType,
      modelType,
      data: Buffer.from(typeof pmml === 'string' ? Buffer.from(pmml) : pmml),
      metadata: {},
    },
  });
}

function getStatus(
  client: ModelExecutorServiceClient,
  modelKeys: string[] = [],
): Promise<ExecutorStatusResponse> {
  return new Promise((resolve, reject) =>
    client.getStatus({ modelKeys }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the executor has applied `position` and `key` is SERVING with no build in progress. */
async function waitServing(client: ModelExecutorServiceClient, key: string, position: string) {
  return waitFor(`${key} serving at ${position}`, async () => {
    const res = await getStatus(client, [key]);
    const m = res.models[0];
    return m && m.position === position && m.state === ModelStatus_State.SERVING && !m.loading
      ? m
      : undefined;
  });
}

/** A client Score stream that collects answers by id. */
class ScoreStream {
  readonly results = new Map<number, ServingResult>();
  private readonly call: ClientDuplexStream<ScoreBatch, ScoreResultBatch>;
  private nextId = 1;
  error: Error | undefined;
  ended = false;

  constructor(client: ModelExecutorServiceClient) {
    this.call = client.score();
    this.call.on('data', (b: ScoreResultBatch) => {
      for (const it of b.items) {
        if (this.results.has(it.id)) throw new Error(`item ${it.id} answered twice`);
        this.results.set(it.id, it.result!);
      }
    });
    this.call.on('error', (e) => (this.error = e));
    this.call.on('end', () => (this.ended = true));
    cleanups.push(() => this.call.cancel());
  }

  send(items: Partial<ScoreItem>[]): number[] {
    const full = items.map((i) => ({ id: this.nextId++, modelKey: '', guid: '', speculative: false, ...i }));
    this.call.write({ items: full });
    return full.map((i) => i.id);
  }

  item(modelKey: string, x: number, extra: Partial<ScoreItem> = {}): Partial<ScoreItem> {
    return { modelKey, record: { features: { x: { number: x } }, tensors: [] }, ...extra };
  }

  async answers(ids: number[], timeoutMs = 10_000): Promise<ServingResult[]> {
    await waitFor(
      `answers to ${ids.length} items`,
      () => (this.error ? Promise.reject(this.error) : ids.every((id) => this.results.has(id))),
      timeoutMs,
    );
    return ids.map((id) => this.results.get(id)!);
  }

  end(): void {
    this.call.end();
  }
}

/** A SpeculativeCollectorService that records every CollectItem it receives. */
async function startFakeCollector(received: CollectItem[], port = 0): Promise<number> {
  const server = new Server();
  server.addService(SpeculativeCollectorServiceService, {
    decide: (call: { end(): void }) => call.end(),
    collect: (call: ServerReadableStream<CollectBatch, CollectAck>, cb: (e: null, r: CollectAck) => void) => {
      let n = 0;
      call.on('data', (b: CollectBatch) => {
        received.push(...b.items);
        n += b.items.length;
      });
      call.on('end', () => cb(null, { received: n }));
      call.on('error', () => {});
    },
    getStats: (_call: unknown, cb: (e: null, r: { stats: [] }) => void) => cb(null, { stats: [] }),
  });
  const bound = await new Promise<number>((res, rej) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (e, p) =>
      e ? rej(e) : res(p),
    ),
  );
  cleanups.push(() => void server.forceShutdown());
  return bound;
}

// ---- tests ----

describe('model executor', () => {
  it('deploys from the store, scores direct items and reports status', async () => {
    const { store, client, executor } = await startEnv();
    const pos = await deploy(store, 'lin', V1);
    const status = await waitServing(client, 'dt/lin', pos);
    expect(status).toMatchObject({
      modelKey: 'dt/lin',
      name: 'lin',
      dataType: 'dt',
      executor: executor.executorId,
      error: '',
    });
    expect(status.runtime).not.toBe('');
    expect(status.inputs.map((i) => i.name)).toContain('x');

    const s = new ScoreStream(client);
    const xs = [0, 1, 2.5, -4];
    const results = await s.answers(s.send(xs.map((x) => s.item('dt/lin', x))));
    results.forEach((r, i) => {
      expect(r).toMatchObject({
        processed: true,
        model: 'dt/lin',
        source: executor.executorId,
        error: '',
        errorCode: 0,
      });
      expect(r.value?.number).toBeCloseTo(2 * xs[i]! + 1, 9);
      expect(r.duration).toBeGreaterThanOrEqual(0);
    });

    const after = await getStatus(client);
    expect(after.position).toBe(pos);
    expect(after.executor).toBe(executor.executorId);
    expect(after.models[0]?.stats?.usage).toBe(4);
    expect(after.models[0]?.stats?.name).toBe('lin');
  });

  it('answers NOT_FOUND after an undeploy and for keys the store never had', async () => {
    const { store, client } = await startEnv({ unknownKeyWaitMs: 20 });
    const pos = await deploy(store, 'lin', V1);
    await waitServing(client, 'dt/lin', pos);
    const s = new ScoreStream(client);
    expect((await s.answers(s.send([s.item('dt/lin', 1)])))[0]?.value?.number).toBe(3);

    const upos = await store.publish({ undeploy: { dataType: 'dt', name: 'lin' } });
    await waitFor('undeploy applied', async () => (await getStatus(client)).position === upos);
    const [gone, never] = await s.answers(s.send([s.item('dt/lin', 1), s.item('dt/never', 1)]));
    expect(gone).toMatchObject({ processed: false, errorCode: Code.NOT_FOUND, model: 'dt/lin' });
    expect(gone?.error).toMatch(/not deployed/);
    expect(never).toMatchObject({ processed: false, errorCode: Code.NOT_FOUND });
    expect((await getStatus(client)).models).toEqual([]);
  });

  it('keeps the previous version serving when a new one is malformed', async () => {
    // Only the PMML factory, so a TENSORFLOW descriptor below has no factory.
    const { store, client } = await startEnv({}, undefined, [new PmmlModelFactory()]);
    const pos = await deploy(store, 'lin', V1);
    await waitServing(client, 'dt/lin', pos);
    const bad = await deploy(store, 'lin', '<PMML><this is not a model');
    const st = await waitFor('build error', async () => {
      const m = (await getStatus(client, ['dt/lin'])).models[0];
      return m && m.position === bad && !m.loading && m.error ? m : undefined;
    });
    expect(st.state).toBe(ModelStatus_State.SERVING);
    expect(st.error).toMatch(/dt\/lin/);
    const s = new ScoreStream(client);
    expect((await s.answers(s.send([s.item('dt/lin', 5)])))[0]?.value?.number).toBe(11);

    // A model type without a factory fails clearly too, and a first version that fails is FAILED.
    const tf = await store.publish({
      deploy: {
        name: 'tf',
        description: '',
        dataType: 'dt',
        modelType: 0,
        data: Buffer.from('x'),
        metadata: {},
      },
    });
    const failed = await waitFor('tf failed', async () => {
      const m = (await getStatus(client, ['dt/tf'])).models[0];
      return m && m.position === tf && m.state === ModelStatus_State.FAILED ? m : undefined;
    });
    expect(failed.error).toMatch(/no model factory/);
    const [r] = await s.answers(s.send([s.item('dt/tf', 1)]));
    expect(r?.errorCode).toBe(Code.FAILED_PRECONDITION);
  });

  it('answers bad items with per-item INVALID_ARGUMENT and keeps the stream up', async () => {
    const { store, client } = await startEnv();
    const pos = await deploy(store, 'lin', V1);
    await waitServing(client, 'dt/lin', pos);
    const s = new ScoreStream(client);
    const ids = s.send([
      s.item('dt/lin', 1),
      { modelKey: 'dt/lin' }, // no record
      { record: { features: {}, tensors: [] } }, // no model key
      s.item('no-slash', 1),
      {
        modelKey: 'dt/lin',
        record: {
          features: {},
          tensors: [{ name: 't', datatype: 'FP64', shape: [3], numbers: [1], strings: [], booleans: [] }],
        },
      },
      s.item('dt/lin', 1, { speculative: true }), // speculative without guid
      s.item('dt/lin', 2),
    ]);
    const r = await s.answers(ids);
    expect(r[0]?.value?.number).toBe(3);
    for (const bad of [r[1], r[2], r[3], r[4], r[5]]) {
      expect(bad?.errorCode).toBe(Code.INVALID_ARGUMENT);
      expect(bad?.error).not.toBe('');
    }
    expect(r[1]?.error).toMatch(/record is missing/);
    expect(r[2]?.error).toMatch(/model key is missing/);
    expect(r[4]?.error).toMatch(/shape/);
    expect(r[6]?.value?.number).toBe(5);
    // The stream still works.
    expect((await s.answers(s.send([s.item('dt/lin', 10)])))[0]?.value?.number).toBe(21);
    expect(s.error).toBeUndefined();
  });

  it('scores with models without a batch path and with an asynchronous one', async () => {
    /** Content "k": y = k·x; x < 0 is a bad record. `batch` adds an asynchronous scoreBatch. */
    const fake = (type: ModelType, batch: boolean): ModelFactory => ({
      type,
      async create(m) {
        const k = Number(Buffer.from(m.content).toString());
        const score = (d: { features: Record<string, unknown> }) => {
          const x = Number(d.features['x']);
          if (x < 0) throw invalidArgument(`x must not be negative, got ${x}`);
          if (x === 13) throw new Error('unlucky');
          return { value: k * x, confidence: 0.5 };
        };
        const model: Model = {
          type,
          runtime: batch ? 'fake-batch' : 'fake',
          score,
          signature: () => ({ inputs: [], outputs: [] }),
          toBytes: () => m.content,
          cleanup: () => {},
        };
        if (batch) {
          model.scoreBatch = async (inputs) => {
            await new Promise((r) => setTimeout(r, 5));
            return inputs.map((d) => {
              try {
                return score(d);
              } catch (err) {
                return err as Error;
              }
            });
          };
        }
        return model;
      },
      restore: () => Promise.reject(new Error('unused')),
    });
    const { store, client } = await startEnv({}, undefined, [
      new PmmlModelFactory(),
      fake(ModelType.PFA, false),
      fake(ModelType.TENSORFLOW, true),
    ]);
    const p1 = await deploy(store, 'each', '3', 'dt', ModelType.PFA);
    const p2 = await deploy(store, 'batch', '5', 'dt', ModelType.TENSORFLOW);
    await waitServing(client, 'dt/each', p1);
    await waitServing(client, 'dt/batch', p2);
    const s = new ScoreStream(client);
    for (const [key, k] of [
      ['dt/each', 3],
      ['dt/batch', 5],
    ] as const) {
      const r = await s.answers(s.send([s.item(key, 2), s.item(key, -1), s.item(key, 13), s.item(key, 4)]));
      expect(r[0]).toMatchObject({ processed: true, errorCode: 0, confidence: 0.5 });
      expect(r[0]?.value?.number).toBe(2 * k);
      expect(r[1]).toMatchObject({ processed: true, errorCode: Code.INVALID_ARGUMENT });
      expect(r[1]?.error).toMatch(/negative/);
      expect(r[2]).toMatchObject({ processed: true, errorCode: Code.INTERNAL, error: 'unlucky' });
      expect(r[3]?.value?.number).toBe(4 * k);
      const st = (await getStatus(client, [key])).models[0];
      expect(st?.stats?.usage).toBe(2);
    }
  });

  it('builds on demand a key the store knows but this executor does not own', async () => {
    // The static member list does not include this executor, so it owns nothing.
    const { store, client } = await startEnv({ executors: ['10.0.0.1:1', '10.0.0.2:1'] });
    const pos = await deploy(store, 'lin', V1);
    await waitFor('deploy applied', async () => (await getStatus(client)).position === pos);
    expect((await getStatus(client)).models).toEqual([]);
    const s = new ScoreStream(client);
    const r = await s.answers(s.send([1, 2, 3].map((x) => s.item('dt/lin', x))));
    expect(r.map((x) => x.errorCode)).toEqual([0, 0, 0]);
    expect(r.map((x) => x.value?.number)).toEqual([3, 5, 7]);
    const st = (await getStatus(client, ['dt/lin'])).models[0];
    expect(st?.state).toBe(ModelStatus_State.SERVING);
    expect(st?.position).toBe(pos);
  });

  it('builds only owned keys in key mode', async () => {
    const store = await EmbeddedModelStore.open();
    cleanups.push(() => store.close());
    const members = ['127.0.0.1:1', '127.0.0.1:2'];
    const self = members[0]!;
    const { client } = await startEnv({ executors: members, executorId: self }, store);
    const names = Array.from({ length: 12 }, (_, i) => `m${i}`);
    let last = '';
    for (const n of names) last = await deploy(store, n, V1);
    await waitFor('deploys applied', async () => (await getStatus(client)).position === last);
    const owned = names
      .filter((n) => rendezvousOwners(`dt/${n}`, members, 1)[0] === self)
      .map((n) => `dt/${n}`);
    expect(owned.length).toBeGreaterThan(0);
    expect(owned.length).toBeLessThan(names.length);
    await waitFor('owned built', async () => {
      const st = await getStatus(client);
      return (
        st.models.filter((m) => m.state === ModelStatus_State.SERVING).length === owned.length || undefined
      );
    });
    expect((await getStatus(client)).models.map((m) => m.modelKey).sort()).toEqual(owned.sort());
  });

  describe('speculative items', () => {
    let telemetry: InMemoryTelemetry;
    beforeAll(() => {
      telemetry = InMemoryTelemetry.install();
    });
    afterAll(async () => {
      await telemetry.uninstall();
    });

    it('go to the collector with guid and trace context', async () => {
      const received: CollectItem[] = [];
      const port = await startFakeCollector(received);

      const { store, client, executor } = await startEnv({ collectorAddress: `127.0.0.1:${port}` });
      const pos = await deploy(store, 'lin', V1);
      await waitServing(client, 'dt/lin', pos);
      telemetry.reset();
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const parentSpan = 'b7ad6b7169203331';
      const s = new ScoreStream(client);
      s.send([
        s.item('dt/lin', 4, {
          speculative: true,
          guid: 'g-1',
          trace: { traceparent: `00-${traceId}-${parentSpan}-01`, tracestate: '' },
        }),
        s.item('dt/nope', 4, { speculative: true, guid: 'g-2' }),
      ]);
      const direct = await s.answers(s.send([s.item('dt/lin', 1)]));
      expect(direct[0]?.value?.number).toBe(3);
      await waitFor('collector items', () => received.length >= 2 || undefined);
      const g1 = received.find((i) => i.guid === 'g-1')!;
      expect(g1.result).toMatchObject({ processed: true, model: 'dt/lin', source: executor.executorId });
      expect(g1.result?.value?.number).toBe(9);
      expect(g1.trace?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(g1.trace?.traceparent).not.toContain(parentSpan);
      const g2 = received.find((i) => i.guid === 'g-2')!;
      expect(g2.result?.errorCode).toBe(Code.NOT_FOUND);
      // Speculative results never come back on the Score stream.
      expect(s.results.size).toBe(1);

      const span = await waitFor('executor.score span', () =>
        telemetry.spans().find((sp) => sp.name === 'executor.score' && sp.spanContext().traceId === traceId),
      );
      expect(
        span.parentSpanContext?.spanId ?? (span as unknown as { parentSpanId?: string }).parentSpanId,
      ).toBe(parentSpan);
      expect(span.attributes['modelserving.model_key']).toBe('dt/lin');
      expect(span.attributes['modelserving.guid']).toBe('g-1');
      expect(g1.trace?.traceparent).toContain(span.spanContext().spanId);
      expect(executor.collectorStats().dropped).toBe(0);
    });

    it('hold results while the collector is down and deliver them when it comes up', async () => {
      const port = await freePort();
      const { store, client, executor } = await startEnv({ collectorAddress: `127.0.0.1:${port}` });
      const pos = await deploy(store, 'lin', V1);
      await waitServing(client, 'dt/lin', pos);
      const s = new ScoreStream(client);
      s.send([s.item('dt/lin', 1, { speculative: true, guid: 'early' })]);
      await new Promise((r) => setTimeout(r, 300));
      expect(executor.collectorStats().connected).toBe(false);
      expect(executor.collectorStats().dropped).toBe(0);
      const received: CollectItem[] = [];
      await startFakeCollector(received, port);
      const early = await waitFor(
        'the held result after the collector came up',
        () => received.find((i) => i.guid === 'early'),
        15_000,
      );
      expect(early.result?.value?.number).toBe(3);
      s.send([s.item('dt/lin', 2, { speculative: true, guid: 'late' })]);
      const late = await waitFor(
        'a result sent after reconnecting',
        () => received.find((i) => i.guid === 'late'),
        15_000,
      );
      expect(late.result?.value?.number).toBe(5);
      expect(executor.collectorStats().connected).toBe(true);
    });

    it('drop and count results beyond the bound when the collector stays unreachable; the stream stays up', async () => {
      // maxBatch 1 → at most 64 results held.
      const { store, client, executor } = await startEnv({ collectorAddress: '127.0.0.1:1', maxBatch: 1 });
      const pos = await deploy(store, 'lin', V1);
      await waitServing(client, 'dt/lin', pos);
      await waitFor('collector down', () => !executor.collectorStats().connected || undefined);
      const s = new ScoreStream(client);
      s.send(Array.from({ length: 70 }, (_, i) => s.item('dt/lin', 1, { speculative: true, guid: `g${i}` })));
      await waitFor('dropped', () => executor.collectorStats().dropped >= 6 || undefined);
      expect(executor.collectorStats().dropped).toBe(6);
      expect((await s.answers(s.send([s.item('dt/lin', 1)])))[0]?.value?.number).toBe(3);
    });
  });

  it('hot-swaps under load without errors or lost items', async () => {
    const { store, client } = await startEnv();
    let pos = await deploy(store, 'lin', V1);
    await waitServing(client, 'dt/lin', pos);
    const s = new ScoreStream(client);
    const sent: { id: number; x: number }[] = [];
    let running = true;
    const producer = (async () => {
      let x = 0;
      while (running) {
        const batch = Array.from({ length: 50 }, () => s.item('dt/lin', (x = (x + 1) % 1000)));
        const ids = s.send(batch);
        ids.forEach((id, i) => sent.push({ id, x: batch[i]!.record!.features['x']!.number! }));
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 60; i++) {
      pos = await deploy(store, 'lin', i % 2 === 0 ? V2 : V1);
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitServing(client, 'dt/lin', pos);
    running = false;
    await producer;
    const results = await s.answers(
      sent.map((x) => x.id),
      20_000,
    );
    let v1 = 0;
    let v2 = 0;
    results.forEach((r, i) => {
      const x = sent[i]!.x;
      expect(r.errorCode, r.error).toBe(0);
      const y = r.value?.number;
      if (y === 2 * x + 1) v1++;
      else if (y === 3 * x - 1) v2++;
      else throw new Error(`item ${sent[i]!.id}: x=${x} got ${y}, from neither version`);
    });
    expect(results.length).toBe(sent.length);
    expect(sent.length).toBeGreaterThan(1000);
    expect(v1).toBeGreaterThan(0);
    expect(v2).toBeGreaterThan(0);
    const st = (await getStatus(client, ['dt/lin'])).models[0]!;
    expect(st.generation).toBeGreaterThanOrEqual(2);
    expect(st.error).toBe('');
  });

  it('answers in-flight items and ends the streams on stop', async () => {
    // A model whose batch path takes 200 ms, so items are still in flight when stop() begins.
    const slow: ModelFactory = {
      type: ModelType.PFA,
      create: async (m) => ({
        type: ModelType.PFA,
        runtime: 'slow',
        score: (d) => ({ value: Number(d.features['x']) * 10 }),
        scoreBatch: async (inputs) => {
          await new Promise((r) => setTimeout(r, 200));
          return inputs.map((d) => ({ value: Number(d.features['x']) * 10 }));
        },
        signature: () => ({ inputs: [], outputs: [] }),
        toBytes: () => m.content,
        cleanup: () => {},
      }),
      restore: () => Promise.reject(new Error('unused')),
    };
    const store = await EmbeddedModelStore.open();
    cleanups.push(() => store.close());
    const executor = await startExecutor(
      { host: '127.0.0.1', port: 0, logLevel: 'error', drainMs: 3000, joinMode: 'partition' },
      { store, factories: [slow] },
    );
    const client = new ModelExecutorServiceClient(`127.0.0.1:${executor.port}`, credentials.createInsecure());
    cleanups.push(() => client.close());
    const pos = await deploy(store, 'slow', 'x', 'dt', ModelType.PFA);
    await waitServing(client, 'dt/slow', pos);
    const s = new ScoreStream(client);
    const ids = s.send(Array.from({ length: 100 }, (_, i) => s.item('dt/slow', i)));
    await new Promise((r) => setTimeout(r, 50));
    expect(s.results.size).toBe(0);
    const t0 = Date.now();
    await executor.stop();
    expect(Date.now() - t0).toBeLessThan(2500);
    const r = await s.answers(ids);
    expect(r.map((x) => x.value?.number)).toEqual(Array.from({ length: 100 }, (_, i) => i * 10));
    await waitFor('stream ended', () => s.ended || s.error !== undefined || undefined);
    expect(s.error).toBeUndefined();
  });
});
