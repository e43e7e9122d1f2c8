import type { DataToServe, ScoreOutput } from './data';
import { modelKey, validateDescriptor, type ModelDescriptor, type ModelToServe } from './descriptor';
import { ServingError, invalidArgument } from './errors';
import type { Model, ModelFactoryResolver } from './model';
import { ModelRegistry } from './model-registry';
import type { ServingResult } from './serving-result';

/** The user function of `predict`: score `data` with `model` your own way. */
export type PredictFunction = (data: DataToServe, model: Model) => ScoreOutput;

export interface ModelServingOptions {
  readonly resolver: ModelFactoryResolver;
  /**
   * Fetches the content of a descriptor given by location. Without it only inline descriptors are
   * accepted (model-store's ContentResolver handles files, blobs and URLs).
   */
  readonly fetchContent?: (descriptor: ModelDescriptor) => Promise<Uint8Array>;
  /** Reported as the result's source. */
  readonly source?: string;
  /** Called with every model that could not be built; the previous model keeps serving. */
  readonly onModelError?: (key: string, error: string) => void;
}

/**
 * The seed's `dataStream.withModelServing(modelStream)`: joins a data stream with a model stream by data
 * type. Each data type is served by the model most recently delivered for it; a new model is built while
 * the current one keeps scoring and is swapped in when ready.
 */
export function withModelServing(
  dataStream: AsyncIterable<DataToServe>,
  modelStream: AsyncIterable<ModelDescriptor>,
  options: ModelServingOptions,
): ModelServingStream {
  return new ModelServingStream(dataStream, modelStream, options);
}

export class ModelServingStream {
  readonly registry: ModelRegistry;
  /** dataType → key of the model that serves it (the latest one delivered). */
  private readonly current = new Map<string, string>();

  constructor(
    private readonly dataStream: AsyncIterable<DataToServe>,
    private readonly modelStream: AsyncIterable<ModelDescriptor>,
    private readonly options: ModelServingOptions,
  ) {
    this.registry = new ModelRegistry({
      resolver: options.resolver,
      onChange: (key, status) => {
        if (status?.error && options.onModelError) options.onModelError(key, status.error);
      },
    });
  }

  /** Scores every record; records of a data type with no model yet come out with `processed: false`. */
  async *predict(udf?: PredictFunction): AsyncGenerator<ServingResult> {
    const source = this.options.source ?? 'embedded';
    const models = this.consumeModels();
    let modelsError: unknown;
    models.catch((err: unknown) => {
      modelsError = err;
    });
    try {
      for await (const data of this.dataStream) {
        if (modelsError) throw modelsError;
        const key = this.current.get(data.dataType);
        if (key === undefined || !this.registry.has(key)) {
          yield { processed: false, model: key ?? '', source, duration: 0 };
          continue;
        }
        yield this.scoreOne(key, data, source, udf);
      }
    } finally {
      await this.registry.close();
    }
  }

  private scoreOne(key: string, data: DataToServe, source: string, udf?: PredictFunction): ServingResult {
    const t0 = performance.now();
    try {
      let out: ScoreOutput;
      if (udf) {
        const loaded = this.registry.acquire(key);
        try {
          out = udf(data, loaded.model);
          loaded.stats.record(performance.now() - t0);
        } finally {
          this.registry.release(loaded);
        }
      } else {
        out = this.registry.score(key, data);
      }
      return {
        processed: true,
        model: key,
        source,
        value: out.value,
        ...(out.outputs ? { outputs: out.outputs } : {}),
        ...(out.tensors ? { tensors: out.tensors } : {}),
        ...(out.confidence !== undefined ? { confidence: out.confidence } : {}),
        duration: performance.now() - t0,
      };
    } catch (err) {
      const e = ServingError.from(err, 3);
      return {
        processed: true,
        model: key,
        source,
        error: e.message,
        errorCode: e.code,
        duration: performance.now() - t0,
      };
    }
  }

  private async consumeModels(): Promise<void> {
    for await (const descriptor of this.modelStream) {
      let toServe: ModelToServe;
      const key = modelKey(descriptor.dataType, descriptor.name);
      try {
        validateDescriptor(descriptor);
        toServe = await this.toServe(key, descriptor);
      } catch (err) {
        this.options.onModelError?.(key, err instanceof Error ? err.message : String(err));
        continue;
      }
      // Builds off the hot path: the current model of the data type serves until this one is ready.
      void this.registry.deploy(toServe).then((status) => {
        if (status.state === 'SERVING' && status.generation > 0 && !status.error) {
          const previous = this.current.get(descriptor.dataType);
          this.current.set(descriptor.dataType, key);
          if (previous !== undefined && previous !== key) this.registry.undeploy(previous);
        }
      });
    }
  }

  private async toServe(key: string, d: ModelDescriptor): Promise<ModelToServe> {
    let content = d.data;
    if (content === undefined || content.length === 0) {
      if (!this.options.fetchContent)
        throw invalidArgument(`model ${key} is given by location but no content fetcher is configured`);
      content = await this.options.fetchContent(d);
    }
    return {
      key,
      name: d.name,
      description: d.description,
      dataType: d.dataType,
      modelType: d.modelType,
      content,
      ...(d.location ? { location: d.location } : {}),
      metadata: d.metadata ?? {},
    };
  }
}
