import type { ServingResponse } from '@modelserving/contracts';
import { Code } from '@modelserving/model-core';
import { rendezvousOwners } from '@modelserving/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { call, deploy, record, servingRequest, waitFor } from './test-support/clients';
import { expectStatus } from './test-support/assertions';
import { startTopology, type TestTopology } from './test-support/topology';

let topo: TestTopology | undefined;
afterEach(async () => {
  await topo?.stop();
  topo = undefined;
});

/** Two model names of a data type whose rendezvous owners among `ids` differ (first doomed, then survivor). */
function namesOnDistinctOwners(dataType: string, ids: readonly string[]): [string, string] {
  const first = 'm1';
  const firstOwner = rendezvousOwners(`${dataType}/${first}`, ids, 1)[0];
  // With two executors each further name misses the first owner with probability 1/2: 64 tries never fail
  // in practice, and if they did the test says so instead of silently checking less.
  for (let i = 2; i < 66; i++) {
    const name = `m${i}`;
    if (rendezvousOwners(`${dataType}/${name}`, ids, 1)[0] !== firstOwner) return [first, name];
  }
  throw new Error(`no model name owned by an executor other than ${firstOwner}`);
}

const predict = (t: TestTopology, req: Parameters<typeof servingRequest>[0]) =>
  call<ServingResponse>(t.client, 'predict', servingRequest(req));

