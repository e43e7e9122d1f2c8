import type {
  CollectItem,
  ExpectItem,
  ServingResponse,
  ServingResult,
  SpeculativeExecutionStats,
} from '@modelserving/contracts';
import { Code } from '@modelserving/model-core';
import { extractTraceContext } from '@modelserving/telemetry';
import { ROOT_CONTEXT, SpanStatusCode, type Span } from '@opentelemetry/api';
import { DeadlineQueue } from './deadline-queue';
import { isSuccess, type Verdict } from './decider';
import { DeciderRegistry } from './decider-registry';
import { decisionResponse, errorResult } from './decision';
import { OrphanBuffer } from './orphan-buffer';
import { PendingRequest, type DecisionTarget } from './pending-request';
import { RecentSet } from './recent-set';
import { SpeculativeStats } from './speculative-stats';
import { decideTracer } from './decide-tracer';

export interface CollectorEngineOptions {
  readonly deciders?: DeciderRegistry;
  readonly orphanTtlMs: number;
  readonly maxOrphans: number;
  readonly decidedCapacity: number;
  readonly maxTimeoutMs: number;
  /** Monotonic clock in ms (tests). */
  readonly now?: () => number;
}

/** What the collector has done since it started; gauges are marked. */
export interface CollectorCounters {
  /** Expectations accepted. */
  readonly expectations: number;
  /** Expectations answered with an error at once (bad input, unknown decider, duplicate guid, stopping). */
  readonly rejected: number;
  /** Accepted requests decided (any way but abandoned). */
  readonly decisions: number;
  /** Decided at the deadline (or at stop) with results missing: the responses marked timedOut. */
  readonly timeouts: number;
  /** Decided early because the collector was stopping. */
  readonly cancelled: number;
  /** Dropped undecided because their router stream ended. */
  readonly abandoned: number;
  /** Results received, from executors and routers. */
  readonly results: number;
  /** A second result for a model already counted in its request; ignored. */
  readonly duplicates: number;
  /** Results for guids decided recently; dropped. */
  readonly late: number;
  /** Results without a guid; dropped. */
  readonly invalid: number;
  /** Results held before their expectation and applied when it came. */
  readonly orphansApplied: number;
  /** Held results whose expectation never came within the TTL; dropped. */
  readonly orphansExpired: number;
  /** Held results dropped because the buffer was full. */
  readonly orphansEvicted: number;
  /** Gauge: results held for unknown guids. */
  readonly orphansHeld: number;
  /** Gauge: requests waiting for a decision. */
  readonly inFlight: number;
}

const COMPLETE = 0;
const DEADLINE = 1;
const CANCELLED = 2;
type Reason = typeof COMPLETE | typeof DEADLINE | typeof CANCELLED;

/**
 * The speculative collector's state machine, independent of gRPC: expectations open requests bound to the
 * router stream they came on, results (from executors or routers) are matched by guid, a decider picks the
 * answer early, at all-arrived or at the deadline, and the decision is handed back to that stream.
 * Everything runs synchronously on the event loop; nothing awaits per item.
 */
