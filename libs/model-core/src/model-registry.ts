import type { DataToServe, ScoreOutput } from './data';
import type { ModelToServe } from './descriptor';
import { Code, ServingError, notFound } from './errors';
import type { Model, ModelFactoryResolver, ModelSignature } from './model';
import { modelTypeName, type ModelType } from './model-type';
import { StatsAccumulator, type ModelToServeStats } from './stats';

export type ModelState = 'LOADING' | 'SERVING' | 'FAILED';

export interface ModelStatus {
  readonly key: string;
  readonly name: string;
  readonly dataType: string;
  readonly description: string;
  readonly modelType: ModelType;
  /**
   * SERVING while a model is installed (even if a newer version is loading or failed to load), LOADING
   * while the first version is being built, FAILED when nothing could be installed.
   */
  readonly state: ModelState;
  /** True while a newer version is being built next to the serving one. */
  readonly loading: boolean;
  /** The last build error, kept until a later build succeeds. */
  readonly error?: string;
  readonly runtime?: string;
  readonly generation: number;
  readonly stats?: ModelToServeStats;
  readonly signature?: ModelSignature;
}

/** A built model together with its stats and in-flight count. */
export interface LoadedModel {
  readonly key: string;
  readonly model: Model;
  readonly stats: StatsAccumulator;
  readonly generation: number;
  readonly info: Omit<ModelToServe, 'content'>;
  inflight: number;
  retired: boolean;
}

class ModelSlot {
  current: LoadedModel | undefined;
  /** Generation of the newest deploy requested; older builds that finish late are discarded. */
  requested = 0;
  installed = 0;
  loadingCount = 0;
  error: string | undefined;
  info: Omit<ModelToServe, 'content'>;

  constructor(info: Omit<ModelToServe, 'content'>) {
    this.info = info;
  }
}

export interface ModelRegistryOptions {
  readonly resolver: ModelFactoryResolver;
  /** Called after every state change of a key (deployed, failed, removed). */
  readonly onChange?: (key: string, status: ModelStatus | undefined) => void;
  /** Where cleanup errors go; they never reach a caller. */
  readonly onCleanupError?: (key: string, err: unknown) => void;
}

/**
 * Models in memory, one slot per model key, with hot swap: a new version is built off the hot path and
 * installed atomically once ready; the old version's `cleanup()` runs after its in-flight work; a build
 * that fails leaves the serving version in place and records the error in the status.
 */
export class ModelRegistry {
  private readonly slots = new Map<string, ModelSlot>();
  private readonly resolver: ModelFactoryResolver;
  private readonly onChange: ModelRegistryOptions['onChange'];
  private readonly onCleanupError: ModelRegistryOptions['onCleanupError'];

  constructor(options: ModelRegistryOptions) {
    this.resolver = options.resolver;
    this.onChange = options.onChange;
    this.onCleanupError = options.onCleanupError;
  }

  get size(): number {
    return this.slots.size;
  }

  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  has(key: string): boolean {
    return this.slots.get(key)?.current !== undefined;
  }

  /**
   * Builds `m` and swaps it in. Resolves with the resulting status; never rejects for a bad model (the
   * error is in the status), so one broken model cannot stop a stream of deployments.
   */
  async deploy(m: ModelToServe): Promise<ModelStatus> {
    const { content, ...info } = m;
    let slot = this.slots.get(m.key);
    if (!slot) {
      slot = new ModelSlot(info);
      this.slots.set(m.key, slot);
    }
    const generation = ++slot.requested;
    slot.loadingCount++;
    let model: Model;
    try {
      const factory = this.resolver.getFactory(m.modelType);
      if (!factory) {
        throw new ServingError(
          Code.UNIMPLEMENTED,
          `no model factory for model type ${modelTypeName(m.modelType)} (model ${m.key})`,
        );
      }
      model = await factory.create({ ...info, content });
    } catch (err) {
      slot.loadingCount--;
      if (this.slots.get(m.key) === slot && generation > slot.installed) {
        slot.error = `${m.key}: ${err instanceof Error ? err.message : String(err)}`;
        if (!slot.current) slot.info = info;
        this.changed(m.key, slot);
      }
      return this.statusOf(m.key, slot);
    }
    slot.loadingCount--;
    if (this.slots.get(m.key) !== slot || generation < slot.installed) {
      // Undeployed meanwhile, or a newer version got installed first: this build is stale.
      await this.cleanupModel(m.key, model);
      return this.statusOf(m.key, slot);
    }
    const previous = slot.current;
    slot.current = {
      key: m.key,
      model,
      stats: new StatsAccumulator(info.name, info.description, info.modelType),
      generation,
      info,
      inflight: 0,
      retired: false,
    };
    slot.installed = generation;
    slot.info = info;
    slot.error = undefined;
    if (previous) this.retire(previous);
    this.changed(m.key, slot);
    return this.statusOf(m.key, slot);
  }

