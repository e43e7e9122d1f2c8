import { status as grpcStatus } from '@grpc/grpc-js';
import {
  regressionPmml,
  regressionValue,
  startLocalTopology,
  treePmml,
  type LocalTopology,
} from '@modelserving/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterCalls, grpcCode, request } from './router-calls';

const V1 = { intercept: 1, coefficients: { x: 2, z: -1 } };

/**
 * The topology `npm start` runs, as separate processes on the embedded default: the router hosts the
 * store, two executors tail it, the collector decides speculative requests.
 */
describe('embedded topology as processes', () => {
  let topo: LocalTopology;
  let calls: RouterCalls;

  beforeAll(async () => {
    topo = await startLocalTopology({ executors: 2, replicas: 2 });
    calls = new RouterCalls(topo.routerAddress);
    const res = await calls.deploy('lr', 'reg', regressionPmml(V1));
    expect(res.statuses.length).toBeGreaterThan(0);
    for (const s of res.statuses) expect(s.error).toBe('');
  }, 60_000);

  afterAll(async () => {
    calls?.close();
    await topo?.stop();
  });

  it('scores through router → executor on the direct path', async () => {
    const res = await calls.predict('reg', { x: 3, z: 1 });
    expect(res.result?.value?.number).toBeCloseTo(regressionValue(V1, { x: 3, z: 1 }), 12);
    expect(res.result?.model).toBe('reg/lr');
    expect(res.guid).not.toBe('');
  });

  it('answers every request of a stream, with per-request errors for bad records', async () => {
    const reqs = Array.from({ length: 3000 }, (_, i) =>
      i % 500 === 7
        ? request('reg', { x: 'not a number', z: 1 }, `g${i}`)
        : request('reg', { x: i, z: 0.5 }, `g${i}`),
    );
    const out = await calls.stream(reqs);
    expect(out.size).toBe(reqs.length);
    let errors = 0;
    for (let i = 0; i < reqs.length; i++) {
      const r = out.get(`g${i}`)!;
      if (i % 500 === 7) {
        expect(r.result?.error).not.toBe('');
        errors++;
      } else expect(r.result?.value?.number).toBeCloseTo(regressionValue(V1, { x: i, z: 0.5 }), 9);
    }
    expect(errors).toBe(6);
  });

  it('gives NOT_FOUND for a data type without a model', async () => {
    await expect(calls.predict('nothing-here', { x: 1 })).rejects.toSatisfy(
      (e) => grpcCode(e) === grpcStatus.NOT_FOUND,
    );
  });

  it('reports a malformed model and keeps the previous version serving', async () => {
    const res = await calls.deploy('lr', 'reg', '<PMML><oops');
    expect(res.statuses.some((s) => s.error !== '')).toBe(true);
    const after = await calls.predict('reg', { x: 1, z: 0 });
    expect(after.result?.value?.number).toBeCloseTo(regressionValue(V1, { x: 1, z: 0 }), 12);
    const st = await calls.status('reg', 'lr');
    expect(st.statuses.every((s) => s.state === 2 /* SERVING */)).toBe(true);
    expect(st.statuses.some((s) => /PMML/i.test(s.error))).toBe(true);
  });

  it('decides between several models of a data type on the speculative path', async () => {
    await calls.deploy('t1', 'vote', treePmml(10, 'low', 'high'));
    await calls.deploy('t2', 'vote', treePmml(20, 'low', 'high'));
    await calls.deploy('t3', 'vote', treePmml(30, 'low', 'high'));
    await calls.setPolicy('vote', 'majority', 2000);
    // x = 25: t1 → high, t2 → high, t3 → low: the majority says high with 2/3.
    const res = await calls.predict('vote', { x: 25 });
    expect(res.result?.value?.string).toBe('high');
    expect(res.confidence).toBeCloseTo(2 / 3, 6);
    expect(res.qualifiers.find((q) => q.key === 'decider')?.value).toBe('majority');
  });

  it('loses no request when an executor is killed mid-stream', async () => {
    const reqs = Array.from({ length: 6000 }, (_, i) => request('reg', { x: i, z: 0 }, `k${i}`));
    let killed = false;
    const out = await calls.stream(reqs, (i) => {
      if (i === 2000 && !killed) {
        killed = true;
        void topo.executors[0]!.kill();
      }
    });
    expect(killed).toBe(true);
    // Every request got an answer, and every answer is the right value: with two replicas the router
    // retries the killed executor's in-flight items on the survivor, so not one request may fail.
    expect(out.size).toBe(reqs.length);
    const failed: string[] = [];
    for (let i = 0; i < reqs.length; i++) {
      const r = out.get(`k${i}`)!;
      if (r.result?.error) failed.push(`k${i}: ${r.result.errorCode} ${r.result.error}`);
      else expect(r.result?.value?.number).toBeCloseTo(regressionValue(V1, { x: i, z: 0 }), 9);
    }
    expect({ failed: failed.length, first: failed.slice(0, 3) }).toEqual({ failed: 0, first: [] });
  }, 60_000);
});
