import {
  invalidArgument,
  type DataToServe,
  type FieldSpec,
  type Model,
  type ModelSignature,
  type ModelType,
  type ScoreOutput,
  type Tensor,
} from '@modelserving/model-core';
import type { Engine } from './engine';
import { fillRows, recordRows, type InputBinding } from './record-io';

export type Postprocess = 'argmax' | 'none';

export interface OutputBinding {
  readonly key: string;
  readonly width: number;
}

export interface TensorflowModelParts {
  readonly type: ModelType;
  readonly engine: Engine;
  readonly inputs: readonly InputBinding[];
  readonly outputs: readonly OutputBinding[];
  readonly postprocess: Postprocess;
  readonly labels?: readonly string[];
  /** What `toBytes` returns (the .pb, or a tar of the SavedModel directory). */
  readonly bytes: Uint8Array;
}

/**
 * A served TensorFlow graph: records → float32 rows → engine (fast path or tfjs) → output tensors, plus
 * the `value` the metadata's post-processing derives from the first output.
 */
export class TensorflowModel implements Model {
  readonly type: ModelType;
  private readonly engine: Engine;
  private inputBufs: Float32Array[];
  private capacity = 0;
  private rowCounts = new Int32Array(0);
  private rowStarts = new Int32Array(0);

  constructor(private readonly parts: TensorflowModelParts) {
    this.type = parts.type;
    this.engine = parts.engine;
    this.inputBufs = parts.inputs.map(() => new Float32Array(0));
  }

  get runtime(): string {
    return this.engine.runtime;
  }

  score(input: DataToServe): ScoreOutput {
    const r = this.scoreBatch([input])[0]!;
    if (r instanceof Error) throw r;
    return r;
  }

  /**
   * One engine run for the whole batch; a record with bad input gets its error in place. A record whose
   * input tensor holds n rows ([n, width], an OIP batch) gets [n, width] output tensors, see batchOutput.
   */
  scoreBatch(records: readonly DataToServe[]): (ScoreOutput | Error)[] {
    const { inputs } = this.parts;
    const count = records.length;
    const results: (ScoreOutput | Error)[] = new Array<ScoreOutput | Error>(count);
    const single = inputs.length === 1;
    // Rows per record (0 = failed) and where each starts; plain loops and reused arrays, since this is
    // the per-request hot path and batch-1 calls are dominated by such overheads.
    if (this.rowCounts.length < count) {
      this.rowCounts = new Int32Array(Math.max(count, this.rowCounts.length * 2));
      this.rowStarts = new Int32Array(this.rowCounts.length);
    }
    const rows = this.rowCounts;
    const starts = this.rowStarts;
    let total = 0;
    for (let r = 0; r < count; r++) {
      try {
        let n = 1;
        for (let i = 0; i < inputs.length; i++) {
          const k = recordRows(records[r]!, inputs[i]!, single);
          if (i > 0 && k !== n)
            throw invalidArgument(
              `input '${inputs[i]!.key}' has ${k} row(s) but input '${inputs[0]!.key}' has ${n}`,
            );
          n = k;
        }
        rows[r] = n;
        total += n;
      } catch (err) {
        rows[r] = 0;
        results[r] = err instanceof Error ? err : new Error(String(err));
      }
    }
    this.ensure(total);
    let row = 0;
    for (let r = 0; r < count; r++) {
      const n = rows[r]!;
      if (n === 0) continue;
      try {
        for (let i = 0; i < inputs.length; i++) {
          const b = inputs[i]!;
          fillRows(records[r]!, b, single, this.inputBufs[i]!, row * b.width, n);
        }
        starts[r] = row;
        row += n;
      } catch (err) {
        rows[r] = 0;
        results[r] = err instanceof Error ? err : new Error(String(err));
      }
    }
    if (row === 0) return results;
    const out = this.engine.run(this.inputBufs, row);
    for (let r = 0; r < count; r++) {
      const n = rows[r]!;
      if (n === 0) continue;
      const tensors = this.slice(out, starts[r]!, n);
      results[r] = n === 1 ? this.post(tensors) : this.batchOutput(tensors, n);
    }
    return results;
  }

  /** Output tensors [n, width] for rows start … start + n, copied (the engine reuses its buffers). */
  private slice(out: Float32Array[], start: number, n: number): Tensor[] {
    return this.parts.outputs.map((o, j) => {
      const w = o.width;
      return {
        name: o.key,
        datatype: 'FP32',
        shape: [n, w],
        data: out[j]!.slice(start * w, (start + n) * w),
      };
    });
  }

  /**
   * A batch record's result: the output tensors with all n rows, plus (for argmax) a `value` tensor [n]
   * holding every row's value (BYTES labels or INT32 indices); `value` and `confidence` are the first row's.
   */
  private batchOutput(tensors: Tensor[], n: number): ScoreOutput {
    const first = this.post(
      tensors.map((t) => ({
        ...t,
        shape: [1, t.shape[1]!],
        data: (t.data as Float32Array).subarray(0, t.shape[1]!),
      })),
    );
    if (this.parts.postprocess === 'none') return { value: first.value, tensors };
    const w = tensors[0]!.shape[1]!;
    const data = tensors[0]!.data as Float32Array;
    const best = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      let b = 0;
      for (let i = 1; i < w; i++) if (data[r * w + i]! > data[r * w + b]!) b = i;
      best[r] = b;
    }
    const labels = this.parts.labels;
    const value: Tensor = labels
      ? {
          name: 'value',
          datatype: 'BYTES',
          shape: [n],
          data: Array.from(best, (b) => labels[b] ?? String(b)),
        }
      : { name: 'value', datatype: 'INT32', shape: [n], data: best };
    return { ...first, tensors: [...tensors, value] };
  }
  private post(tensors: Tensor[]): ScoreOutput {
    const first = tensors[0]!.data as Float32Array;
    if (this.parts.postprocess === 'none') return { value: first[0] ?? null, tensors };
    let best = 0;
    for (let i = 1; i < first.length; i++) if (first[i]! > first[best]!) best = i;
    const labels = this.parts.labels;
    const value = labels ? (labels[best] ?? best) : best;
    return { value, tensors, confidence: first[best]! };
  }

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = Math.max(n, this.capacity * 2);
    this.inputBufs = this.parts.inputs.map((b) => new Float32Array(this.capacity * b.width));
  }

  signature(): ModelSignature {
    const inputs: FieldSpec[] = [];
    for (const b of this.parts.inputs) {
      if (b.fields) for (const f of b.fields) inputs.push({ name: f, datatype: 'FP64', shape: [-1] });
      else inputs.push({ name: b.key, datatype: 'FP32', shape: [-1, b.width] });
    }
    const outputs: FieldSpec[] = this.parts.outputs.map((o) => ({
      name: o.key,
      datatype: 'FP32',
      shape: [-1, o.width],
    }));
    return { inputs, outputs, target: this.parts.outputs[0]!.key };
  }

  toBytes(): Uint8Array {
    return this.parts.bytes;
  }

  cleanup(): void {
    this.engine.dispose();
  }
}

export function parsePostprocess(value: string | undefined, firstWidth: number): Postprocess {
  if (value === undefined || value === '') return firstWidth > 1 ? 'argmax' : 'none';
  if (value === 'argmax' || value === 'none') return value;
  throw invalidArgument(`metadata postprocess '${value}' is not one of argmax, none`);
}
