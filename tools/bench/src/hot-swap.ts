import type { ServingResponse } from '@modelserving/contracts';
import { regressionValue, startLocalTopology, WINE_FIELDS } from '@modelserving/testing';
import { deployPmml, routerClient } from './router-client';
import { fmt, percentile } from './stats';
import { wineRegression, wineRegressionPmml, wineRequests } from './workload';

/**
 * 3. Hot swap under load: records stream through PredictStream at a fixed rate while the model is
 * redeployed `swaps` times, alternating two versions. Every request must get an answer from one of the
 * two versions; reports failures, lost requests and the latency distribution (target: max < 10 ms).
 */
export async function hotSwapBench(opts: { swaps: number; rate: number }): Promise<void> {
  console.log(`\n## Hot swap under load (${opts.swaps} redeploys, PredictStream at ${opts.rate} records/s)`);
  const topo = await startLocalTopology({ executors: 1, collector: false });
  try {
    const client = routerClient(topo.routerAddress);
    const versions = [wineRegression(1), wineRegression(2)] as const;
    const pmml = [wineRegressionPmml(1), wineRegressionPmml(2)] as const;
    await deployPmml(client, 'swapped', pmml[0]);
    const requests = wineRequests(1599);
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let wrong = 0;
    let failed = 0;
    let firstProblem: string | undefined;
    const call = client.predictStream();
    const ended = new Promise<void>((resolve, reject) => {
      call.on('data', (r: ServingResponse) => {
        const t = sentAt.get(r.guid);
        if (t === undefined) return;
        sentAt.delete(r.guid);
        latencies.push(performance.now() - t);
        const i = Number(r.guid) % requests.length;
        if (r.result?.error) {
          failed++;
          firstProblem ??= r.result.error;
          return;
        }
        const features = Object.fromEntries(WINE_FIELDS.map((f) => [f, requests[i]!.data!.features[f]!.number!]));
        const v = r.result?.value?.number;
        const ok = versions.some((fx) => v !== undefined && Math.abs(v - regressionValue(fx, features)) < 1e-9);
        if (!ok) {
          wrong++;
          firstProblem ??= `unexpected value ${v}`;
        }
      });
      call.on('end', resolve);
      call.on('error', reject);
    });
    let sending = true;
    let sent = 0;
    const sender = (async () => {
      const start = performance.now();
      while (sending) {
        const due = start + (sent * 1000) / opts.rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const guid = String(sent);
        sentAt.set(guid, performance.now());
        call.write({ ...requests[sent % requests.length]!, guid });
        sent++;
      }
    })();
    const swapTimes: number[] = [];
    for (let i = 1; i <= opts.swaps; i++) {
      const t0 = performance.now();
      await deployPmml(client, 'swapped', pmml[i % 2]!);
      swapTimes.push(performance.now() - t0);
    }
    sending = false;
    await sender;
    await new Promise((r) => setTimeout(r, 500));
    call.end();
    await ended;
    client.close();
    latencies.sort((a, b) => a - b);
    swapTimes.sort((a, b) => a - b);
    console.log(
      `  requests ${sent}, answered ${latencies.length}, lost ${sentAt.size}, failed ${failed}, wrong version ${wrong}${firstProblem ? ` (first: ${firstProblem})` : ''}`,
    );
    console.log(
      `  latency p50 ${fmt(percentile(latencies, 50), 3)} ms  p99 ${fmt(percentile(latencies, 99), 3)} ms  max ${fmt(latencies[latencies.length - 1] ?? NaN, 3)} ms  (target max < 10 ms)`,
    );
    console.log(`  deploy-to-serving per swap: p50 ${fmt(percentile(swapTimes, 50), 1)} ms, max ${fmt(swapTimes[swapTimes.length - 1] ?? NaN, 1)} ms`);
  } finally {
    await topo.stop();
  }
}
