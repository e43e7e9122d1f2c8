import { describe, it } from 'vitest';
import { deploy, record, servingRequest } from './test-support/clients';
import { startTopology } from './test-support/topology';

describe.skipIf(!process.env['ROUTER_BENCH'])('throughput (set ROUTER_BENCH=1)', () => {
  it('PredictBatch throughput', async () => {
    const topo = await startTopology({ executors: 1 });
    await deploy(topo.client, 'wine', 'm1');
    const n = Number(process.env['ROUTER_BENCH_N'] ?? 300_000);
    const batch = 500;
    const reqs = Array.from({ length: batch }, (_, i) =>
      servingRequest({
        guid: `g${i}`,
        dataType: 'wine',
        data: record({ x: i, y: 1, a: 2, b: 3, c: 4, d: 5, e: 6, f: 7, g: 8, h: 9, i: 10 }),
      }),
    );
    for (let round = 0; round < 2; round++) {
      const stream = topo.client.predictBatch();
      let got = 0;
      const start = process.hrtime.bigint();
      const done = new Promise<void>((resolve, reject) => {
        stream.on('data', (b: { responses: unknown[] }) => (got += b.responses.length));
        stream.on('end', () => resolve());
        stream.on('error', reject);
      });
      let sent = 0;
      const pump = (): void => {
        while (sent < n) {
          sent += batch;
          if (!stream.write({ requests: reqs })) {
            stream.once('drain', pump);
            return;
          }
        }
        stream.end();
      };
      pump();
      await done;
      const s = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(`round ${round}: ${got} records in ${s.toFixed(2)} s = ${Math.round(got / s)} rec/s`);
    }
    await topo.stop();
  }, 120_000);
});
