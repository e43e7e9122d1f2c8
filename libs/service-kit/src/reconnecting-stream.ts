import { connectivityState, type Client } from '@grpc/grpc-js';
import { Backoff, type BackoffOptions } from './backoff';
import { errorMessage, type Logger } from './logger';

/** The writable side of a client or bidi stream call (grpc-js ClientWritableStream / ClientDuplexStream). */
export interface StreamCall<Req> {
  write(message: Req): boolean;
  end(): void;
  cancel(): void;
  on(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'status', listener: (status: { code: number; details: string }) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

export type LinkState = 'connecting' | 'up' | 'down' | 'closed';

export interface ReconnectingStreamOptions<Req, Call extends StreamCall<Req>> {
  /** What the link is, for logs: `executor e1 (10.0.0.5:50061)`. */
  readonly peer: string;
  readonly client: Client;
  /** Opens the call on `client`. */
  readonly open: () => Call;
  readonly log: Logger;
  /** The stream is up: attach `data` listeners here. */
  readonly onUp?: (call: Call) => void;
  /**
   * The stream went down (it was up) or the link closed. Messages written but not yet handed to grpc are
   * discarded: callers keep what they need to retry or fail (pending maps, held buffers).
   */
  readonly onDown?: (reason: string, closed: boolean) => void;
  /** `true`: a client stream that ends only by error or our own end(), so 'end' is not a failure signal. */
  readonly clientStreaming?: boolean;
  readonly backoff?: BackoffOptions;
  /** How long one attempt waits for the channel to become ready. */
  readonly connectTimeoutMs?: number;
}

/**
 * The one reconnecting stream of every internal link (router → executor `Score`, router → collector
 * `Decide`, executor → collector `Collect`): waits for the channel (a refused connection is seen at the
 * first TRANSIENT_FAILURE, not at a deadline), opens the call, writes with backpressure (a backlog while
 * grpc's buffer is full), and on any end of the call reports it once and reconnects with the one backoff
 * policy. It never throws out of a callback and never holds a message across a reconnect.
 */
export class ReconnectingStream<Req, Call extends StreamCall<Req>> {
  private stateValue: LinkState = 'connecting';
  private call: Call | undefined;
  private writable = true;
  private backlog: Req[] = [];
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private readonly connectTimeoutMs: number;

  constructor(private readonly options: ReconnectingStreamOptions<Req, Call>) {
    this.backoff = new Backoff(options.backoff);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  }

  get state(): LinkState {
    return this.stateValue;
  }

  get up(): boolean {
    return this.stateValue === 'up';
  }

  /** Messages waiting for grpc's buffer to drain. */
  get backlogLength(): number {
    return this.backlog.length;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  /** Writes when up (queued behind backpressure); returns false, writing nothing, when the link is not up. */
  write(message: Req): boolean {
    const call = this.call;
    if (this.stateValue !== 'up' || call === undefined) return false;
    if (!this.writable || this.backlog.length > 0) this.backlog.push(message);
    else this.writable = call.write(message);
    return true;
  }

  /** Resolves when everything written has been handed to grpc (or the link is not up). */
  async whenFlushed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.up && this.backlog.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5).unref());
    }
  }

  /**
   * Closes the link. `graceful`: end the call (half-close) and wait up to `timeoutMs` for it to finish;
   * otherwise cancel it. Reports onDown(reason, true) once.
   */
  async close(reason: string, options: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.stateValue === 'closed') return;
    clearTimeout(this.timer);
    const call = this.call;
    const wasUp = this.stateValue === 'up';
    if (call && wasUp && options.graceful) {
      await this.whenFlushed(options.timeoutMs ?? 2_000);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, options.timeoutMs ?? 2_000);
        t.unref();
        const done = (): void => {
          clearTimeout(t);
          resolve();
        };
        call.once('finish', done);
        call.once('close', done);
        try {
          call.end();
        } catch {
          done();
        }
      });
    }
    this.stateValue = 'closed';
    this.call = undefined;
    this.backlog = [];
    if (call && !options.graceful) call.cancel();
    this.options.client.close();
    this.options.onDown?.(reason, true);
  }

  private connect(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'connecting';
    const channel = this.options.client.getChannel();
    const deadline = Date.now() + this.connectTimeoutMs;
    const check = (): void => {
      if (this.stateValue !== 'connecting') return;
      const st = channel.getConnectivityState(true);
      if (st === connectivityState.READY) this.open();
      else if (st === connectivityState.TRANSIENT_FAILURE || st === connectivityState.SHUTDOWN)
        this.retry(`cannot connect to ${this.options.peer}`);
      else
        channel.watchConnectivityState(st, deadline, (err) => {
          if (err) this.retry(`cannot connect to ${this.options.peer} within ${this.connectTimeoutMs} ms`);
          else check();
        });
    };
    check();
  }

  private open(): void {
    let call: Call;
    try {
      call = this.options.open();
    } catch (err) {
      this.retry(`cannot open a stream to ${this.options.peer}: ${errorMessage(err)}`);
      return;
    }
    this.call = call;
    this.writable = true;
    this.backlog = [];
    let ended = false;
    const end = (reason: string): void => {
      if (ended) return;
      ended = true;
      if (this.call !== call || this.stateValue === 'closed') return;
      this.call = undefined;
      this.backlog = [];
      this.stateValue = 'down';
      this.options.log.warn('stream lost', { peer: this.options.peer, reason });
      this.options.onDown?.(reason, false);
      this.retry(reason);
    };
    call.on('drain', () => {
      if (this.call !== call) return;
      this.writable = true;
      while (this.writable && this.backlog.length > 0) this.writable = call.write(this.backlog.shift()!);
    });
    call.on('error', (err) => end(`stream to ${this.options.peer} failed: ${errorMessage(err)}`));
    call.on('status', (s) => end(`stream to ${this.options.peer} ended: ${s.details || `code ${s.code}`}`));
    if (!this.options.clientStreaming) call.on('end', () => end(`${this.options.peer} closed the stream`));
    this.stateValue = 'up';
    this.backoff.connected();
    this.options.log.info('stream open', { peer: this.options.peer });
    this.options.onUp?.(call);
  }

  private retry(reason: string): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'down';
    const delayMs = this.backoff.next();
    this.options.log.debug('reconnecting', { peer: this.options.peer, reason, delayMs });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delayMs);
    this.timer.unref();
  }
}
