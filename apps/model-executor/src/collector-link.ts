import { connectivityState, credentials, type ClientWritableStream } from '@grpc/grpc-js';
import {
  SpeculativeCollectorServiceClient,
  type CollectBatch,
  type CollectItem,
} from '@modelserving/contracts';
import { defaultChannelOptions } from '@modelserving/transport';
import { BatchWriter } from './batch-writer';
import type { Logger } from './logger';

export interface CollectorLinkOptions {
  readonly address: string | undefined;
  readonly maxBatch: number;
  readonly log: Logger;
  /** Items held while connecting or paused; beyond this they are dropped (and counted). */
  readonly maxBuffered?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
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

type State = 'connecting' | 'up' | 'down' | 'closed';

/**
 * The executor's one long-lived `Collect` client stream to the speculative collector. Results are
 * micro-batched; while the link connects they are buffered (bounded), while the collector is known to be
 * unreachable they are dropped and counted: the router and the collector's deadline account for them, so
 * holding them would only delay decisions that have already been taken.
 */
export class CollectorLink {
  private readonly client: SpeculativeCollectorServiceClient | undefined;
  private readonly writer: BatchWriter<CollectItem, CollectBatch>;
  private readonly log: Logger;
  private readonly maxBuffered: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly connectTimeoutMs: number;
  private state: State = 'connecting';
  private call: ClientWritableStream<CollectBatch> | undefined;
  private backoffMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private sentCount = 0;
  private droppedCount = 0;
  private droppedLogged = 0;
  private lastDropLog = 0;

  constructor(options: CollectorLinkOptions) {
    this.log = options.log;
    this.maxBuffered = options.maxBuffered ?? options.maxBatch * 64;
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
    this.backoffMs = this.minBackoffMs;
    this.writer = new BatchWriter<CollectItem, CollectBatch>(undefined, {
      maxBatch: options.maxBatch,
      wrap: (items) => ({ items }),
    });
    if (options.address === undefined) {
      this.state = 'down';
      return;
    }
    this.client = new SpeculativeCollectorServiceClient(
      options.address,
      credentials.createInsecure(),
      defaultChannelOptions(),
    );
    this.connect();
  }

  stats(): CollectorLinkStats {
    return { connected: this.state === 'up', sent: this.sentCount, dropped: this.droppedCount };
  }

  push(item: CollectItem): void {
    // While the link is down results are still held (bounded): a collector that is starting up or
    // restarting gets them when it is back, and ones whose request was decided meanwhile are dropped
    // there as late. Only an unconfigured or closed link drops at once.
    if (this.state === 'closed' || this.client === undefined) {
      this.drop(1);
      return;
    }
    if (this.writer.buffered >= this.maxBuffered) {
      this.drop(1);
      return;
    }
    this.sentCount++;
    this.writer.push(item);
  }

  /** Sends what is buffered (bounded wait), ends the stream and closes the channel. */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.state === 'closed') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const call = this.call;
    if (call && this.state === 'up') {
      await Promise.race([this.writer.whenIdle(), sleep(timeoutMs)]);
      await Promise.race([
        new Promise<void>((resolve) => {
          call.once('finish', resolve);
          call.once('error', () => resolve());
          call.end();
        }),
        sleep(timeoutMs),
      ]);
    }
    this.state = 'closed';
    const rest = this.writer.takeAll();
    if (rest.length > 0) {
      this.sentCount -= rest.length;
      this.drop(rest.length);
    }
    this.call = undefined;
    this.client?.close();
  }

  private connect(): void {
    const client = this.client;
    if (!client || this.state === 'closed') return;
    this.state = 'connecting';
    const channel = client.getChannel();
    const deadline = Date.now() + this.connectTimeoutMs;
    // Follow the channel state instead of waitForReady: a refused connection is known at the first
    // TRANSIENT_FAILURE, not only at the deadline.
    const check = (): void => {
      if (this.state !== 'connecting') return;
      const st = channel.getConnectivityState(true);
      if (st === connectivityState.READY) {
        this.open(client);
      } else if (st === connectivityState.TRANSIENT_FAILURE || st === connectivityState.SHUTDOWN) {
        this.down('collector unreachable');
      } else {
        channel.watchConnectivityState(st, deadline, (err) => {
          if (err) this.down('collector unreachable: no connection within the connect timeout');
          else check();
        });
      }
    };
    check();
  }

  private open(client: SpeculativeCollectorServiceClient): void {
    const call = client.collect((err) => {
      // The stream only ends on error or on our own close(); either way this stream is finished.
      if (this.call !== call || this.state === 'closed') return;
      this.down(
        err ? `collector stream failed: ${err.details || err.message}` : 'collector ended the stream',
      );
    });
    call.on('error', () => {
      // Reported through the callback above; the listener keeps the error from being unhandled.
    });
    this.call = call;
    this.state = 'up';
    this.backoffMs = this.minBackoffMs;
    this.log.info('connected to the speculative collector');
    this.writer.setTarget(call);
  }

  private down(reason: string): void {
    if (this.state === 'closed') return;
    this.call = undefined;
    this.writer.setTarget(undefined);
    this.state = 'down';
    this.log.warn(
      `${reason}; speculative results are held (up to ${this.maxBuffered}) until it is back (retry in ${this.backoffMs} ms)`,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, this.backoffMs);
    this.retryTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
  }

  private drop(n: number): void {
    this.droppedCount += n;
    // At most one line every 5 s: a dead collector must not turn the hot path into a log flood.
    const now = Date.now();
    if (now - this.lastDropLog >= 5_000) {
      this.log.warn(
        `dropped ${this.droppedCount - this.droppedLogged} speculative result(s) (total ${this.droppedCount}): no collector`,
      );
      this.droppedLogged = this.droppedCount;
      this.lastDropLog = now;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