describe('direct path', () => {
  it('routes each model key to its rendezvous owner and returns the executor result', async () => {
    topo = await startTopology({ executors: 3 });
    const ids = topo.executors.map((e) => e.id);
    const keys = ['wine/a', 'wine2/b', 'iris/c', 'cars/d', 'news/e', 'fraud/f'];
    for (const k of keys) await deploy(topo.client, k.split('/')[0]!, k.split('/')[1]!);
    for (const k of keys) {
      const res = await predict(topo, {
        guid: `g-${k}`,
        dataType: k.split('/')[0],
        data: record({ x: 2, y: 3 }),
      });
      expect(res.guid).toBe(`g-${k}`);
      expect(res.result?.value?.number).toBe(5);
      expect(res.result?.model).toBe(k);
      // Ownership is the same rendezvous computation the executors make over the same member list.
      expect(res.result?.source).toBe(rendezvousOwners(k, ids, 1)[0]);
    }
    // Every key landed on exactly one executor.
    for (const k of keys) expect(topo.executors.filter((e) => e.countFor(k) > 0)).toHaveLength(1);
  });

  it('assigns a guid when the request has none and honours model_name', async () => {
    topo = await startTopology({ executors: 1, collector: true });
    await deploy(topo.client, 'wine', 'm1');
    await deploy(topo.client, 'wine', 'm2');
    const res = await predict(topo, { dataType: 'wine', modelName: 'm2', data: record({ x: 1, y: 1 }) });
    expect(res.guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.result?.model).toBe('wine/m2');
    // model_name scores that model only: no speculation.
    expect(topo.collector!.expects).toHaveLength(0);
  });

  it('answers validation errors with clear statuses', async () => {
    topo = await startTopology({ executors: 1 });
    await deploy(topo.client, 'wine', 'm1');
    await expectStatus(
      predict(topo, { dataType: 'nope', data: record({ x: 1 }) }),
      Code.NOT_FOUND,
      'no model deployed for data type nope',
    );
    await expectStatus(
      predict(topo, { dataType: '', data: record({ x: 1 }) }),
      Code.INVALID_ARGUMENT,
      'data_type is required',
    );
    await expectStatus(
      predict(topo, { dataType: 'wine', modelName: 'zzz', data: record({ x: 1 }) }),
      Code.NOT_FOUND,
      'wine/zzz',
    );
    await expectStatus(predict(topo, { dataType: 'wine' }), Code.INVALID_ARGUMENT, 'data is required');
    // A scoring error of the record comes back as the call's status with the executor's code.
    await expectStatus(
      predict(topo, { dataType: 'wine', data: record({ fail: true }) }),
      Code.INVALID_ARGUMENT,
      'fail requested',
    );
    // The router is still fine.
    expect(
      (await predict(topo, { dataType: 'wine', data: record({ x: 1, y: 1 }) })).result?.value?.number,
    ).toBe(2);
  });

  it('fails with UNAVAILABLE when no executor is live', async () => {
    topo = await startTopology({ executors: 1 });
    await deploy(topo.client, 'wine', 'm1');
    topo.executors[0]!.kill();
    await waitFor(() => !topo!.router.status().executors[0]!.connected, 10_000, 'executor down');
    await expectStatus(
      predict(topo, { dataType: 'wine', data: record({ x: 1 }) }),
      Code.UNAVAILABLE,
      'no live executor for model wine/m1',
    );
  });

  it('fails a request whose executor does not answer in time with DEADLINE_EXCEEDED', async () => {
    topo = await startTopology({ executors: 1, executorOptions: () => ({ hold: true }) });
    await deploy(topo.client, 'wine', 'm1');
    const started = Date.now();
    await expectStatus(
      predict(topo, { dataType: 'wine', timeoutMs: 100, data: record({ x: 1 }) }),
      Code.DEADLINE_EXCEEDED,
      'timed out after 100 ms',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    await waitFor(
      () => topo!.router.status().executors[0]!.outstanding === 0,
      2_000,
      'expired item forgotten',
    );
  });
});

describe('PredictStream', () => {
  it('streams 10k records with per-request errors mixed in, and the stream stays up', async () => {
    topo = await startTopology({ executors: 2 });
    await deploy(topo.client, 'wine', 'm1');
    await deploy(topo.client, 'iris', 'm2');
    const n = 10_000;
    const stream = topo.client.predictStream();
    const responses = new Map<string, ServingResponse>();
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: ServingResponse) => responses.set(r.guid, r));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    for (let i = 0; i < n; i++) {
      const kind = i % 10 === 3 ? 'unknown' : i % 10 === 7 ? 'fail' : 'ok';
      stream.write(
        servingRequest({
          guid: `r${i}`,
          dataType: kind === 'unknown' ? 'nope' : i % 2 === 0 ? 'wine' : 'iris',
          data: record(kind === 'fail' ? { fail: true } : { x: i, y: 1 }),
        }),
      );
    }
    stream.end();
    await done;
    expect(responses.size).toBe(n);
    for (let i = 0; i < n; i++) {
      const r = responses.get(`r${i}`)!;
      if (i % 10 === 3) {
        expect(r.result?.errorCode).toBe(Code.NOT_FOUND);
        expect(r.result?.error).toContain('no model deployed for data type nope');
      } else if (i % 10 === 7) {
        expect(r.result?.errorCode).toBe(Code.INVALID_ARGUMENT);
      } else {
        expect(r.result?.error).toBe('');
        expect(r.result?.value?.number).toBe(i + 1);
      }
    }
  });

  it('PredictBatch answers every request of every batch', async () => {
    topo = await startTopology({ executors: 2 });
    await deploy(topo.client, 'wine', 'm1');
    const stream = topo.client.predictBatch();
    const got: ServingResponse[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (b: { responses: ServingResponse[] }) => got.push(...b.responses));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    for (let b = 0; b < 20; b++) {
      stream.write({
        requests: Array.from({ length: 500 }, (_, i) =>
          servingRequest({ guid: `b${b}-${i}`, dataType: 'wine', data: record({ x: i, y: b }) }),
        ),
      });
    }
    stream.end();
    await done;
    expect(got).toHaveLength(10_000);
    expect(new Set(got.map((r) => r.guid)).size).toBe(10_000);
    expect(got.every((r) => r.result?.error === '')).toBe(true);
  });
});

