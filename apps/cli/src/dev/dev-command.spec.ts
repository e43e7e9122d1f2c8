import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../errors';
import { memoryIo } from '../io';
import { runDev } from './dev-command';
import { devChildSpecs, devPorts } from './dev-cluster';

// The dev launcher against fake apps: a checkout-shaped temp dir whose apps/*/dist/main.js are small
// scripts. The fake router is the specs' in-process fake run through tsx; the executors and the collector
// are bare health servers. Each fake records its environment and whether it got SIGTERM.

const HELPER = resolve(__dirname, '../fake-router.spec-helper.ts');
const GRPC = require.resolve('@grpc/grpc-js');
const HEALTH = require.resolve('grpc-health-check');

const fakeRouter = (dir: string) => `
const fs = require('fs');
fs.writeFileSync(${JSON.stringify(dir)} + '/env-router.json', JSON.stringify(process.env));
require(${JSON.stringify(HELPER)}).startFakeRouter('127.0.0.1:' + process.env.ROUTER_PORT).then((r) => {
  r.deployStates = [{ executor: 'fake-executor', state: 2 }];
  console.error('fake router listening on ' + r.address);
  process.on('SIGTERM', () => {
    fs.writeFileSync(${JSON.stringify(dir)} + '/stopped-router', '');
    r.stop().then(() => process.exit(0));
  });
});
`;

const fakeService = (dir: string, portVar: string) => `
const fs = require('fs');
const grpc = require(${JSON.stringify(GRPC)});
const { HealthImplementation } = require(${JSON.stringify(HEALTH)});
const name = process.env.EXECUTOR_ID ? 'executor-' + process.env.EXECUTOR_PORT : 'collector';
fs.writeFileSync(${JSON.stringify(dir)} + '/env-' + name + '.json', JSON.stringify(process.env));
const server = new grpc.Server();
const health = new HealthImplementation({ '': 'SERVING' });
health.addToServer(server);
server.bindAsync('127.0.0.1:' + process.env.${portVar}, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) { console.error(err.message); process.exit(2); }
  console.error(name + ' up');
  if (process.env.FAKE_CRASH_MS && process.env.EXECUTOR_ID) {
    // Only the first executor to claim the marker crashes.
    try { fs.writeFileSync(${JSON.stringify(dir)} + '/crash-claimed', '', { flag: 'wx' }); } catch { return; }
    setTimeout(() => { console.error('boom'); process.exit(4); }, Number(process.env.FAKE_CRASH_MS));
  }
});
process.on('SIGTERM', () => {
  fs.writeFileSync(${JSON.stringify(dir)} + '/stopped-' + name, '');
  server.tryShutdown(() => process.exit(0));
});
`;

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'modelserving-dev-'));
  const write = (app: string, text: string) => {
    mkdirSync(join(root, 'apps', app, 'dist'), { recursive: true });
    writeFileSync(join(root, 'apps', app, 'dist', 'main.js'), text);
  };
  write('router', fakeRouter(root));
  write('model-executor', fakeService(root, 'EXECUTOR_PORT'));
  write('speculative-collector', fakeService(root, 'COLLECTOR_PORT'));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_OPTIONS:
      `${process.env['NODE_OPTIONS'] ?? ''} --import tsx --conditions=@modelserving/source`.trim(),
    REDIS_URL: 'redis://should-be-dropped:6379',
    ...extra,
  };
}

const readEnv = (name: string) =>
  JSON.parse(readFileSync(join(root, `env-${name}.json`), 'utf8')) as Record<string, string>;

