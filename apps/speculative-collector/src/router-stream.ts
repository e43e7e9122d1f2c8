import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { DecisionBatch, DecisionItem, ExpectBatch, ServingResponse } from '@modelserving/contracts';
import { MicroBatcher } from '@modelserving/transport';
import type { DecisionTarget } from './pending-request';

/**
 * One router's `Decide` stream seen from the collector: the target of the decisions for the expectations
 * that came on it. Decisions are micro-batched, so everything decided in one event-loop turn goes back
 * in one DecisionBatch.
 */
export class RouterStream implements DecisionTarget {
  inFlight = 0;
  private open = true;
  private readonly batcher: MicroBatcher<DecisionItem>;

  constructor(
    private readonly call: ServerDuplexStream<ExpectBatch, DecisionBatch>,
    maxBatch: number,
  ) {
    this.batcher = new MicroBatcher<DecisionItem>({ maxBatch, flush: this.write });
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(guid: string, response: ServingResponse): void {
    if (this.open) this.batcher.push({ guid, response });
  }

  /** Writes what is batched now. */
  flush(): void {
    this.batcher.flush();
  }

  /** The stream is gone (ended, cancelled, failed): nothing more can be written. */
  markClosed(): void {
    this.open = false;
    this.batcher.drain();
  }

  /** Sends what is batched and ends the stream with OK (collector stopping). */
  end(): void {
    if (!this.open) return;
    this.batcher.flush();
    this.open = false;
    this.call.end();
  }

  private readonly write = (items: DecisionItem[]): void => {
    if (!this.open) return;
    // grpc-js buffers behind backpressure; the router bounds what it has in flight, so this stays bounded.
    this.call.write({ items });
  };
}
