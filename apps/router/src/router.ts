import { ModelStoreServiceService, inference } from '@modelserving/contracts';
import {
  EmbeddedModelStore,
  RedisMembership,
  RedisModelStore,
  StaticMembership,
  createModelStoreServiceImpl,
  type ExecutorMembership,
  type ModelStore,
} from '@modelserving/model-store';
import { GrpcServer, type ServiceRegistration } from '@modelserving/transport';
import { resolveRouterConfig, type RouterConfig, type RouterOptions } from './config';
import {
  createLogger,
  errorMessage,
  serverCredentials,
  type ServiceDeps,
  type ServiceHandle,
} from '@modelserving/service-kit';
import { createInferenceService } from './oip/inference-service';
import { RequestRouter } from './request-router';
import { RoutingTable } from './routing-table';
import { createServingService } from './serving-service';
import { StoreFollower } from './store-follower';
import { ServingServiceDefinition } from './wire';

/** Collaborators a caller may supply instead of the ones built from the config (tests, embedding). */
export interface RouterDeps extends ServiceDeps {
  /** Use this store instead of creating one. The router does not close an injected store. */
  readonly store?: ModelStore;
  /**
   * Serve the store as ModelStoreService on the router's port so executors can tail it. Default: when the
   * store is embedded (no Redis).
   */
  readonly hostStore?: boolean;
  /** Use this membership instead of EXECUTORS / Redis. Not closed by the router. */
  readonly membership?: ExecutorMembership;
}

export interface RouterStatus {
  readonly storeLoaded: boolean;
  readonly position: string;
  readonly executors: readonly { id: string; address: string; connected: boolean; outstanding: number }[];
  readonly collectorConnected: boolean;
  readonly inFlight: number;
}

export interface RouterHandle extends ServiceHandle {
  readonly config: RouterConfig;
  /** Bound port (useful with port 0). */
  readonly port: number;
  /** `host:port` clients can dial. */
  readonly address: string;
  /** True once the store snapshot is loaded and at least one executor stream is connected. */
  isReady(): boolean;
  /** What the router is connected to right now (operations and tests). */
  status(): RouterStatus;
  /** Resolves when isReady() holds, or rejects after `timeoutMs`. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Graceful stop: health NOT_SERVING, drain in-flight requests (up to DRAIN_MS), close the server, then clients. */
  stop(): Promise<void>;
}

/** Starts the router in-process: store, routing table, executor and collector streams, gRPC services. */
export async function startRouter(options: RouterOptions = {}, deps: RouterDeps = {}): Promise<RouterHandle> {
  const config = resolveRouterConfig(options);
  const log =
    deps.logger ??
    createLogger({
      service: 'router',
      level: config.logLevel,
      ...(config.instance ? { instance: config.instance } : {}),
    });

  const ownsStore = deps.store === undefined;
  const store: ModelStore =
    deps.store ??
    (config.redisUrl
      ? await RedisModelStore.connect(config.redisUrl)
      : await EmbeddedModelStore.open(config.storeDir === undefined ? {} : { dir: config.storeDir }));
  const hostStore = deps.hostStore ?? !config.redisUrl;

  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn('error while stopping', { error: errorMessage(err) });
      }
    }
  };
  if (ownsStore) cleanups.push(() => store.close());

  try {
    const table = new RoutingTable();
    const follower = new StoreFollower(store, table, log);
    follower.start();
    cleanups.push(() => follower.stop());

    const router = new RequestRouter(table, {
      joinMode: config.joinMode,
      replicas: config.replicas,
      maxBatch: config.maxBatch,
      defaultSpeculativeTimeoutMs: config.defaultSpeculativeTimeoutMs,
      ...(config.collectorAddress ? { collectorAddress: config.collectorAddress } : {}),
      log,
    });
    router.start();
    cleanups.push(() => router.close());

    const ownsMembership = deps.membership === undefined;
    const membership: ExecutorMembership =
      deps.membership ??
      (config.redisUrl
        ? await RedisMembership.connect(config.redisUrl)
        : StaticMembership.parse(config.executors.join(',')));
    if (ownsMembership) cleanups.push(() => membership.close());
    if (!config.redisUrl && config.executors.length === 0 && deps.membership === undefined) {
      log.warn(
        'no executors configured (set EXECUTORS or REDIS_URL): every request will fail with UNAVAILABLE',
      );
    }
    const unwatch = membership.watch((members) => router.pool.setMembers(members));
    cleanups.push(unwatch);

    const services: ServiceRegistration[] = [
      {
        name: 'modelserving.v1.ModelServingService',
        definition: ServingServiceDefinition,
        implementation: createServingService({ config, router, table, store, follower, log }),
      },
      {
        name: 'inference.GRPCInferenceService',
        definition: inference.GRPCInferenceServiceService,
        implementation: createInferenceService({ config, router, table }),
      },
    ];
    if (hostStore) {
      services.push({
        name: 'modelserving.v1.ModelStoreService',
        definition: ModelStoreServiceService,
        implementation: createModelStoreServiceImpl(store),
      });
    }
    const server = await GrpcServer.start({
      credentials: serverCredentials(),
      services,
      address: `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`,
      reflectionProtos: ['modelserving/v1/serving_service.proto', 'inference/open_inference_grpc.proto'],
    });
    cleanups.push(() => server.forceStop());

    // Serve a loaded table from the first call when the store answers quickly (it usually does).
    await follower.loaded(2_000);
    const dialHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const address = `${dialHost.includes(':') ? `[${dialHost}]` : dialHost}:${server.port}`;
    log.info('router listening', {
      address,
      joinMode: config.joinMode,
      replicas: config.replicas,
      store: config.redisUrl ? 'redis' : deps.store ? 'injected' : 'embedded',
      hostStore,
      collector: config.collectorAddress ?? null,
    });

    const isReady = () => table.loaded && router.pool.liveCount > 0;
    let stopping: Promise<void> | undefined;
    return {
      config,
      port: server.port,
      address,
      isReady,
      status: () => ({
        storeLoaded: table.loaded,
        position: table.position,
        executors: router.pool
          .connections()
          .map((c) => ({ id: c.id, address: c.address, connected: c.ready, outstanding: c.outstanding })),
        collectorConnected: router.collector?.ready ?? false,
        inFlight: router.inFlight,
      }),
      async waitUntilReady(timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        while (!isReady()) {
          if (Date.now() >= deadline) {
            throw new Error(
              `router not ready after ${timeoutMs} ms (store loaded: ${table.loaded}, executors connected: ${router.pool.liveCount})`,
            );
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      stop() {
        stopping ??= (async () => {
          const deadline = Date.now() + config.drainMs;
          // NOT_SERVING first, then no new calls while the calls in flight finish (up to DRAIN_MS)...
          await server.stop(config.drainMs);
          // ...then whatever the router still has in flight, and only then the executor/collector clients.
          const drained = await router.whenIdle(Math.max(0, deadline - Date.now()));
          if (!drained)
            log.warn('drain period over with requests still in flight', { inFlight: router.inFlight });
          await cleanup();
          log.info('router stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
