import type { ExecutorStatusResponse } from '@modelserving/contracts';
import { ModelExecutorServiceService } from '@modelserving/contracts';
import { MapModelFactoryResolver, ModelRegistry, type ModelFactory } from '@modelserving/model-core';
import {
  RedisMembership,
  StaticMembership,
  ContentResolver,
  createModelStore,
  StoreFollower,
  type ExecutorMembership,
  type ModelStore,
} from '@modelserving/model-store';
import { defaultModelFactories } from '@modelserving/model-formats';
import { GrpcServer } from '@modelserving/transport';
import { BuildQueue } from './build-queue';
import { CollectorLink, type CollectorLinkStats } from './collector-link';
import { resolveExecutorConfig, type ExecutorConfig, type ExecutorOptions } from './config';
import { FetchingFactoryResolver } from './content-factory';
import { SessionSet, createExecutorService, executorStatus } from './executor-service';
import {
  clientCredentials,
  createLogger,
  errorMessage,
  serverCredentials,
  sleep,
  type Logger,
  type ServiceDeps,
  type ServiceHandle,
} from '@modelserving/service-kit';
import { MembershipTracker } from './membership-tracker';
import { ModelSync } from './model-sync';
import { Ownership } from './ownership';
import type { ScoreContext } from './score-session';

export {
  resolveExecutorConfig,
  loadExecutorConfigFromEnv,
  ExecutorConfigError,
  EXECUTOR_SETTINGS,
  type ExecutorConfig,
  type ExecutorOptions,
  type JoinMode,
} from './config';
export type { CollectorLinkStats } from './collector-link';

export const EXECUTOR_SERVICE_NAME = 'modelserving.v1.ModelExecutorService';

/** Collaborators a caller may supply instead of the ones built from the config (tests, embedding). */
export interface ExecutorDeps extends ServiceDeps {
  /** Model store to follow; not closed by stop(). Default: Redis (REDIS_URL) or remote (STORE_ADDRESS). */
  readonly store?: ModelStore;
  /** Membership for key mode; deregistered but not closed by stop(). Default: Redis or static. */
  readonly membership?: ExecutorMembership;
  /** Model factories; default every format (defaultModelFactories). */
  readonly factories?: readonly ModelFactory[];
}

export interface ExecutorHandle extends ServiceHandle {
  readonly port: number;
  /** Address routers reach this executor at (the advertised address). */
  readonly address: string;
  readonly executorId: string;
  readonly config: ExecutorConfig;
  /** Model-stream position applied so far. */
  position(): string;
  /** What GetStatus would answer. */
  status(modelKeys?: readonly string[]): ExecutorStatusResponse;
  /** Resolves once the first store snapshot has been applied (health turns SERVING then). */
  synced(): Promise<void>;
  collectorStats(): CollectorLinkStats;
  /**
   * Graceful stop: health NOT_SERVING, leave the membership, answer in-flight items and end the Score
   * streams (bounded by DRAIN_MS), close the server, flush the collector stream, stop following the
   * store, close what this executor opened, then clean up every model.
   */
  stop(): Promise<void>;
}

