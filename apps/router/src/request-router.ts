import { randomUUID } from 'node:crypto';
import type { DecisionBatch, ServingQualifier } from '@modelserving/contracts';
import { Code, codeName } from '@modelserving/model-core';
import { injectTraceContext, tracer } from '@modelserving/telemetry';
import {
  ProxyTracerProvider,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import { CollectorConnection, type CollectorListener } from './collector-connection';
import type { JoinMode } from './config';
import { DeadlineWheel } from './deadline-wheel';
import type { ConnectionListener, ExecutorConnection } from './executor-connection';
import { ExecutorPool } from './executor-pool';
import type { Logger } from '@modelserving/service-kit';
import { SPECULATIVE_ITEM, SpeculativeItem, type PendingEntry, type RouteRequest } from './route-request';
import type { DataTypeEntry, RoutingTable } from './routing-table';
import { responseError, responseErrorCode, type RawResult, type RoutedResponse } from './wire-codec';

/** `source` of results the router makes up itself (validation errors, failures, timeouts). */
export const ROUTER_SOURCE = 'router';

/** Extra time the router gives the collector beyond a speculative deadline before failing the request itself. */
const DECISION_GRACE_MS = 1_000;

const TRACER_CHECK_MS = 5_000;
const NO_RECORD = Buffer.alloc(0);

/**
 * Whether an OpenTelemetry SDK is installed. Without one the API hands out no-op spans, which still cost
 * allocations per request; the router then skips spans and trace context altogether.
 */
function tracingInstalled(): boolean {
  const provider = trace.getTracerProvider();
  return (
    !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer('modelserving') !== undefined
  );
}

/** Shared by every executor response (they have no qualifiers); never mutated. */
const NO_QUALIFIERS: ServingQualifier[] = [];

export interface RequestRouterOptions {
  readonly joinMode: JoinMode;
  readonly replicas: number;
  readonly maxBatch: number;
  readonly defaultSpeculativeTimeoutMs: number;
  readonly collectorAddress?: string;
  readonly log: Logger;
}

/**
 * The request path: validates a request against the routing table, picks executors, sends the direct item
 * or the speculative fan-out (expectation to the collector, one item per model), and completes each request
 * exactly once (result, decision, failure or deadline). Everything here is synchronous and allocation-light:
 * it runs once per record.
 */
export class RequestRouter implements ConnectionListener, CollectorListener {
  readonly pool: ExecutorPool;
  readonly collector: CollectorConnection | undefined;
  private readonly speculative = new Map<string, RouteRequest>();
  private readonly deadlines: DeadlineWheel;
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly log: Logger;
  private readonly defaultSpeculativeTimeoutMs: number;
  /** Tracer while an SDK is installed, re-checked every few seconds; undefined = tracing off. */
  private tracer: Tracer | undefined;
  private tracerCheckedAt = 0;

  constructor(
    private readonly table: RoutingTable,
    options: RequestRouterOptions,
  ) {
    this.log = options.log;
    this.defaultSpeculativeTimeoutMs = options.defaultSpeculativeTimeoutMs;
    this.pool = new ExecutorPool(this, {
      joinMode: options.joinMode,
      replicas: options.replicas,
      maxBatch: options.maxBatch,
      log: options.log,
    });
    this.collector = options.collectorAddress
      ? new CollectorConnection(options.collectorAddress, this, options.log, options.maxBatch)
      : undefined;
    this.deadlines = new DeadlineWheel((req) => this.expire(req));
  }

  start(): void {
    this.collector?.start();
  }

  /** Requests submitted and not yet completed. */
  get inFlight(): number {
    return this.inflight;
  }

  /**
   * Routes one request. `req` carries guid, dataType, record, modelName, timeoutMs and its sink; the sink
   * gets exactly one response. `callDeadlineAt` (epoch ms, 0 = none) may shorten the request's deadline.
   */
  submit(req: RouteRequest, callDeadlineAt = 0, parent?: Context): void {
    const now = Date.now();
    req.startedAt = now;
    this.inflight++;
    if (now - this.tracerCheckedAt > TRACER_CHECK_MS) {
      this.tracer = tracingInstalled() ? tracer() : undefined;
      this.tracerCheckedAt = now;
    }
    if (this.tracer !== undefined) {
      const span = this.tracer.startSpan('router.route', undefined, parent ?? context.active());
      req.span = span;
      req.trace = injectTraceContext(span);
    }
    if (req.guid === '') req.guid = randomUUID();

    if (req.dataType === '') return this.fail(req, Code.INVALID_ARGUMENT, 'data_type is required');
    if (req.timeoutMs < 0)
      return this.fail(req, Code.INVALID_ARGUMENT, `timeout_ms must not be negative, got ${req.timeoutMs}`);
    const entry = this.table.dataType(req.dataType);
    if (entry === undefined || entry.keys.length === 0) {
      return this.fail(req, Code.NOT_FOUND, `no model deployed for data type ${req.dataType}`);
    }
    if (req.recordEnd <= req.recordStart)
      return this.fail(req, Code.INVALID_ARGUMENT, 'data is required: the record has no features or tensors');
    let deadlineAt = req.timeoutMs > 0 ? now + req.timeoutMs : 0;
    if (callDeadlineAt > 0 && (deadlineAt === 0 || callDeadlineAt < deadlineAt)) deadlineAt = callDeadlineAt;

    if (req.modelName !== '') {
      const info = entry.models.get(req.modelName);
      if (info === undefined) {
        return this.fail(req, Code.NOT_FOUND, `model ${req.dataType}/${req.modelName} is not deployed`);
      }
      return this.direct(req, info.key, deadlineAt);
    }
    if (entry.keys.length === 1 && !entry.policy?.alwaysSpeculative)
      return this.direct(req, entry.keys[0]!, deadlineAt);
    return this.speculate(req, entry, deadlineAt, now);
  }

  /** Resolves when nothing is in flight any more, or after `timeoutMs` (false). */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.inflight === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Fails everything still in flight and closes every connection. */
  close(): void {
    this.pool.close();
    this.collector?.close();
    for (const req of [...this.speculative.values()]) this.fail(req, Code.UNAVAILABLE, 'router is stopping');
    this.speculative.clear();
    this.deadlines.stop();
  }

  // ---- paths ----

  private direct(req: RouteRequest, key: string, deadlineAt: number): void {
    req.modelKey = key;
    const conn = this.pool.pick(key);
    if (conn === undefined) return this.fail(req, Code.UNAVAILABLE, this.noExecutorMessage(key));
    if (deadlineAt > 0) {
      req.deadlineAt = deadlineAt;
      this.deadlines.add(req);
    }
    this.dispatch(req, conn);
  }

  private dispatch(req: RouteRequest, conn: ExecutorConnection): void {
    const id = conn.send(req);
    if (id === 0) return this.fail(req, Code.UNAVAILABLE, `executor ${conn.id} is not connected`);
    req.conn = conn;
  }

  private speculate(req: RouteRequest, entry: DataTypeEntry, deadlineAt: number, now: number): void {
    const collector = this.collector;
    if (collector === undefined) {
      return this.fail(
        req,
        Code.FAILED_PRECONDITION,
        `data type ${req.dataType} needs speculative execution (${entry.keys.length} models) but no speculative collector configured`,
      );
    }
    if (!collector.ready)
      return this.fail(
        req,
        Code.UNAVAILABLE,
        `speculative collector at ${collector.address} is not connected`,
      );
    if (this.speculative.has(req.guid))
      return this.fail(req, Code.ALREADY_EXISTS, `request ${req.guid} is already in flight`);
    if (this.pool.liveCount === 0)
      return this.fail(req, Code.UNAVAILABLE, this.noExecutorMessage(entry.keys[0]!));
    const policy = entry.policy;
    let timeout =
      policy !== undefined && policy.timeoutMs > 0 ? policy.timeoutMs : this.defaultSpeculativeTimeoutMs;
    if (deadlineAt > 0 && deadlineAt - now < timeout) timeout = deadlineAt - now;
    if (timeout <= 0)
      return this.fail(
        req,
        Code.DEADLINE_EXCEEDED,
        `request ${req.guid} has no time left for speculative execution`,
      );
    const keys = entry.keys;
    req.speculative = true;
    req.specTimeoutMs = timeout;
    collector.expect({
      guid: req.guid,
      dataType: req.dataType,
      models: keys.length,
      timeoutMs: timeout,
      decider: policy?.decider || 'first',
      trace: req.trace,
    });
    this.speculative.set(req.guid, req);
    const items: SpeculativeItem[] = new Array<SpeculativeItem>(keys.length);
    req.items = items;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = new SpeculativeItem(req, key);
      items[i] = item;
      const conn = this.pool.pick(key);
      const id = conn ? conn.send(item) : 0;
      if (id === 0) {
        this.reportFailure(item, Code.UNAVAILABLE, this.noExecutorMessage(key));
      } else {
        item.conn = conn;
      }
    }
    req.deadlineAt = now + timeout + DECISION_GRACE_MS;
    this.deadlines.add(req);
  }

  // ---- ConnectionListener ----

  onStateChange(): void {
    // The pool keeps the live set; nothing else depends on it here.
  }

  onResult(conn: ExecutorConnection, entry: PendingEntry, result: RawResult | undefined): void {
    if (entry.kind === SPECULATIVE_ITEM) {
      // Speculative results go to the collector. One answered here (e.g. an item the executor rejected)
      // never reached it, so the router forwards it: the decision must not wait for the deadline.
      if (result !== undefined && !entry.settled && !entry.req.done) {
        this.collector?.report({ guid: entry.req.guid, result: result.decode(), trace: entry.req.trace });
      }
      entry.settled = true;
      return;
    }
    if (entry.done) return;
    if (result === undefined)
      return this.fail(entry, Code.INTERNAL, `executor ${conn.id} answered without a result`);
    this.complete(entry, {
      guid: entry.guid,
      result: undefined,
      raw: result,
      confidence: result.confidence,
      qualifiers: NO_QUALIFIERS,
    });
  }

  onStreamLost(conn: ExecutorConnection, lost: Map<number, PendingEntry>, reason: string): void {
    let retried = 0;
    let failed = 0;
    for (const entry of lost.values()) {
      if (entry.kind === SPECULATIVE_ITEM) {
        if (!entry.req.done && !entry.settled) {
          this.reportFailure(entry, Code.UNAVAILABLE, `executor ${conn.id} failed before scoring: ${reason}`);
          failed++;
        }
        continue;
      }
      if (entry.done) continue;
      entry.conn = undefined;
      if (!entry.retried) {
        entry.retried = true;
        const next = this.pool.pick(entry.modelKey, conn);
        if (next !== undefined) {
          this.dispatch(entry, next);
          retried++;
          continue;
        }
      }
      this.fail(entry, Code.UNAVAILABLE, `executor ${conn.id} failed: ${reason}`);
      failed++;
    }
    if (retried > 0 || failed > 0)
      this.log.warn('in-flight items of a lost executor stream', { executor: conn.id, retried, failed });
  }

  // ---- CollectorListener ----

  onDecisions(batch: DecisionBatch): void {
    const items = batch.items;
    for (let i = 0; i < items.length; i++) {
      const d = items[i]!;
      const req = this.speculative.get(d.guid);
      if (req === undefined) continue;
      this.speculative.delete(d.guid);
      this.forgetItems(req);
      const response = d.response;
      if (response === undefined || response.result === undefined) {
        this.fail(req, Code.INTERNAL, `speculative collector sent an empty decision for request ${req.guid}`);
        continue;
      }
      this.complete(req, {
        guid: req.guid,
        result: response.result,
        raw: undefined,
        confidence: response.confidence,
        qualifiers: response.qualifiers,
      });
    }
  }

  onCollectorLost(reason: string): void {
    if (this.speculative.size === 0) return;
    const reqs = [...this.speculative.values()];
    this.speculative.clear();
    for (const req of reqs) {
      this.forgetItems(req);
      this.fail(req, Code.UNAVAILABLE, `speculative collector stream failed: ${reason}`);
    }
  }

  // ---- completion ----

  private expire(req: RouteRequest): void {
    if (req.done) return;
    if (req.speculative) {
      this.speculative.delete(req.guid);
      this.forgetItems(req);
      return this.fail(
        req,
        Code.DEADLINE_EXCEEDED,
        `speculative collector did not decide request ${req.guid} within ${req.specTimeoutMs + DECISION_GRACE_MS} ms`,
      );
    }
    if (req.conn !== undefined) req.conn.forget(req.itemId);
    this.fail(
      req,
      Code.DEADLINE_EXCEEDED,
      `request ${req.guid} timed out after ${req.deadlineAt - req.startedAt} ms`,
    );
  }

  private forgetItems(req: RouteRequest): void {
    const items = req.items;
    if (items === undefined) return;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      item.settled = true;
      if (item.conn !== undefined) item.conn.forget(item.id);
    }
  }

  private reportFailure(item: SpeculativeItem, code: number, message: string): void {
    if (item.settled) return;
    item.settled = true;
    this.collector?.report({
      guid: item.req.guid,
      result: {
        processed: false,
        model: item.modelKey,
        source: ROUTER_SOURCE,
        outputs: {},
        tensors: [],
        error: message,
        errorCode: code,
        duration: 0,
      },
      trace: item.req.trace,
    });
  }

  /** Completes a request with a router-made failure. */
  fail(req: RouteRequest, code: number, message: string): void {
    if (req.done) return;
    this.complete(req, errorResponse(req.guid, req.modelKey, code, message));
  }

  private complete(req: RouteRequest, response: RoutedResponse): void {
    if (req.done) return;
    req.done = true;
    this.inflight--;
    // A finished request may still sit in a deadline bucket or an unsent batch: let go of the client's
    // message buffer now (an item still queued goes out without a record and its answer is ignored).
    req.recordBuf = NO_RECORD;
    req.recordStart = 0;
    req.recordEnd = 0;
    req.trace = undefined;
    const span = req.span;
    if (span !== undefined) {
      const error = responseError(response);
      if (error !== '')
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: `${codeName(responseErrorCode(response))}: ${error}`,
        });
      span.end();
      req.span = undefined;
    }
    try {
      req.sink.onResponse(req, response);
    } catch (err) {
      this.log.error('response sink failed', { guid: req.guid, error: err });
    }
    if (this.inflight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private noExecutorMessage(key: string): string {
    const total = this.pool.connections().length;
    return total === 0
      ? `no live executor for model ${key}: no executors are configured`
      : `no live executor for model ${key} (0 of ${total} executors connected)`;
  }
}

export function errorResponse(guid: string, model: string, code: number, message: string): RoutedResponse {
  return {
    guid,
    result: {
      processed: false,
      model,
      source: ROUTER_SOURCE,
      outputs: {},
      tensors: [],
      error: message,
      errorCode: code,
      duration: 0,
    },
    raw: undefined,
    confidence: undefined,
    qualifiers: NO_QUALIFIERS,
  };
}
