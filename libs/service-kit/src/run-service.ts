import { startLoopStats } from './loop-stats';
import { createLogger, errorMessage, type Logger, type LogLevel } from './logger';
import { onShutdownSignals } from './shutdown-signals';

/** What every service's start function returns. */
export interface ServiceHandle {
  /** `host:port` peers can dial. */
  readonly address: string;
  /**
   * Graceful stop: health NOT_SERVING first, then drain in-flight work for up to DRAIN_MS, then close
   * servers and clients. Idempotent.
   */
  stop(): Promise<void>;
}

/** What every service's start function takes besides its options. */
export interface ServiceDeps {
  readonly logger?: Logger;
}

export interface RunServiceOptions<
  C extends { readonly logLevel: LogLevel; readonly instance?: string | undefined },
  H extends ServiceHandle,
> {
  /** `service` field of every log line. */
  readonly service: string;
  /** Environment → validated config; throws ConfigError naming the variable. */
  readonly loadConfig: (env: NodeJS.ProcessEnv) => C;
  readonly start: (config: C, deps: ServiceDeps) => Promise<H>;
  /** Flushes traces last (the telemetry started by the service's instrument.ts). */
  readonly telemetry?: { shutdown(): Promise<void> };
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The body of every `main.ts`: config from the environment, one logger, start, and the same SIGTERM /
 * SIGINT handling (stop gracefully, flush traces, exit 0; a second signal exits at once). A bad setting
 * or a failed start logs one error line and exits 1.
 */
export function runService<
  C extends { readonly logLevel: LogLevel; readonly instance?: string | undefined },
  H extends ServiceHandle,
>(options: RunServiceOptions<C, H>): void {
  const env = options.env ?? process.env;
  let log = createLogger({ service: options.service });
  const fail = async (what: string, err: unknown): Promise<void> => {
    log.error(what, { error: errorMessage(err) });
    await options.telemetry?.shutdown();
    process.exit(1);
  };
  const main = async (): Promise<void> => {
    let config: C;
    try {
      config = options.loadConfig(env);
    } catch (err) {
      return fail('invalid configuration', err);
    }
    log = createLogger({
      service: options.service,
      level: config.logLevel,
      ...(config.instance !== undefined ? { instance: config.instance } : {}),
    });
    startLoopStats(log, env);
    const handle = await options.start(config, { logger: log });
    onShutdownSignals(async () => {
      try {
        await handle.stop();
      } finally {
        await options.telemetry?.shutdown();
      }
    }, log);
  };
  main().catch((err: unknown) => fail('failed to start', err));
}
