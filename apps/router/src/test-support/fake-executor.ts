import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import {
  ModelExecutorServiceService,
  ModelStatus_State,
  type ExecutorStatusRequest,
  type ExecutorStatusResponse,
  type ModelStatus,
  type ScoreBatch,
  type ScoreItem,
  type ScoreResultBatch,
  type ScoreResultItem,
  type ServingResult,
  type TensorSpec,
} from '@modelserving/contracts';
import type { ModelStore } from '@modelserving/model-store';
import type { FakeCollector } from './fake-collector';

export interface FakeExecutorOptions {
  readonly collector?: FakeCollector;
  /** GetStatus reports the keys this store knows, at the store's position. Without it every asked key is SERVING. */
  readonly store?: ModelStore;
  /** Hold direct answers until release(). */
  readonly hold?: boolean;
  readonly inputs?: TensorSpec[];
  readonly outputs?: TensorSpec[];
}

const spec = (name: string, datatype = 'FP64'): TensorSpec => ({ name, datatype, shape: [-1], values: [] });

/**
 * A model executor for router tests: scores `value = x + y` (features x and y), fails records whose
 * feature `fail` is true, answers direct items on the Score stream and hands speculative results to a
 * FakeCollector.
 */
export class FakeExecutor {
  readonly received: ScoreItem[] = [];
  private held: { call: ServerDuplexStream<ScoreBatch, ScoreResultBatch>; item: ScoreResultItem }[] = [];
  hold: boolean;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: FakeExecutorOptions,
  ) {
    this.hold = options.hold ?? false;
  }

  get id(): string {
    return this.address;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Restarts an executor on a known port (simulates a process coming back). */
  static startOn(port: number, options: FakeExecutorOptions = {}): Promise<FakeExecutor> {
    return FakeExecutor.start(options, port);
  }

  static async start(options: FakeExecutorOptions = {}, port = 0): Promise<FakeExecutor> {
    const server = new Server();
    const ref: { self?: FakeExecutor } = {};
    server.addService(ModelExecutorServiceService, {
      score: (call: ServerDuplexStream<ScoreBatch, ScoreResultBatch>) => ref.self!.onScore(call),
      getStatus: (
        call: ServerUnaryCall<ExecutorStatusRequest, ExecutorStatusResponse>,
        cb: sendUnaryData<ExecutorStatusResponse>,
      ) => {
        ref.self!.status(call.request).then(
          (r) => cb(null, r),
          (e: Error) => cb(e),
        );
      },
    });
    const bound = await new Promise<number>((res, rej) =>
      server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (e, p) =>
        e ? rej(e) : res(p),
      ),
    );
    ref.self = new FakeExecutor(server, bound, options);
    return ref.self;
  }

  countFor(key: string): number {
    return this.received.filter((i) => i.modelKey === key).length;
  }

  /** Sends every held answer. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) h.call.write({ items: [h.item] });
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Simulates a crash: every stream fails at once. */
  kill(): void {
    this.server.forceShutdown();
  }

  stop(): Promise<void> {
    return new Promise((r) => {
      this.server.tryShutdown(() => r());
      setTimeout(() => {
        this.server.forceShutdown();
        r();
      }, 300).unref();
    });
  }

  score(item: ScoreItem): ServingResult {
    const f = item.record?.features ?? {};
    const base = { processed: true, model: item.modelKey, source: this.id, tensors: [], duration: 0.01 };
    if (f['fail']?.boolean === true) {
      return { ...base, processed: false, outputs: {}, error: 'fail requested by the record', errorCode: 3 };
    }
    const v = (f['x']?.number ?? 0) + (f['y']?.number ?? 0);
    return {
      ...base,
      value: { number: v },
      outputs: { double: { number: 2 * v }, label: { string: v >= 0 ? 'pos' : 'neg' } },
      error: '',
      errorCode: 0,
    };
  }

  private onScore(call: ServerDuplexStream<ScoreBatch, ScoreResultBatch>): void {
    call.on('data', (batch: ScoreBatch) => {
      const out: ScoreResultItem[] = [];
      for (const item of batch.items) {
        this.received.push(item);
        const result = this.score(item);
        if (item.speculative) {
          this.options.collector?.collect(item.guid, result, item.trace);
          continue;
        }
        if (this.hold) this.held.push({ call, item: { id: item.id, result } });
        else out.push({ id: item.id, result });
      }
      if (out.length > 0) call.write({ items: out });
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  }

  private async status(req: ExecutorStatusRequest): Promise<ExecutorStatusResponse> {
    let keys = req.modelKeys;
    let position = '';
    if (this.options.store) {
      const snap = await this.options.store.snapshot();
      position = snap.position;
      const known = new Set(snap.models.map((m) => `${m.dataType}/${m.name}`));
      keys = keys.length === 0 ? [...known] : keys.filter((k) => known.has(k));
    }
    const models: ModelStatus[] = keys.map((key) => ({
      modelKey: key,
      name: key.slice(key.indexOf('/') + 1),
      dataType: key.slice(0, key.indexOf('/')),
      description: '',
      modelType: 2,
      state: ModelStatus_State.SERVING,
      loading: false,
      error: '',
      runtime: 'fake',
      generation: 1,
      stats: undefined,
      executor: this.id,
      inputs: this.options.inputs ?? [spec('x'), spec('y')],
      outputs: this.options.outputs ?? [spec('sum'), spec('double'), spec('label', 'BYTES')],
      position,
    }));
    return { executor: this.id, models, position };
  }
}
