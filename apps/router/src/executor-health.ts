import {
  makeGenericClientConstructor,
  status as grpcStatus,
  type Client,
  type ClientReadableStream,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  Backoff,
  channelOptions,
  clientCredentials,
  errorMessage,
  type BackoffOptions,
  type Logger,
} from '@modelserving/service-kit';
import { WireType, fieldTag, tagWireType } from '@modelserving/protobuf-wire';

/** grpc.health.v1.HealthCheckResponse.ServingStatus. */
export const HealthStatus = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;
const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/*
 * The two health messages are one field each, so they are coded here rather than loading health.proto:
 * HealthCheckRequest { string service = 1 }, HealthCheckResponse { ServingStatus status = 1 }.
 */
const SERVICE_NAME = fieldTag(1, WireType.LEN);
const STATUS = fieldTag(1, WireType.VARINT);

function encodeRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  if (name.length === 0) return Buffer.alloc(0);
  if (name.length > 127) throw new RangeError('health service name too long');
  return Buffer.concat([Buffer.from([SERVICE_NAME, name.length]), name]);
}

/** The status field of a HealthCheckResponse; unknown fields are skipped, a malformed message is UNKNOWN. */
export function decodeHealthStatus(b: Buffer): number {
  let i = 0;
  let status: number = HealthStatus.UNKNOWN;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (i >= b.length) throw new RangeError('truncated');
      const byte = b[i++] as number;
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return v;
    }
    throw new RangeError('varint too long');
  };
  try {
    while (i < b.length) {
      const tag = varint();
      const wire = tagWireType(tag);
      if (tag === STATUS) status = varint();
      else if (wire === WireType.VARINT) varint();
      else if (wire === WireType.LEN) {
        const length = varint();
        i += length;
      } else if (wire === WireType.I64) i += 8;
      else if (wire === WireType.I32) i += 4;
      else return HealthStatus.UNKNOWN;
    }
  } catch {
    return HealthStatus.UNKNOWN;
  }
  return status;
}

const HEALTH_SERVICE: ServiceDefinition = {
  watch: {
    path: '/grpc.health.v1.Health/Watch',
    requestStream: false,
    responseStream: true,
    requestSerialize: (service: string) => encodeRequest(service),
    requestDeserialize: (b: Buffer) => b.toString('utf8'),
    responseSerialize: (s: number) => Buffer.from([0x08, s]),
    responseDeserialize: decodeHealthStatus,
  },
};

type HealthClient = Client & { watch(service: string): ClientReadableStream<number> };
const HealthClientCtor = makeGenericClientConstructor(
  HEALTH_SERVICE,
  'grpc.health.v1.Health',
) as unknown as new (
  address: string,
  creds: ReturnType<typeof clientCredentials>,
  options: ReturnType<typeof channelOptions>,
) => HealthClient;

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
  private status: number = HealthStatus.UNKNOWN;
  private noHealthService = false;
  private readonly client: HealthClient;
  private readonly backoff: Backoff;
  private call: ClientReadableStream<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly id: string,
    readonly address: string,
    private readonly options: ExecutorHealthOptions,
  ) {
    this.client = new HealthClientCtor(address, clientCredentials(), channelOptions());
    this.backoff = new Backoff(options.backoff);
  }

  /** True when the executor last reported SERVING (or has no health service). */
  get serving(): boolean {
    return this.noHealthService || this.status === HealthStatus.SERVING;
  }

  /** The last status seen, by name (UNKNOWN while not connected). */
  get statusName(): string {
    return this.noHealthService ? 'NO_HEALTH_SERVICE' : (STATUS_NAMES[this.status] ?? 'UNKNOWN');
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
    const call = this.client.watch('');
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
      this.set(HealthStatus.UNKNOWN);
      const delay = this.backoff.next();
      this.options.log.debug('executor health watch lost; reconnecting', {
        executor: this.id,
        reason,
        delayMs: delay,
      });
      this.timer = setTimeout(() => this.watch(), delay);
      this.timer.unref();
    };
    call.on('data', (status: number) => {
      this.backoff.connected();
      this.set(status);
    });
    call.on('error', (err: ServiceError) => end(errorMessage(err), err));
    call.on('end', () => end('the executor ended the watch'));
  }

  private set(status: number): void {
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
