import { invalidArgument } from '@modelserving/model-core';
import { WireType } from '@modelserving/protobuf-wire';
import type { ProtoReader } from '../proto/proto-reader';
import type { ProtoWriter } from '../proto/proto-writer';
import { DType, baseDtype, dtypeName, dtypeSize } from './dtype';

/**
 * A decoded constant tensor. Floating types become Float32Array (what both runtimes compute in), integer
 * types Int32Array (tfjs has no int64; shapes and axes fit), bool Uint8Array, strings string[].
 */
export interface TensorValue {
  readonly dtype: number;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array | readonly string[];
}

/** A TensorShapeProto: `undefined` dims means unknown rank; -1 is an unknown dimension. */
export interface TensorShape {
  readonly dims: readonly number[] | undefined;
}

export function decodeTensorShape(r: ProtoReader): TensorShape {
  const dims: number[] = [];
  let unknownRank = false;
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 2 && wt === WireType.LEN) {
      const d = r.sub('dim');
      let size = 0;
      while (!d.done) {
        const [df, dwt] = d.tag();
        if (df === 1 && dwt === WireType.VARINT) size = d.int64();
        else d.skip(dwt);
      }
      dims.push(size);
    } else if (f === 3 && wt === WireType.VARINT) unknownRank = r.bool();
    else r.skip(wt);
  }
  return { dims: unknownRank ? undefined : dims };
}

const utf8 = new TextDecoder('utf-8');

