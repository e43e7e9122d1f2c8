import { describe, it } from 'vitest';
import { startCollector } from '../index';
import {
  collectorClient,
  expectItem,
  item,
  ok,
  TestExecutor,
  TestRouter,
  waitUntil,
} from './collector-clients';

// Throughput of the collector over gRPC: COLLECTOR_BENCH=1 npx vitest run src/test-support/bench.spec.ts
describe.skipIf(!process.env['COLLECTOR_BENCH'])('bench', () => {
  it('expectations + 3 results each', async () => {
    const collector = await startCollector({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
    const client = collectorClient(collector.address);
    const router = new TestRouter(client);
    const execs = [new TestExecutor(client), new TestExecutor(client), new TestExecutor(client)];
    const n = Number(process.env['COLLECTOR_BENCH_N'] ?? 200_000);
    const batch = 500;
    const decider = process.env['COLLECTOR_BENCH_DECIDER'] ?? 'majority';
    const start = process.hrtime.bigint();
    for (let s = 0; s < n; s += batch) {
      const expects = [];
      const results: ReturnType<typeof item>[][] = [[], [], []];
      for (let i = s; i < s + batch; i++) {
        const g = `b${i}`;
        expects.push(expectItem({ guid: g, models: 3, decider, timeoutMs: 10_000 }));
        for (let m = 0; m < 3; m++) results[m]!.push(item(g, ok(`w/m${m}`, m === 2 ? 2 : 1, 0.9)));
      }
      router.send(expects);
      for (let m = 0; m < 3; m++) execs[m]!.send(...results[m]!);
      // Let the event loop breathe so the client does not buffer everything before sending.
      if ((s / batch) % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitUntil(() => router.decisions.length >= n, 120_000, 'decisions');
    const sec = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(
      `${n} requests (${decider}) in ${sec.toFixed(2)} s = ${Math.round(n / sec)} req/s, ${Math.round((3 * n) / sec)} results/s`,
    );
    for (const e of execs) await e.end();
    router.cancel();
    client.close();
    await collector.stop();
  }, 180_000);
});
