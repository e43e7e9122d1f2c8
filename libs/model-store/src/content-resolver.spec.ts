import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentResolver, resolveContent } from './content-resolver';
import { EmbeddedModelStore } from './embedded-model-store';
import { Code, descriptor, expectServingError } from './test-support/fixtures';
import { freePort } from './test-support/redis-fixture';

let dir: string;
let store: EmbeddedModelStore;
let server: Server;
let base: string;
/** Bytes the /endless handler managed to write before the client hung up. */
let endlessWritten = 0;
let endlessClosed: Promise<void>;

const MODEL = Buffer.from('<PMML version="4.4"/>');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'content-resolver-'));
  await writeFile(join(dir, 'model.pmml'), MODEL);
  await writeFile(join(dir, 'big.bin'), randomBytes(4096));
  await mkdir(join(dir, 'saved_model'));
  store = await EmbeddedModelStore.open();

  let resolveEndless!: () => void;
  endlessClosed = new Promise((r) => (resolveEndless = r));
  server = createServer((req, res) => {
    switch (req.url) {
      case '/model.pmml':
        res.writeHead(200, { 'content-type': 'application/xml' }).end(MODEL);
        return;
      case '/declared-big':
        res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        res.write(Buffer.alloc(1024));
        // Left open on purpose: the client must give up from the header alone.
        return;
      case '/endless': {
        // Chunked, no length: only counting while streaming can stop this.
        res.writeHead(200);
        const chunk = Buffer.alloc(16 * 1024);
        const pump = () => {
          while (!res.destroyed && endlessWritten < 64 * 1024 * 1024) {
            endlessWritten += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => resolveEndless());
        pump();
        return;
      }
      case '/slow':
        res.writeHead(200);
        res.write('partial');
        setTimeout(() => res.end('rest'), 2_000).unref();
        return;
      case '/broken':
        res.writeHead(503).end('try later');
        return;
      default:
        res.writeHead(404).end('no such model');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const at = (location: string) => descriptor('m', { data: undefined, location });

describe('resolveContent', () => {
  it('returns inline data as is', async () => {
    expect(Buffer.from(await resolveContent(descriptor('m', { data: MODEL }), store)).equals(MODEL)).toBe(
      true,
    );
  });

  it('reads absolute paths, paths relative to baseDir and file:// URLs', async () => {
    const file = join(dir, 'model.pmml');
    expect(Buffer.from(await resolveContent(at(file), store)).equals(MODEL)).toBe(true);
    expect(Buffer.from(await resolveContent(at('model.pmml'), store, { baseDir: dir })).equals(MODEL)).toBe(
      true,
    );
    expect(Buffer.from(await resolveContent(at(pathToFileURL(file).href), store)).equals(MODEL)).toBe(true);
  });

  it('reports file problems with the location: missing, directory, too large', async () => {
    const missing = join(dir, 'nope.pmml');
    await expectServingError(
      resolveContent(at(missing), store),
      Code.NOT_FOUND,
      new RegExp(`wine/m.*${missing}`),
    );
    // Directories are left to the factory (SavedModel): empty content, the location travels along.
    expect((await resolveContent(at(join(dir, 'saved_model')), store)).length).toBe(0);
    await expectServingError(
      resolveContent(at(join(dir, 'big.bin')), store, { maxModelBytes: 1000 }),
      Code.RESOURCE_EXHAUSTED,
      /big\.bin.*maxModelBytes/,
    );
  });

  it('reads blob: locations through the store', async () => {
    const data = randomBytes(2000);
    const key = await store.putBlob(data);
    expect(Buffer.from(await new ContentResolver(store).resolve(at(key))).equals(data)).toBe(true);
    const missing = `blob:sha256:${'f'.repeat(64)}`;
    await expectServingError(resolveContent(at(missing), store), Code.NOT_FOUND, new RegExp(missing));
  });

  it('downloads http URLs', async () => {
    expect(Buffer.from(await resolveContent(at(`${base}/model.pmml`), store)).equals(MODEL)).toBe(true);
  });

  it('maps HTTP and network failures: 404 NOT_FOUND, 503 and refused connections UNAVAILABLE, slow DEADLINE_EXCEEDED', async () => {
    await expectServingError(
      resolveContent(at(`${base}/missing.pmml`), store),
      Code.NOT_FOUND,
      /missing\.pmml.*HTTP 404/,
    );
    await expectServingError(resolveContent(at(`${base}/broken`), store), Code.UNAVAILABLE, /HTTP 503/);
    const closedPort = await freePort();
    await expectServingError(
      resolveContent(at(`http://127.0.0.1:${closedPort}/m`), store),
      Code.UNAVAILABLE,
      /request failed/,
    );
    await expectServingError(
      resolveContent(at(`${base}/slow`), store, { timeoutMs: 200 }),
      Code.DEADLINE_EXCEEDED,
      /200 ms/,
    );
  });

  it('refuses too large downloads: from Content-Length, and by aborting a stream past the limit', async () => {
    await expectServingError(
      resolveContent(at(`${base}/declared-big`), store, { maxModelBytes: 64 * 1024 }),
      Code.RESOURCE_EXHAUSTED,
      /declared-big/,
    );
    await expectServingError(
      resolveContent(at(`${base}/endless`), store, { maxModelBytes: 64 * 1024 }),
      Code.RESOURCE_EXHAUSTED,
      /endless.*download aborted/,
    );
    await endlessClosed;
    // The server was cut off long before its 64 MiB: the client did not read the whole body.
    expect(endlessWritten).toBeLessThan(16 * 1024 * 1024);
  });

  it('rejects unsupported schemes and malformed URLs with INVALID_ARGUMENT', async () => {
    await expectServingError(
      resolveContent(at('ftp://example.com/m.pmml'), store),
      Code.INVALID_ARGUMENT,
      /unsupported scheme 'ftp:'/,
    );
    await expectServingError(resolveContent(at('http://'), store), Code.INVALID_ARGUMENT, /not a valid URL/);
    await expectServingError(resolveContent(at('blob:sha1:abc'), store), Code.INVALID_ARGUMENT, /blob key/);
  });
});
