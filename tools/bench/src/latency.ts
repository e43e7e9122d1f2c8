import { startLocalTopology } from '@modelserving/testing';
import { deployPmml, RawPredictClient, routerClient } from './router-client';
import { startEcho } from './throughput';
import { fmt, percentile } from './stats';
import { wineRegressionPmml, wineRequests } from './workload';

/**
 * 2. Unary Predict latency (client → router → executor → router → client) at fixed request rates, open
 * loop: requests are sent on schedule whether or not earlier ones came back. Target at 1k req/s: p50 ≤ 1
 * ms, p99 ≤ 3 ms.
 */
export async function latencyBench(opts: { rates: number[]; seconds: number }): Promise<void> {
  console.log(
    `\n## Unary Predict latency (${opts.seconds} s per rate; a bare grpc-js unary echo server as the reference)`,
  );
  const echo = await startEcho();
  try {
    await measure('bare grpc-js echo (router pass-through codec)', echo.address, opts);
  } finally {
    await echo.stop();
  }
  const topo = await startLocalTopology({ executors: 1, collector: false });
  try {
    const client = routerClient(topo.routerAddress);
    await deployPmml(client, 'bench-regression', wineRegressionPmml(1));
    client.close();
    await measure('router → executor', topo.routerAddress, opts);
    console.log('  targets at 1000 req/s: p50 ≤ 1 ms, p99 ≤ 3 ms');
  } finally {
    await topo.stop();
  }
}

async function measure(
  label: string,
  address: string,
  opts: { rates: number[]; seconds: number },
): Promise<void> {
  console.log(`  ${label}:`);
  const client = new RawPredictClient(address);
  try {
    // Encoded once: the client's own work per call (and its garbage collections, which pause it while
    // answers wait to be read) is kept out of the measured latency as far as possible.
    const requests = RawPredictClient.encode(wineRequests(1599));
    const once = (i: number) =>
      new Promise<void>((resolve, reject) =>
        client.predict(requests[i % requests.length]!, (err) => (err ? reject(err) : resolve())),
      );
    for (let i = 0; i < 2000; i++) await once(i); // warm-up (JIT, connections)
    for (const rate of opts.rates) {
      const total = Math.round(rate * opts.seconds);
      // Preallocated, and a counter instead of a promise per request: nothing per request outlives it.
      const latencies = new Float64Array(total);
      let answered = 0;
      let errors = 0;
      let firstError: string | undefined;
      let outstanding = 0;
      let allSent = false;
      let finished!: () => void;
      const done = new Promise<void>((r) => (finished = r));
      const send = (i: number) => {
        const t0 = performance.now();
        outstanding++;
        client.predict(requests[i % requests.length]!, (err) => {
          if (err) {
            errors++;
            firstError ??= err.message;
          } else {
            latencies[answered++] = performance.now() - t0;
          }
          if (--outstanding === 0 && allSent) finished();
        });
      };
      const start = performance.now();
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        // Sleep until the next send is due, and yield after every send so responses are read promptly:
        // a client that sends in bursts measures its own queueing, not the server's latency.
        if (wait > 1) await new Promise((r) => setTimeout(r, wait - 0.5));
        else await new Promise((r) => setImmediate(r));
        send(i);
      }
      allSent = true;
      if (outstanding > 0) await done;
      const achieved = total / ((performance.now() - start) / 1000);
      const sorted = Array.from(latencies.subarray(0, answered)).sort((a, b) => a - b);
      console.log(
        `    ${String(rate).padStart(5)} req/s (achieved ${fmt(achieved, 0)}): p50 ${fmt(percentile(sorted, 50), 3)} ms  p99 ${fmt(percentile(sorted, 99), 3)} ms  max ${fmt(sorted[sorted.length - 1] ?? NaN, 3)} ms  errors ${errors}${firstError ? ` (first: ${firstError})` : ''}`,
      );
    }
  } finally {
    client.close();
  }
}
