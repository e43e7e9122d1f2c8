import { credentials, Metadata, type ClientDuplexStream, type StatusObject } from '@grpc/grpc-js';
import type { ExecutorStatusResponse } from '@modelserving/contracts';
import { MicroBatcher, defaultChannelOptions, fromGrpcError } from '@modelserving/transport';
import { Backoff } from './backoff';
import { errorMessage, type Logger } from './logger';
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

// grpc-js waits up to 2 minutes between reconnects by default; cap it so a restarted executor is back in
// seconds.
const CHANNEL_OPTIONS = {
  ...defaultChannelOptions(),
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 3_000,
};

/**
 * The router's one `Score` bidi stream to one executor: micro-batched writes with backpressure, a pending
 * map id → request, and reconnection with capped backoff. When the stream fails, everything in flight is
 * handed back to the listener so nothing is silently lost.
 */
export class ExecutorConnection {
  state: ConnectionState = 'connecting';
  private readonly client: ExecutorClient;
  private call: ClientDuplexStream<PendingEntry[], RawResult[]> | undefined;
  private pending = new Map<number, PendingEntry>();
  private nextId = 1;
  private readonly batcher: MicroBatcher<PendingEntry>;
  private backlog: PendingEntry[][] = [];
  private writable = true;
  private readonly backoff = new Backoff(100, 3_000);
  private reconnectTimer: NodeJS.Timeout | undefined;
  private openedAt = 0;
  private readonly log: Logger;
  private readonly connectTimeoutMs: number;

  constructor(
    readonly id: string,
    readonly address: string,
    private readonly listener: ConnectionListener,
    options: ExecutorConnectionOptions,
  ) {
    this.log = options.log;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.client = new ExecutorClient(address, credentials.createInsecure(), CHANNEL_OPTIONS);
    this.batcher = new MicroBatcher<PendingEntry>({
      maxBatch: options.maxBatch,
      flush: (items) => this.write(items),
    });
  }

  get outstanding(): number {
    return this.pending.size;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  start(): void {
    this.connect();
  }

  /**
   * Queues one item (a direct request or a speculative item; its id is stored on it and returned), or
   * returns 0 when the stream is not ready (the caller picks another executor or fails the request).
   */
  send(entry: PendingEntry): number {
    if (this.state !== 'ready') return 0;
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
    if (this.state === 'closed') return;
    clearTimeout(this.reconnectTimer);
    const call = this.call;
    this.call = undefined;
    this.lose(reason, 'closed');
    call?.cancel();
    this.client.close();
  }

  private connect(): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    this.client.waitForReady(Date.now() + this.connectTimeoutMs, (err) => {
      if (this.state === 'closed') return;
      if (err) {
        this.scheduleReconnect(
          `cannot connect to executor ${this.id} at ${this.address}: ${errorMessage(err)}`,
        );
        return;
      }
      this.open();
    });
  }

  private open(): void {
    const call = this.client.score();
    this.call = call;
    this.writable = true;
    this.openedAt = Date.now();
    let ended = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      if (this.call !== call) return;
      this.call = undefined;
      // A stream that stayed up for a while was healthy: start the next reconnect from the shortest delay.
      if (Date.now() - this.openedAt > 2_000) this.backoff.reset();
      this.lose(reason, 'connecting');
      this.scheduleReconnect(reason);
    };
    call.on('data', (items: RawResult[]) => this.onData(items));
    call.on('drain', () => this.onDrain(call));
    call.on('error', (err) =>
      end(`stream to executor ${this.id} (${this.address}) failed: ${errorMessage(err)}`),
    );
    call.on('status', (s: StatusObject) =>
      end(`stream to executor ${this.id} (${this.address}) ended: ${s.details || `code ${s.code}`}`),
    );
    call.on('end', () => end(`stream to executor ${this.id} (${this.address}) was closed by the executor`));
    this.state = 'ready';
    this.log.info('executor stream open', { executor: this.id, address: this.address });
    this.listener.onStateChange(this);
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

  private write(items: PendingEntry[]): void {
    const call = this.call;
    // Not connected: the items are still in `pending` and were (or will be) handed back by lose().
    if (!call) return;
    if (!this.writable || this.backlog.length > 0) {
      this.backlog.push(items);
      return;
    }
    this.writable = call.write(items);
  }

  private onDrain(call: ClientDuplexStream<PendingEntry[], RawResult[]>): void {
    if (this.call !== call) return;
    this.writable = true;
    while (this.writable && this.backlog.length > 0) this.writable = call.write(this.backlog.shift()!);
  }

  private lose(reason: string, next: ConnectionState): void {
    const wasReady = this.state === 'ready';
    this.state = next;
    this.batcher.drain();
    this.backlog = [];
    this.writable = true;
    const lost = this.pending;
    this.pending = new Map();
    if (wasReady) {
      if (next === 'closed')
        this.log.info('executor stream closed', { executor: this.id, reason, inFlight: lost.size });
      else this.log.warn('executor stream lost', { executor: this.id, reason, inFlight: lost.size });
      this.listener.onStateChange(this);
    }
    if (lost.size > 0) this.listener.onStreamLost(this, lost, reason);
  }

  private scheduleReconnect(reason: string): void {
    if (this.state === 'closed') return;
    const delay = this.backoff.next();
    this.log.debug('reconnecting to executor', { executor: this.id, reason, delayMs: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
