import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ModelExecutorServiceService } from '@modelserving/contracts';
import { createLogger } from '@modelserving/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutorHealth } from './executor-health';

const log = createLogger({ service: 'test', level: 'silent' });
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function watch(address: string): { health: ExecutorHealth; changes: () => number } {
  let changes = 0;
  const health = new ExecutorHealth('e1', address, {
    log,
    onChange: () => changes++,
    backoff: { initialMs: 20, maxMs: 100 },
  });
  cleanups.push(() => health.close());
  health.start();
  return { health, changes: () => changes };
}

// Generous: the executor stand-in is a separate process, and a loaded CI machine can take seconds to
// schedule it; a healthy run takes well under a second.
async function until(probe: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * An executor-like process (so it can really die): the standard health service, NOT_SERVING until it
 * reads "serve" on stdin. Plain JS so it needs no build.
 */
const CHILD = `
const grpc = require('@grpc/grpc-js');
const { HealthImplementation } = require('grpc-health-check');
const health = new HealthImplementation({ '': 'NOT_SERVING' });
const server = new grpc.Server();
health.addToServer(server);
server.bindAsync(process.argv[1], grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) { console.error(err.message); process.exit(1); }
  // A string: console.log colours a number when FORCE_COLOR is set (nx sets it), and the parent reads digits.
  process.stdout.write(String(port) + '\\n');
});
process.stdin.on('data', (d) => health.setStatus('', String(d).includes('unserve') ? 'NOT_SERVING' : 'SERVING'));
`;

async function healthProcess(address: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', CHILD, address], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanups.push(() => void child.kill('SIGKILL'));
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return { port: Number(line.toString().trim()), child };
}

describe('ExecutorHealth', () => {
  it(
    'follows the executor: NOT_SERVING while loading, SERVING once loaded, not serving once killed, back after a restart',
    { timeout: 90_000 },
    async () => {
      const first = await healthProcess('127.0.0.1:0');
      const address = `127.0.0.1:${first.port}`;
      const { health, changes } = watch(address);
      await until(() => health.statusName === 'NOT_SERVING', 'NOT_SERVING');
      expect(health.serving).toBe(false);

      first.child.stdin?.write('serve\n');
      await until(() => health.serving, 'SERVING');
      expect(changes()).toBe(1);

      first.child.kill('SIGKILL');
      await until(() => !health.serving, 'not serving after the executor died');
      expect(health.statusName).toBe('UNKNOWN');

      // Restarted on the same address: the watch reconnects by itself.
      const second = await healthProcess(address);
      await until(() => health.statusName === 'NOT_SERVING', 'NOT_SERVING after the restart');
      second.child.stdin?.write('serve\n');
      await until(() => health.serving, 'SERVING after the restart');
    },
  );

  it('takes a server without a health service as serving (its Score stream alone decides)', async () => {
    const server = new Server();
    server.addService(ModelExecutorServiceService, { score: () => undefined, getStatus: () => undefined });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    cleanups.push(() => void server.forceShutdown());
    const { health } = watch(`127.0.0.1:${port}`);
    await until(() => health.serving, 'serving');
    expect(health.statusName).toBe('NO_HEALTH_SERVICE');
  });
});
