import { sleep } from '@modelserving/service-kit';
import { credentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import {
  SpeculativeCollectorServiceClient,
  type CollectAck,
  type CollectItem,
  type DecisionBatch,
  type DecisionItem,
  type ExpectBatch,
  type ExpectItem,
  type ServingResult,
  type SpeculativeStatsResponse,
  type TraceContext,
} from '@modelserving/contracts';

// Test clients for the collector: a router's Decide stream and an executor's Collect stream, as the real
// router and executor drive them (complete messages: the generated encoders need every scalar field).

export function collectorClient(address: string): SpeculativeCollectorServiceClient {
  return new SpeculativeCollectorServiceClient(address, credentials.createInsecure());
}

export function expectItem(p: {
  guid: string;
  models: number;
  timeoutMs?: number;
  decider?: string;
  dataType?: string;
  trace?: TraceContext;
}): ExpectItem {
  return { dataType: 'wine', timeoutMs: 5_000, decider: 'first', ...p };
}

/** A successful result of `model` with value `value`. */
export function ok(model: string, value: number | string, confidence?: number): ServingResult {
  return {
    processed: true,
    model,
    source: 'executor-1',
    value: typeof value === 'number' ? { number: value } : { string: value },
    outputs: {},
    tensors: [],
    error: '',
    errorCode: 0,
    duration: 0.1,
    ...(confidence !== undefined ? { confidence } : {}),
  };
}

export function failed(model: string, code: number, error: string, source = 'executor-1'): ServingResult {
  return { processed: false, model, source, outputs: {}, tensors: [], error, errorCode: code, duration: 0 };
}

export function item(guid: string, result: ServingResult, trace?: TraceContext): CollectItem {
  return { guid, result, ...(trace ? { trace } : {}) };
}

/** A router's Decide stream: records every decision and lets a test await them by guid. */
export class TestRouter {
  readonly decisions: DecisionItem[] = [];
  readonly byGuid = new Map<string, DecisionItem[]>();
  /** Resolves with the stream's final status (error or end). */
  readonly finished: Promise<{ code: number; details: string }>;
  private readonly waiters = new Map<string, ((d: DecisionItem) => void)[]>();
  private readonly call: ClientDuplexStream<ExpectBatch, DecisionBatch>;

  constructor(client: SpeculativeCollectorServiceClient) {
    this.call = client.decide();
    this.call.on('data', (batch: DecisionBatch) => {
      for (const d of batch.items) {
        this.decisions.push(d);
        const list = this.byGuid.get(d.guid);
        if (list) list.push(d);
        else this.byGuid.set(d.guid, [d]);
        const ws = this.waiters.get(d.guid);
        if (ws) {
          this.waiters.delete(d.guid);
          for (const w of ws) w(d);
        }
      }
    });
    this.finished = new Promise((resolve) => {
      this.call.on('status', (s: { code: number; details: string }) =>
        resolve({ code: s.code, details: s.details }),
      );
      this.call.on('error', (e: ServiceError) => resolve({ code: e.code, details: e.details }));
    });
  }

  send(expects: ExpectItem[], results: CollectItem[] = []): void {
    this.call.write({ expects, results });
  }

  /** The decision for `guid` (the first one if several came), waiting up to `timeoutMs`. */
  decision(guid: string, timeoutMs = 5_000): Promise<DecisionItem> {
    const have = this.byGuid.get(guid);
    if (have) return Promise.resolve(have[0]!);
    return new Promise<DecisionItem>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no decision for ${guid} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const list = this.waiters.get(guid) ?? [];
      list.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
      this.waiters.set(guid, list);
    });
  }

  count(guid: string): number {
    return this.byGuid.get(guid)?.length ?? 0;
  }

  end(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }
}

/** An executor's Collect stream. */
export class TestExecutor {
  readonly ack: Promise<CollectAck>;
  private readonly call: ReturnType<SpeculativeCollectorServiceClient['collect']>;

  constructor(client: SpeculativeCollectorServiceClient) {
    let resolve!: (a: CollectAck) => void;
    let reject!: (e: unknown) => void;
    this.ack = new Promise<CollectAck>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.ack.catch(() => {});
    this.call = client.collect((err, res) => (err ? reject(err) : resolve(res)));
  }

  send(...items: CollectItem[]): void {
    this.call.write({ items });
  }

  /** Ends the stream; resolves with the ack, i.e. once the collector has handled every item. */
  end(): Promise<CollectAck> {
    this.call.end();
    return this.ack;
  }
}

export function getStats(
  client: SpeculativeCollectorServiceClient,
  dataType: string,
): Promise<SpeculativeStatsResponse> {
  return new Promise((resolve, reject) =>
    client.getStats({ dataType }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

export function qualifiers(d: DecisionItem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const q of d.response?.qualifiers ?? []) out[q.key] = q.value;
  return out;
}

export async function waitUntil(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export { sleep };
