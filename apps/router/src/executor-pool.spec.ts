import type { ServerDuplexStream } from '@grpc/grpc-js';
import { ModelExecutorServiceService } from '@modelserving/contracts';
import { createLogger } from '@modelserving/service-kit';
import { GrpcServer } from '@modelserving/transport';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutorConnection } from './executor-connection';
import { ExecutorPool } from './executor-pool';

const log = createLogger({ service: 'test', level: 'silent' });
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An executor stand-in: accepts Score streams (answers nothing) and has the standard health service. */
async function executor(): Promise<{ server: GrpcServer; address: string }> {
  const calls: ServerDuplexStream<unknown, unknown>[] = [];
  const server = await GrpcServer.start({
    address: '127.0.0.1:0',
    services: [
      {
        name: 'modelserving.v1.ModelExecutorService',
        definition: ModelExecutorServiceService,
        implementation: {
          score: (call: ServerDuplexStream<unknown, unknown>) => void calls.push(call),
          getStatus: () => undefined,
        },
      },
    ],
  });
  server.setServing(false);
  cleanups.push(() => {
    for (const c of calls) c.end();
    server.forceStop();
  });
  return { server, address: `127.0.0.1:${server.port}` };
}

function pool(): ExecutorPool {
  const p = new ExecutorPool(
    { onStateChange: () => undefined, onResult: () => undefined, onStreamLost: () => undefined },
    { joinMode: 'key', replicas: 1, maxBatch: 16, log },
  );
  cleanups.push(() => p.close());
  return p;
}

async function until(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const conn = (p: ExecutorPool, id: string) => p.connections().find((c) => c.id === id) as ExecutorConnection;

describe('ExecutorPool', () => {
  it('routes only to executors whose Score stream is ready and whose health is SERVING', async () => {
    const e = await executor();
    const p = pool();
    p.setMembers([{ id: 'e1', address: e.address }]);
    await until(
      () => conn(p, 'e1').state === 'ready' && p.healthOf('e1') === 'NOT_SERVING',
      'stream up, loading',
    );
    // Stream open but the executor is still loading the store: no traffic.
    expect(p.pick('dt/m')).toBeUndefined();
    expect(p.liveCount).toBe(0);

    e.server.setServing(true);
    await until(() => p.pick('dt/m') !== undefined, 'live once SERVING');
    expect(p.liveCount).toBe(1);

    e.server.setServing(false);
    await until(() => p.pick('dt/m') === undefined, 'not live once NOT_SERVING');
  });

  it('sends the keys of a loading executor to the next owner, and back once it serves', async () => {
    const [a, b] = [await executor(), await executor()];
    a.server.setServing(true);
    b.server.setServing(true);
    const p = pool();
    p.setMembers([
      { id: 'a', address: a.address },
      { id: 'b', address: b.address },
    ]);
    await until(() => p.liveCount === 2, 'both live');
    const keyOfA = Array.from({ length: 100 }, (_, i) => `dt/m${i}`).find((k) => p.pick(k)?.id === 'a');
    expect(keyOfA).toBeDefined();
    const key = keyOfA as string;

    a.server.setServing(false); // e.g. restarted and loading the store
    await until(() => p.liveCount === 1, 'a not live');
    expect(p.pick(key)?.id).toBe('b');
    expect(p.owners(key).map((c) => c.id)).toEqual(['b']);

    a.server.setServing(true);
    await until(() => p.liveCount === 2, 'a live again');
    expect(p.pick(key)?.id).toBe('a');
  });
});
