import { status } from '@grpc/grpc-js';
import { Code } from '@modelserving/model-core';
import { checkHealth } from '@modelserving/transport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type CollectorHandle } from './index';
import {
  collectorClient,
  expectItem,
  failed,
  getStats,
  item,
  ok,
  qualifiers,
  sleep,
  TestExecutor,
  TestRouter,
  waitUntil,
} from './test-support/collector-clients';

describe('speculative collector over gRPC', () => {
  let collector: CollectorHandle;
  let client: ReturnType<typeof collectorClient>;
  const routers: TestRouter[] = [];
  let seq = 0;
  const guid = (p = 'g') => `${p}-${++seq}`;
  const router = () => {
    const r = new TestRouter(client);
    routers.push(r);
    return r;
  };

  beforeAll(async () => {
    collector = await startCollector({ host: '127.0.0.1', port: 0, logLevel: 'silent', orphanTtlMs: 300 });
    client = collectorClient(collector.address);
  });
  afterEach(() => {
    for (const r of routers.splice(0)) r.cancel();
  });
  afterAll(async () => {
    client.close();
    await collector.stop();
  });

  it('reports SERVING on the health service', async () => {
    expect(await checkHealth(collector.address, 'modelserving.v1.SpeculativeCollectorService')).toBe(
      'SERVING',
    );
  });

  it('first: decides on the first successful result without waiting for the others', async () => {
    const r = router();
    const exec = new TestExecutor(client);
    const g = guid();
    const t0 = Date.now();
    r.send([expectItem({ guid: g, models: 3, timeoutMs: 5_000, decider: 'first' })]);
    exec.send(item(g, failed('wine/a', Code.INTERNAL, 'boom')), item(g, ok('wine/b', 6, 0.8)));
    const d = await r.decision(g);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(d.response!.result!.model).toBe('wine/b');
    expect(d.response!.result!.value).toEqual({ number: 6 });
    expect(d.response!.confidence).toBeCloseTo(0.8);
    expect(qualifiers(d)).toMatchObject({ decider: 'first', models: '2/3', timedOut: 'false' });
    await exec.end();
  });

  it('majority: decides early once a value holds more than half of the votes', async () => {
    const r = router();
    const exec = new TestExecutor(client);
    const g = guid();
    r.send([expectItem({ guid: g, models: 3, decider: 'majority' })]);
    exec.send(item(g, ok('wine/a', 6)), item(g, ok('wine/b', 5)), item(g, ok('wine/c', 6)));
    const d = await r.decision(g);
    expect(d.response!.result!.value).toEqual({ number: 6 });
    expect(d.response!.result!.model).toBe('wine/a');
    expect(d.response!.confidence).toBeCloseTo(2 / 3);
    expect(qualifiers(d)).toMatchObject({
      decider: 'majority',
      models: '3/3',
      timedOut: 'false',
      votes: '2',
    });

    // Two agreeing results out of three decide before the third arrives.
    const g2 = guid();
    r.send([expectItem({ guid: g2, models: 3, decider: 'majority' })]);
    exec.send(item(g2, ok('wine/a', 'red')), item(g2, ok('wine/b', 'red')));
    const d2 = await r.decision(g2);
    expect(d2.response!.result!.value).toEqual({ string: 'red' });
    expect(qualifiers(d2)).toMatchObject({ models: '2/3', timedOut: 'false' });
    await exec.end();
  });

  it('majority: a tie goes to the value that arrived first', async () => {
    const r = router();
    const exec = new TestExecutor(client);
    const g = guid();
    r.send([expectItem({ guid: g, models: 3, decider: 'majority' })]);
    exec.send(
      item(g, ok('wine/a', 5)),
      item(g, failed('wine/b', Code.INTERNAL, 'bad input')),
      item(g, ok('wine/c', 7)),
    );
    const d = await r.decision(g);
    expect(d.response!.result!.value).toEqual({ number: 5 });
    expect(d.response!.confidence).toBeCloseTo(1 / 3);
    expect(qualifiers(d)).toMatchObject({ models: '3/3', timedOut: 'false' });

    // Numbers and strings compare by their string form: 7 and "7" agree.
    const g2 = guid();
    r.send([expectItem({ guid: g2, models: 4, decider: 'majority' })]);
    exec.send(
      item(g2, ok('wine/a', 1)),
      item(g2, ok('wine/b', 7)),
      item(g2, ok('wine/c', '7')),
      item(g2, ok('wine/d', 1)),
    );
    const d2 = await r.decision(g2);
    expect(d2.response!.result!.value).toEqual({ number: 1 });
    expect(d2.response!.confidence).toBeCloseTo(0.5);
    await exec.end();
  });

  it('deadline with partial results decides with what arrived and marks it timed out', async () => {
    const r = router();
    const exec = new TestExecutor(client);
    const g = guid();
    const t0 = Date.now();
    r.send([expectItem({ guid: g, models: 3, timeoutMs: 150, decider: 'majority' })]);
    exec.send(item(g, ok('wine/a', 6)));
    const d = await r.decision(g);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1_500);
    expect(d.response!.result!.value).toEqual({ number: 6 });
    expect(d.response!.result!.error).toBe('');
    expect(d.response!.confidence).toBeCloseTo(1 / 3);
    expect(qualifiers(d)).toMatchObject({ decider: 'majority', models: '1/3', timedOut: 'true' });
    await exec.end();
  });

  it('deadline with no successful result answers DEADLINE_EXCEEDED', async () => {
    const r = router();
    const g = guid();
    r.send([expectItem({ guid: g, models: 2, timeoutMs: 80, dataType: 'iris' })]);
    const d = await r.decision(g);
    expect(d.response!.result!.errorCode).toBe(Code.DEADLINE_EXCEEDED);
    expect(d.response!.result!.error).toBe('no model answered data type iris within 80 ms');
    expect(d.response!.result!.processed).toBe(false);
    expect(qualifiers(d)).toMatchObject({ models: '0/2', timedOut: 'true' });

    // A failure that did arrive is named in the message.
    const g2 = guid();
    r.send(
      [expectItem({ guid: g2, models: 2, timeoutMs: 80, dataType: 'iris' })],
      [item(g2, failed('iris/a', Code.UNAVAILABLE, 'executor e1 died'))],
    );
    const d2 = await r.decision(g2);
    expect(d2.response!.result!.errorCode).toBe(Code.DEADLINE_EXCEEDED);
    expect(d2.response!.result!.error).toMatch(
      /^no model answered data type iris within 80 ms; 1 of 2 failed, first: executor e1 died$/,
    );
  });

  it('applies results that arrived before their expectation', async () => {
    const r = router();
    const exec = new TestExecutor(client);
    const g = guid();
    const before = collector.counters().orphansApplied;
    exec.send(item(g, ok('wine/a', 3)), item(g, ok('wine/b', 3)));
    // The ack means the collector has handled both results: they are held as orphans now.
    expect((await exec.end()).received).toBe(2);
    expect(collector.counters().orphansHeld).toBeGreaterThanOrEqual(2);
    r.send([expectItem({ guid: g, models: 2, decider: 'majority' })]);
    const d = await r.decision(g);
    expect(d.response!.result!.value).toEqual({ number: 3 });
    expect(d.response!.confidence).toBe(1);
    expect(qualifiers(d)).toMatchObject({ models: '2/2', timedOut: 'false' });
    expect(collector.counters().orphansApplied - before).toBe(2);
  });

  it('drops orphan results after the TTL and counts them', async () => {
    const exec = new TestExecutor(client);
    const before = collector.counters().orphansExpired;
    const g = guid('orphan');
    exec.send(item(g, ok('wine/a', 1)));
    await exec.end();
    await waitUntil(() => collector.counters().orphansExpired > before, 3_000, 'orphan expiry');
    expect(collector.counters().orphansExpired - before).toBe(1);
    // The expectation now finds nothing and waits for its own deadline.
    const r = router();
    r.send([expectItem({ guid: g, models: 1, timeoutMs: 50 })]);
    const d = await r.decision(g);
    expect(d.response!.result!.errorCode).toBe(Code.DEADLINE_EXCEEDED);
  });

  it('counts failures the router supplies like executor results', async () => {
    const r = router();
    const exec = new TestExecutor(client);
    // Every model failed: the decision carries the first error, without waiting for the deadline.
    const g = guid();
    const t0 = Date.now();
    r.send(
      [expectItem({ guid: g, models: 2, timeoutMs: 5_000 })],
      [item(g, failed('wine/a', Code.UNAVAILABLE, 'executor e1 failed before scoring', 'router'))],
    );
    exec.send(item(g, failed('wine/b', Code.INVALID_ARGUMENT, 'feature x missing')));
    const d = await r.decision(g);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(d.response!.result!.errorCode).toBe(Code.UNAVAILABLE);
    expect(d.response!.result!.error).toBe('executor e1 failed before scoring');
    expect(qualifiers(d)).toMatchObject({ models: '2/2', timedOut: 'false' });

    // A router failure plus a late success: `first` still takes the success.
    const g2 = guid();
    r.send(
      [expectItem({ guid: g2, models: 2 })],
      [item(g2, failed('wine/a', Code.UNAVAILABLE, 'gone', 'router'))],
    );
    await sleep(20);
    expect(r.count(g2)).toBe(0);
    exec.send(item(g2, ok('wine/b', 4)));
    const d2 = await r.decision(g2);
    expect(d2.response!.result!.value).toEqual({ number: 4 });
    await exec.end();
  });

  it('answers an unknown decider with INVALID_ARGUMENT naming the known deciders', async () => {
    const r = router();
    const g = guid();
    r.send([expectItem({ guid: g, models: 2, decider: 'median' })]);
    const d = await r.decision(g);
    expect(d.response!.result!.errorCode).toBe(Code.INVALID_ARGUMENT);
    expect(d.response!.result!.error).toBe(
      "unknown decider 'median' for data type wine; known deciders: first, majority",
    );
  });

  it('rejects malformed expectations per request and keeps the stream up', async () => {
    const r = router();
    const [a, b, c] = [guid(), guid(), guid()];
    r.send([
      expectItem({ guid: a, models: 0 }),
      expectItem({ guid: b, models: 1, timeoutMs: 0 }),
      expectItem({ guid: '', models: 1 }),
      expectItem({ guid: c, models: 1 }),
    ]);
    expect((await r.decision(a)).response!.result!.error).toMatch(/models must be at least 1, got 0/);
    expect((await r.decision(b)).response!.result!.error).toMatch(/timeout_ms must be from 1 to \d+, got 0/);
    expect((await r.decision('')).response!.result!.errorCode).toBe(Code.INVALID_ARGUMENT);
    // Same guid while the first is pending: ALREADY_EXISTS for the second, the first still decides.
    r.send([expectItem({ guid: c, models: 1 })]);
    await waitUntil(() => r.count(c) === 1, 2_000, 'duplicate rejection');
    expect(r.byGuid.get(c)![0]!.response!.result!.errorCode).toBe(Code.ALREADY_EXISTS);
    const exec = new TestExecutor(client);
    exec.send(item(c, ok('wine/a', 2)), item('', ok('wine/a', 2)));
    await waitUntil(() => r.count(c) === 2, 2_000, 'decision of the first');
    expect(r.byGuid.get(c)![1]!.response!.result!.value).toEqual({ number: 2 });
    expect((await exec.end()).received).toBe(2);
  });

  it('ignores late and duplicate results', async () => {
    const r = router();
    const exec = new TestExecutor(client);
    const g = guid();
    const before = collector.counters();
    r.send([expectItem({ guid: g, models: 3, decider: 'majority', timeoutMs: 200 })]);
    // wine/a twice (e.g. reported by the router and by the executor) counts once: no majority yet.
    exec.send(item(g, ok('wine/a', 1)), item(g, ok('wine/a', 1)));
    await sleep(50);
    expect(r.count(g)).toBe(0);
    exec.send(item(g, ok('wine/b', 1)));
    const d = await r.decision(g);
    expect(qualifiers(d)).toMatchObject({ models: '2/3', votes: '2' });
    exec.send(item(g, ok('wine/c', 2)), item(g, ok('wine/c', 2)));
    await exec.end();
    await sleep(30);
    expect(r.count(g)).toBe(1);
    const after = collector.counters();
    expect(after.duplicates - before.duplicates).toBe(1);
    expect(after.late - before.late).toBe(2);
  });

  it('keeps SpeculativeExecutionStats per data type', async () => {
    const r = router();
    const exec = new TestExecutor(client);
    const dt = 'stats-type';
    const [a, b, c] = [guid(), guid(), guid()];
    r.send([
      expectItem({ guid: a, models: 2, dataType: dt, decider: 'majority', timeoutMs: 100 }),
      expectItem({ guid: b, models: 2, dataType: dt, decider: 'majority', timeoutMs: 100 }),
      expectItem({ guid: c, models: 2, dataType: dt, decider: 'majority', timeoutMs: 100 }),
    ]);
    exec.send(
      item(a, ok('x/1', 1)),
      item(a, ok('x/2', 1)),
      item(b, ok('x/1', 1)),
      item(b, ok('x/2', 2)),
      item(c, ok('x/1', 1)),
    );
    await Promise.all([r.decision(a), r.decision(b), r.decision(c)]);
    await exec.end();
    const res = await getStats(client, dt);
    expect(res.stats).toHaveLength(1);
    const s = res.stats[0]!;
    expect(s).toMatchObject({ name: dt, decider: 'majority', tmout: 100, usage: 3, timeouts: 1 });
    expect(s.since).toBeGreaterThan(Date.now() - 60_000);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeGreaterThanOrEqual(90);
    expect(s.max).toBeLessThan(2_000);
    expect(s.min).toBeLessThanOrEqual(s.max);
    expect(s.duration).toBeGreaterThanOrEqual(s.max);
    expect(s.duration).toBeLessThanOrEqual(s.max * 3);

    const all = await getStats(client, '');
    expect(all.stats.map((x) => x.name)).toContain(dt);
    expect(all.stats.map((x) => x.name)).toEqual([...all.stats.map((x) => x.name)].sort());
    expect((await getStats(client, 'never-seen')).stats).toEqual([]);
  });

  it('drops the pending requests of a router stream that ends', async () => {
    const r = router();
    const g = guid();
    const before = collector.counters();
    r.send([expectItem({ guid: g, models: 2, timeoutMs: 5_000 })]);
    await waitUntil(() => collector.counters().expectations > before.expectations, 2_000, 'expectation');
    r.cancel();
    await waitUntil(() => collector.counters().abandoned > before.abandoned, 2_000, 'abandon');
    expect(collector.counters().inFlight).toBe(0);
    // Its results are late now, not orphans.
    const exec = new TestExecutor(client);
    exec.send(item(g, ok('wine/a', 1)));
    await exec.end();
    expect(collector.counters().late - before.late).toBe(1);
    // Another router is unaffected.
    const r2 = router();
    const g2 = guid();
    r2.send([expectItem({ guid: g2, models: 1 })], [item(g2, ok('wine/a', 9))]);
    expect((await r2.decision(g2)).response!.result!.value).toEqual({ number: 9 });
  });

  it('decides 20k concurrent requests from two routers exactly once each', async () => {
    const routersUsed = [router(), router()];
    const execs = [new TestExecutor(client), new TestExecutor(client), new TestExecutor(client)];
    const N = 20_000;
    const before = collector.counters();
    const guids: string[] = [];
    for (let i = 0; i < N; i++) guids.push(`bulk-${i}`);
    const CHUNK = 500;
    for (let start = 0; start < N; start += CHUNK) {
      const chunk = guids.slice(start, start + CHUNK);
      for (let k = 0; k < 2; k++) {
        const mine = chunk.filter((_, i) => i % 2 === k);
        routersUsed[k]!.send(
          mine.map((g, i) =>
            expectItem({ guid: g, models: 3, decider: i % 3 === 0 ? 'first' : 'majority', timeoutMs: 1_000 }),
          ),
        );
      }
      // Three executors, one model each; some results of the last model are missing (decided early or at
      // the deadline), some arrive as failures.
      for (let m = 0; m < 3; m++) {
        const items = [];
        for (let i = 0; i < chunk.length; i++) {
          const g = chunk[i]!;
          if (m === 2 && i % 50 === 0) continue;
          items.push(
            m === 1 && i % 7 === 0
              ? item(g, failed('bulk/m1', Code.INTERNAL, 'x'))
              : item(g, ok(`bulk/m${m}`, i % 5)),
          );
        }
        execs[m]!.send(...items);
      }
    }
    await waitUntil(
      () => routersUsed[0]!.decisions.length + routersUsed[1]!.decisions.length >= N,
      20_000,
      'all decisions',
    );
    await sleep(100);
    for (const e of execs) await e.end();
    const all = [...routersUsed[0]!.decisions, ...routersUsed[1]!.decisions];
    expect(all).toHaveLength(N);
    expect(new Set(all.map((d) => d.guid)).size).toBe(N);
    for (const d of all) expect(d.response!.result!.error).toBe('');
    // Every request went back on the stream its expectation came on.
    for (let k = 0; k < 2; k++)
      for (const d of routersUsed[k]!.decisions) expect(Number(d.guid.slice(5)) % 2).toBe(k);
    const after = collector.counters();
    expect(after.decisions - before.decisions).toBe(N);
    expect(after.inFlight).toBe(0);
  });
});