/** Decodes a TensorProto (tensor_content or the typed *_val fields, with TF's "repeat the last value" fill). */
export function decodeTensorProto(r: ProtoReader): TensorValue {
  let dtype: number = DType.DT_INVALID;
  let shape: readonly number[] = [];
  let content: Uint8Array | undefined;
  const nums: number[] = [];
  const strings: string[] = [];
  while (!r.done) {
    const [f, wt] = r.tag();
    switch (f) {
      case 1:
        dtype = r.varint();
        break;
      case 2:
        shape = decodeTensorShape(r.sub('tensor_shape')).dims ?? [];
        break;
      case 4:
        content = r.bytes();
        break;
      case 5: // float_val
        r.repeated(wt, (x) => x.float(), nums);
        break;
      case 6: // double_val
        r.repeated(wt, (x) => x.double(), nums);
        break;
      case 7: // int_val (int32, int16, int8, uint8, and half as bits)
      case 10: // int64_val
      case 16: // uint32_val
      case 17: // uint64_val
        r.repeated(wt, (x) => x.int64(), nums);
        break;
      case 11: // bool_val
        r.repeated(wt, (x) => x.varint(), nums);
        break;
      case 8:
        strings.push(utf8.decode(r.bytes()));
        break;
      default:
        r.skip(wt);
    }
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const base = baseDtype(dtype);
  if (base === DType.DT_STRING) return { dtype: base, shape, data: fill(strings, size, '') };
  if (content !== undefined) return { dtype: base, shape, data: fromRaw(content, base, size, r.what) };
  const values = fill(nums, size, 0);
  return { dtype: base, shape, data: typedFor(base, values.length, r.what, (out) => out.set(values)) };
}

/** TF fills a tensor whose *_val holds fewer values than its size by repeating the last one. */
function fill<T>(values: T[], size: number, zero: T): T[] {
  if (values.length >= size) return values;
  const last = values.length > 0 ? values[values.length - 1]! : zero;
  const out = values.slice();
  while (out.length < size) out.push(last);
  return out;
}

function typedFor(
  dtype: number,
  n: number,
  what: string,
  init: (out: Float32Array | Int32Array | Uint8Array) => void,
): Float32Array | Int32Array | Uint8Array {
  let out: Float32Array | Int32Array | Uint8Array;
  switch (dtype) {
    case DType.DT_FLOAT:
    case DType.DT_DOUBLE:
    case DType.DT_HALF:
      out = new Float32Array(n);
      break;
    case DType.DT_BOOL:
      out = new Uint8Array(n);
      break;
    case DType.DT_INT32:
    case DType.DT_INT64:
    case DType.DT_INT16:
    case DType.DT_INT8:
    case DType.DT_UINT8:
    case DType.DT_UINT16:
    case DType.DT_UINT32:
    case DType.DT_UINT64:
      out = new Int32Array(n);
      break;
    default:
      throw invalidArgument(`${what}: tensors of type ${dtypeName(dtype)} are not supported`);
  }
  init(out);
  return out;
}

/** Decodes raw little-endian tensor bytes (tensor_content, or a TensorBundle data shard entry). */
export function fromRaw(
  bytes: Uint8Array,
  dtype: number,
  size: number,
  what: string,
): Float32Array | Int32Array | Uint8Array {
  const base = baseDtype(dtype);
  const width = dtypeSize(base);
  if (width === 0) throw invalidArgument(`${what}: tensors of type ${dtypeName(base)} are not supported`);
  if (bytes.length !== size * width) {
    throw invalidArgument(
      `${what}: ${dtypeName(base)} tensor of ${size} elements needs ${size * width} bytes, got ${bytes.length}`,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return typedFor(base, size, what, (out) => {
    for (let i = 0; i < size; i++) {
      switch (base) {
        case DType.DT_FLOAT:
          out[i] = v.getFloat32(i * 4, true);
          break;
        case DType.DT_DOUBLE:
          out[i] = v.getFloat64(i * 8, true);
          break;
        case DType.DT_HALF:
          out[i] = halfToFloat(v.getUint16(i * 2, true));
          break;
        case DType.DT_INT32:
          out[i] = v.getInt32(i * 4, true);
          break;
        case DType.DT_UINT32:
          out[i] = v.getUint32(i * 4, true);
          break;
        case DType.DT_INT64:
        case DType.DT_UINT64:
          // Values beyond int32 cannot be represented by tfjs anyway; the low word keeps small ones exact.
          out[i] = v.getInt32(i * 8, true);
          break;
        case DType.DT_INT16:
          out[i] = v.getInt16(i * 2, true);
          break;
        case DType.DT_UINT16:
          out[i] = v.getUint16(i * 2, true);
          break;
        case DType.DT_INT8:
          out[i] = v.getInt8(i);
          break;
        default:
          out[i] = v.getUint8(i);
      }
    }
  });
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Encodes a TensorShapeProto. */
export function encodeTensorShape(w: ProtoWriter, dims: readonly number[] | undefined): void {
  if (dims === undefined) {
    w.bool(3, true);
    return;
  }
  for (const d of dims) w.message(2, (dw) => dw.int64(1, d));
}

/** Encodes a float or int32 TensorProto (tensor_content form, as TF writes it). */
export function encodeTensorProto(w: ProtoWriter, t: TensorValue): void {
  w.varint(1, t.dtype);
  w.message(2, (sw) => encodeTensorShape(sw, t.shape));
  if (t.dtype === DType.DT_STRING) {
    for (const s of t.data as readonly string[]) w.string(8, s);
    return;
  }
  const n = t.data.length;
  const width = dtypeSize(t.dtype);
  const bytes = new Uint8Array(n * width);
  const v = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const x = Number((t.data as ArrayLike<number>)[i]);
    if (t.dtype === DType.DT_FLOAT) v.setFloat32(i * 4, x, true);
    else if (t.dtype === DType.DT_INT32) v.setInt32(i * 4, x, true);
    else if (t.dtype === DType.DT_INT64) v.setBigInt64(i * 8, BigInt(x), true);
    else if (t.dtype === DType.DT_BOOL) v.setUint8(i, x);
    else throw invalidArgument(`cannot encode tensors of type ${dtypeName(t.dtype)}`);
  }
  w.bytes(4, bytes);
}
