import { SpeculativeCollectorServiceService } from '@modelserving/contracts';
import { GrpcServer } from '@modelserving/transport';
import { CollectorEngine, type CollectorCounters } from './collector-engine';
import { createCollectorService, StreamRegistry } from './collector-service';
import { resolveCollectorConfig, type CollectorConfig, type CollectorOptions } from './config';
import type { Decider } from './decider';
import { DeciderRegistry } from './decider-registry';
import {
  createLogger,
  serverCredentials,
  sleep,
  type ServiceDeps,
  type ServiceHandle,
} from '@modelserving/service-kit';
import type { SpeculativeExecutionStats } from '@modelserving/contracts';

export const COLLECTOR_SERVICE_NAME = 'modelserving.v1.SpeculativeCollectorService';

/** Collaborators a caller may supply (tests, embedding). */
export interface CollectorDeps extends ServiceDeps {
  /** Extra deciders, registered next to `first` and `majority` (a same-named one replaces the built-in). */
  readonly deciders?: readonly Decider[];
}

export interface CollectorHandle extends ServiceHandle {
  readonly config: CollectorConfig;
  /** Bound port (useful with port 0). */
  readonly port: number;
  /** `host:port` routers and executors can dial. */
  readonly address: string;
  /** What GetStats answers: one data type's stats, or all when empty. */
  stats(dataType?: string): SpeculativeExecutionStats[];
  counters(): CollectorCounters;
  /**
   * Graceful stop: health NOT_SERVING and new expectations answered UNAVAILABLE, pending requests get up
   * to DRAIN_MS to decide on their own, what is left is decided now with the results it has (marked
   * timedOut), the decisions are flushed and every stream is ended, then the server closes.
   */
  stop(): Promise<void>;
}

/** Starts the speculative collector in this process. */
export async function startCollector(
  options: CollectorOptions = {},
  deps: CollectorDeps = {},
): Promise<CollectorHandle> {
  const config = resolveCollectorConfig(options);
  const log =
    deps.logger ??
    createLogger({
      service: 'speculative-collector',
      level: config.logLevel,
      ...(config.instance ? { instance: config.instance } : {}),
    });
  const deciders = new DeciderRegistry();
  for (const d of deps.deciders ?? []) deciders.register(d);
  const engine = new CollectorEngine({
    deciders,
    orphanTtlMs: config.orphanTtlMs,
    maxOrphans: config.maxOrphans,
    decidedCapacity: config.decidedCapacity,
    maxTimeoutMs: config.maxTimeoutMs,
  });
  const streams = new StreamRegistry();
  const bindHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  let server: GrpcServer;
  try {
    server = await GrpcServer.start({
      credentials: serverCredentials(),
      address: `${bindHost}:${config.port}`,
      services: [
        {
          name: COLLECTOR_SERVICE_NAME,
          definition: SpeculativeCollectorServiceService,
          implementation: createCollectorService(engine, streams, { maxBatch: config.maxBatch, log }),
        },
      ],
      reflectionProtos: ['modelserving/v1/internal.proto'],
    });
  } catch (err) {
    engine.close();
    throw err;
  }
  const dialHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const address = `${dialHost.includes(':') ? `[${dialHost}]` : dialHost}:${server.port}`;
  log.info('collector listening', {
    address: `${bindHost}:${server.port}`,
    deciders: deciders.names(),
    orphanTtlMs: config.orphanTtlMs,
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const t0 = Date.now();
      server.setServing(false);
      engine.beginStopping();
      const pending = engine.inFlight;
      if (pending > 0) {
        log.info('stopping: waiting for pending decisions', { drainMs: config.drainMs, pending });
        await Promise.race([engine.whenIdle(), sleep(config.drainMs)]);
      }
      const cancelled = engine.cancelAll();
      if (cancelled > 0)
        log.warn('stopping: decided requests early with the results they had', { cancelled });
      // Decisions go out before the streams end; routers then see a clean end of stream.
      streams.endAll();
      await server.stop(Math.max(500, config.drainMs - (Date.now() - t0)));
      engine.close();
      const c = engine.counters();
      log.info('collector stopped', {
        decisions: c.decisions,
        timedOut: c.timeouts,
        orphansDropped: c.orphansExpired + c.orphansEvicted,
      });
    })();
    return stopping;
  };

  return {
    config,
    port: server.port,
    address,
    stats: (dataType = '') => engine.getStats(dataType),
    counters: () => engine.counters(),
    stop,
  };
}
