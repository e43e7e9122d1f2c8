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
export async function hotSwapBench(opts: {
  swaps: number;
  rate: number;
  warmupMs?: number;
  intervalMs?: number;
}): Promise<void> {
  const warmupMs = opts.warmupMs ?? 2_000;
  // A redeploy starts this long after the previous one is serving. Back to back (0), redeploys follow
  // each other every few ms now that DeployModel reports a build within ms, and the run measures a
  // saturated machine rather than the stall one swap causes; 100 ms is still 10 model updates a second.
  // (BENCH_SWAP_INTERVAL_MS=0 gives the back-to-back run.)
  const intervalMs = opts.intervalMs ?? Number(process.env['BENCH_SWAP_INTERVAL_MS'] ?? 100);
  console.log(
    `\n## Hot swap under load (${opts.swaps} redeploys ${intervalMs} ms apart, PredictStream at ${opts.rate} records/s, latency after a ${warmupMs / 1000} s warm-up without swaps)`,
  );
  const topo = await startLocalTopology({ executors: 1, collector: false });
  try {
    const client = routerClient(topo.routerAddress);
    const versions = [wineRegression(1), wineRegression(2)] as const;
    const pmml = [wineRegressionPmml(1), wineRegressionPmml(2)] as const;
    await deployPmml(client, 'swapped', pmml[0]);
    const requests = wineRequests(1599);
    // Expected answers of both versions per record, computed up front: the client checks every answer and
    // should spend as little time on it as possible while it also measures.
    const expected = versions.map((fx) =>
      requests.map((req) =>
        regressionValue(fx, Object.fromEntries(WINE_FIELDS.map((f) => [f, req.data!.features[f]!.number!]))),
      ),
    );
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    // Records sent during the warm-up (JIT, first garbage collections, connection setup in a fresh
    // topology) are checked like every other one but left out of the latency distribution: the budget is
    // about stalls caused by swaps, and the latency benchmark warms up the same way.
    let firstMeasured = Number.POSITIVE_INFINITY;
    let answered = 0;
    let wrong = 0;
    let failed = 0;
    let firstProblem: string | undefined;
    const call = client.predictStream();
    const ended = new Promise<void>((resolve, reject) => {
      call.on('data', (r: ServingResponse) => {
        const t = sentAt.get(r.guid);
        if (t === undefined) return;
        sentAt.delete(r.guid);
        answered++;
        const n = Number(r.guid);
        if (n >= firstMeasured) latencies.push(performance.now() - t);
        const i = n % requests.length;
        if (r.result?.error) {
          failed++;
          firstProblem ??= r.result.error;
          return;
        }
        const v = r.result?.value?.number;
        const ok = v !== undefined && expected.some((e) => Math.abs(v - e[i]!) < 1e-9);
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
        // Sleep until the next record is due, else still yield after each record: a sender that writes
        // whatever is overdue in one synchronous burst (after a pause of its own) queues those records
        // behind each other and measures that, and it cannot read answers in between.
        if (wait > 1) await new Promise((r) => setTimeout(r, wait - 0.5));
        else await new Promise((r) => setImmediate(r));
        const guid = String(sent);
        sentAt.set(guid, performance.now());
        call.write({ ...requests[sent % requests.length]!, guid });
        sent++;
      }
    })();
    await new Promise((r) => setTimeout(r, warmupMs));
    firstMeasured = sent;
    const swapTimes: number[] = [];
    const swapStarts: number[] = [];
    for (let i = 1; i <= opts.swaps; i++) {
      const t0 = performance.now();
      swapStarts.push(t0);
      await deployPmml(client, 'swapped', pmml[i % 2]!);
      swapTimes.push(performance.now() - t0);
      if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    }
    sending = false;
    await sender;
    await new Promise((r) => setTimeout(r, 500));
    call.end();
    await ended;
    client.close();
    latencies.sort((a, b) => a - b);
    swapTimes.sort((a, b) => a - b);
    // The spacing actually achieved: one swap's start to the next (the pause plus the deploy itself).
    const spacing = swapStarts.slice(1).map((t, i) => t - swapStarts[i]!);
    const meanSpacing = spacing.reduce((a, b) => a + b, 0) / Math.max(1, spacing.length);
    console.log(
      `  swaps ${opts.swaps}, spacing ${intervalMs} ms after each deploy serves (mean ${fmt(meanSpacing, 1)} ms start to start, ${fmt(spacing.length > 0 ? 1000 / meanSpacing : 0, 1)} swaps/s)`,
    );
    console.log(
      `  requests ${sent}, answered ${answered}, lost ${sentAt.size}, failed ${failed}, wrong version ${wrong}${firstProblem ? ` (first: ${firstProblem})` : ''}`,
    );
    console.log(
      `  latency p50 ${fmt(percentile(latencies, 50), 3)} ms  p99 ${fmt(percentile(latencies, 99), 3)} ms  max ${fmt(latencies[latencies.length - 1] ?? NaN, 3)} ms  (target max < 10 ms)`,
    );
    console.log(
      `  deploy-to-serving per swap: p50 ${fmt(percentile(swapTimes, 50), 1)} ms, max ${fmt(swapTimes[swapTimes.length - 1] ?? NaN, 1)} ms`,
    );
  } finally {
    await topo.stop();
  }
}
