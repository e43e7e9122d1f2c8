import { performance } from 'node:perf_hooks';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { ServingRequest, ServingResponse } from '@modelserving/contracts';
import { codeName } from '@modelserving/model-core';
import { fromGrpcError } from '@modelserving/transport';
import { valueText } from '../output';
import { wineRequest, type WineRecord } from '../wine-data';
import { LatencyRecorder } from './latency';

export interface WineSample {
  readonly guid: string;
  readonly predicted: string;
  readonly actual: number;
  readonly model: string;
  readonly source: string;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface WineProgress {
  readonly sent: number;
  readonly received: number;
  readonly errors: number;
  /** Records/s over the last interval. */
  readonly rate: number;
}

export interface WineStreamOptions {
  readonly wines: readonly WineRecord[];
  /** Score with this model only (empty: the data type's models, speculatively when there are several). */
  readonly modelName?: string;
  /** Records to send; undefined keeps going until `signal` aborts. */
  readonly total: number | undefined;
  /** Records per second; undefined sends as fast as the window and the stream allow. */
  readonly rate?: number;
  /** Most requests in flight at once (bounds memory and queueing). */
  readonly window?: number;
  /** How many results to hand to `onSample` (the first ones). */
  readonly sample?: number;
  readonly signal?: AbortSignal;
  readonly onSample?: (s: WineSample) => void;
  readonly onProgress?: (p: WineProgress) => void;
  readonly progressEveryMs?: number;
  /** After an abort, how long outstanding responses may take before the stream is cancelled. */
  readonly drainTimeoutMs?: number;
}

export interface WineStreamSummary {
  readonly sent: number;
  readonly received: number;
  /** Per-record errors plus requests lost with a failed stream. */
  readonly errors: number;
  /** Results whose value (rounded) equals the wine's rated quality. */
  readonly matches: number;
  readonly elapsedMs: number;
  readonly recordsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The first few distinct error messages. */
  readonly firstErrors: readonly string[];
  /** Set when the stream itself failed. */
  readonly streamError?: string;
  readonly interrupted: boolean;
}

const GUID_PREFIX = 'wine-';

function predictedQuality(v: string): number {
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n) : Number.NaN;
}

/**
 * Streams wines through the router's PredictStream and measures what comes back. Send times live in a
 * ring indexed by sequence number (the window bounds how many are in flight, so slots never collide) and
 * the records are prebuilt, so a request costs one small object.
 */
