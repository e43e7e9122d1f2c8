import type { ModelServingServiceClient } from '@modelserving/contracts';
import { EmbeddedModelStore } from '@modelserving/model-store';
import type { RouterHandle } from '../router';
import type { RouterOptions } from '../config';
import { startRouter } from '../router';
import { servingClient, waitFor } from './clients';
import { FakeCollector } from './fake-collector';
import { FakeExecutor, type FakeExecutorOptions } from './fake-executor';

export interface TestTopology {
  readonly store: EmbeddedModelStore;
  readonly executors: FakeExecutor[];
  readonly collector?: FakeCollector;
  readonly router: RouterHandle;
  readonly client: ModelServingServiceClient;
  stop(): Promise<void>;
}

export interface TopologyOptions {
  readonly executors?: number;
  readonly collector?: boolean;
  readonly executorOptions?: (i: number) => Omit<FakeExecutorOptions, 'collector' | 'store'>;
  readonly router?: Omit<RouterOptions, 'executors' | 'collectorAddress'>;
}

/** An injected embedded store, fake executors and collector on port 0, and the router in-process. */
export async function startTopology(options: TopologyOptions = {}): Promise<TestTopology> {
  const store = await EmbeddedModelStore.open();
  const collector = options.collector ? await FakeCollector.start() : undefined;
  const executors: FakeExecutor[] = [];
  for (let i = 0; i < (options.executors ?? 2); i++) {
    executors.push(
      await FakeExecutor.start({
        ...(options.executorOptions?.(i) ?? {}),
        store,
        ...(collector ? { collector } : {}),
      }),
    );
  }
  const router = await startRouter(
    {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      drainMs: 1_000,
      ...options.router,
      executors: executors.map((e) => e.address),
      ...(collector ? { collectorAddress: collector.address } : {}),
    },
    { store },
  );
  await waitFor(
    () =>
      router.status().executors.every((e) => e.connected) &&
      (!collector || router.status().collectorConnected),
    10_000,
    'router connected to every fake',
  );
  const client = servingClient(router.address);
  return {
    store,
    executors,
    ...(collector ? { collector } : {}),
    router,
    client,
    async stop() {
      client.close();
      await router.stop();
      await Promise.all(executors.map((e) => e.stop()));
      await collector?.stop();
      await store.close();
    },
  };
}
