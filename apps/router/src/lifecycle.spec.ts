import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { ListModelsResponse, ServingResponse } from '@modelserving/contracts';
import { checkHealth } from '@modelserving/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { call, deploy, record, servingClient, servingRequest, waitFor } from './test-support/clients';
import { FakeExecutor } from './test-support/fake-executor';
import { startTopology, type TestTopology } from './test-support/topology';

let topo: TestTopology | undefined;
afterEach(async () => {
  await topo?.stop();
  topo = undefined;
});

describe('lifecycle', () => {
  it('stop() goes NOT_SERVING, lets in-flight requests finish, then closes', async () => {
    topo = await startTopology({
      executors: 1,
      executorOptions: () => ({ hold: true }),
      router: { drainMs: 5_000 },
    });
    await deploy(topo.client, 'wine', 'm1');
    const inflight = call<ServingResponse>(
      topo.client,
      'predict',
      servingRequest({ guid: 'late', dataType: 'wine', data: record({ x: 1, y: 1 }) }),
    );
    await waitFor(() => topo!.executors[0]!.heldCount === 1, 5_000, 'held');
    expect(await checkHealth(topo.router.address)).toBe('SERVING');
    const stopped = topo.router.stop();
    await waitFor(() => topo!.router.status().inFlight === 1, 1_000, 'still in flight');
    const health = await checkHealth(topo.router.address).catch(() => 'UNREACHABLE');
    expect(['NOT_SERVING', 'UNREACHABLE']).toContain(health);
    topo.executors[0]!.release();
    expect((await inflight).result?.value?.number).toBe(2);
    await stopped;
    expect(topo.router.status().inFlight).toBe(0);
  });

  it('re-routes when an executor comes back after a restart on the same address', async () => {
    topo = await startTopology({ executors: 1 });
    await deploy(topo.client, 'wine', 'm1');
    const port = topo.executors[0]!.port;
    topo.executors[0]!.kill();
    await waitFor(() => !topo!.router.status().executors[0]!.connected, 5_000, 'down');
    const again = await FakeExecutor.startOn(port);
    topo.executors[0] = again;
    await waitFor(() => topo!.router.status().executors[0]!.connected, 10_000, 'reconnected');
    const res = await call<ServingResponse>(
      topo.client,
      'predict',
      servingRequest({ dataType: 'wine', data: record({ x: 2, y: 2 }) }),
    );
    expect(res.result?.value?.number).toBe(4);
  });

  it('main.ts runs the router from the environment and stops cleanly on SIGTERM', async () => {
    const executor = await FakeExecutor.start();
    const root = resolve(__dirname, '..');
    const child = spawn(
      process.execPath,
      ['--conditions=@modelserving/source', '--import', 'tsx', 'src/main.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          ROUTER_PORT: '0',
          HOST: '127.0.0.1',
          // A test must not leave (or find) a persisted store in the working directory.
          STORE_PERSIST: 'false',
          EXECUTORS: executor.address,
          DRAIN_MS: '500',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    let out = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(
        () => err.includes('router listening'),
        20_000,
        `router to listen; stderr so far: ${err}`,
      );
      const line = err.split('\n').find((l) => l.includes('router listening'))!;
      const { address } = JSON.parse(line) as { address: string };
      const client = servingClient(address);
      const list = await call<ListModelsResponse>(client, 'listModels', { dataType: '' });
      expect(list).toEqual({ dataTypes: [], deploymentsSuspended: false });
      client.close();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Logs are JSON lines on stderr; nothing on stdout.
      expect(out).toBe('');
      for (const l of err.trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
    } finally {
      child.kill('SIGKILL');
      await executor.stop();
    }
  });

  it('main.ts exits with a clear message on bad configuration', async () => {
    const root = resolve(__dirname, '..');
    const child = spawn(
      process.execPath,
      ['--conditions=@modelserving/source', '--import', 'tsx', 'src/main.ts'],
      {
        cwd: root,
        env: { ...process.env, ROUTER_PORT: 'seventy' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    // One JSON log line naming the variable, in the common format.
    const line = JSON.parse(err.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'error',
      service: 'router',
      msg: 'invalid configuration',
      error: "ROUTER_PORT must be a port number, got 'seventy'",
    });
  });
});
