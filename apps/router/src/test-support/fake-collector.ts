import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import {
  SpeculativeCollectorServiceService,
  type CollectItem,
  type DecisionBatch,
  type ExpectBatch,
  type ExpectItem,
  type ServingResult,
  type TraceContext,
} from '@modelserving/contracts';

interface Pending {
  expect: ExpectItem;
  results: ServingResult[];
  timer: NodeJS.Timeout;
  call: ServerDuplexStream<ExpectBatch, DecisionBatch>;
}

/**
 * A speculative collector for tests: records expectations and results, decides `first` (first success) or
 * when all results are in, and at the deadline with what it has.
 */
export class FakeCollector {
  readonly expects: ExpectItem[] = [];
  /** Results the router reported itself (ExpectBatch.results). */
  readonly routerResults: CollectItem[] = [];
  /** Results from executors, by guid. */
  readonly executorResults: { guid: string; result: ServingResult; trace?: TraceContext | undefined }[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly early = new Map<string, ServingResult[]>();
  private readonly calls = new Set<ServerDuplexStream<ExpectBatch, DecisionBatch>>();
  decided = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<FakeCollector> {
    const server = new Server();
    const ref: { self?: FakeCollector } = {};
    server.addService(SpeculativeCollectorServiceService, {
      decide: (call: ServerDuplexStream<ExpectBatch, DecisionBatch>) => ref.self!.onDecide(call),
      collect: (_call: unknown, cb: (e: null, r: { received: number }) => void) => cb(null, { received: 0 }),
      getStats: (call: { request: { dataType: string } }, cb: (e: null, r: unknown) => void) =>
        cb(null, {
          stats: [
            {
              name: call.request.dataType || 'all',
              decider: 'first',
              tmout: 1000,
              since: 1,
              usage: ref.self!.decided,
              duration: 1,
              min: 1,
              max: 1,
              timeouts: 0,
            },
          ],
        }),
    });
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
    ref.self = new FakeCollector(server, port);
    return ref.self;
  }

  /** Called by fake executors (stands in for their Collect stream). */
  collect(guid: string, result: ServingResult, trace?: TraceContext): void {
    this.executorResults.push({ guid, result, trace });
    this.add(guid, result);
  }

  kill(): void {
    this.server.forceShutdown();
  }

  stop(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    return new Promise((r) => {
      this.server.tryShutdown(() => r());
      setTimeout(() => {
        this.server.forceShutdown();
        r();
      }, 500).unref();
    });
  }

  private onDecide(call: ServerDuplexStream<ExpectBatch, DecisionBatch>): void {
    this.calls.add(call);
    call.on('data', (batch: ExpectBatch) => {
      for (const e of batch.expects) {
        this.expects.push(e);
        const timer = setTimeout(() => this.decide(e.guid), e.timeoutMs);
        this.pending.set(e.guid, { expect: e, results: this.early.get(e.guid) ?? [], timer, call });
        this.early.delete(e.guid);
        this.check(e.guid);
      }
      for (const r of batch.results) {
        this.routerResults.push(r);
        if (r.result) this.add(r.guid, r.result);
      }
    });
    call.on('end', () => call.end());
    call.on('error', () => this.calls.delete(call));
    call.on('cancelled', () => this.calls.delete(call));
  }

  private add(guid: string, result: ServingResult): void {
    const p = this.pending.get(guid);
    if (!p) {
      const list = this.early.get(guid) ?? [];
      list.push(result);
      this.early.set(guid, list);
      return;
    }
    p.results.push(result);
    this.check(guid);
  }

  private check(guid: string): void {
    const p = this.pending.get(guid);
    if (!p) return;
    const success = p.results.find((r) => !r.error);
    if ((p.expect.decider === 'first' && success) || p.results.length >= p.expect.models) this.decide(guid);
  }

  private decide(guid: string): void {
    const p = this.pending.get(guid);
    if (!p) return;
    this.pending.delete(guid);
    clearTimeout(p.timer);
    this.decided++;
    const result: ServingResult = p.results.find((r) => !r.error) ??
      p.results[0] ?? {
        processed: false,
        model: '',
        source: 'collector',
        outputs: {},
        tensors: [],
        error: `no result within ${p.expect.timeoutMs} ms`,
        errorCode: 4,
        duration: 0,
      };
    p.call.write({
      items: [
        {
          guid,
          response: { guid, result, qualifiers: [{ key: 'results', value: String(p.results.length) }] },
        },
      ],
    });
  }
}
