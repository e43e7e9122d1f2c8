/**
 * What runs a graph: the compiled fast path or tfjs. Both take and return row-major float32 batches, so
 * the model's record handling is shared and the two can be swapped (and compared) freely.
 */
export interface Engine {
  /** `fast-path`, `tfjs-cpu`, `tfjs-node`, `tfjs-wasm`: reported as the model's runtime. */
  readonly runtime: string;
  readonly inputWidths: readonly number[];
  readonly outputWidths: readonly number[];
  /** Runs n rows; returns one buffer per output holding at least n × outputWidths[j] values. */
  run(inputs: readonly Float32Array[], n: number): Float32Array[];
  dispose(): void;
}