describe('speculative path', () => {
  it('fans out to every model, tells the collector what to expect and returns its decision', async () => {
    topo = await startTopology({ executors: 2, collector: true });
    await deploy(topo.client, 'wine', 'm1');
    await deploy(topo.client, 'wine', 'm2');
    await call(topo.client, 'setDataTypePolicy', {
      policy: { dataType: 'wine', decider: 'majority', timeoutMs: 500, alwaysSpeculative: false },
    });
    const res = await predict(topo, { guid: 'spec-1', dataType: 'wine', data: record({ x: 4, y: 4 }) });
    expect(res.guid).toBe('spec-1');
    expect(res.result?.value?.number).toBe(8);
    expect(res.qualifiers).toEqual([{ key: 'results', value: '2' }]);
    const expectItem = topo.collector!.expects.find((e) => e.guid === 'spec-1')!;
    expect(expectItem).toMatchObject({ dataType: 'wine', models: 2, decider: 'majority', timeoutMs: 500 });
    const keys = topo
      .collector!.executorResults.filter((r) => r.guid === 'spec-1')
      .map((r) => r.result.model)
      .sort();
    expect(keys).toEqual(['wine/m1', 'wine/m2']);
  });

  it('uses the speculative path for one model with always_speculative, with the request timeout shortening the policy', async () => {
    topo = await startTopology({ executors: 1, collector: true });
    await deploy(topo.client, 'wine', 'm1');
    await call(topo.client, 'setDataTypePolicy', {
      policy: { dataType: 'wine', decider: 'first', timeoutMs: 5_000, alwaysSpeculative: true },
    });
    const res = await predict(topo, {
      guid: 'g1',
      dataType: 'wine',
      timeoutMs: 300,
      data: record({ x: 1, y: 2 }),
    });
    expect(res.result?.value?.number).toBe(3);
    const e = topo.collector!.expects.find((x) => x.guid === 'g1')!;
    expect(e.models).toBe(1);
    expect(e.timeoutMs).toBeLessThanOrEqual(300);
  });

  it('refuses speculative data types without a collector, while the direct path keeps working', async () => {
    topo = await startTopology({ executors: 1 });
    await deploy(topo.client, 'wine', 'm1');
    await deploy(topo.client, 'wine', 'm2');
    await deploy(topo.client, 'iris', 'm1');
    await expectStatus(
      predict(topo, { dataType: 'wine', data: record({ x: 1 }) }),
      Code.FAILED_PRECONDITION,
      'no speculative collector configured',
    );
    expect(
      (await predict(topo, { dataType: 'iris', data: record({ x: 1, y: 1 }) })).result?.value?.number,
    ).toBe(2);
    expect(
      (await predict(topo, { dataType: 'wine', modelName: 'm1', data: record({ x: 1, y: 1 }) })).result?.value
        ?.number,
    ).toBe(2);
  });

  it('reports the items of a dead executor to the collector so the decision does not wait for the deadline', async () => {
    topo = await startTopology({ executors: 2, collector: true });
    // Executor ids are their (random) addresses, so pick the two model names from the ids: one owned by
    // each executor. The model on the survivor then always scores and the result is always checked.
    const ids = topo.executors.map((e) => e.id);
    const [doomed, survivor] = namesOnDistinctOwners('wine', ids);
    await deploy(topo.client, 'wine', doomed);
    await deploy(topo.client, 'wine', survivor);
    await call(topo.client, 'setDataTypePolicy', {
      policy: { dataType: 'wine', decider: 'majority', timeoutMs: 10_000, alwaysSpeculative: false },
    });
    const victim = topo.executors.find((e) => e.id === rendezvousOwners(`wine/${doomed}`, ids, 1)[0])!;
    const other = topo.executors.find((e) => e.id === rendezvousOwners(`wine/${survivor}`, ids, 1)[0])!;
    expect(victim).not.toBe(other);
    // The victim receives its item but dies before passing the result on: drop what it hands the collector.
    const collector = topo.collector!;
    const collect = collector.collect.bind(collector);
    collector.collect = (guid, result, trace) => {
      if (result.source !== victim.id) collect(guid, result, trace);
    };
    const started = Date.now();
    const pending = predict(topo, { guid: 'dead-1', dataType: 'wine', data: record({ x: 1, y: 1 }) });
    await waitFor(
      () => victim.countFor(`wine/${doomed}`) === 1,
      5_000,
      'doomed item in flight at the victim',
    );
    victim.kill();
    // Only the router's report of the lost item lets the collector decide before the 10 s deadline.
    const res = await pending;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.result?.error).toBe('');
    expect(res.result?.value?.number).toBe(2);
    expect(res.result?.model).toBe(`wine/${survivor}`);
    expect(res.result?.source).toBe(other.id);
    expect(res.qualifiers).toEqual([{ key: 'results', value: '2' }]);
    const reported = collector.routerResults.filter((r) => r.guid === 'dead-1').map((r) => r.result!);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ model: `wine/${doomed}`, errorCode: Code.UNAVAILABLE });
    expect(reported[0]!.error).toContain(victim.id);
  });

  it('fails pending speculative requests with UNAVAILABLE when the collector stream breaks', async () => {
    topo = await startTopology({ executors: 1, collector: true });
    await deploy(topo.client, 'wine', 'm1');
    await deploy(topo.client, 'wine', 'm2');
    // No executor result will ever reach the collector: make the collector the only one who could decide.
    topo.executors[0]!.hold = true;
    await call(topo.client, 'setDataTypePolicy', {
      policy: { dataType: 'wine', decider: 'first', timeoutMs: 20_000, alwaysSpeculative: false },
    });
    const collector = topo.collector!;
    // Swallow results so the collector cannot decide.
    collector.collect = () => undefined;
    const p = predict(topo, { guid: 'c1', dataType: 'wine', data: record({ x: 1 }) });
    await waitFor(() => collector.expects.some((e) => e.guid === 'c1'), 5_000, 'expectation');
    collector.kill();
    await expectStatus(p, Code.UNAVAILABLE, 'speculative collector');
  });
});

