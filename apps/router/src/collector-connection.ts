import { credentials, Metadata, type ClientDuplexStream, type StatusObject } from '@grpc/grpc-js';
import {
  SpeculativeCollectorServiceClient,
  type CollectItem,
  type DecisionBatch,
  type ExpectBatch,
  type ExpectItem,
  type SpeculativeStatsResponse,
} from '@modelserving/contracts';
import { MicroBatcher, defaultChannelOptions, fromGrpcError } from '@modelserving/transport';
import { Backoff } from './backoff';
import { errorMessage, type Logger } from './logger';

export interface CollectorListener {
  onDecisions(batch: DecisionBatch): void;
  /** The Decide stream went down: every speculative request waiting for a decision is lost. */
  onCollectorLost(reason: string): void;
}

const CHANNEL_OPTIONS = {
  ...defaultChannelOptions(),
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 3_000,
};

/**
 * The router's one `Decide` bidi stream to the speculative collector: expectations (and failures the router
 * reports for executors that died) go out micro-batched, decisions come back by guid. Reconnects with
 * capped backoff.
 */
export class CollectorConnection {
  private readonly client: SpeculativeCollectorServiceClient;
  private call: ClientDuplexStream<ExpectBatch, DecisionBatch> | undefined;
  private readonly expects: MicroBatcher<ExpectItem>;
  private readonly results: MicroBatcher<CollectItem>;
  private backlog: ExpectBatch[] = [];
  private writable = true;
  private readonly backoff = new Backoff(100, 3_000);
  private reconnectTimer: NodeJS.Timeout | undefined;
  private openedAt = 0;
  private closed = false;
  ready = false;

  constructor(
    readonly address: string,
    private readonly listener: CollectorListener,
    private readonly log: Logger,
    maxBatch: number,
  ) {
    this.client = new SpeculativeCollectorServiceClient(
      address,
      credentials.createInsecure(),
      CHANNEL_OPTIONS,
    );
    this.expects = new MicroBatcher<ExpectItem>({
      maxBatch,
      flush: (items) => this.write({ expects: items, results: [] }),
    });
    this.results = new MicroBatcher<CollectItem>({
      maxBatch,
      flush: (items) => this.write({ expects: [], results: items }),
    });
  }

  start(): void {
    this.connect();
  }

  /** Queues an expectation; false when the stream is down (the request must fail now). */
  expect(item: ExpectItem): boolean {
    if (!this.ready) return false;
    this.expects.push(item);
    return true;
  }

  /** Reports a result on behalf of an executor (e.g. a failure because its stream died). */
  report(item: CollectItem): void {
    if (!this.ready) return;
    // Expectations go first so the collector never sees a result before its expectation from us.
    this.expects.flush();
    this.results.push(item);
  }

  getStats(dataType: string, timeoutMs = 5_000): Promise<SpeculativeStatsResponse> {
    return new Promise<SpeculativeStatsResponse>((resolve, reject) => {
      this.client.getStats({ dataType }, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(fromGrpcError(err));
        else resolve(res);
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const call = this.call;
    this.call = undefined;
    this.down('router is stopping');
    call?.cancel();
    this.client.close();
  }

  private connect(): void {
    if (this.closed) return;
    this.client.waitForReady(Date.now() + 5_000, (err) => {
      if (this.closed) return;
      if (err)
        this.scheduleReconnect(
          `cannot connect to the speculative collector at ${this.address}: ${errorMessage(err)}`,
        );
      else this.open();
    });
  }

  private open(): void {
    const call = this.client.decide();
    this.call = call;
    this.writable = true;
    this.openedAt = Date.now();
    let ended = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      if (this.call !== call) return;
      this.call = undefined;
      if (Date.now() - this.openedAt > 2_000) this.backoff.reset();
      this.down(reason);
      this.scheduleReconnect(reason);
    };
    call.on('data', (batch: DecisionBatch) => this.listener.onDecisions(batch));
    call.on('drain', () => {
      if (this.call !== call) return;
      this.writable = true;
      while (this.writable && this.backlog.length > 0) this.writable = call.write(this.backlog.shift()!);
    });
    call.on('error', (err) =>
      end(`stream to the speculative collector (${this.address}) failed: ${errorMessage(err)}`),
    );
    call.on('status', (s: StatusObject) =>
      end(`stream to the speculative collector (${this.address}) ended: ${s.details || `code ${s.code}`}`),
    );
    call.on('end', () =>
      end(`stream to the speculative collector (${this.address}) was closed by the collector`),
    );
    this.ready = true;
    this.log.info('speculative collector stream open', { address: this.address });
  }

  private write(batch: ExpectBatch): void {
    const call = this.call;
    if (!call) return;
    if (!this.writable || this.backlog.length > 0) {
      this.backlog.push(batch);
      return;
    }
    this.writable = call.write(batch);
  }

  private down(reason: string): void {
    const was = this.ready;
    this.ready = false;
    this.expects.drain();
    this.results.drain();
    this.backlog = [];
    this.writable = true;
    if (was) {
      if (this.closed) this.log.info('speculative collector stream closed', { reason });
      else this.log.warn('speculative collector stream lost', { reason });
      this.listener.onCollectorLost(reason);
    }
  }

  private scheduleReconnect(reason: string): void {
    if (this.closed) return;
    const delay = this.backoff.next();
    this.log.debug('reconnecting to the speculative collector', { reason, delayMs: delay });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