export function streamWines(
  call: ClientDuplexStream<ServingRequest, ServingResponse>,
  options: WineStreamOptions,
): Promise<WineStreamSummary> {
  const { wines, total, rate, signal } = options;
  const modelName = options.modelName ?? '';
  const window = options.window ?? 64;
  const sampleLimit = options.sample ?? 10;
  const drainTimeoutMs = options.drainTimeoutMs ?? 5_000;
  if (wines.length === 0) throw new RangeError('no wines to send');

  const sendTimes = new Float64Array(window);
  const latency = new LatencyRecorder();
  const firstErrors: string[] = [];
  let sent = 0;
  let received = 0;
  let errors = 0;
  let matches = 0;
  let samples = 0;
  let blocked = false;
  let stopped = false;
  let writeEnded = false;
  let finished = false;
  let streamError: string | undefined;
  let tokens = 0;
  let lastTick = 0;
  const t0 = performance.now();

  return new Promise<WineStreamSummary>((resolve) => {
    let rateTimer: NodeJS.Timeout | undefined;
    let progressTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let lastProgress = { at: t0, received: 0 };

    const noteError = (msg: string) => {
      errors++;
      if (firstErrors.length < 5 && !firstErrors.includes(msg)) firstErrors.push(msg);
    };

    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(rateTimer);
      clearInterval(progressTimer);
      clearTimeout(drainTimer);
      signal?.removeEventListener('abort', onAbort);
      call.removeListener('data', onData);
      // A late 'error' (e.g. our own cancel) must not crash the process.
      call.on('error', () => {});
      call.cancel();
      const lost = sent - received;
      if (lost > 0 && streamError) errors += lost;
      const elapsedMs = performance.now() - t0;
      const [p50 = Number.NaN, p99 = Number.NaN] = latency.percentiles([50, 99]);
      resolve({
        sent,
        received,
        errors,
        matches,
        elapsedMs,
        recordsPerSec: elapsedMs > 0 ? (received * 1000) / elapsedMs : 0,
        p50Ms: p50,
        p99Ms: p99,
        maxMs: latency.max,
        firstErrors,
        ...(streamError !== undefined ? { streamError } : {}),
        interrupted: stopped,
      });
    };

    const endWrites = () => {
      if (writeEnded) return;
      writeEnded = true;
      call.end();
    };

    const maybeDone = () => {
      if (writeEnded && received >= sent) finish();
    };

    const pump = () => {
      if (finished || stopped) return;
      while (!blocked && sent - received < window && (total === undefined || sent < total)) {
        if (rate !== undefined) {
          if (tokens < 1) break;
          tokens--;
        }
        const seq = sent++;
        sendTimes[seq % window] = performance.now();
        if (!call.write(wineRequest(wines[seq % wines.length]!, GUID_PREFIX + seq, modelName))) {
          blocked = true;
          call.once('drain', onDrain);
        }
      }
      if (total !== undefined && sent >= total) {
        endWrites();
        maybeDone();
      }
    };

    const onDrain = () => {
      blocked = false;
      pump();
    };

    const onData = (res: ServingResponse) => {
      const seq = res.guid.startsWith(GUID_PREFIX) ? Number(res.guid.slice(GUID_PREFIX.length)) : Number.NaN;
      if (!Number.isInteger(seq) || seq < 0 || seq >= sent) {
        noteError(`response with unexpected guid '${res.guid}'`);
        return;
      }
      received++;
      const ms = performance.now() - sendTimes[seq % window]!;
      latency.record(ms);
      const r = res.result;
      const wine = wines[seq % wines.length]!;
      const predicted = valueText(r?.value);
      let error: string | undefined;
      if (!r) error = 'no result';
      else if (r.error) error = `${codeName(r.errorCode || 2)}: ${r.error}`;
      else if (!r.processed) error = 'NOT_FOUND: no model scored the record';
      if (error) noteError(error);
      else if (predictedQuality(predicted) === wine.quality) matches++;
      if (samples < sampleLimit && options.onSample) {
        samples++;
        options.onSample({
          guid: res.guid,
          predicted,
          actual: wine.quality,
          model: r?.model ?? '',
          source: r?.source ?? '',
          latencyMs: ms,
          ...(error ? { error } : {}),
        });
      }
      if (stopped || writeEnded) maybeDone();
      else pump();
    };

    const onAbort = () => {
      if (stopped || finished) return;
      stopped = true;
      endWrites();
      maybeDone();
      drainTimer = setTimeout(finish, drainTimeoutMs);
    };

    call.on('data', onData);
    call.on('error', (err: unknown) => {
      if (finished) return;
      if (!stopped)
        streamError = (() => {
          const e = fromGrpcError(err);
          return `${codeName(e.code)}: ${e.message}`;
        })();
      finish();
    });
    call.on('end', () => {
      if (received < sent && !streamError && !stopped)
        streamError = `stream ended with ${sent - received} responses missing`;
      finish();
    });

    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort);
    if (options.onProgress) {
      progressTimer = setInterval(() => {
        const now = performance.now();
        const rateNow = ((received - lastProgress.received) * 1000) / (now - lastProgress.at);
        lastProgress = { at: now, received };
        options.onProgress!({ sent, received, errors, rate: rateNow });
      }, options.progressEveryMs ?? 5_000);
      progressTimer.unref();
    }
    if (rate !== undefined) {
      // Token bucket refilled every 10 ms; the cap keeps a stall from turning into a burst.
      const cap = Math.max(1, rate / 10);
      lastTick = performance.now();
      tokens = 1;
      rateTimer = setInterval(() => {
        const now = performance.now();
        tokens = Math.min(cap, tokens + (rate * (now - lastTick)) / 1000);
        lastTick = now;
        pump();
      }, 10);
    }
    pump();
  });
}
