/** A feature value as models see it; `null` is a missing value. */
export type FeatureValue = number | string | boolean | null;

/** Named feature values of one record. */
export type Features = Record<string, FeatureValue>;

export type TensorDatatype = 'BOOL' | 'INT32' | 'INT64' | 'FP32' | 'FP64' | 'BYTES';

/**
 * A dense tensor in row-major order. Numeric tensors use a Float64Array (or Float32Array for FP32) so
 * batches move without per-element boxing; BYTES tensors hold strings.
 */
export interface Tensor {
  readonly name: string;
  readonly datatype: TensorDatatype;
  readonly shape: readonly number[];
  readonly data: Float64Array | Float32Array | Int32Array | readonly string[] | readonly boolean[];
}

/**
 * The seed's DataToServe: one record of a data type, given as named features, as tensors, or both.
 * Models pick the form they understand.
 */
export interface DataToServe {
  readonly dataType: string;
  readonly features: Features;
  readonly tensors?: readonly Tensor[];
}

/** What a model returns for one record. */
export interface ScoreOutput {
  /** The prediction: a number for regression, a label for classification. */
  readonly value: FeatureValue;
  /** Further named outputs (probabilities, cluster ids, reason codes, ...). */
  readonly outputs?: Readonly<Record<string, FeatureValue>>;
  /** Tensor outputs, for tensor models. */
  readonly tensors?: readonly Tensor[];
  /** Confidence in `value` when the model knows it (for example the winning probability). */
  readonly confidence?: number;
}

export function tensorSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