describe('speculative collector stop', () => {
  it('decides pending requests with what they have, ends the streams and stops serving', async () => {
    const collector = await startCollector({ host: '127.0.0.1', port: 0, logLevel: 'silent', drainMs: 100 });
    const client = collectorClient(collector.address);
    const r = new TestRouter(client);
    const exec = new TestExecutor(client);
    r.send([
      expectItem({ guid: 'p1', models: 2, timeoutMs: 60_000, decider: 'majority' }),
      expectItem({ guid: 'p2', models: 2, timeoutMs: 60_000 }),
    ]);
    exec.send(item('p1', ok('wine/a', 8)));
    await waitUntil(
      () => collector.counters().results === 1 && collector.counters().inFlight === 2,
      2_000,
      'pending requests',
    );
    const t0 = Date.now();
    await collector.stop();
    expect(Date.now() - t0).toBeLessThan(3_000);
    const d1 = await r.decision('p1');
    expect(d1.response!.result!.value).toEqual({ number: 8 });
    expect(qualifiers(d1)).toMatchObject({ models: '1/2', timedOut: 'true' });
    const d2 = await r.decision('p2');
    expect(d2.response!.result!.errorCode).toBe(Code.UNAVAILABLE);
    expect(d2.response!.result!.error).toMatch(
      /speculative collector stopped before any model of data type wine answered/,
    );
    expect((await r.finished).code).toBe(status.OK);
    expect((await exec.ack).received).toBe(1);
    expect(collector.counters().cancelled).toBe(2);
    client.close();
  });
});