/** Starts a model executor in this process. */
export async function startExecutor(
  options: ExecutorOptions = {},
  deps: ExecutorDeps = {},
): Promise<ExecutorHandle> {
  const config = resolveExecutorConfig(options);
  const log =
    deps.logger ??
    createLogger({
      service: 'model-executor',
      level: config.logLevel,
      ...(config.instance ? { instance: config.instance } : {}),
    });
  if (!deps.store && config.redisUrl === undefined && config.storeAddress === undefined) {
    throw new Error('model executor: no model store (set REDIS_URL or STORE_ADDRESS, or pass a store)');
  }

  const sessions = new SessionSet();
  // The context is completed once the port is bound (the default executor id contains it); no call can
  // reach the service before then.
  const ctx = { executorId: '' } as { -readonly [K in keyof ScoreContext]: ScoreContext[K] };
  const server = await GrpcServer.start({
    credentials: serverCredentials(),
    address: `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`,
    services: [
      {
        name: EXECUTOR_SERVICE_NAME,
        definition: ModelExecutorServiceService,
        implementation: createExecutorService(ctx, sessions),
      },
    ],
  });
  // Not ready until the store snapshot is applied.
  server.setServing(false);
  const port = server.port;
  const address = config.advertiseAddress ?? `127.0.0.1:${port}`;
  const executorId = config.executorId ?? address;

  // What was opened so far, closed in reverse on a failed start.
  const cleanups: (() => Promise<void> | void)[] = [() => server.forceStop()];
  let stopping: Promise<void> | undefined;
  try {
    const store =
      deps.store ??
      (await createModelStore({
        redisUrl: config.redisUrl,
        storeAddress: config.storeAddress,
        credentials: clientCredentials(),
      }));
    const ownsStore = !deps.store;
    if (ownsStore) cleanups.unshift(() => store.close());

    const queue = new BuildQueue(config.buildConcurrency);
    const contents = new ContentResolver(store, { maxModelBytes: config.maxModelBytes });
    const factories = deps.factories ?? defaultModelFactories();
    const registry = new ModelRegistry({
      resolver: new FetchingFactoryResolver(
        new MapModelFactoryResolver(factories),
        (d) => contents.resolve(d),
        queue,
        config.maxModelBytes,
      ),
      onCleanupError: (key, err) =>
        log.warn('model cleanup failed', { model: key, error: errorMessage(err) }),
    });
    cleanups.unshift(() => registry.close());

    const ownership = new Ownership(executorId, config.joinMode, config.replicas);
    const sync = new ModelSync({
      registry,
      ownership,
      log,
      ownershipGraceMs: config.ownershipGraceMs,
      unknownKeyWaitMs: config.unknownKeyWaitMs,
      startupWaitMs: config.startupWaitMs,
    });
    cleanups.unshift(() => sync.close());

    let tracker: MembershipTracker | undefined;
    let ownedMembership: ExecutorMembership | undefined;
    if (config.joinMode === 'partition') {
      await sync.membersChanged([executorId]);
    } else {
      let membership = deps.membership;
      if (!membership) {
        membership = ownedMembership = await defaultMembership(config, executorId, log);
        const m = membership;
        cleanups.unshift(() => m.close());
      }
      tracker = new MembershipTracker(membership, sync, { id: executorId, address }, log);
      // A static list built from EXECUTORS is the routers' list too: this executor must not add itself.
      await tracker.start(deps.membership !== undefined || config.redisUrl !== undefined);
      const t = tracker;
      cleanups.unshift(() => t.deregister());
    }

    const collector = new CollectorLink({ address: config.collectorAddress, maxBatch: config.maxBatch, log });
    cleanups.unshift(() => collector.close());
    Object.assign(ctx, {
      executorId,
      registry,
      sync,
      collector,
      maxBatch: config.maxBatch,
      log,
    } satisfies ScoreContext);

    const follower = new StoreFollower(store, sync, { log });
    follower.start();
    void sync.whenSynced().then(() => {
      if (!stopping) server.setServing(true);
    });

    log.info('executor listening', {
      address: `${config.host}:${port}`,
      executor: executorId,
      joinMode: config.joinMode,
      replicas: config.replicas,
      store: deps.store ? 'injected' : config.redisUrl ? 'redis' : config.storeAddress,
      collector: config.collectorAddress ?? null,
    });

    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        const t0 = Date.now();
        server.setServing(false);
        // Leave the member list first so routers move this executor's keys away while it drains.
        if (tracker) await tracker.deregister();
        await Promise.race([sessions.drain(), sleep(config.drainMs)]);
        await server.stop(Math.max(0, config.drainMs - (Date.now() - t0)));
        await settle(() => collector.close(), log);
        await settle(() => follower.stop(), log);
        sync.close();
        if (ownedMembership) await settle(() => (ownedMembership as ExecutorMembership).close(), log);
        if (ownsStore) await settle(() => store.close(), log);
        await settle(() => registry.close(), log);
        log.info('executor stopped');
      })();
      return stopping;
    };

    return {
      port,
      address,
      executorId,
      config,
      position: () => sync.position,
      status: (modelKeys = []) => executorStatus(ctx as ScoreContext, { modelKeys: [...modelKeys] }),
      synced: () => sync.whenSynced(),
      collectorStats: () => collector.stats(),
      stop,
    };
  } catch (err) {
    for (const c of cleanups) await settle(c, log);
    throw err;
  }
}

/** Redis membership with REDIS_URL, else the static EXECUTORS list (or this executor alone). */
async function defaultMembership(
  config: ExecutorConfig,
  executorId: string,
  log: Logger,
): Promise<ExecutorMembership> {
  if (config.redisUrl !== undefined) return RedisMembership.connect(config.redisUrl);
  const ids = config.executors.length > 0 ? config.executors : [executorId];
  if (!ids.includes(executorId)) {
    log.warn('EXECUTORS does not list this executor: it owns no keys and builds on demand only', {
      executor: executorId,
      executors: ids,
    });
  }
  return new StaticMembership(ids.map((id) => ({ id, address: id })));
}

async function settle(c: () => Promise<void> | void, log: Logger): Promise<void> {
  try {
    await c();
  } catch (err) {
    log.warn('error while stopping', { error: errorMessage(err) });
  }
}
