import { status as grpcStatus, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  Backoff,
  channelOptions,
  clientCredentials,
  errorMessage,
  type BackoffOptions,
  type Logger,
} from '@modelserving/service-kit';
import { createHealthClient, type HealthClient } from '@modelserving/transport';

export interface ExecutorHealthOptions {
  readonly log: Logger;
  /** Called whenever `serving` changes. */
  readonly onChange: () => void;
  readonly backoff?: BackoffOptions;
}

/**
 * Watches one executor's standard health service (grpc.health.v1 Watch on the server-wide name '') and
 * keeps reconnecting with the kit's backoff. An executor is NOT_SERVING while it loads the model store
 * after a (re)start and while it drains; the router sends it nothing then. A server without a health
 * service (UNIMPLEMENTED) is taken as serving: its Score stream alone decides.
 */
export class ExecutorHealth {
  private status = 'UNKNOWN';
  private noHealthService = false;
  private readonly client: HealthClient;
  private readonly backoff: Backoff;
  private call: ClientReadableStream<{ status: string }> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly id: string,
    readonly address: string,
    private readonly options: ExecutorHealthOptions,
  ) {
    this.client = createHealthClient(address, clientCredentials(), channelOptions());
    this.backoff = new Backoff(options.backoff);
  }

  /** True when the executor last reported SERVING (or has no health service). */
  get serving(): boolean {
    return this.noHealthService || this.status === 'SERVING';
  }

  /** The last status seen, by name (UNKNOWN while not connected). */
  get statusName(): string {
    return this.noHealthService ? 'NO_HEALTH_SERVICE' : this.status;
  }

  start(): void {
    this.watch();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.call?.cancel();
    this.call = undefined;
    this.client.close();
  }

  private watch(): void {
    if (this.closed) return;
    const call = this.client.watch({ service: '' });
    this.call = call;
    let ended = false;
    const end = (reason: string, err?: ServiceError) => {
      if (ended || this.call !== call) return;
      ended = true;
      this.call = undefined;
      if (this.closed) return;
      if (err?.code === grpcStatus.UNIMPLEMENTED) {
        this.options.log.info('executor has no health service; routing by its Score stream alone', {
          executor: this.id,
        });
        this.noHealthService = true;
        this.options.onChange();
        return;
      }
      this.set('UNKNOWN');
      const delay = this.backoff.next();
      this.options.log.debug('executor health watch lost; reconnecting', {
        executor: this.id,
        reason,
        delayMs: delay,
      });
      this.timer = setTimeout(() => this.watch(), delay);
      this.timer.unref();
    };
    call.on('data', (res: { status: string }) => {
      this.backoff.connected();
      this.set(res.status);
    });
    call.on('error', (err: ServiceError) => end(errorMessage(err), err));
    call.on('end', () => end('the executor ended the watch'));
  }

  private set(status: string): void {
    if (status === this.status) return;
    const was = this.serving;
    this.status = status;
    if (this.serving !== was) {
      this.options.log.info(this.serving ? 'executor serving' : 'executor not serving', {
        executor: this.id,
        address: this.address,
        health: this.statusName,
      });
      this.options.onChange();
    }
  }
}
