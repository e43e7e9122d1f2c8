import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startLocalTopology } from '@modelserving/testing';
import { runBatchLoad, type BatchLoadResult } from './batch-load';
import { deployPmml, routerClient } from './router-client';
import { fmt } from './stats';
import { wineRegressionPmml, wineRequests } from './workload';

export async function startEcho(): Promise<{ address: string; stop(): void }> {
  const child = spawn(process.execPath, [resolve(__dirname, 'echo-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((res, rej) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /PORT (\d+)/.exec(buf);
      if (m) res(Number(m[1]));
    });
    child.once('exit', (code) => rej(new Error(`echo server exited with ${code}`)));
  });
  return { address: `127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

function line(name: string, r: BatchLoadResult): string {
  return `  ${name.padEnd(26)} ${fmt(r.recordsPerSecond, 0).padStart(9)} records/s  (${r.records} records in ${fmt(r.seconds)} s, ${r.errors} errors${r.firstError ? `: ${r.firstError}` : ''})`;
}

/**
 * 1. A bare grpc-js echo stream and the real client → router → executor → router path, same batch size,
 * measured one after the other in this run. Target: ≥ 100k records/s and ≥ 50% of the echo.
 */
export async function throughputBench(opts: {
  batchSize: number;
  window: number;
  seconds: number;
}): Promise<void> {
  const requests = wineRequests(opts.batchSize * 64);
  console.log(
    `\n## Streaming throughput (PredictBatch, batch ${opts.batchSize}, window ${opts.window}, ${opts.seconds} s each)`,
  );
  const echo = await startEcho();
  let echoResult: BatchLoadResult;
  try {
    await runBatchLoad(echo.address, requests, { ...opts, seconds: 1 }); // warm-up
    echoResult = await runBatchLoad(echo.address, requests, opts);
  } finally {
    echo.stop();
  }
  const topo = await startLocalTopology({ executors: 1, collector: false });
  let real: BatchLoadResult;
  try {
    const client = routerClient(topo.routerAddress);
    await deployPmml(client, 'bench-regression', wineRegressionPmml(1));
    client.close();
    await runBatchLoad(topo.routerAddress, requests, { ...opts, seconds: 1 }); // warm-up
    real = await runBatchLoad(topo.routerAddress, requests, opts);
  } finally {
    await topo.stop();
  }
  console.log(line('bare grpc-js echo', echoResult));
  console.log(line('router → executor (PMML)', real));
  console.log(
    `  ratio real/echo: ${fmt((100 * real.recordsPerSecond) / echoResult.recordsPerSecond, 1)} %  (targets: ≥ 100000 records/s, ≥ 50 %)`,
  );
}
