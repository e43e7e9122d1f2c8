import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelDescriptor_ModelType, ModelStatus_State, type ModelDescriptor } from '@modelserving/contracts';
import { startExecutor, type ExecutorHandle } from '@modelserving/model-executor';
import { EmbeddedModelStore, RedisModelStore, type ModelStore } from '@modelserving/model-store';
import { startRouter } from '@modelserving/router';
import { freePort, regressionPmml } from '@modelserving/testing';
import { fmt } from './stats';

export interface RestoreBenchOptions {
  readonly models: number;
  /** An existing Redis to use; else a throwaway `redis-server` is started when one is on PATH. */
  readonly redisUrl?: string;
}

/**
 * Restart with many models (issue 8, "nothing lost on restart"): N small PMML regressions (one data type
 * each) are in the store; how long a restarting router takes to reopen its embedded store, and how long a
 * starting executor takes from start to SERVING (health flips once the snapshot is applied) and until the
 * last model of its backlog is built, in embedded mode (snapshot streamed in pages from the router) and in
 * Redis mode (HSCAN pages). In-process: node's own start-up (~50 ms) is not included.
 */
export async function restoreBench(opts: RestoreBenchOptions): Promise<void> {
  const n = opts.models;
  const sample = pmml(0);
  console.log(
    `\n## Restore after restart (${n} small PMML regressions of ~${sample.length} bytes, one data type each)`,
  );
  await embeddedRestore(n);
  await redisRestore(n, opts.redisUrl);
}

function pmml(i: number): Buffer {
  return Buffer.from(
    regressionPmml({ intercept: i, coefficients: { a: 1 + (i % 97) / 97, b: 2, c: -1 }, target: 'y' }),
  );
}

function descriptor(i: number): ModelDescriptor {
  return {
    name: 'model',
    description: '',
    dataType: `device-${String(i).padStart(6, '0')}`,
    modelType: ModelDescriptor_ModelType.PMML,
    data: pmml(i),
    metadata: {},
  };
}

async function seed(store: ModelStore, n: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) await store.publish({ deploy: descriptor(next++) });
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return (performance.now() - t0) / 1000;
}

/** Starts an executor, returns seconds to SERVING (first snapshot applied) and to the last model built. */
async function timeExecutor(
  n: number,
  start: () => Promise<ExecutorHandle>,
): Promise<{ serving: number; built: number; handle: ExecutorHandle }> {
  const t0 = performance.now();
  const handle = await start();
  await handle.synced();
  const serving = (performance.now() - t0) / 1000;
  // The backlog is built in snapshot (key) order: the last key is the last one built.
  const lastKey = `${descriptor(n - 1).dataType}/model`;
  for (;;) {
    const s = handle.status([lastKey]).models[0];
    if (s?.state === ModelStatus_State.SERVING) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { serving, built: (performance.now() - t0) / 1000, handle };
}

async function embeddedRestore(n: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'restore-bench-'));
  try {
    const store = await EmbeddedModelStore.open({ dir, fsync: false });
    const seeded = await seed(store, n);
    await store.settled();
    await store.close();
    console.log(`  embedded: seeded ${n} models in ${fmt(seeded)} s (fsync off for the seeding only)`);

    const tOpen = performance.now();
    const reopened = await EmbeddedModelStore.open({ dir });
    const openSeconds = (performance.now() - tOpen) / 1000;
    const count = (await reopened.snapshot()).models.length;
    await reopened.settled();
    await reopened.close();
    console.log(
      `  embedded: store reopen (snapshot file + log replay) ${fmt(openSeconds)} s, ${count} models`,
    );

    // Router restart: reopen the data directory (snapshot file + log) until the routing table is loaded.
    const t0 = performance.now();
    const router = await startRouter({
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      storeDir: dir,
      executors: [],
    });
    const routerSeconds = (performance.now() - t0) / 1000;
    if (!router.status().storeLoaded) throw new Error('router did not load the store');
    console.log(
      `  embedded: router restart → store reopened and routing table loaded in ${fmt(routerSeconds)} s`,
    );

    const port = await freePort();
    const r = await timeExecutor(n, () =>
      startExecutor({
        host: '127.0.0.1',
        port,
        logLevel: 'silent',
        storeAddress: router.address,
        joinMode: 'key',
      }),
    );
    console.log(
      `  embedded: executor start → SERVING in ${fmt(r.serving)} s; all ${n} models built after ${fmt(r.built)} s`,
    );
    await r.handle.stop();
    await router.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function redisRestore(n: number, url: string | undefined): Promise<void> {
  let server: ReturnType<typeof spawn> | undefined;
  if (!url) {
    const port = await freePort();
    server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const failed = await new Promise<boolean>((resolve) => {
      server!.once('error', () => resolve(true));
      setTimeout(() => resolve(false), 300);
    });
    if (failed) {
      console.log('  redis: skipped (no redis-server on PATH; pass --redis-url)');
      return;
    }
    url = `redis://127.0.0.1:${port}`;
  }
  const prefix = `restore-bench-${process.pid}:`;
  try {
    const store = await RedisModelStore.connect(url, { prefix });
    const seeded = await seed(store, n);
    const t1 = performance.now();
    const snap = await store.snapshot();
    const snapshotSeconds = (performance.now() - t1) / 1000;
    await store.close();
    console.log(
      `  redis: seeded ${n} models in ${fmt(seeded)} s; one snapshot (HSCAN pages) of ${snap.models.length} models in ${fmt(snapshotSeconds)} s`,
    );
    const port = await freePort();
    // The executor's store is opened inside the timed start (its own connection), with the bench's prefix.
    const redisUrl = url;
    let executorStore: RedisModelStore | undefined;
    const r = await timeExecutor(n, async () => {
      executorStore = await RedisModelStore.connect(redisUrl, { prefix });
      return startExecutor(
        { host: '127.0.0.1', port, logLevel: 'silent', redisUrl, joinMode: 'key' },
        { store: executorStore },
      );
    });
    console.log(
      `  redis: executor start → SERVING in ${fmt(r.serving)} s; all ${n} models built after ${fmt(r.built)} s`,
    );
    await r.handle.stop();
    await executorStore?.close();
  } finally {
    server?.kill('SIGKILL');
  }
}
