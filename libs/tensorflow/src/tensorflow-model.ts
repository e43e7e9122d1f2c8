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
import { fillRow, type InputBinding } from './record-io';

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

  /** One engine run for the whole batch; a record with bad input gets its error in place. */
  scoreBatch(records: readonly DataToServe[]): (ScoreOutput | Error)[] {
    const { inputs, outputs } = this.parts;
    this.ensure(records.length);
    const results: (ScoreOutput | Error)[] = new Array<ScoreOutput | Error>(records.length);
    const rows: number[] = [];
    const single = inputs.length === 1;
    for (let r = 0; r < records.length; r++) {
      const row = rows.length;
      try {
        for (let i = 0; i < inputs.length; i++) {
          const b = inputs[i]!;
          fillRow(records[r]!, b, single, this.inputBufs[i]!, row * b.width);
        }
        rows.push(r);
      } catch (err) {
        results[r] = err instanceof Error ? err : new Error(String(err));
      }
    }
    if (rows.length === 0) return results;
    const out = this.engine.run(this.inputBufs, rows.length);
    for (let row = 0; row < rows.length; row++) {
      const tensors: Tensor[] = outputs.map((o, j) => {
        const w = o.width;
        // A copy per record: the engine reuses its buffers on the next run.
        const data = out[j]!.slice(row * w, row * w + w);
        return { name: o.key, datatype: 'FP32', shape: [1, w], data };
      });
      results[rows[row]!] = this.post(tensors);
    }
    return results;
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
    const outputs: FieldSpec[] = this.parts.outputs.map((o) => ({ name: o.key, datatype: 'FP32', shape: [-1, o.width] }));
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
