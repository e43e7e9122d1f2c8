import {
  appMain,
  freePort,
  spawnService,
  startLocalTopology,
  type ServiceProcess,
} from '@modelserving/testing';
import { waitForServing } from '@modelserving/transport';
import { runBatchLoad, type BatchLoadResult } from './batch-load';
import { forkServer, type ChildServer } from './child-server';
import { deployPmml, routerClient } from './router-client';
import { fmt } from './stats';
import { wineRegressionPmml, wineRequests } from './workload';

/** Reference (a): the pass-through echo server (router codec, one process, one hop). */
export function startEcho(): Promise<ChildServer> {
  return forkServer('echo-server.js');
}

type Opts = { batchSize: number; window: number; seconds: number };

/** A warm-up second, then the measured run. */
async function load(address: string, requests: Parameters<typeof runBatchLoad>[1], opts: Opts) {
  await runBatchLoad(address, requests, { ...opts, seconds: 1 });
  return runBatchLoad(address, requests, opts);
}

/** (a) client → echo (router pass-through codec). */
async function measureEcho(
  requests: Parameters<typeof runBatchLoad>[1],
  opts: Opts,
): Promise<BatchLoadResult> {
  const echo = await startEcho();
  try {
    return await load(echo.address, requests, opts);
  } finally {
    await echo.stop();
  }
}

/** (b) client → forwarder process → echo executor process, both bare grpc-js with the router's codec. */
async function measureTwoHop(
  requests: Parameters<typeof runBatchLoad>[1],
  opts: Opts,
): Promise<BatchLoadResult> {
  const echo = await forkServer('echo-executor.js');
  let forwarder: ChildServer | undefined;
  try {
    forwarder = await forkServer('forwarder.js', [echo.address]);
    return await load(forwarder.address, requests, opts);
  } finally {
    await forwarder?.stop();
    await echo.stop();
  }
}

/**
 * The real router process in front of the echo executor: the router's own cost, no model scoring (what
 * the router's env-gated throughput spec used to print; it measured an in-process router and asserted
 * nothing, so it lives here now).
 */
async function measureRouterOnly(
  requests: Parameters<typeof runBatchLoad>[1],
  opts: Opts,
): Promise<BatchLoadResult> {
  const echo = await forkServer('echo-executor.js');
  let router: ServiceProcess | undefined;
  try {
    const port = await freePort();
    router = spawnService('router', appMain('router'), `127.0.0.1:${port}`, {
      HOST: '127.0.0.1',
      ROUTER_PORT: String(port),
      EXECUTORS: echo.address,
      JOIN_MODE: 'key',
      REPLICAS: '1',
      DRAIN_MS: '1000',
      // A fresh, empty store each run: a persisted one would carry models over from earlier runs.
      STORE_PERSIST: 'false',
    });
    try {
      await waitForServing(router.address, '', 20_000);
    } catch (err) {
      throw new Error(`router did not start: ${(err as Error).message}\n${router.output().slice(-2000)}`);
    }
    const client = routerClient(router.address);
    await deployPmml(client, 'bench-regression', wineRegressionPmml(1));
    client.close();
    return await load(router.address, requests, opts);
  } finally {
    await router?.stop();
    await echo.stop();
  }
}

/** The real path: client → router → model executor (PMML regression) → router → client. */
async function measureReal(
  requests: Parameters<typeof runBatchLoad>[1],
  opts: Opts,
): Promise<BatchLoadResult> {
  const topo = await startLocalTopology({ executors: 1, collector: false });
  try {
    const client = routerClient(topo.routerAddress);
    await deployPmml(client, 'bench-regression', wineRegressionPmml(1));
    client.close();
    return await load(topo.routerAddress, requests, opts);
  } finally {
    await topo.stop();
  }
}

function line(name: string, r: BatchLoadResult): string {
  return `  ${name.padEnd(52)} ${fmt(r.recordsPerSecond, 0).padStart(9)} records/s  (${r.records} records in ${fmt(r.seconds)} s, ${r.errors} errors${r.firstError ? `: ${r.firstError}` : ''})`;
}

const pct = (a: BatchLoadResult, b: BatchLoadResult) =>
  `${fmt((100 * a.recordsPerSecond) / b.recordsPerSecond, 1)} %`;

/**
 * 1. Streaming throughput of PredictBatch, every path with the same client, batches and window, one after
 * the other in this run (the machine is shared: compare ratios within a run, not figures across runs):
 *   (a) a one-hop echo that decodes and encodes with the router's own pass-through codec (records are never
 *       decoded, as in the router);
 *   (b) a bare grpc-js two-hop pass-through: client → forwarder process → echo executor process, the
 *       forwarder using the router's codec on both sides;
 *   the router alone (router process → echo executor), and the real path (router → PMML executor).
 * Target: ≥ 100k records/s and ≥ 50 % of the echo.
 */
export async function throughputBench(opts: Opts): Promise<void> {
  const requests = wineRequests(opts.batchSize * 64);
  console.log(
    `\n## Streaming throughput (PredictBatch, batch ${opts.batchSize}, window ${opts.window}, ${opts.seconds} s each, 11-feature wine records)`,
  );
  const echo = await measureEcho(requests, opts);
  const twoHop = await measureTwoHop(requests, opts);
  const routerOnly = await measureRouterOnly(requests, opts);
  const real = await measureReal(requests, opts);
  console.log(line('(a) echo, router pass-through codec (1 hop)', echo));
  console.log(line('(b) grpc-js pass-through, forwarder → echo (2 hops)', twoHop));
  console.log(line('router → echo executor (no model)', routerOnly));
  console.log(line('router → executor (PMML regression)', real));
  console.log(`  ratio real / (a) one-hop echo, same codec:      ${pct(real, echo)}  (target ≥ 50 %)`);
  console.log(`  ratio real / (b) two-hop pass-through:          ${pct(real, twoHop)}`);
  console.log(`  ratio router-only / (b) two-hop pass-through:   ${pct(routerOnly, twoHop)}`);
  console.log(`  target: real ≥ 100000 records/s (${real.recordsPerSecond >= 100_000 ? 'met' : 'not met'})`);
}
