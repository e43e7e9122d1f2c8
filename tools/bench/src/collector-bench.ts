import { credentials } from '@grpc/grpc-js';
import {
  SpeculativeCollectorServiceClient,
  type CollectItem,
  type DecisionBatch,
  type ExpectItem,
  type ServingResult,
} from '@modelserving/contracts';
import { appMain, freePort, spawnService } from '@modelserving/testing';
import { defaultChannelOptions, waitForServing } from '@modelserving/transport';
import { fmt } from './stats';

const result = (model: string, value: number): ServingResult => ({
  processed: true,
  model,
  source: 'bench',
  value: { number: value },
  outputs: {},
  tensors: [],
  error: '',
  errorCode: 0,
  duration: 0.1,
  confidence: 0.9,
});

/**
 * Speculative collector throughput (moved from the collector's env-gated bench spec, which asserted
 * nothing): the collector as its own process; one router Decide stream sends the expectations, three
 * executor Collect streams send one result each per request (two models agree, one does not), and the
 * run ends when every request has its decision.
 */
export async function collectorBench(opts: { requests: number; decider: string }): Promise<void> {
  const n = opts.requests;
  const batch = 500;
  console.log(
    `\n## Speculative collector (${n} requests × 3 results, decider ${opts.decider}, batches of ${batch})`,
  );
  const port = await freePort();
  const collector = spawnService('collector', appMain('speculative-collector'), `127.0.0.1:${port}`, {
    HOST: '127.0.0.1',
    COLLECTOR_PORT: String(port),
  });
  try {
    await waitForServing(collector.address, '', 20_000).catch((err: Error) => {
      throw new Error(`collector did not start: ${err.message}\n${collector.output().slice(-2000)}`);
    });
    const client = new SpeculativeCollectorServiceClient(
      collector.address,
      credentials.createInsecure(),
      defaultChannelOptions(),
    );
    const decide = client.decide();
    let decided = 0;
    let failed = 0;
    const allDecided = new Promise<void>((resolve, reject) => {
      decide.on('data', (b: DecisionBatch) => {
        for (const d of b.items) {
          decided++;
          if (d.response?.result?.error) failed++;
        }
        if (decided >= n) resolve();
      });
      decide.on('error', reject);
    });
    const executors = [0, 1, 2].map(() => client.collect(() => undefined));
    const start = performance.now();
    for (let s = 0; s < n; s += batch) {
      const expects: ExpectItem[] = [];
      const results: CollectItem[][] = [[], [], []];
      for (let i = s; i < Math.min(n, s + batch); i++) {
        const guid = `b${i}`;
        expects.push({ guid, dataType: 'wine', models: 3, decider: opts.decider, timeoutMs: 10_000 });
        for (let m = 0; m < 3; m++) results[m]!.push({ guid, result: result(`wine/m${m}`, m === 2 ? 2 : 1) });
      }
      decide.write({ expects, results: [] });
      for (let m = 0; m < 3; m++) executors[m]!.write({ items: results[m]! });
      // Let the event loop breathe so the client does not buffer everything before sending.
      if ((s / batch) % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await allDecided;
    const sec = (performance.now() - start) / 1000;
    console.log(
      `  ${n} requests in ${fmt(sec)} s = ${fmt(n / sec, 0)} decisions/s, ${fmt((3 * n) / sec, 0)} results/s (${failed} failed decisions)`,
    );
    for (const e of executors) e.end();
    decide.end();
    client.close();
  } finally {
    await collector.stop();
  }
}
