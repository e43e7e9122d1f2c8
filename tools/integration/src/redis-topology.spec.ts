import { spawnSync } from 'node:child_process';
import { Metadata, credentials } from '@grpc/grpc-js';
import {
  ModelExecutorServiceClient,
  ModelStatus_State,
  type ExecutorStatusResponse,
  type ServingResponse,
} from '@modelserving/contracts';
import {
  appMain,
  regressionPmml,
  regressionValue,
  spawnService,
  startLocalTopology,
  startRedisServer,
  type LocalTopology,
  type RedisServerHandle,
  type ServiceProcess,
} from '@modelserving/testing';
import { waitForServing } from '@modelserving/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterCalls, request } from './router-calls';

const V = { intercept: 0.5, coefficients: { x: 3 } };

/** Whether the executor at `address` reports `key` SERVING in its own GetStatus. */
async function executorServes(address: string, key: string): Promise<boolean> {
  const client = new ModelExecutorServiceClient(address, credentials.createInsecure());
  try {
    const res = await new Promise<ExecutorStatusResponse>((resolve, reject) =>
      client.getStatus({ modelKeys: [key] }, new Metadata(), { deadline: Date.now() + 2_000 }, (err, r) =>
        err ? reject(err) : resolve(r),
      ),
    );
    return res.models.some((m) => m.modelKey === key && m.state === ModelStatus_State.SERVING);
  } finally {
    client.close();
  }
}

/**
 * A new executor process with the id, address and configuration startLocalTopology gave `old` (Redis
 * mode): the same member coming back after a crash.
 */
function restartExecutor(
  old: ServiceProcess,
  redisUrl: string,
  collector: string | undefined,
): ServiceProcess {
  const port = old.address.slice(old.address.lastIndexOf(':') + 1);
  return spawnService(`${old.name}-restarted`, appMain('model-executor'), old.address, {
    HOST: '127.0.0.1',
    JOIN_MODE: 'key',
    REPLICAS: '1',
    DRAIN_MS: '1000',
    REDIS_URL: redisUrl,
    ...(collector ? { COLLECTOR_ADDRESS: collector } : {}),
    EXECUTOR_PORT: port,
    EXECUTOR_ID: old.address,
    EXECUTOR_ADVERTISE_ADDRESS: old.address,
  });
}

const haveRedis = spawnSync('redis-server', ['--version']).status === 0;

/** The docker-compose topology (Redis store + membership), as local processes against a real Redis. */
describe.skipIf(!haveRedis)(
  `Redis topology as processes${haveRedis ? '' : ' (skipped: redis-server is not installed)'}`,
  () => {
    let redis: RedisServerHandle | undefined;
    let topo: LocalTopology;
    let calls: RouterCalls;
    let restarted: ServiceProcess | undefined;

    beforeAll(async () => {
      redis = await startRedisServer();
      topo = await startLocalTopology({ executors: 2, redisUrl: redis!.url });
      calls = new RouterCalls(topo.routerAddress);
    }, 60_000);

    afterAll(async () => {
      calls?.close();
      await restarted?.stop();
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
      const key = 'redis-reg/lr';
      // The executor that serves the model (asked directly, not through the router).
      const serving = await Promise.all(topo.executors.map((e) => executorServes(e.address, key)));
      const index = serving.indexOf(true);
      expect(index, 'one executor serves the model before the restart').toBeGreaterThanOrEqual(0);
      const victim = topo.executors[index]!;
      // Crash it: nothing is saved on the way down, the new process has only the store to go by.
      await victim.kill();
      expect(await executorServes(victim.address, key).catch(() => 'down')).toBe('down');
      // The same executor comes back: same id, same address, same configuration, a new process.
      restarted = restartExecutor(victim, redis!.url, topo.collector?.address);
      await waitForServing(restarted.address, '', 20_000);
      // The restarted process itself rebuilt the model from the store (a survivor serving it does not count).
      const deadline = Date.now() + 20_000;
      while (!(await executorServes(restarted.address, key))) {
        if (Date.now() > deadline)
          throw new Error(`the restarted executor never served ${key}\n${restarted.output().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // And it scores: once the router sees it again, the model's requests go to it (its rendezvous owner).
      let res: ServingResponse | undefined;
      for (let i = 0; i < 100; i++) {
        res = await calls.predict('redis-reg', { x: 2 }).catch(() => undefined);
        if (res?.result?.error === '' && res.result.source === restarted.address) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(res?.result?.error).toBe('');
      expect(res?.result?.source).toBe(restarted.address);
      expect(res?.result?.value?.number).toBeCloseTo(regressionValue(V, { x: 2 }), 12);
    }, 60_000);
  },
);