  /** Removes a key; its model is cleaned up after in-flight work. Returns false if it was unknown. */
  undeploy(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.slots.delete(key);
    if (slot.current) this.retire(slot.current);
    slot.current = undefined;
    this.onChange?.(key, undefined);
    return true;
  }

  /** Scores one record with the serving model of `key`. Throws NOT_FOUND if none is serving. */
  score(key: string, input: DataToServe): ScoreOutput {
    const loaded = this.slots.get(key)?.current;
    if (!loaded) throw this.notServing(key);
    const t0 = performance.now();
    const out = loaded.model.score(input);
    loaded.stats.record(performance.now() - t0);
    return out;
  }

  /**
   * Pins the serving model of `key` for asynchronous work (batch scoring). The caller must `release` it;
   * a swap meanwhile defers the old model's cleanup until then.
   */
  acquire(key: string): LoadedModel {
    const loaded = this.slots.get(key)?.current;
    if (!loaded) throw this.notServing(key);
    loaded.inflight++;
    return loaded;
  }

  release(loaded: LoadedModel): void {
    loaded.inflight--;
    if (loaded.retired && loaded.inflight === 0) void this.cleanupModel(loaded.key, loaded.model);
  }

  status(key: string): ModelStatus | undefined {
    const slot = this.slots.get(key);
    return slot ? this.statusOf(key, slot) : undefined;
  }

  statuses(): ModelStatus[] {
    return [...this.slots.entries()].map(([k, s]) => this.statusOf(k, s));
  }

  /** Removes every model and waits for their cleanups. */
  async close(): Promise<void> {
    const loaded = [...this.slots.values()].map((s) => s.current).filter((l): l is LoadedModel => !!l);
    this.slots.clear();
    await Promise.all(loaded.map((l) => this.cleanupModel(l.key, l.model)));
  }

  private notServing(key: string): ServingError {
    const slot = this.slots.get(key);
    if (!slot) return notFound(`model ${key} is not deployed`);
    if (slot.error)
      return new ServingError(Code.FAILED_PRECONDITION, `model ${key} failed to load: ${slot.error}`);
    return new ServingError(Code.UNAVAILABLE, `model ${key} is still loading`);
  }

  private retire(loaded: LoadedModel): void {
    loaded.retired = true;
    if (loaded.inflight === 0) void this.cleanupModel(loaded.key, loaded.model);
  }

  private async cleanupModel(key: string, model: Model): Promise<void> {
    try {
      await model.cleanup();
    } catch (err) {
      this.onCleanupError?.(key, err);
    }
  }

  private changed(key: string, slot: ModelSlot): void {
    this.onChange?.(key, this.statusOf(key, slot));
  }

  private statusOf(key: string, slot: ModelSlot): ModelStatus {
    const cur = slot.current;
    const info = cur?.info ?? slot.info;
    return {
      key,
      name: info.name,
      dataType: info.dataType,
      description: info.description,
      modelType: info.modelType,
      state: cur ? 'SERVING' : slot.loadingCount > 0 ? 'LOADING' : 'FAILED',
      loading: slot.loadingCount > 0,
      ...(slot.error !== undefined ? { error: slot.error } : {}),
      ...(cur
        ? { runtime: cur.model.runtime, stats: cur.stats.snapshot(), signature: cur.model.signature() }
        : {}),
      generation: cur?.generation ?? 0,
    };
  }
}
