import type { ServiceError } from '@grpc/grpc-js';
import { startLocalTopology } from '@modelserving/testing';
import { deployPmml, routerClient } from './router-client';
import { startEcho } from './throughput';
import { fmt, percentile } from './stats';
import { wineRegressionPmml, wineRequests } from './workload';

/**
 * 2. Unary Predict latency (client → router → executor → router → client) at fixed request rates, open
 * loop: requests are sent on schedule whether or not earlier ones came back. Target at 1k req/s: p50 ≤ 1
 * ms, p99 ≤ 3 ms.
 */
export async function latencyBench(opts: { rates: number[]; seconds: number }): Promise<void> {
  console.log(`\n## Unary Predict latency (${opts.seconds} s per rate; a bare grpc-js unary echo server as the reference)`);
  const echo = await startEcho();
  try {
    await measure('bare grpc-js echo', echo.address, opts);
  } finally {
    echo.stop();
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

async function measure(label: string, address: string, opts: { rates: number[]; seconds: number }): Promise<void> {
  console.log(`  ${label}:`);
  const client = routerClient(address);
  try {
    const requests = wineRequests(1599);
    const one = (i: number) =>
      new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        client.predict(requests[i % requests.length]!, (err: ServiceError | null) => (err ? reject(err) : resolve(performance.now() - t0)));
      });
    for (let i = 0; i < 2000; i++) await one(i); // warm-up (JIT, connections)
    for (const rate of opts.rates) {
      const total = Math.round(rate * opts.seconds);
      const latencies: number[] = [];
      let errors = 0;
      const pending: Promise<void>[] = [];
      const start = performance.now();
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        // Sleep until the next send is due, and yield after every send so responses are read promptly:
        // a client that sends in bursts measures its own queueing, not the server's latency.
        if (wait > 1) await new Promise((r) => setTimeout(r, wait - 0.5));
        else await new Promise((r) => setImmediate(r));
        pending.push(one(i).then((ms) => void latencies.push(ms), () => void errors++));
      }
      await Promise.all(pending);
      const achieved = total / ((performance.now() - start) / 1000);
      latencies.sort((a, b) => a - b);
      console.log(
        `    ${String(rate).padStart(5)} req/s (achieved ${fmt(achieved, 0)}): p50 ${fmt(percentile(latencies, 50), 3)} ms  p99 ${fmt(percentile(latencies, 99), 3)} ms  max ${fmt(latencies[latencies.length - 1] ?? NaN, 3)} ms  errors ${errors}`,
      );
    }
  } finally {
    client.close();
  }
}
