import { Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import type { ExecutorStatusResponse } from '@modelserving/contracts';
import {
  channelOptions,
  clientCredentials,
  ReconnectingStream,
  type Logger,
} from '@modelserving/service-kit';
import { MicroBatcher, fromGrpcError } from '@modelserving/transport';
import { SPECULATIVE_ITEM, type PendingEntry } from './route-request';
import { ExecutorClient } from './wire';
import type { RawResult } from './wire-codec';

export type ConnectionState = 'connecting' | 'ready' | 'closed';

/** What the router learns from one executor stream. */
export interface ConnectionListener {
  /** The stream became ready or went down: the live set changed. */
  onStateChange(conn: ExecutorConnection): void;
  /** An item was answered (direct: its result; speculative: an acknowledgement, result may be absent). */
  onResult(conn: ExecutorConnection, entry: PendingEntry, result: RawResult | undefined): void;
  /** The stream failed with these items in flight; they are no longer pending on this connection. */
  onStreamLost(conn: ExecutorConnection, lost: Map<number, PendingEntry>, reason: string): void;
}

export interface ExecutorConnectionOptions {
  readonly maxBatch: number;
  readonly log: Logger;
  /** How long one connection attempt may take before it is retried, ms. */
  readonly connectTimeoutMs?: number;
}

/**
 * The router's one `Score` bidi stream to one executor on the kit's ReconnectingStream: micro-batched
 * writes with backpressure, a pending map id → request. When the stream fails, everything in flight is
 * handed back to the listener so nothing is silently lost.
 */
export class ExecutorConnection {
  private readonly client: ExecutorClient;
  private readonly link: ReconnectingStream<PendingEntry[], ClientDuplexStream<PendingEntry[], RawResult[]>>;
  private pending = new Map<number, PendingEntry>();
  private nextId = 1;
  private readonly batcher: MicroBatcher<PendingEntry>;
  private readonly log: Logger;
  private closed = false;

  constructor(
    readonly id: string,
    readonly address: string,
    private readonly listener: ConnectionListener,
    options: ExecutorConnectionOptions,
  ) {
    this.log = options.log;
    this.client = new ExecutorClient(address, clientCredentials(), channelOptions());
    this.batcher = new MicroBatcher<PendingEntry>({
      maxBatch: options.maxBatch,
      // Not connected: the items are still in `pending` and were (or will be) handed back by lose().
      flush: (items) => void this.link.write(items),
    });
    this.link = new ReconnectingStream({
      peer: `executor ${id} (${address})`,
      client: this.client,
      open: () => this.client.score(),
      log: this.log,
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      onUp: (call) => {
        call.on('data', (items: RawResult[]) => this.onData(items));
        this.listener.onStateChange(this);
      },
      onDown: (reason, closed) => this.lose(reason, closed),
    });
  }

  get state(): ConnectionState {
    if (this.closed) return 'closed';
    return this.link.up ? 'ready' : 'connecting';
  }

  get outstanding(): number {
    return this.pending.size;
  }

  get ready(): boolean {
    return !this.closed && this.link.up;
  }

  start(): void {
    this.link.start();
  }

  /**
   * Queues one item (a direct request or a speculative item; its id is stored on it and returned), or
   * returns 0 when the stream is not ready (the caller picks another executor or fails the request).
   */
  send(entry: PendingEntry): number {
    if (!this.ready) return 0;
    const id = this.nextId++;
    if (entry.kind === SPECULATIVE_ITEM) entry.id = id;
    else entry.itemId = id;
    this.pending.set(id, entry);
    this.batcher.push(entry);
    return id;
  }

  /** Stops tracking an item (its request finished some other way, e.g. by deadline or decision). */
  forget(id: number): void {
    this.pending.delete(id);
  }

  getStatus(modelKeys: readonly string[], timeoutMs: number): Promise<ExecutorStatusResponse> {
    return new Promise<ExecutorStatusResponse>((resolve, reject) => {
      this.client.getStatus(
        { modelKeys: [...modelKeys] },
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, res) => {
          if (err) reject(fromGrpcError(err));
          else resolve(res);
        },
      );
    });
  }

  /** Closes the stream and the channel; anything still in flight is handed to the listener. */
  close(reason = `executor ${this.id} left the membership`): void {
    if (this.closed) return;
    this.closed = true;
    void this.link.close(reason);
  }

  private onData(items: RawResult[]): void {
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const entry = this.pending.get(item.id);
      if (entry === undefined) continue;
      this.pending.delete(item.id);
      this.listener.onResult(this, entry, item.present ? item : undefined);
    }
  }

  private lose(reason: string, closed: boolean): void {
    this.batcher.drain();
    const lost = this.pending;
    this.pending = new Map();
    if (closed) this.log.info('executor stream closed', { executor: this.id, reason, inFlight: lost.size });
    this.listener.onStateChange(this);
    if (lost.size > 0) this.listener.onStreamLost(this, lost, reason);
  }
}
