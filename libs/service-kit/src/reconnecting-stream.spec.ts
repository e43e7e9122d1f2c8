import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ClientDuplexStream,
  type ServerDuplexStream,
} from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryLogger } from './in-memory-logger';
import { ReconnectingStream } from './reconnecting-stream';

const identity = (b: Buffer): Buffer => b;
const ECHO = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'echo',
  },
} as const;
const EchoClient = makeGenericClientConstructor(ECHO, 'Echo');
type EchoCall = ClientDuplexStream<Buffer, Buffer>;

async function echoServer(port = 0): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(ECHO, {
    echo: (call: ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (d: Buffer) => call.write(d));
      call.on('end', () => call.end());
    },
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, port: bound };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ReconnectingStream', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function link(port: number, received: string[], downs: [string, boolean][]) {
    const client = new EchoClient(`127.0.0.1:${port}`, credentials.createInsecure());
    const l = new ReconnectingStream<Buffer, EchoCall>({
      peer: 'echo',
      client,
      open: () => (client as unknown as { echo(): EchoCall }).echo(),
      log: new InMemoryLogger('error'),
      onUp: (call) => call.on('data', (d: Buffer) => received.push(d.toString())),
      onDown: (reason, closed) => downs.push([reason, closed]),
    });
    cleanups.push(() => l.close('test over'));
    return l;
  }

  it('connects, writes, reports a lost peer once and reconnects when it is back (within the 2 s cap)', async () => {
    const first = await echoServer();
    const received: string[] = [];
    const downs: [string, boolean][] = [];
    const l = link(first.port, received, downs);
    expect(l.write(Buffer.from('early'))).toBe(false);
    l.start();
    await until(() => l.up, 5_000);
    expect(l.write(Buffer.from('a'))).toBe(true);
    await until(() => received.length === 1, 5_000);

    first.server.forceShutdown();
    await until(() => downs.length === 1, 5_000);
    expect(downs[0]![1]).toBe(false);
    expect(l.up).toBe(false);
    expect(l.write(Buffer.from('while down'))).toBe(false);

    // Down for a while: several failed attempts, yet the reconnect comes within the cap once it is back.
    await new Promise((r) => setTimeout(r, 1_500));
    const second = await echoServer(first.port);
    cleanups.push(() => second.server.forceShutdown());
    const back = Date.now();
    await until(() => l.up, 5_000);
    expect(Date.now() - back).toBeLessThan(3_000);
    l.write(Buffer.from('b'));
    await until(() => received.length === 2, 5_000);
    expect(received).toEqual(['a', 'b']);
    expect(downs).toHaveLength(1);
  });

  it('close reports once with closed=true and never reconnects', async () => {
    const s = await echoServer();
    cleanups.push(() => s.server.forceShutdown());
    const downs: [string, boolean][] = [];
    const l = link(s.port, [], downs);
    l.start();
    await until(() => l.up, 5_000);
    await l.close('bye');
    await l.close('again');
    expect(downs).toEqual([['bye', true]]);
    expect(l.state).toBe('closed');
    await new Promise((r) => setTimeout(r, 300));
    expect(l.up).toBe(false);
  });
});
