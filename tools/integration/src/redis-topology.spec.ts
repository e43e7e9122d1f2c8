import { spawnSync } from 'node:child_process';
import {
  regressionPmml,
  regressionValue,
  startLocalTopology,
  startRedisServer,
  type LocalTopology,
  type RedisServerHandle,
} from '@modelserving/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterCalls, request } from './router-calls';

const V = { intercept: 0.5, coefficients: { x: 3 } };

const haveRedis = spawnSync('redis-server', ['--version']).status === 0;

/** The docker-compose topology (Redis store + membership), as local processes against a real Redis. */
describe.skipIf(!haveRedis)(
  `Redis topology as processes${haveRedis ? '' : ' (skipped: redis-server is not installed)'}`,
  () => {
    let redis: RedisServerHandle | undefined;
    let topo: LocalTopology;
    let calls: RouterCalls;

    beforeAll(async () => {
      redis = await startRedisServer();
      topo = await startLocalTopology({ executors: 2, redisUrl: redis!.url });
      calls = new RouterCalls(topo.routerAddress);
    }, 60_000);

    afterAll(async () => {
      calls?.close();
      await topo?.stop();
      await redis?.stop();
    });

    it('deploys through the Redis model stream and scores', async () => {
      const res = await calls.deploy('lr', 'redis-reg', regressionPmml(V));
      expect(res.position).toMatch(/^\d+-\d+$/);
      for (const s of res.statuses) expect(s.error).toBe('');
      const out = await calls.stream(
        Array.from({ length: 500 }, (_, i) => request('redis-reg', { x: i }, `r${i}`)),
      );
      for (let i = 0; i < 500; i++)
        expect(out.get(`r${i}`)!.result?.value?.number).toBeCloseTo(regressionValue(V, { x: i }), 9);
    });

    it('an executor that restarts rebuilds its models from the store (checkpoint/restore)', async () => {
      const [e1] = topo.executors;
      await e1!.stop();
      // The survivor takes over once the dead member's heartbeat expires; then scoring works again.
      let last: unknown;
      for (let i = 0; i < 50; i++) {
        try {
          const res = await calls.predict('redis-reg', { x: 2 });
          if (!res.result?.error) {
            expect(res.result?.value?.number).toBeCloseTo(6.5, 12);
            last = undefined;
            break;
          }
          last = res.result.error;
        } catch (err) {
          last = err;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(last).toBeUndefined();
    }, 30_000);
  },
);