describe('modelserving dev (fake apps)', () => {
  it('starts four children wired together, streams the wines, prints a summary and stops them all', async () => {
    const io = memoryIo();
    const code = await runDev(
      { kind: 'dev', loop: false, keepRunning: false, sample: 3, records: 120 },
      io,
      'text',
      {
        root,
        env: childEnv(),
        handleSignals: false,
      },
    );
    const out = io.stdout.join('\n');
    const err = io.stderr.join('\n');
    expect(code, err).toBe(EXIT.ok);
    expect(out).toMatch(/deployed wine\/wine-(tree|regression)/);
    expect(out).toMatch(/records\s+120 received of 120 sent, 0 errors/);
    expect(out).toMatch(/latency\s+p50 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(out).toMatch(/usage 4\s+avg 0\.500 ms/);
    expect(out.match(/^\s+wine-\d+\s+predicted/gm)).toHaveLength(3);
    expect(err).toMatch(/\[router\]\s+fake router listening on 127\.0\.0\.1:\d+/);
    expect(err).toMatch(/\[executor-2\]\s+executor-\d+ up/);

    const router = readEnv('router');
    const collector = readEnv('collector');
    const executors = router['EXECUTORS']!.split(',');
    expect(executors).toHaveLength(2);
    expect(router['REDIS_URL']).toBeUndefined();
    expect(router['COLLECTOR_ADDRESS']).toBe(`127.0.0.1:${collector['COLLECTOR_PORT']}`);
    for (const address of executors) {
      const e = readEnv(`executor-${address.split(':')[1]}`);
      expect(e['STORE_ADDRESS']).toBe(`127.0.0.1:${router['ROUTER_PORT']}`);
      expect(e['EXECUTOR_ADVERTISE_ADDRESS']).toBe(address);
      expect(e['EXECUTOR_ID']).toBe(address);
      expect(e['EXECUTORS']).toBe(router['EXECUTORS']);
      expect(e['COLLECTOR_ADDRESS']).toBe(router['COLLECTOR_ADDRESS']);
      expect(e['REDIS_URL']).toBeUndefined();
      expect(existsSync(join(root, `stopped-executor-${address.split(':')[1]}`))).toBe(true);
    }
    expect(existsSync(join(root, 'stopped-router'))).toBe(true);
    expect(existsSync(join(root, 'stopped-collector'))).toBe(true);
  });

  it('stops the rest and exits 1 when a child dies on its own', async () => {
    const io = memoryIo();
    const code = await runDev(
      { kind: 'dev', loop: true, keepRunning: false, sample: 0, rate: 200 },
      io,
      'text',
      {
        root,
        env: childEnv({ FAKE_CRASH_MS: '600' }),
        handleSignals: false,
      },
    );
    const err = io.stderr.join('\n');
    expect(code).toBe(EXIT.failed);
    expect(err).toMatch(/error: UNAVAILABLE: executor-\d exited with code 4 unexpectedly; stopping the rest/);
    expect(existsSync(join(root, 'stopped-router'))).toBe(true);
    expect(existsSync(join(root, 'stopped-collector'))).toBe(true);
  });

  it('stops cleanly with exit 0 when interrupted while streaming', async () => {
    const io = memoryIo();
    const abort = new AbortController();
    // Interrupt once the wines are flowing, whatever the machine's speed.
    const out = io.out;
    io.out = (t) => {
      out(t);
      if (t.startsWith('streaming')) setTimeout(() => abort.abort(), 300);
    };
    const code = await runDev(
      { kind: 'dev', loop: true, keepRunning: false, sample: 0, rate: 500 },
      io,
      'text',
      {
        root,
        env: childEnv(),
        handleSignals: false,
        signal: abort.signal,
      },
    );
    expect(code, io.stderr.join('\n')).toBe(EXIT.ok);
    expect(io.stdout.join('\n')).toMatch(/records\s+\d+ received of \d+ sent, 0 errors \(interrupted\)/);
    expect(existsSync(join(root, 'stopped-router'))).toBe(true);
    expect(existsSync(join(root, 'stopped-collector'))).toBe(true);
  });

  it('stops what it started with exit 0 when interrupted during start-up', async () => {
    const io = memoryIo();
    const abort = new AbortController();
    const err = io.err;
    io.err = (t) => {
      err(t);
      if (/\[router\]\s+fake router listening/.test(t)) abort.abort();
    };
    const code = await runDev({ kind: 'dev', loop: false, keepRunning: false, sample: 0 }, io, 'text', {
      root,
      env: childEnv(),
      handleSignals: false,
      signal: abort.signal,
    });
    expect(code, io.stderr.join('\n')).toBe(EXIT.ok);
    expect(io.stdout.join('\n')).not.toMatch(/summary/);
    expect(existsSync(join(root, 'stopped-router'))).toBe(true);
    expect(existsSync(join(root, 'stopped-collector'))).toBe(true);
  });

  it('fails with a build hint when the apps are not built', async () => {
    rmSync(join(root, 'apps', 'router'), { recursive: true });
    const io = memoryIo();
    const code = await runDev({ kind: 'dev', loop: false, keepRunning: false, sample: 0 }, io, 'text', {
      root,
      handleSignals: false,
    });
    expect(code).toBe(EXIT.failed);
    expect(io.stderr.join('\n')).toMatch(
      /error: FAILED_PRECONDITION: .*apps\/router\/dist\/main\.js does not exist: build first \(npm run build\)/,
    );
  });
});

describe('devChildSpecs', () => {
  it('uses the documented environment names and --base-port layout', () => {
    const specs = devChildSpecs('/repo', devPorts(41000), {
      REDIS_URL: 'redis://x',
      OTEL_SERVICE_NAME: 'same-for-all',
      LOG_LEVEL: 'debug',
    });
    expect(specs.map((s) => s.name)).toEqual(['collector', 'router', 'executor-1', 'executor-2']);
    const [collector, router, e1, e2] = specs;
    expect(collector!.env).toMatchObject({ COLLECTOR_PORT: '41003', HOST: '127.0.0.1', LOG_LEVEL: 'debug' });
    expect(router!.env).toMatchObject({
      ROUTER_PORT: '41000',
      EXECUTORS: '127.0.0.1:41001,127.0.0.1:41002',
      COLLECTOR_ADDRESS: '127.0.0.1:41003',
    });
    expect(e1!.env).toMatchObject({
      EXECUTOR_PORT: '41001',
      STORE_ADDRESS: '127.0.0.1:41000',
      EXECUTOR_ADVERTISE_ADDRESS: '127.0.0.1:41001',
    });
    expect(e2!.healthAddress).toBe('127.0.0.1:41002');
    expect(router!.args).toEqual(['/repo/apps/router/dist/main.js']);
    for (const s of specs) {
      expect(s.env!['REDIS_URL']).toBeUndefined();
      expect(s.env!['OTEL_SERVICE_NAME']).toBeUndefined();
    }
  });
});
