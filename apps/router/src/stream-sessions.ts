import type { ServerDuplexStream } from '@grpc/grpc-js';
import { MicroBatcher } from '@modelserving/transport';
import type { RequestRouter } from './request-router';
import type { ResponseSink, RouteRequest } from './route-request';
import type { RoutedResponse } from './wire-codec';

type RequestBatch = { requests: RouteRequest[] };
type ResponseBatch = { responses: RoutedResponse[] };

/**
 * Flow control shared by the streaming front ends: at most `limit` requests of one client stream are in
 * flight; beyond that (or while the client is not reading our responses) the router stops reading the
 * stream, so HTTP/2 flow control pushes back on the client instead of memory growing without bound.
 */
abstract class StreamSession<Req, Res> implements ResponseSink {
  protected inflight = 0;
  protected closed = false;
  private ended = false;
  private paused = false;
  protected writeBlocked = false;
  private readonly resumeBelow: number;

  constructor(
    protected readonly call: ServerDuplexStream<Req, Res>,
    protected readonly router: RequestRouter,
    protected readonly limit: number,
  ) {
    this.resumeBelow = Math.max(1, Math.floor(limit * 0.75));
    call.on('data', (msg: Req) => {
      if (this.closed) return;
      this.onMessage(msg);
      this.flow();
    });
    call.on('end', () => {
      this.ended = true;
      this.maybeEnd();
    });
    call.on('drain', () => {
      this.writeBlocked = false;
      this.flow();
    });
    // The client went away: drop the responses still to come (their requests finish inside the router).
    call.on('cancelled', () => this.close());
    call.on('error', () => this.close());
  }

  abstract onResponse(req: RouteRequest, response: RoutedResponse): void;
  protected abstract onMessage(msg: Req): void;
  /** Writes whatever responses are buffered (batch sessions). */
  protected flushResponses(): void {}

  protected submit(req: RouteRequest): void {
    this.inflight++;
    req.sink = this;
    this.router.submit(req);
  }

  protected responded(): void {
    this.inflight--;
    this.flow();
    this.maybeEnd();
  }

  private flow(): void {
    if (this.closed) return;
    if (!this.paused) {
      if (this.writeBlocked || this.inflight >= this.limit) {
        this.paused = true;
        this.call.pause();
      }
    } else if (!this.writeBlocked && this.inflight < this.resumeBelow) {
      this.paused = false;
      this.call.resume();
    }
  }

  private maybeEnd(): void {
    if (!this.ended || this.inflight > 0 || this.closed) return;
    this.flushResponses();
    this.closed = true;
    this.call.end();
  }

  private close(): void {
    this.closed = true;
  }
}

/** PredictStream: one response message per request, written as soon as it is ready. */
export class PredictStreamSession extends StreamSession<RouteRequest, RoutedResponse> {
  protected onMessage(req: RouteRequest): void {
    this.submit(req);
  }

  onResponse(_req: RouteRequest, response: RoutedResponse): void {
    if (!this.closed && !this.call.write(response)) this.writeBlocked = true;
    this.responded();
  }
}

/** PredictBatch: many requests per message; responses are micro-batched back. */
export class PredictBatchSession extends StreamSession<RequestBatch, ResponseBatch> {
  private readonly batcher: MicroBatcher<RoutedResponse>;

  constructor(
    call: ServerDuplexStream<RequestBatch, ResponseBatch>,
    router: RequestRouter,
    limit: number,
    maxBatch: number,
  ) {
    super(call, router, limit);
    this.batcher = new MicroBatcher<RoutedResponse>({
      maxBatch,
      flush: (responses) => {
        if (!this.closed && !this.call.write({ responses })) this.writeBlocked = true;
      },
    });
  }

  protected onMessage(batch: RequestBatch): void {
    const requests = batch.requests;
    for (let i = 0; i < requests.length; i++) this.submit(requests[i]!);
  }

  onResponse(_req: RouteRequest, response: RoutedResponse): void {
    this.batcher.push(response);
    this.responded();
  }

  protected override flushResponses(): void {
    this.batcher.flush();
  }
}
