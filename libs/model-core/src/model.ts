import type { DataToServe, ScoreOutput, TensorDatatype } from './data';
import type { ModelToServe } from './descriptor';
import type { ModelType } from './model-type';

/** One input or output of a model, as reported by OIP ModelMetadata. */
export interface FieldSpec {
  readonly name: string;
  /** OIP datatype: FP64 for continuous fields, BYTES for categorical ones, FP32 for float tensors, ... */
  readonly datatype: TensorDatatype;
  /** -1 marks a variable dimension. Scalar record fields are [-1] (one value per row). */
  readonly shape: readonly number[];
  /** Allowed values of a categorical field, when the model declares them. */
  readonly values?: readonly string[];
}

export interface ModelSignature {
  readonly inputs: readonly FieldSpec[];
  readonly outputs: readonly FieldSpec[];
  /** The output that carries the prediction, when there is one. */
  readonly target?: string;
}

/**
 * The seed's Model trait: a complete pipeline (pre-processing, model(s), post-processing) that turns a
 * record into a result. `score` is synchronous and must not throw for valid input; bad input throws a
 * ServingError (INVALID_ARGUMENT) for that record only.
 */
export interface Model {
  /** The seed's getType. */
  readonly type: ModelType;
  /** Which engine runs the model (e.g. `pmml`, `tfjs-cpu`), reported in the model's status. */
  readonly runtime: string;
  score(input: DataToServe): ScoreOutput;
  /**
   * Scores many records at once when the format has a faster batch path (tensor models). Results are in
   * input order; a record that fails yields an Error in its place rather than failing the batch.
   */
  scoreBatch?(inputs: readonly DataToServe[]): Promise<(ScoreOutput | Error)[]> | (ScoreOutput | Error)[];
  signature(): ModelSignature;
  /** The seed's toBytes: content from which `ModelFactory.restore` rebuilds the model (checkpointing). */
  toBytes(): Uint8Array;
  /** Releases resources; called once, after the model's in-flight work. */
  cleanup(): void | Promise<void>;
}

/** The seed's ModelFactory. */
export interface ModelFactory {
  readonly type: ModelType;
  /** Builds a model from fetched content. Throws a ServingError naming what is wrong. */
  create(model: ModelToServe): Promise<Model>;
  /** Rebuilds a model from the bytes its `toBytes` produced. */
  restore(bytes: Uint8Array, model: Omit<ModelToServe, 'content'>): Promise<Model>;
}

/** The seed's ModelFactoryResolver. */
export interface ModelFactoryResolver {
  getFactory(type: ModelType): ModelFactory | undefined;
}

/** A resolver over a fixed set of factories, one per model type. */
export class MapModelFactoryResolver implements ModelFactoryResolver {
  private readonly factories = new Map<number, ModelFactory>();

  constructor(factories: Iterable<ModelFactory> = []) {
    for (const f of factories) this.register(f);
  }

  register(factory: ModelFactory): this {
    this.factories.set(factory.type, factory);
    return this;
  }

  getFactory(type: ModelType): ModelFactory | undefined {
    return this.factories.get(type);
  }

  types(): ModelType[] {
    return [...this.factories.keys()] as ModelType[];
  }
}
