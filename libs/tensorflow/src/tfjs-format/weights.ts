import { invalidArgument } from '@modelserving/model-core';
import { DType } from '../graph/dtype';
import { fromRaw, type TensorValue } from '../graph/tensor-value';
import type { WeightSpec } from '../tfjs/graph-model-json';

const QUANT_BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Splits a tfjs weight buffer into tensors, in manifest order, dequantising converter-quantised weights
 * (`uint8`/`uint16`: q × scale + min; `float16`: half floats) so the fast path sees plain float32.
 */
export function decodeWeights(specs: readonly WeightSpec[], data: ArrayBuffer): Map<string, TensorValue> {
  const bytes = new Uint8Array(data);
  const out = new Map<string, TensorValue>();
  let off = 0;
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const q = s.quantization;
    const width = q ? QUANT_BYTES[q.dtype] : DTYPE_BYTES[s.dtype];
    if (width === undefined)
      throw invalidArgument(
        `TensorFlow.js: weight '${s.name}' has dtype ${q?.dtype ?? s.dtype}, which is not supported`,
      );
    const n = size * width;
    if (off + n > bytes.length)
      throw invalidArgument(
        `TensorFlow.js: weight '${s.name}' runs past the end of the weight files (${bytes.length} bytes; truncated?)`,
      );
    const chunk = bytes.subarray(off, off + n);
    off += n;
    const what = `TensorFlow.js weight '${s.name}'`;
    let value: TensorValue;
    if (q) {
      const dtype = s.dtype === 'int32' ? DType.DT_INT32 : DType.DT_FLOAT;
      const raw = fromRaw(
        chunk,
        q.dtype === 'uint8' ? DType.DT_UINT8 : q.dtype === 'uint16' ? DType.DT_UINT16 : DType.DT_HALF,
        size,
        what,
      );
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      const vals =
        q.dtype === 'float16' ? Float32Array.from(raw) : Float32Array.from(raw, (v) => v * scale + min);
      value = {
        dtype,
        shape: s.shape,
        data: dtype === DType.DT_INT32 ? Int32Array.from(vals, Math.round) : vals,
      };
    } else {
      const dtype =
        s.dtype === 'float32' ? DType.DT_FLOAT : s.dtype === 'int32' ? DType.DT_INT32 : DType.DT_BOOL;
      value = { dtype, shape: s.shape, data: fromRaw(chunk, dtype, size, what) };
    }
    out.set(s.name, value);
  }
  if (off !== bytes.length)
    throw invalidArgument(
      `TensorFlow.js: the weight files hold ${bytes.length} bytes but the manifest describes ${off}`,
    );
  return out;
}
