import { spawnSync } from 'node:child_process';
import type { ServingResponse } from '@modelserving/contracts';
import { RedisMembership } from '@modelserving/model-store';
import { startRedisServer, type RedisServerHandle } from '@modelserving/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRouter, type RouterHandle } from './router';
import { call, deploy, record, servingClient, servingRequest, waitFor } from './test-support/clients';
import { FakeExecutor } from './test-support/fake-executor';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

describe.skipIf(!hasRedis)(
  `Redis store and membership${hasRedis ? '' : ' (skipped: redis-server binary not found on PATH)'}`,
  () => {
    let redis: RedisServerHandle | undefined;
    let router: RouterHandle;
    const executors: FakeExecutor[] = [];
    const memberships: RedisMembership[] = [];

    beforeAll(async () => {
      redis = await startRedisServer();
      for (let i = 0; i < 2; i++) {
        const e = await FakeExecutor.start();
        executors.push(e);
        const m = await RedisMembership.connect(redis!.url);
        await m.register(`exec-${i}`, e.address);
        memberships.push(m);
      }
      router = await startRouter({
        host: '127.0.0.1',
        port: 0,
        logLevel: 'silent',
        redisUrl: redis!.url,
        drainMs: 500,
      });
    });

    afterAll(async () => {
      await router?.stop();
      for (const m of memberships) await m.close();
      for (const e of executors) await e.stop();
      await redis?.stop();
    });

    it('routes with members from Redis and follows deregistration', async () => {
      await waitFor(
        () => router.status().executors.filter((e) => e.connected).length === 2,
        10_000,
        'both executors connected',
      );
      expect(
        router
          .status()
          .executors.map((e) => e.id)
          .sort(),
      ).toEqual(['exec-0', 'exec-1']);
      const client = servingClient(router.address);
      await deploy(client, 'wine', 'm1');
      const res = await call<ServingResponse>(
        client,
        'predict',
        servingRequest({ dataType: 'wine', data: record({ x: 1, y: 2 }) }),
      );
      expect(res.result?.value?.number).toBe(3);
      const owner = res.result!.source;
      // The owner leaves: the key moves to the other executor.
      const idx = executors.findIndex((e) => e.id === owner);
      await memberships[idx]!.deregister();
      await waitFor(() => router.status().executors.length === 1, 10_000, 'membership change seen');
      const again = await call<ServingResponse>(
        client,
        'predict',
        servingRequest({ dataType: 'wine', data: record({ x: 1, y: 2 }) }),
      );
      expect(again.result?.source).not.toBe(owner);
      client.close();
    });
  },
);
