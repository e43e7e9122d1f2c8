import { Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import {
  SpeculativeCollectorServiceClient,
  type CollectItem,
  type DecisionBatch,
  type ExpectBatch,
  type ExpectItem,
  type SpeculativeStatsResponse,
} from '@modelserving/contracts';
import {
  channelOptions,
  clientCredentials,
  ReconnectingStream,
  type Logger,
} from '@modelserving/service-kit';
import { MicroBatcher, fromGrpcError } from '@modelserving/transport';

export interface CollectorListener {
  onDecisions(batch: DecisionBatch): void;
  /** The Decide stream went down: every speculative request waiting for a decision is lost. */
  onCollectorLost(reason: string): void;
}

/**
 * The router's one `Decide` bidi stream to the speculative collector, on the kit's ReconnectingStream:
 * expectations (and failures the router reports for executors that died) go out micro-batched, decisions
 * come back by guid.
 */
export class CollectorConnection {
  private readonly client: SpeculativeCollectorServiceClient;
  private readonly link: ReconnectingStream<ExpectBatch, ClientDuplexStream<ExpectBatch, DecisionBatch>>;
  private readonly expects: MicroBatcher<ExpectItem>;
  private readonly results: MicroBatcher<CollectItem>;
  private closed = false;

  constructor(
    readonly address: string,
    private readonly listener: CollectorListener,
    private readonly log: Logger,
    maxBatch: number,
  ) {
    this.client = new SpeculativeCollectorServiceClient(address, clientCredentials(), channelOptions());
    this.expects = new MicroBatcher<ExpectItem>({
      maxBatch,
      flush: (items) => void this.link.write({ expects: items, results: [] }),
    });
    this.results = new MicroBatcher<CollectItem>({
      maxBatch,
      flush: (items) => void this.link.write({ expects: [], results: items }),
    });
    this.link = new ReconnectingStream({
      peer: `speculative collector (${address})`,
      client: this.client,
      open: () => this.client.decide(),
      log,
      onUp: (call) => call.on('data', (batch: DecisionBatch) => this.listener.onDecisions(batch)),
      onDown: (reason, closed) => {
        this.expects.drain();
        this.results.drain();
        if (closed) this.log.info('speculative collector stream closed', { reason });
        // Every speculative request waiting for a decision on this stream is lost: fail them now.
        this.listener.onCollectorLost(reason);
      },
    });
  }

  get ready(): boolean {
    return !this.closed && this.link.up;
  }

  start(): void {
    this.link.start();
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
    void this.link.close('router is stopping');
  }
}
