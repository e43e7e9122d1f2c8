import {
  regressionPmml,
  regressionValue,
  startLocalTopology,
  type LocalTopology,
} from '@modelserving/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterCalls, request } from './router-calls';

const A = { intercept: 1, coefficients: { x: 1 } };
const B = { intercept: 1000, coefficients: { x: 1 } };

/** Redeploying under load: no failed, lost or wrong answer. (Latency is the benchmark's job.) */
describe('hot swap under load', () => {
  let topo: LocalTopology;
  let calls: RouterCalls;

  beforeAll(async () => {
    topo = await startLocalTopology({ executors: 1, collector: false });
    calls = new RouterCalls(topo.routerAddress);
    await calls.deploy('swapped', 'swap', regressionPmml(A));
  }, 60_000);

  afterAll(async () => {
    calls?.close();
    await topo?.stop();
  });

  it('answers every request from one of the two versions while redeploying 100 times', async () => {
    const call = calls.native.predictStream();
    const answers = new Map<string, { value?: number; error: string }>();
    const ended = new Promise<void>((resolve, reject) => {
      call.on('data', (r) =>
        answers.set(r.guid, { value: r.result?.value?.number, error: r.result?.error ?? '' }),
      );
      call.on('end', resolve);
      call.on('error', reject);
    });
    let sent = 0;
    let sending = true;
    const sender = (async () => {
      while (sending) {
        for (let k = 0; k < 20; k++) call.write(request('swap', { x: sent }, String(sent++)));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    for (let i = 1; i <= 100; i++) {
      const res = await calls.deploy('swapped', 'swap', regressionPmml(i % 2 ? B : A));
      for (const s of res.statuses) expect(s.error).toBe('');
    }
    sending = false;
    await sender;
    call.end();
    await ended;

    expect(sent).toBeGreaterThan(1000);
    expect(answers.size).toBe(sent);
    const versions = new Set<string>();
    for (let i = 0; i < sent; i++) {
      const a = answers.get(String(i))!;
      expect(a.error).toBe('');
      if (a.value === regressionValue(A, { x: i })) versions.add('A');
      else if (a.value === regressionValue(B, { x: i })) versions.add('B');
      else throw new Error(`request ${i}: ${a.value} is from neither version`);
    }
    expect(versions).toEqual(new Set(['A', 'B']));
  }, 120_000);
});
