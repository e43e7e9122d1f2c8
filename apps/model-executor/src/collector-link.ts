import type { ClientWritableStream } from '@grpc/grpc-js';
import {
  SpeculativeCollectorServiceClient,
  type CollectBatch,
  type CollectItem,
} from '@modelserving/contracts';
import { BatchWriter } from './batch-writer';
import {
  channelOptions,
  clientCredentials,
  ReconnectingStream,
  sleep,
  type Logger,
} from '@modelserving/service-kit';

export interface CollectorLinkOptions {
  readonly address: string | undefined;
  readonly maxBatch: number;
  readonly log: Logger;
  /** Items held while connecting or paused; beyond this they are dropped (and counted). */
  readonly maxBuffered?: number;
  /** How long to wait for the collector to become reachable on each attempt. */
  readonly connectTimeoutMs?: number;
}

export interface CollectorLinkStats {
  readonly connected: boolean;
  /** Items accepted for a Collect stream (minus those lost when it failed before writing them). */
  readonly sent: number;
  /** Items dropped because the collector was unreachable or the buffer was full. */
  readonly dropped: number;
}

/**
 * The executor's one long-lived `Collect` client stream to the speculative collector, on the kit's
 * ReconnectingStream. Results are micro-batched; while the link is down they are held (bounded) and sent
 * when it is back: a collector that is restarting gets them, and those whose request was decided meanwhile
 * are dropped there as late. Beyond the bound, or without a collector, they are dropped and counted.
 */
export class CollectorLink {
  private readonly link: ReconnectingStream<CollectBatch, ClientWritableStream<CollectBatch>> | undefined;
  private readonly writer: BatchWriter<CollectItem, CollectBatch>;
  private readonly log: Logger;
  private readonly maxBuffered: number;
  private closed = false;
  private sentCount = 0;
  private droppedCount = 0;
  private droppedLogged = 0;
  private lastDropLog = 0;

  constructor(options: CollectorLinkOptions) {
    this.log = options.log;
    this.maxBuffered = options.maxBuffered ?? options.maxBatch * 64;
    this.writer = new BatchWriter<CollectItem, CollectBatch>(undefined, {
      maxBatch: options.maxBatch,
      wrap: (items) => ({ items }),
    });
    if (options.address === undefined) return;
    const client = new SpeculativeCollectorServiceClient(
      options.address,
      clientCredentials(),
      channelOptions(),
    );
    this.link = new ReconnectingStream({
      peer: `speculative collector (${options.address})`,
      client,
      clientStreaming: true,
      // The stream only ends on error or on our own close(); the status event reports either.
      open: () => client.collect(() => undefined),
      log: this.log,
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      onUp: (call) => this.writer.setTarget(call),
      onDown: (_reason, closed) => {
        this.writer.setTarget(undefined);
        if (!closed)
          this.log.warn('speculative results are held until the collector is back', {
            limit: this.maxBuffered,
          });
      },
    });
    this.link.start();
  }

  stats(): CollectorLinkStats {
    return { connected: this.link?.up ?? false, sent: this.sentCount, dropped: this.droppedCount };
  }

  push(item: CollectItem): void {
    if (this.closed || this.link === undefined || this.writer.buffered >= this.maxBuffered) {
      this.drop(1);
      return;
    }
    this.sentCount++;
    this.writer.push(item);
  }

  /** Sends what is buffered (bounded wait), ends the stream and closes the channel. */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.link?.up) await Promise.race([this.writer.whenIdle(), sleep(timeoutMs)]);
    await this.link?.close('executor is stopping', { graceful: true, timeoutMs });
    const rest = this.writer.takeAll();
    if (rest.length > 0) {
      this.sentCount -= rest.length;
      this.drop(rest.length);
    }
  }

  private drop(n: number): void {
    this.droppedCount += n;
    // At most one line every 5 s: a dead collector must not turn the hot path into a log flood.
    const now = Date.now();
    if (now - this.lastDropLog >= 5_000) {
      this.log.warn('dropped speculative results: no collector or the buffer is full', {
        dropped: this.droppedCount - this.droppedLogged,
        total: this.droppedCount,
      });
      this.droppedLogged = this.droppedCount;
      this.lastDropLog = now;
    }
  }
}
