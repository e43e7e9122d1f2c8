import { credentials } from '@grpc/grpc-js';
import {
  ModelExecutorServiceClient,
  ModelStatus_State,
  type ExecutorStatusResponse,
} from '@modelserving/contracts';
import { RedisModelStore } from '@modelserving/model-store';
import { startRedisServer, type RedisServerHandle } from '@modelserving/testing';
import { rendezvousOwners } from '@modelserving/transport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startExecutor, type ExecutorHandle } from './index';

const PMML = `<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header/>
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression">
    <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable>
  </RegressionModel>
</PMML>`;

let redis: RedisServerHandle | undefined;
let skipReason = '';
beforeAll(async () => {
  try {
    redis = await startRedisServer();
  } catch (err) {
    skipReason = err instanceof Error ? err.message : String(err);
    console.warn(`skipping Redis executor tests: ${skipReason}`);
  }
});
afterAll(async () => {
  await redis?.stop();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function status(executor: ExecutorHandle): Promise<ExecutorStatusResponse> {
  const client = new ModelExecutorServiceClient(`127.0.0.1:${executor.port}`, credentials.createInsecure());
  return new Promise<ExecutorStatusResponse>((resolve, reject) =>
    client.getStatus({ modelKeys: [] }, (err, res) => (err ? reject(err) : resolve(res))),
  ).finally(() => client.close());
}

async function servingKeys(executor: ExecutorHandle): Promise<string[]> {
  const st = await status(executor);
  return st.models
    .filter((m) => m.state === ModelStatus_State.SERVING)
    .map((m) => m.modelKey)
    .sort();
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('executors on Redis (store + membership)', () => {
  it('split keys by rendezvous ownership and take over the keys of an executor that leaves', async (ctx) => {
    if (!redis) return ctx.skip();
    const url = redis.url;
    const publisher = await RedisModelStore.connect(url);
    cleanups.push(() => publisher.close());
    const a = await startExecutor({
      host: '127.0.0.1',
      port: 0,
      redisUrl: url,
      logLevel: 'error',
      ownershipGraceMs: 200,
      drainMs: 500,
    });
    cleanups.push(() => a.stop());
    const b = await startExecutor({
      host: '127.0.0.1',
      port: 0,
      redisUrl: url,
      logLevel: 'error',
      ownershipGraceMs: 200,
      drainMs: 500,
    });
    cleanups.push(() => b.stop());

    const keys = Array.from({ length: 10 }, (_, i) => `dt/m${i}`);
    for (const k of keys) {
      await publisher.publish({
        deploy: {
          name: k.slice(3),
          description: '',
          dataType: 'dt',
          modelType: 2,
          data: Buffer.from(PMML),
          metadata: {},
        },
      });
    }
    const members = [a.executorId, b.executorId];
    const ownedBy = (id: string) => keys.filter((k) => rendezvousOwners(k, members, 1)[0] === id).sort();
    expect(ownedBy(a.executorId).length + ownedBy(b.executorId).length).toBe(keys.length);

    await waitFor('each executor serves exactly its keys', async () => {
      const [sa, sb] = await Promise.all([servingKeys(a), servingKeys(b)]);
      return (
        JSON.stringify(sa) === JSON.stringify(ownedBy(a.executorId)) &&
        JSON.stringify(sb) === JSON.stringify(ownedBy(b.executorId))
      );
    });

    // a leaves (deregisters on stop): b now owns and builds every key.
    await a.stop();
    await waitFor(
      'b serves every key',
      async () => JSON.stringify(await servingKeys(b)) === JSON.stringify([...keys].sort()),
    );
    expect((await status(b)).position).not.toBe('');
  });
});
