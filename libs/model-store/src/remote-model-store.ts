import {
  Metadata,
  credentials as grpcCredentials,
  type ChannelCredentials,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  ModelStoreServiceClient,
  type GetBlobResponse,
  type ModelStreamEvent,
  type PublishResponse,
  type PutBlobResponse,
  type SnapshotPage,
  type StoreSnapshot,
} from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';
import { defaultChannelOptions, fromGrpcError } from '@modelserving/transport';
import { Backoff, sleep } from '@modelserving/service-kit';
import { DEFAULT_BACKOFF, type BackoffOptions } from '@modelserving/service-kit';
import { blobDigest } from './blob-key';
import { toBuffer } from './event-validation';
import type { ModelStore, PublishEvent } from './model-store';
import { SnapshotAssembler } from './snapshot-pages';
import { validatePosition } from './positions';
import { DEFAULT_MAX_MODEL_BYTES, requirePositiveInt } from './store-limits';
import { StreamGapError } from './stream-gap-error';

export interface RemoteModelStoreOptions {
  /** Tail reconnect backoff. Default 100 ms doubling up to 2 s. */
  readonly reconnect?: BackoffOptions;
  /** Deadline of unary calls (publish, snapshot, blobs). Default 60 s: blobs may be large. */
  readonly callTimeoutMs?: number;
  /** Largest gRPC message sent or received. Default: the default maxModelBytes plus 1 MiB of headroom. */
  readonly maxMessageBytes?: number;
  /** Default insecure (in-cluster traffic). */
  readonly credentials?: ChannelCredentials;
}

interface RemoteConfig {
  readonly reconnect: BackoffOptions;
  readonly callTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly credentials: ChannelCredentials;
}

function resolveConfig(options: RemoteModelStoreOptions): RemoteConfig {
  return {
    reconnect: {
      initialMs: requirePositiveInt(
        'reconnect.initialMs',
        options.reconnect?.initialMs ?? DEFAULT_BACKOFF.initialMs,
      ),
      maxMs: requirePositiveInt('reconnect.maxMs', options.reconnect?.maxMs ?? DEFAULT_BACKOFF.maxMs),
    },
    callTimeoutMs: requirePositiveInt('callTimeoutMs', options.callTimeoutMs ?? 60_000),
    maxMessageBytes: requirePositiveInt(
      'maxMessageBytes',
      options.maxMessageBytes ?? DEFAULT_MAX_MODEL_BYTES + 1024 * 1024,
    ),
    credentials: options.credentials ?? grpcCredentials.createInsecure(),
  };
}

/** Codes after which reconnecting cannot help: the request itself is wrong or not allowed. */
const FATAL_TAIL_CODES: ReadonlySet<number> = new Set([
  Code.INVALID_ARGUMENT,
  Code.UNIMPLEMENTED,
  Code.PERMISSION_DENIED,
  Code.UNAUTHENTICATED,
  Code.DATA_LOSS,
]);

/**
 * A ModelStore in another process, over gRPC `ModelStoreService` (see `createModelStoreServiceImpl`). The
 * tail survives restarts of that process: it reconnects with backoff and resumes after the last event it
 * delivered, so the consumer sees every event exactly once.
 */
export class RemoteModelStore implements ModelStore {
  private readonly client: ModelStoreServiceClient;
  private readonly calls = new Set<ClientReadableStream<ModelStreamEvent>>();
  private readonly snapshotCalls = new Set<ClientReadableStream<SnapshotPage>>();
  private readonly closing = new AbortController();

  private constructor(
    readonly address: string,
    private readonly config: RemoteConfig,
  ) {
    this.client = new ModelStoreServiceClient(address, config.credentials, {
      ...defaultChannelOptions(config.maxMessageBytes),
      // The channel's own reconnect backoff (default up to 120 s) would otherwise dominate ours.
      'grpc.initial_reconnect_backoff_ms': config.reconnect.initialMs,
      'grpc.max_reconnect_backoff_ms': config.reconnect.maxMs,
    });
  }

  /** Connects lazily: the store process may start after this one; calls fail with UNAVAILABLE until it is up. */
  static connect(address: string, options: RemoteModelStoreOptions = {}): RemoteModelStore {
    return new RemoteModelStore(address, resolveConfig(options));
  }

