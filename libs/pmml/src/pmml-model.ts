import {
  Code,
  ModelType,
  ServingError,
  tensorSize,
  type DataToServe,
  type FeatureValue,
  type Features,
  type Model,
  type ModelFactory,
  type ModelSignature,
  type ModelToServe,
  type ScoreOutput,
} from '@modelserving/model-core';
import { parsePmml, type PmmlEvaluator, type PmmlOptions } from './evaluator';

/** A served PMML model: a compiled evaluator plus the document it came from (for checkpoints). */
export class PmmlModel implements Model {
  readonly type = ModelType.PMML;
  readonly runtime = 'pmml';

  constructor(
    readonly evaluator: PmmlEvaluator,
    private readonly bytes: Uint8Array,
  ) {}

  score(input: DataToServe): ScoreOutput {
    const r = this.evaluator.evaluate(featuresOf(input));
    return r.confidence === undefined
      ? { value: r.value, outputs: r.outputs }
      : { value: r.value, outputs: r.outputs, confidence: r.confidence };
  }

  /** Scores records one by one; a failing record yields its error in place. */
  scoreBatch(inputs: readonly DataToServe[]): (ScoreOutput | Error)[] {
    return inputs.map((input) => {
      try {
        return this.score(input);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    });
  }

  signature(): ModelSignature {
    return this.evaluator.signature();
  }

  /** The original document bytes (do not mutate). */
  toBytes(): Uint8Array {
    return this.bytes;
  }

  cleanup(): void {
    // Nothing to release: the model is plain closures and typed arrays.
  }
}

/**
 * The PMML ModelFactory: compiles ModelToServe.content (UTF-8 PMML 3.x–4.4) once into a PmmlModel.
 * Build problems are ServingError INVALID_ARGUMENT naming the offending element and line.
 */
export class PmmlModelFactory implements ModelFactory {
  readonly type = ModelType.PMML;

  constructor(private readonly options: PmmlOptions = {}) {}

  async create(model: ModelToServe): Promise<Model> {
    return this.build(model.content, model.metadata);
  }

  async restore(bytes: Uint8Array, model: Omit<ModelToServe, 'content'>): Promise<Model> {
    return this.build(bytes, model.metadata);
  }

  /** Synchronous build, for callers outside the serving pipeline. */
  build(content: Uint8Array, metadata: Readonly<Record<string, string>> = {}): PmmlModel {
    if (!content || content.byteLength === 0)
      throw new ServingError(Code.INVALID_ARGUMENT, 'PMML: the model content is empty');
    const modelName = metadata['pmml.modelName'] ?? this.options.modelName;
    // Keep a private copy: the caller's buffer may be reused, and toBytes must return the original document.
    // (Uint8Array's slice, not Buffer's: Buffer#slice returns a view sharing the caller's memory.)
    const bytes = Uint8Array.prototype.slice.call(content);
    const evaluator = parsePmml(bytes, {
      ...this.options,
      ...(modelName !== undefined ? { modelName } : {}),
    });
    return new PmmlModel(evaluator, bytes);
  }
}

/**
 * PMML scores named fields. Records arriving as one-value tensors (an OIP request for a single row) are
 * accepted too: each such tensor becomes the feature of the same name, unless `features` already has it.
 */
function featuresOf(input: DataToServe): Features {
  const tensors = input.tensors;
  if (!tensors || tensors.length === 0) return input.features;
  const merged: Record<string, FeatureValue> = { ...input.features };
  for (const t of tensors) {
    if (Object.prototype.hasOwnProperty.call(merged, t.name)) continue;
    if (tensorSize(t.shape) !== 1) {
      throw new ServingError(
        Code.INVALID_ARGUMENT,
        `PMML: tensor '${t.name}' has shape [${t.shape.join(', ')}]; a PMML record takes one value per field`,
      );
    }
    const v: unknown = t.data[0];
    merged[t.name] = typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : null;
  }
  return merged;
}