describe('executor failure', () => {
  it('retries in-flight direct items on the next owner when an executor dies (REPLICAS=2); none are lost', async () => {
    topo = await startTopology({
      executors: 3,
      router: { replicas: 2 },
      executorOptions: () => ({ hold: true }),
    });
    await deploy(topo.client, 'wine', 'm1');
    const ids = topo.executors.map((e) => e.id);
    const owners = rendezvousOwners('wine/m1', ids, 2);
    const n = 200;
    const pending = Array.from({ length: n }, (_, i) =>
      predict(topo!, { guid: `k${i}`, dataType: 'wine', data: record({ x: i, y: 0 }) }).then(
        (r) => ({ ok: true as const, r }),
        (e: { code: number; details: string }) => ({ ok: false as const, e }),
      ),
    );
    await waitFor(
      () => topo!.executors.reduce((a, e) => a + e.heldCount, 0) === n,
      10_000,
      'all items held by the owners',
    );
    // Least outstanding across the two owners: both got work, the non-owner none.
    for (const e of topo.executors) {
      if (owners.includes(e.id)) expect(e.heldCount).toBeGreaterThan(0);
      else expect(e.heldCount).toBe(0);
    }
    const victim = topo.executors.find((e) => e.id === owners[0])!;
    const survivors = topo.executors.filter((e) => e !== victim);
    victim.kill();
    // The survivors get the retried items; release them as they arrive.
    const timer = setInterval(() => survivors.forEach((s) => s.release()), 5);
    const results = await Promise.all(pending);
    clearInterval(timer);
    expect(results).toHaveLength(n);
    const failed = results.filter((r) => !r.ok);
    expect(failed).toEqual([]);
    for (const [i, r] of results.entries()) if (r.ok) expect(r.r.result?.value?.number).toBe(i);
    expect(results.every((r) => r.ok && r.r.result?.source !== victim.id)).toBe(true);
  });

  it('fails in-flight items with UNAVAILABLE naming the executor when there is no other owner', async () => {
    topo = await startTopology({ executors: 1, executorOptions: () => ({ hold: true }) });
    await deploy(topo.client, 'wine', 'm1');
    const p = Array.from({ length: 20 }, (_, i) =>
      predict(topo!, { dataType: 'wine', data: record({ x: i }) }).catch(
        (e: { code: number; details: string }) => e,
      ),
    );
    await waitFor(() => topo!.executors[0]!.heldCount === 20, 10_000, 'held');
    const victim = topo.executors[0]!;
    victim.kill();
    const results = (await Promise.all(p)) as { code: number; details: string }[];
    expect(results).toHaveLength(20);
    for (const r of results) {
      expect(r.code).toBe(Code.UNAVAILABLE);
      expect(r.details).toContain(victim.id);
    }
  });
});

describe('partition mode', () => {
  it('sends each request to the executor with the fewest outstanding requests', async () => {
    topo = await startTopology({
      executors: 2,
      router: { joinMode: 'partition' },
      executorOptions: () => ({ hold: true }),
    });
    await deploy(topo.client, 'wine', 'm1');
    const [a, b] = topo.executors as [(typeof topo.executors)[0], (typeof topo.executors)[0]];
    const first = Array.from({ length: 10 }, (_, i) =>
      predict(topo!, { dataType: 'wine', data: record({ x: i }) }),
    );
    await waitFor(() => a.heldCount + b.heldCount === 10, 10_000, 'held');
    expect([a.heldCount, b.heldCount]).toEqual([5, 5]);
    // Let only b answer: from now on b has fewer outstanding and gets the new work.
    b.hold = false;
    b.release();
    await waitFor(
      () => topo!.router.status().executors.find((e) => e.id === b.id)!.outstanding === 0,
      5_000,
      'b idle',
    );
    for (let i = 0; i < 5; i++) await predict(topo, { dataType: 'wine', data: record({ x: i }) });
    expect(b.received).toHaveLength(10);
    expect(a.received).toHaveLength(5);
    a.release();
    a.hold = false;
    await Promise.all(first);
  });
});