  async publish(event: PublishEvent): Promise<string> {
    const response = await this.call<PublishResponse>('publish', (cb) =>
      this.client.publish(
        { event: { ...event, position: '', timestampMs: 0 } },
        this.metadata(),
        this.options(),
        cb,
      ),
    );
    return response.position;
  }

  /** Reads the snapshot's pages (see SnapshotPage) and puts them back together. */
  async snapshot(): Promise<StoreSnapshot> {
    if (this.closing.signal.aborted)
      throw new ServingError(Code.UNAVAILABLE, 'the remote model store client is closed');
    const call = this.client.snapshot({}, this.metadata(), this.options());
    this.snapshotCalls.add(call);
    const assembler = new SnapshotAssembler(`model store ${this.address}`, Code.UNAVAILABLE);
    try {
      for await (const page of call as AsyncIterable<SnapshotPage>) {
        if (assembler.add(page)) break;
      }
      return assembler.result();
    } catch (err) {
      if (err instanceof ServingError) throw err;
      const e = fromGrpcError(err);
      throw e.code === Code.UNAVAILABLE || e.code === Code.DEADLINE_EXCEEDED
        ? new ServingError(e.code, `model store ${this.address} snapshot: ${e.message}`, { cause: err })
        : e;
    } finally {
      this.snapshotCalls.delete(call);
      call.cancel();
    }
  }

  async putBlob(data: Uint8Array): Promise<string> {
    const response = await this.call<PutBlobResponse>('putBlob', (cb) =>
      this.client.putBlob({ data: toBuffer(data) }, this.metadata(), this.options(), cb),
    );
    return response.key;
  }

  async getBlob(key: string): Promise<Uint8Array> {
    blobDigest(key);
    const response = await this.call<GetBlobResponse>('getBlob', (cb) =>
      this.client.getBlob({ key }, this.metadata(), this.options(), cb),
    );
    return response.data;
  }

  tail(after: string, signal?: AbortSignal): AsyncIterable<ModelStreamEvent> {
    validatePosition('tail position', after);
    return this.tailEvents(after, signal);
  }

  private async *tailEvents(after: string, signal?: AbortSignal): AsyncGenerator<ModelStreamEvent> {
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    let cursor = after;
    const backoff = new Backoff(this.config.reconnect);
    while (!stop.aborted) {
      const call = this.client.tail({ after: cursor });
      this.calls.add(call);
      const onStop = () => call.cancel();
      stop.addEventListener('abort', onStop, { once: true });
      // The server sends headers as soon as its tail is set up: the connection is healthy again.
      call.once('metadata', () => backoff.reset());
      try {
        for await (const event of call as AsyncIterable<ModelStreamEvent>) {
          cursor = event.position;
          yield event;
        }
        // A clean end means the server is going away; reconnect like after an error.
      } catch (err) {
        if (stop.aborted) return;
        const e = fromGrpcError(err);
        if (e.code === Code.OUT_OF_RANGE)
          throw new StreamGapError(cursor, `reported by ${this.address}: ${e.message}`, { cause: err });
        if (FATAL_TAIL_CODES.has(e.code)) throw e;
      } finally {
        stop.removeEventListener('abort', onStop);
        this.calls.delete(call);
        call.cancel();
      }
      if (!(await sleep(backoff.next(), stop))) return;
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    for (const call of this.calls) call.cancel();
    this.calls.clear();
    for (const call of this.snapshotCalls) call.cancel();
    this.client.close();
  }

  private metadata() {
    return new Metadata();
  }

  private options() {
    return { deadline: Date.now() + this.config.callTimeoutMs };
  }

  private call<T>(
    what: string,
    start: (cb: (err: ServiceError | null, response: T) => void) => void,
  ): Promise<T> {
    if (this.closing.signal.aborted)
      return Promise.reject(new ServingError(Code.UNAVAILABLE, 'the remote model store client is closed'));
    return new Promise<T>((resolve, reject) => {
      start((err, response) => {
        if (err) {
          const e = fromGrpcError(err);
          // Keep the server's message (it names the model/blob) but say which hop failed when it is ours.
          reject(
            e.code === Code.UNAVAILABLE || e.code === Code.DEADLINE_EXCEEDED
              ? new ServingError(e.code, `model store ${this.address} ${what}: ${e.message}`, { cause: err })
              : e,
          );
        } else resolve(response);
      });
    });
  }
}
