import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ModelStoreServiceService } from '@modelserving/contracts';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EmbeddedModelStore } from './embedded-model-store';
import type { ModelStore } from './model-store';
import { createModelStoreServiceImpl } from './model-store-service';
import { RemoteModelStore } from './remote-model-store';
import { StreamGapError } from './stream-gap-error';
import { Code, descriptor, expectServingError } from './test-support/fixtures';
import { freePort } from './test-support/redis-fixture';
import { TailReader, delay, eventually } from './test-support/tail-reader';

const FAST = { reconnect: { initialMs: 20, maxMs: 200 } };

async function serve(store: ModelStore, port = 0): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(ModelStoreServiceService, createModelStoreServiceImpl(store));
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  onTestFinished(() => server.forceShutdown());
  return { server, port: bound };
}

async function embedded(
  options: Parameters<typeof EmbeddedModelStore.open>[0] = {},
): Promise<EmbeddedModelStore> {
  const store = await EmbeddedModelStore.open(options);
  onTestFinished(() => store.close());
  return store;
}

function remote(port: number): RemoteModelStore {
  const store = RemoteModelStore.connect(`127.0.0.1:${port}`, FAST);
  onTestFinished(() => store.close());
  return store;
}

describe('RemoteModelStore', () => {
  it('resumes its tail after the serving process restarts on the same port', async () => {
    const backing = await embedded();
    const first = await serve(backing);
    const client = remote(first.port);
    const reader = new TailReader(client, '');
    onTestFinished(() => reader.stop());

    const p1 = await client.publish({ deploy: descriptor('a') });
    await reader.waitForCount(1);

    first.server.forceShutdown();
    // Published while the server is down: the tail must pick it up after reconnecting, not skip it.
    const p2 = await backing.publish({ deploy: descriptor('b') });
    await delay(300);
    await serve(backing, first.port);
    // Unary calls fail fast while the channel is still reconnecting.
    const p3 = await eventually(() => client.publish({ deploy: descriptor('c') }));

    const events = await reader.waitForCount(3);
    await delay(100);
    expect(reader.positions).toEqual([p1, p2, p3]);
    expect(events.map((e) => e.deploy?.name)).toEqual(['a', 'b', 'c']);
    expect(reader.error).toBeUndefined();
  });

  it('keeps retrying while the server is not there yet', async () => {
    const port = await freePort();
    const client = remote(port);
    const reader = new TailReader(client, '');
    onTestFinished(() => reader.stop());
    await delay(300);
    expect(reader.ended).toBe(false);

    const backing = await embedded();
    await serve(backing, port);
    const p = await backing.publish({ suspended: true });
    expect((await reader.waitForCount(1))[0]?.position).toBe(p);
  });

  it('turns a server-side stream gap into StreamGapError and does not retry it', async () => {
    const backing = await embedded({ maxLen: 3 });
    const positions: string[] = [];
    for (let i = 0; i < 10; i++) positions.push(await backing.publish({ deploy: descriptor(`m${i}`) }));
    const { port } = await serve(backing);
    const reader = new TailReader(remote(port), positions[0] as string);
    const error = await reader.waitForEnd();
    expect(error).toBeInstanceOf(StreamGapError);
    expect((error as StreamGapError).code).toBe(Code.OUT_OF_RANGE);
  });

  it('maps gRPC failures to ServingErrors: UNAVAILABLE when nothing listens, codes kept otherwise', async () => {
    const nobody = remote(await freePort());
    await expectServingError(nobody.snapshot(), Code.UNAVAILABLE, /model store 127\.0\.0\.1:\d+ snapshot/);

    const { port } = await serve(await embedded());
    const client = remote(port);
    await expectServingError(
      client.getBlob(`blob:sha256:${'a'.repeat(64)}`),
      Code.NOT_FOUND,
      /not in the model store/,
    );
    await expectServingError(
      client.publish({ deploy: descriptor('x', { dataType: 'bad type' }) }),
      Code.INVALID_ARGUMENT,
      /data type/,
    );
  });
});