export class CollectorEngine {
  readonly deciders: DeciderRegistry;
  private readonly inflight = new Map<string, PendingRequest>();
  private readonly deadlines: DeadlineQueue<PendingRequest>;
  private readonly orphans: OrphanBuffer;
  private readonly decided: RecentSet;
  private readonly stats = new SpeculativeStats();
  private readonly now: () => number;
  private readonly maxTimeoutMs: number;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];

  private expectations = 0;
  private rejected = 0;
  private decisions = 0;
  private timeouts = 0;
  private cancelled = 0;
  private abandoned = 0;
  private results = 0;
  private duplicates = 0;
  private late = 0;
  private invalid = 0;
  private orphansApplied = 0;
  private orphansExpired = 0;
  private orphansEvicted = 0;

  constructor(options: CollectorEngineOptions) {
    this.deciders = options.deciders ?? new DeciderRegistry();
    this.now = options.now ?? (() => performance.now());
    this.maxTimeoutMs = options.maxTimeoutMs;
    this.deadlines = new DeadlineQueue<PendingRequest>((req) => this.finish(req, DEADLINE), this.now);
    this.orphans = new OrphanBuffer({
      ttlMs: options.orphanTtlMs,
      maxResults: options.maxOrphans,
      now: this.now,
      onExpired: (n) => (this.orphansExpired += n),
      onEvicted: (n) => (this.orphansEvicted += n),
    });
    this.decided = new RecentSet(options.decidedCapacity);
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  counters(): CollectorCounters {
    return {
      expectations: this.expectations,
      rejected: this.rejected,
      decisions: this.decisions,
      timeouts: this.timeouts,
      cancelled: this.cancelled,
      abandoned: this.abandoned,
      results: this.results,
      duplicates: this.duplicates,
      late: this.late,
      invalid: this.invalid,
      orphansApplied: this.orphansApplied,
      orphansExpired: this.orphansExpired,
      orphansEvicted: this.orphansEvicted,
      orphansHeld: this.orphans.size,
      inFlight: this.inflight.size,
    };
  }

  getStats(dataType = ''): SpeculativeExecutionStats[] {
    return this.stats.get(dataType);
  }

  /** Opens a request for `item`, answering `target` with an error decision at once when it cannot. */
  expect(item: ExpectItem, target: DecisionTarget): void {
    const guid = item.guid;
    if (!guid) return this.reject(item, target, Code.INVALID_ARGUMENT, 'expectation without a guid');
    if (this.stopping)
      return this.reject(item, target, Code.UNAVAILABLE, 'speculative collector is stopping');
    if (this.inflight.has(guid)) {
      // Two routers (or a client reusing a guid) racing: results carry only the guid, so they cannot be
      // told apart. The first request keeps it.
      return this.reject(
        item,
        target,
        Code.ALREADY_EXISTS,
        `request ${guid} is already waiting for a decision`,
        false,
      );
    }
    const n = item.models;
    if (!Number.isInteger(n) || n < 1) {
      return this.reject(
        item,
        target,
        Code.INVALID_ARGUMENT,
        `expectation for request ${guid}: models must be at least 1, got ${n}`,
      );
    }
    const timeoutMs = item.timeoutMs;
    if (!(timeoutMs >= 1 && timeoutMs <= this.maxTimeoutMs)) {
      return this.reject(
        item,
        target,
        Code.INVALID_ARGUMENT,
        `expectation for request ${guid}: timeout_ms must be from 1 to ${this.maxTimeoutMs}, got ${timeoutMs}`,
      );
    }
    const decider = this.deciders.get(item.decider);
    if (decider === undefined) {
      return this.reject(
        item,
        target,
        Code.INVALID_ARGUMENT,
        `unknown decider '${item.decider}' for data type ${item.dataType}; known deciders: ${this.deciders.names().join(', ')}`,
      );
    }

    const now = this.now();
    const req = new PendingRequest(
      guid,
      item.dataType,
      n,
      timeoutMs,
      decider,
      target,
      now,
      now + timeoutMs,
      this.startSpan(item, decider.name),
    );
    // A reused guid starts afresh (has() first: the lookup is much cheaper than a delete that misses).
    if (this.decided.has(guid)) this.decided.delete(guid);
    this.expectations++;
    this.inflight.set(guid, req);
    target.inFlight++;
    this.deadlines.add(req);

    const early = this.orphans.take(guid);
    if (early !== undefined) {
      for (let i = 0; i < early.length && !req.done; i++) {
        this.orphansApplied++;
        this.add(req, early[i]!);
      }
    }
  }

  /** A result from an executor's Collect stream or supplied by a router. */
  result(item: CollectItem): void {
    this.results++;
    const guid = item.guid;
    if (!guid) {
      this.invalid++;
      return;
    }
    const result =
      item.result ?? errorResult(Code.INTERNAL, `an empty result was reported for request ${guid}`);
    const req = this.inflight.get(guid);
    if (req !== undefined) this.add(req, result);
    else if (this.decided.has(guid)) this.late++;
    else this.orphans.add(guid, result);
  }

  /** The router stream behind `target` is gone: its requests can no longer be answered. */
  dropTarget(target: DecisionTarget): number {
    if (target.inFlight === 0) return 0;
    let dropped = 0;
    for (const req of this.inflight.values()) {
      if (req.target !== target) continue;
      req.done = true;
      this.inflight.delete(req.guid);
      this.deadlines.remove(req);
      // Executors may still answer: drop those results at once instead of holding them as orphans.
      this.decided.add(req.guid);
      if (req.span) {
        req.span.setAttributes({ answered: req.results.length, abandoned: true });
        req.span.setStatus({
          code: SpanStatusCode.ERROR,
          message: 'router stream ended before the decision',
        });
        req.span.end();
      }
      dropped++;
    }
    target.inFlight = 0;
    this.abandoned += dropped;
    this.notifyIdle();
    return dropped;
  }

  /** From now on new expectations are answered UNAVAILABLE; pending ones still decide. */
  beginStopping(): void {
    this.stopping = true;
  }

  /** Resolves once no request is waiting for a decision. */
  whenIdle(): Promise<void> {
    if (this.inflight.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Decides every pending request now with what it has (stop). */
  cancelAll(): number {
    const pending = this.deadlines.clear();
    for (const req of pending) this.finish(req, CANCELLED);
    return pending.length;
  }

  close(): void {
    this.stopping = true;
    this.deadlines.clear();
    this.orphans.close();
    this.decided.clear();
  }

  private add(req: PendingRequest, result: ServingResult): void {
    if (result.model && req.hasModel(result.model)) {
      // E.g. the router reported a failure for an item whose executor had answered after all.
      this.duplicates++;
      return;
    }
    const results = req.results;
    results.push(result);
    if (req.span) {
      req.span.addEvent('result', {
        model: result.model,
        source: result.source,
        ok: isSuccess(result),
        ...(result.error ? { error: result.error } : {}),
      });
    }
    if (results.length >= req.expected) return this.finish(req, COMPLETE);
    const verdict = req.decider.early(results, req.expected);
    if (verdict !== undefined) this.complete(req, verdict.result, verdict.confidence, false, verdict.votes);
  }

  private finish(req: PendingRequest, reason: Reason): void {
    if (req.done) return;
    const results = req.results;
    const timedOut = reason !== COMPLETE && results.length < req.expected;
    const verdict: Verdict | undefined = req.decider.final(results, req.expected);
    if (verdict !== undefined)
      return this.complete(req, verdict.result, verdict.confidence, timedOut, verdict.votes, reason);
    this.complete(req, this.failure(req, reason), undefined, timedOut, undefined, reason);
  }

  /** The error result when no model succeeded. */
  private failure(req: PendingRequest, reason: Reason): ServingResult {
    const results = req.results;
    const first = results[0];
    if (reason === COMPLETE && first !== undefined) {
      // Every model answered and every one failed: the first error is the answer.
      if (first.error) return first;
      return {
        ...first,
        error: `model ${first.model || '(unnamed)'} did not process the record`,
        errorCode: first.errorCode || Code.NOT_FOUND,
      };
    }
    const failed =
      first === undefined
        ? ''
        : `; ${results.length} of ${req.expected} failed, first: ${first.error || `model ${first.model} did not process the record`}`;
    if (reason === CANCELLED) {
      return errorResult(
        Code.UNAVAILABLE,
        `speculative collector stopped before any model of data type ${req.dataType} answered${failed}`,
      );
    }
    return errorResult(
      Code.DEADLINE_EXCEEDED,
      `no model answered data type ${req.dataType} within ${req.timeoutMs} ms${failed}`,
    );
  }

  private complete(
    req: PendingRequest,
    result: ServingResult,
    confidence: number | undefined,
    timedOut: boolean,
    votes: number | undefined,
    reason: Reason = COMPLETE,
  ): void {
    req.done = true;
    const guid = req.guid;
    this.inflight.delete(guid);
    this.deadlines.remove(req);
    this.decided.add(guid);
    req.target.inFlight--;
    this.decisions++;
    if (timedOut) this.timeouts++;
    if (reason === CANCELLED) this.cancelled++;
    const answered = req.results.length;
    this.stats.record(req.dataType, req.decider.name, req.timeoutMs, this.now() - req.startedAt, timedOut);
    const response: ServingResponse = decisionResponse(
      guid,
      result,
      confidence,
      req.decider.name,
      answered,
      req.expected,
      timedOut,
      votes,
    );
    const span = req.span;
    if (span) {
      span.setAttributes({ answered, timedOut, ...(confidence !== undefined ? { confidence } : {}) });
      if (result.error) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
      span.end();
    }
    req.target.send(guid, response);
    if (this.idleWaiters.length > 0) this.notifyIdle();
  }

  private reject(
    item: ExpectItem,
    target: DecisionTarget,
    code: number,
    message: string,
    forgetGuid = true,
  ): void {
    this.rejected++;
    if (forgetGuid && item.guid) {
      // Results for a request that will never be collected: drop what is held and what comes later.
      this.orphans.discard(item.guid);
      this.decided.add(item.guid);
    }
    const span = this.startSpan(item, item.decider);
    if (span) {
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
    }
    target.send(
      item.guid,
      decisionResponse(
        item.guid,
        errorResult(code, message),
        undefined,
        item.decider,
        0,
        Math.max(0, item.models),
        false,
      ),
    );
  }

  private startSpan(item: ExpectItem, decider: string): Span | undefined {
    // Parented on the router's request span carried in the item; ROOT_CONTEXT so nothing ambient leaks in.
    const span = decideTracer().startSpan(
      'collector.decide',
      undefined,
      extractTraceContext(item.trace, ROOT_CONTEXT),
    );
    if (!span.isRecording()) return undefined;
    span.setAttributes({
      guid: item.guid,
      dataType: item.dataType,
      decider,
      models: item.models,
      timeoutMs: item.timeoutMs,
    });
    return span;
  }

  private notifyIdle(): void {
    if (this.inflight.size !== 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
