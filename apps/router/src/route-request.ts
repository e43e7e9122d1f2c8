import type { TraceContext } from '@modelserving/contracts';
import type { Span } from '@opentelemetry/api';
import type { ExecutorConnection } from './executor-connection';
import type { RoutedResponse } from './wire-codec';

/** Receives the one response of each request it submitted. Implemented by every front end. */
export interface ResponseSink {
  onResponse(request: RouteRequest, response: RoutedResponse): void;
}

const NO_SINK: ResponseSink = { onResponse: () => undefined };

export const DIRECT = 0;
export const SPECULATIVE_ITEM = 1;

/**
 * One request in flight through the router. A plain class with fixed fields (one allocation per request,
 * no closures) that is also the pending entry of its direct item on an executor stream.
 */
export class RouteRequest {
  readonly kind = DIRECT;
  guid = '';
  dataType = '';
  /** Where the encoded Record sits (the client's message buffer); forwarded to the executor unchanged. */
  recordBuf: Buffer = EMPTY;
  recordStart = 0;
  recordEnd = 0;
  modelName = '';
  /** Request deadline, ms; 0 = none. */
  timeoutMs = 0;
  /** Absolute deadline (epoch ms) derived from timeoutMs / the call deadline; 0 = none. */
  deadlineAt = 0;
  /** Caller's index (e.g. the row of an OIP batch). */
  tag = 0;
  startedAt = 0;
  done = false;
  span: Span | undefined = undefined;
  trace: TraceContext | undefined = undefined;

  // Direct path.
  modelKey = '';
  conn: ExecutorConnection | undefined = undefined;
  itemId = 0;
  retried = false;

  // Speculative path: the items sent to executors, removed when the decision arrives.
  speculative = false;
  items: SpeculativeItem[] | undefined = undefined;
  /** Speculative deadline sent to the collector, ms. */
  specTimeoutMs = 0;

  /** Who gets the response; set by the front end before submit. */
  sink: ResponseSink = NO_SINK;

  setRecord(buf: Buffer): void {
    this.recordBuf = buf;
    this.recordStart = 0;
    this.recordEnd = buf.length;
  }
}

/** One model's share of a speculative request, pending on one executor stream. */
export class SpeculativeItem {
  readonly kind = SPECULATIVE_ITEM;
  conn: ExecutorConnection | undefined = undefined;
  id = 0;
  /** Settled: the executor acknowledged it or the router reported it failed. */
  settled = false;

  constructor(
    readonly req: RouteRequest,
    readonly modelKey: string,
  ) {}
}

export type PendingEntry = RouteRequest | SpeculativeItem;

const EMPTY = Buffer.alloc(0);
