import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRouter, type FakeRouter } from '../fake-router.spec-helper';
import { RouterClient } from '../router-client';
import { parseWineCsv, type WineRecord } from '../wine-data';
import { LatencyRecorder } from './latency';
import { streamWines, type WineSample } from './wine-stream';

// Alcohol > 10 → the fake router predicts 6, else 5: two of these three wines match their quality.
const WINES: WineRecord[] = parseWineCsv(
  [
    '8.1;0.55;0.12;2.2;0.081;14;40;0.9971;3.32;0.61;9.9;5',
    '7.0;0.42;0.31;1.8;0.069;9;27;0.9962;3.28;0.74;11.2;6',
    '6.6;0.31;0.45;2.6;0.058;21;48;0.9950;3.21;0.83;12.6;7',
  ].join('\n'),
);

let router: FakeRouter;
let client: RouterClient;

beforeAll(async () => {
  router = await startFakeRouter();
  client = new RouterClient(router.address);
});

afterAll(async () => {
  client.close();
  await router.stop();
});

describe('streamWines', () => {
  it('sends every record once, matches out-of-order responses by guid and measures them', async () => {
    const samples: WineSample[] = [];
    const sum = await streamWines(client.raw.predictStream(), {
      wines: WINES,
      total: 300,
      window: 16,
      sample: 4,
      onSample: (s) => samples.push(s),
    });
    expect(sum).toMatchObject({ sent: 300, received: 300, errors: 0, matches: 200, interrupted: false });
    expect(sum.streamError).toBeUndefined();
    expect(sum.p50Ms).toBeGreaterThan(0);
    expect(sum.p99Ms).toBeGreaterThanOrEqual(sum.p50Ms);
    expect(sum.recordsPerSec).toBeGreaterThan(0);
    expect(samples).toHaveLength(4);
    for (const s of samples) {
      const seq = Number(s.guid.slice('wine-'.length));
      expect(s.actual).toBe(WINES[seq % 3]!.quality);
      expect(s.predicted).toBe(seq % 3 === 0 ? '5' : '6');
      expect(s.model).toBe('wine/tree');
    }
  });

  it('paces sending with --rate', async () => {
    const sum = await streamWines(client.raw.predictStream(), { wines: WINES, total: 60, rate: 200 });
    expect(sum.received).toBe(60);
    // 60 records at 200/s take about 300 ms (the first burst is at most rate/10).
    expect(sum.elapsedMs).toBeGreaterThan(200);
  });

  it('keeps going until aborted, then drains what is in flight', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    const sum = await streamWines(client.raw.predictStream(), {
      wines: WINES,
      total: undefined,
      signal: abort.signal,
    });
    expect(sum.interrupted).toBe(true);
    expect(sum.sent).toBeGreaterThan(10);
    expect(sum.received).toBe(sum.sent);
    expect(sum.errors).toBe(0);
  });

  it('counts per-record errors and keeps the stream up', async () => {
    // The fake router fails every record sent to model `broken`.
    const sum = await streamWines(client.raw.predictStream(), {
      wines: WINES,
      total: 10,
      modelName: 'broken',
    });
    expect(sum.received).toBe(10);
    expect(sum.errors).toBe(10);
    expect(sum.firstErrors).toEqual(['INTERNAL: model exploded']);
  });

  it('reports a failed stream and counts what was lost', async () => {
    const call = client.raw.predictStream();
    setTimeout(
      () =>
        call.emit('error', Object.assign(new Error('14 UNAVAILABLE: gone'), { code: 14, details: 'gone' })),
      5,
    );
    const sum = await streamWines(call, { wines: WINES, total: undefined, rate: 100 });
    expect(sum.streamError).toBe('UNAVAILABLE: gone');
    expect(sum.errors).toBe(sum.sent - sum.received);
  });
});

describe('LatencyRecorder', () => {
  it('gives nearest-rank percentiles and keeps a bounded reservoir', () => {
    const r = new LatencyRecorder(1000);
    for (let i = 1; i <= 100; i++) r.record(i);
    expect(r.percentiles([50, 99, 100])).toEqual([50, 99, 100]);
    for (let i = 0; i < 10_000; i++) r.record(5);
    expect(r.count).toBe(10_100);
    expect(r.max).toBe(100);
    expect(r.percentiles([50])[0]).toBe(5);
    expect(new LatencyRecorder().percentiles([50])[0]).toBeNaN();
  });
});
