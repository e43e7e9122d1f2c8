import type { ServerDuplexStream } from '@grpc/grpc-js';
import {
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type {
  ScoreBatch,
  ScoreItem,
  ScoreResultBatch,
  ScoreResultItem,
  ServingResult as ProtoResult,
} from '@modelserving/contracts';
import {
  Code,
  ServingError,
  invalidArgument,
  unavailable,
  type DataToServe,
  type LoadedModel,
  type ModelRegistry,
  type ScoreOutput,
} from '@modelserving/model-core';
import { extractTraceContext, injectTraceContext, tracer } from '@modelserving/telemetry';
import { recordToData } from '@modelserving/transport';
import { BatchWriter } from './batch-writer';
import type { CollectorLink } from './collector-link';
import { errorMessage, type Logger } from '@modelserving/service-kit';
import type { ModelSync } from './model-sync';
import { errorResult, okResult, servingError } from './results';

export interface ScoreContext {
  readonly executorId: string;
  readonly registry: ModelRegistry;
  readonly sync: ModelSync;
  readonly collector: CollectorLink;
  readonly maxBatch: number;
  readonly log: Logger;
}

/**
 * Stands in for every span while no OpenTelemetry SDK is installed: the API's no-op tracer would still
 * allocate a span (and resolve a context) per item, which is garbage on the hot path for nothing. All its
 * methods are no-ops, so one instance can be shared.
 */
const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Whether an OpenTelemetry SDK is installed (same test as the router's). Checked once per batch, not
 * cached longer, so a provider installed later (tests) is picked up by the next batch.
 */
function tracingInstalled(): boolean {
  const provider = trace.getTracerProvider();
  return (
    !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer('modelserving') !== undefined
  );
}

/** Items of one model key from one batch, with their spans (same index). */
interface Group {
  readonly key: string;
  readonly dataType: string;
  readonly items: ScoreItem[];
  readonly spans: Span[];
}

/**
 * One router's `Score` stream. Items are grouped by model key and scored with the serving model; direct
 * results go back on this stream through a micro-batched, backpressured writer, speculative ones to the
 * collector. Every item is answered exactly once; a bad item yields an error result, never a stream error.
 */
export class ScoreSession {
  private readonly ctx: ScoreContext;
  private readonly call: ServerDuplexStream<ScoreBatch, ScoreResultBatch>;
  private readonly writer: BatchWriter<ScoreResultItem, ScoreResultBatch>;
  private inflight = 0;
  private closed = false;
  private inputEnded = false;
  private ending = false;
  private drainWaiters: (() => void)[] = [];

  constructor(
    call: ServerDuplexStream<ScoreBatch, ScoreResultBatch>,
    ctx: ScoreContext,
    onClose: (s: ScoreSession) => void,
  ) {
    this.call = call;
    this.ctx = ctx;
    this.writer = new BatchWriter<ScoreResultItem, ScoreResultBatch>(call, {
      maxBatch: ctx.maxBatch,
      wrap: (items) => ({ items }),
      // Stop reading while the router does not read our answers: HTTP/2 flow control then slows it down.
      onPause: () => call.pause(),
      onResume: () => call.resume(),
    });
    call.on('data', (batch: ScoreBatch) => this.onBatch(batch));
    call.on('end', () => {
      this.inputEnded = true;
      this.maybeEnd();
    });
    const closed = (): void => {
      if (this.closed) return;
      this.closed = true;
      this.writer.takeAll();
      this.wakeDrainWaiters();
      onClose(this);
    };
    call.on('error', (err) => {
      ctx.log.debug('score stream error', { error: errorMessage(err) });
      closed();
    });
    call.on('cancelled', closed);
    call.on('close', closed);
    call.on('finish', closed);
  }

  get pending(): number {
    return this.inflight;
  }

  /**
   * Graceful stop: answers everything in flight (items that still arrive are scored too), then ends the
   * stream with OK so the router moves on. Resolves when done or when the stream is gone.
   */
  drain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.inputEnded = true;
    const p = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.maybeEnd();
    return p;
  }

  private onBatch(batch: ScoreBatch): void {
    const items = batch.items;
    if (items.length === 0) return;
    this.inflight += items.length;
    const t = tracingInstalled() ? tracer() : undefined;
    // Batches usually carry one or a few keys: a linear scan over the groups beats a Map per batch.
    const groups: Group[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as ScoreItem;
      try {
        const span = t === undefined ? NO_SPAN : startSpan(t, item);
        const key = item.modelKey;
        const slash = key.indexOf('/');
        if (!key || slash <= 0 || slash === key.length - 1) {
          this.answerInvalid(
            item,
            span,
            key ? `'${key}' is not a model key (expected dataType/modelName)` : 'model key is missing',
          );
          continue;
        }
        if (!item.record) {
          this.answerInvalid(item, span, `item ${item.id}: record is missing`);
          continue;
        }
        if (item.speculative && !item.guid) {
          this.answerInvalid(item, span, `item ${item.id}: speculative item without guid`);
          continue;
        }
        let g: Group | undefined;
        for (let j = 0; j < groups.length; j++) {
          if ((groups[j] as Group).key === key) {
            g = groups[j];
            break;
          }
        }
        if (!g) {
          g = { key, dataType: key.slice(0, slash), items: [], spans: [] };
          groups.push(g);
        }
        g.items.push(item);
        g.spans.push(span);
      } catch (err) {
        // Defensive: nothing above should throw, but one item must never take the stream down.
        this.ctx.log.error('scoring an item failed', { item: item.id, error: errorMessage(err) });
        this.inflight--;
      }
    }
    for (let j = 0; j < groups.length; j++) this.process(groups[j] as Group, 0);
  }

  private process(g: Group, round: number): void {
    const ready = this.ctx.sync.readiness(g.key, round);
    if (ready) {
      const next = (): void => this.process(g, round + 1);
      ready.then(next, next);
      return;
    }
    let loaded: LoadedModel;
    try {
      loaded = this.ctx.registry.acquire(g.key);
    } catch (err) {
      const e = this.ctx.sync.synced
        ? servingError(err)
        : unavailable(`model ${g.key}: this executor has not loaded the model store yet`);
      for (let i = 0; i < g.items.length; i++) {
        this.answer(
          g.items[i] as ScoreItem,
          g.spans[i] as Span,
          errorResult(g.key, this.ctx.executorId, e, false),
        );
      }
      return;
    }
    if (loaded.model.scoreBatch) {
      this.scoreBatch(g, loaded);
      return;
    }
    try {
      this.scoreEach(g, loaded);
    } finally {
      this.ctx.registry.release(loaded);
    }
  }

  private scoreEach(g: Group, loaded: LoadedModel): void {
    const model = loaded.model;
    const stats = loaded.stats;
    const source = this.ctx.executorId;
    for (let i = 0; i < g.items.length; i++) {
      const item = g.items[i] as ScoreItem;
      const t0 = performance.now();
      let result: ProtoResult;
      try {
        const out = model.score(recordToData(g.dataType, item.record));
        const dt = performance.now() - t0;
        stats.record(dt);
        result = okResult(g.key, source, out, dt);
      } catch (err) {
        result = errorResult(g.key, source, servingError(err), true, performance.now() - t0);
      }
      this.answer(item, g.spans[i] as Span, result);
    }
  }

  /**
   * Scores the group with the model's batch path. A synchronous result is handled at once (no microtask,
   * the model is released immediately); a promise (tensor models) keeps the model pinned until it settles.
   */
  private scoreBatch(g: Group, loaded: LoadedModel): void {
    const source = this.ctx.executorId;
    const inputs: DataToServe[] = [];
    const index: number[] = [];
    for (let i = 0; i < g.items.length; i++) {
      try {
        inputs.push(recordToData(g.dataType, (g.items[i] as ScoreItem).record));
        index.push(i);
      } catch (err) {
        this.answer(
          g.items[i] as ScoreItem,
          g.spans[i] as Span,
          errorResult(g.key, source, servingError(err), true),
        );
      }
    }
    if (inputs.length === 0) {
      this.ctx.registry.release(loaded);
      return;
    }
    const t0 = performance.now();
    let ret: ReturnType<NonNullable<typeof loaded.model.scoreBatch>>;
    try {
      ret = (loaded.model.scoreBatch as NonNullable<typeof loaded.model.scoreBatch>).call(
        loaded.model,
        inputs,
      );
    } catch (err) {
      this.failBatch(g, index, servingError(err), performance.now() - t0);
      this.ctx.registry.release(loaded);
      return;
    }
    if (Array.isArray(ret)) {
      this.finishBatch(g, loaded, index, ret, performance.now() - t0);
      this.ctx.registry.release(loaded);
      return;
    }
    ret
      .then(
        (outs) => this.finishBatch(g, loaded, index, outs, performance.now() - t0),
        (err: unknown) => this.failBatch(g, index, servingError(err), performance.now() - t0),
      )
      .finally(() => this.ctx.registry.release(loaded));
  }

  private finishBatch(
    g: Group,
    loaded: LoadedModel,
    index: number[],
    outs: readonly (ScoreOutput | Error)[],
    totalMs: number,
  ): void {
    const source = this.ctx.executorId;
    // Per-record time of a batch is its share of the batch.
    const each = totalMs / index.length;
    let ok = 0;
    for (let k = 0; k < index.length; k++) {
      const i = index[k] as number;
      const out = outs[k];
      let result: ProtoResult;
      if (out === undefined) {
        result = errorResult(
          g.key,
          source,
          new ServingError(Code.INTERNAL, 'model returned no result for the record'),
          true,
          each,
        );
      } else if (out instanceof Error) {
        result = errorResult(g.key, source, servingError(out), true, each);
      } else {
        ok++;
        result = okResult(g.key, source, out, each);
      }
      this.answer(g.items[i] as ScoreItem, g.spans[i] as Span, result);
    }
    loaded.stats.recordBatch(ok, each * ok);
  }

  private failBatch(g: Group, index: number[], e: ServingError, totalMs: number): void {
    const each = totalMs / index.length;
    for (let k = 0; k < index.length; k++) {
      const i = index[k] as number;
      this.answer(
        g.items[i] as ScoreItem,
        g.spans[i] as Span,
        errorResult(g.key, this.ctx.executorId, e, true, each),
      );
    }
  }

  private answerInvalid(item: ScoreItem, span: Span, message: string): void {
    const result = errorResult(item.modelKey, this.ctx.executorId, invalidArgument(message), false);
    // Without a guid the collector could not match it, so an invalid item is always answered here.
    this.answerOnStream(item, span, result);
  }

  private answer(item: ScoreItem, span: Span, result: ProtoResult): void {
    if (!item.speculative) {
      this.answerOnStream(item, span, result);
      return;
    }
    if (span === NO_SPAN) {
      this.ctx.collector.push({ guid: item.guid, result });
      this.settled();
      return;
    }
    if (result.errorCode !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
    const carrier = injectTraceContext(span);
    span.end();
    this.ctx.collector.push(
      carrier ? { guid: item.guid, result, trace: carrier } : { guid: item.guid, result },
    );
    this.settled();
  }

  private answerOnStream(item: ScoreItem, span: Span, result: ProtoResult): void {
    if (span !== NO_SPAN) {
      if (result.errorCode !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
      span.end();
    }
    // After our end() the router treats what it still had in flight as failed and retries it.
    if (!this.closed && !this.ending) this.writer.push({ id: item.id, result });
    this.settled();
  }

  private settled(): void {
    this.inflight--;
    if (this.inputEnded && this.inflight === 0) this.maybeEnd();
  }

  /** Ends our side once the router has ended its side (or we drain) and every item is answered. */
  private maybeEnd(): void {
    if (this.closed || this.ending || !this.inputEnded || this.inflight > 0) return;
    this.ending = true;
    void this.writer.whenIdle().then(() => {
      if (!this.closed) this.call.end();
      this.wakeDrainWaiters();
    });
  }

  private wakeDrainWaiters(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
  }
}

function startSpan(t: Tracer, item: ScoreItem): Span {
  const span = t.startSpan('executor.score', undefined, extractTraceContext(item.trace));
  if (span.isRecording()) {
    span.setAttribute('modelserving.model_key', item.modelKey);
    if (item.guid) span.setAttribute('modelserving.guid', item.guid);
    span.setAttribute('modelserving.speculative', item.speculative);
  }
  return span;
}
