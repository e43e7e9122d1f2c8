import { credentials } from '@grpc/grpc-js';
import {
  ModelServingServiceClient,
  type DeployModelResponse,
  type ServingRequest,
  type ServingResponse,
} from '@modelserving/contracts';
import { startExecutor, type ExecutorHandle } from '@modelserving/model-executor';
import { EmbeddedModelStore, StaticMembership } from '@modelserving/model-store';
import { startRouter, type RouterHandle } from '@modelserving/router';
import { startCollector, type CollectorHandle } from '@modelserving/speculative-collector';
import { defaultChannelOptions } from '@modelserving/transport';

export interface InProcessCluster {
  readonly router: RouterHandle;
  readonly executors: ExecutorHandle[];
  readonly collector: CollectorHandle;
  readonly client: ModelServingServiceClient;
  deploy(name: string, dataType: string, pmml: string): Promise<DeployModelResponse>;
  predict(req: Partial<ServingRequest> & { dataType: string }): Promise<ServingResponse>;
  stop(): Promise<void>;
}

/**
 * Router, executors and collector in this process, each with its own gRPC server on a free port and
 * talking over real loopback connections (so tests can install an in-memory tracer and see every span).
 */
export async function startInProcessCluster(
  opts: { executors?: number; joinMode?: 'key' | 'partition' } = {},
): Promise<InProcessCluster> {
  const quiet = { logLevel: 'error' as const };
  const store = await EmbeddedModelStore.open();
  const collector = await startCollector({ host: '127.0.0.1', port: 0, ...quiet });
  const collectorAddress = `127.0.0.1:${collector.port}`;
  const joinMode = opts.joinMode ?? 'partition';
  const executors: ExecutorHandle[] = [];
  for (let i = 0; i < (opts.executors ?? 2); i++) {
    executors.push(
      await startExecutor(
        { host: '127.0.0.1', port: 0, collectorAddress, joinMode, drainMs: 500, ...quiet },
        { store },
      ),
    );
  }
  const membership = new StaticMembership(executors.map((e) => ({ id: e.executorId, address: e.address })));
  const router = await startRouter(
    {
      host: '127.0.0.1',
      port: 0,
      collectorAddress,
      joinMode,
      drainMs: 500,
      ...quiet,
    },
    { store, membership },
  );
  await router.waitUntilReady(10_000);
  const client = new ModelServingServiceClient(
    router.address,
    credentials.createInsecure(),
    defaultChannelOptions(),
  );
  return {
    router,
    executors,
    collector,
    client,
    deploy: (name, dataType, pmml) =>
      new Promise((resolve, reject) =>
        client.deployModel(
          {
            model: { name, description: '', dataType, modelType: 2, data: Buffer.from(pmml), metadata: {} },
            wait: true,
            waitTimeoutMs: 10_000,
          },
          (err, res) => (err ? reject(err) : resolve(res!)),
        ),
      ),
    predict: (req) =>
      new Promise((resolve, reject) =>
        client.predict(
          { guid: '', modelName: '', timeoutMs: 0, data: { features: {}, tensors: [] }, ...req },
          (err, res) => (err ? reject(err) : resolve(res!)),
        ),
      ),
    async stop() {
      client.close();
      await router.stop();
      await Promise.all(executors.map((e) => e.stop()));
      await collector.stop();
      await store.close();
    },
  };
}
