import { Record as RecordMsg, type inference, type Value } from '@modelserving/contracts';
import { invalidArgument } from '@modelserving/model-core';

type InferInput = inference.ModelInferRequest_InferInputTensor;
type InferOutput = inference.ModelInferResponse_InferOutputTensor;

/** The values of one input tensor, flattened row-major. */
export type Column =
  | { readonly kind: 'number'; readonly data: ArrayLike<number> }
  | { readonly kind: 'string'; readonly data: readonly string[] }
  | { readonly kind: 'bool'; readonly data: readonly boolean[] };

const DATATYPES = new Set(['BOOL', 'INT32', 'INT64', 'FP32', 'FP64', 'BYTES']);

/** The request's rows as encoded Records, and whether it used raw contents (answered in kind). */
export interface DecodedRows {
  readonly rows: Buffer[];
  readonly raw: boolean;
}

/**
 * Turns the input tensors of a ModelInferRequest into one Record per row. Two forms:
 * (a) one tensor per model input, each [n] or [n,1]; (b) a single [n,k] tensor whose k columns are the
 * model's inputs in signature order (or the tensor's `columns` parameter). `signatureInputs` is called only
 * for form (b) without `columns`.
 */
export async function decodeInferRows(
  request: inference.ModelInferRequest,
  signatureInputs: () => Promise<readonly string[]>,
): Promise<DecodedRows> {
  const inputs = request.inputs;
  if (inputs.length === 0) throw invalidArgument('ModelInferRequest has no inputs');
  const raw = request.rawInputContents.length > 0;
  if (raw && request.rawInputContents.length !== inputs.length) {
    throw invalidArgument(
      `raw_input_contents has ${request.rawInputContents.length} entries but there are ${inputs.length} inputs (one entry per input is required)`,
    );
  }
  const columns: Column[] = inputs.map((t, i) =>
    readTensor(t, raw ? request.rawInputContents[i] : undefined),
  );

  const first = inputs[0]!;
  const columnsParam = first.parameters['columns']?.stringParam;
  if (
    inputs.length === 1 &&
    first.shape.length === 2 &&
    (first.shape[1]! !== 1 || columnsParam !== undefined)
  ) {
    const [n, k] = first.shape as [number, number];
    const names = columnsParam !== undefined ? splitColumns(columnsParam) : [...(await signatureInputs())];
    if (names.length === 0)
      throw invalidArgument(
        `input '${first.name}': no column names (set the 'columns' parameter or deploy a model that declares its inputs)`,
      );
    if (names.length !== k) {
      throw invalidArgument(
        `input '${first.name}': shape [${n}, ${k}] has ${k} columns but the model takes ${names.length} inputs (${names.join(', ')})`,
      );
    }
    return { rows: buildRows(n, names, [columns[0]!], k), raw };
  }

  let n = -1;
  for (const t of inputs) {
    if (t.shape.length === 0 || t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) {
      throw invalidArgument(
        `input '${t.name}': shape [${t.shape.join(', ')}] is not supported; use [n] or [n, 1] per input, or a single [n, k] input`,
      );
    }
    if (n === -1) n = t.shape[0]!;
    else if (t.shape[0] !== n)
      throw invalidArgument(`input '${t.name}' has ${t.shape[0]} rows but input '${first.name}' has ${n}`);
  }
  const names = inputs.map((t) => t.name);
  const seen = new Set<string>();
  for (const name of names) {
    if (!name) throw invalidArgument('every input tensor needs a name (the model input it feeds)');
    if (seen.has(name)) throw invalidArgument(`input '${name}' is given twice`);
    seen.add(name);
  }
  return { rows: buildRows(n, names, columns, 1), raw };
}

function splitColumns(param: string): string[] {
  return param
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `stride` 1: one column per name; otherwise a single row-major column block of width `stride`. */
function buildRows(
  n: number,
  names: readonly string[],
  columns: readonly Column[],
  stride: number,
): Buffer[] {
  const rows = new Array<Buffer>(n);
  const single = stride > 1 || (columns.length === 1 && names.length > 1);
  for (let i = 0; i < n; i++) {
    const features: { [key: string]: Value } = {};
    for (let j = 0; j < names.length; j++) {
      const col = single ? columns[0]! : columns[j]!;
      const idx = single ? i * stride + j : i;
      features[names[j]!] = valueAt(col, idx);
    }
    const u = RecordMsg.encode({ features, tensors: [] }).finish();
    rows[i] = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  }
  return rows;
}

function valueAt(col: Column, i: number): Value {
  switch (col.kind) {
    case 'number':
      return { number: col.data[i]! };
    case 'string':
      return { string: col.data[i]! };
    case 'bool':
      return { boolean: col.data[i]! };
  }
}

function readTensor(t: InferInput, raw: Buffer | undefined): Column {
  const name = t.name || '(unnamed)';
  const datatype = t.datatype.toUpperCase();
  if (!DATATYPES.has(datatype)) {
    throw invalidArgument(
      `input '${name}': unsupported datatype '${t.datatype}' (expected one of ${[...DATATYPES].join(', ')})`,
    );
  }
  let count = 1;
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw invalidArgument(`input '${name}': invalid shape [${t.shape.join(', ')}]`);
    count *= d;
  }
  const col =
    raw !== undefined ? readRaw(name, datatype, raw, count) : readContents(name, datatype, t.contents);
  if (col.data.length !== count) {
    throw invalidArgument(
      `input '${name}': shape [${t.shape.join(', ')}] needs ${count} ${datatype} values, got ${col.data.length}${raw !== undefined ? ' in raw_input_contents' : ''}`,
    );
  }
  return col;
}

function readContents(name: string, datatype: string, c: inference.InferTensorContents | undefined): Column {
  if (c === undefined)
    return datatype === 'BYTES'
      ? { kind: 'string', data: [] }
      : datatype === 'BOOL'
        ? { kind: 'bool', data: [] }
        : { kind: 'number', data: [] };
  switch (datatype) {
    case 'FP32':
      return { kind: 'number', data: c.fp32Contents };
    case 'FP64':
      return { kind: 'number', data: c.fp64Contents };
    case 'INT32':
      return { kind: 'number', data: c.intContents };
    case 'INT64':
      return { kind: 'number', data: c.int64Contents };
    case 'BOOL':
      return { kind: 'bool', data: c.boolContents };
    case 'BYTES':
      return { kind: 'string', data: c.bytesContents.map((b) => Buffer.from(b).toString('utf8')) };
    default:
      throw invalidArgument(`input '${name}': unsupported datatype '${datatype}'`);
  }
}

const ELEMENT_BYTES: Record<string, number> = { FP32: 4, FP64: 8, INT32: 4, INT64: 8, BOOL: 1 };

function readRaw(name: string, datatype: string, raw: Buffer, count: number): Column {
  if (datatype === 'BYTES') return { kind: 'string', data: readRawBytes(name, raw) };
  const size = ELEMENT_BYTES[datatype]!;
  if (raw.length % size !== 0 || raw.length / size !== count) {
    throw invalidArgument(
      `input '${name}': raw_input_contents holds ${raw.length} bytes, expected ${count * size} (${count} ${datatype} values of ${size} bytes, little-endian)`,
    );
  }
  if (datatype === 'BOOL') {
    const out = new Array<boolean>(count);
    for (let i = 0; i < count; i++) out[i] = raw[i] !== 0;
    return { kind: 'bool', data: out };
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * size;
    out[i] =
      datatype === 'FP32'
        ? raw.readFloatLE(o)
        : datatype === 'FP64'
          ? raw.readDoubleLE(o)
          : datatype === 'INT32'
            ? raw.readInt32LE(o)
            : Number(raw.readBigInt64LE(o));
  }
  return { kind: 'number', data: out };
}

/** BYTES raw contents: each element is a 4-byte little-endian length followed by that many bytes. */
function readRawBytes(name: string, raw: Buffer): string[] {
  const out: string[] = [];
  let o = 0;
  while (o < raw.length) {
    if (o + 4 > raw.length)
      throw invalidArgument(
        `input '${name}': truncated BYTES element length at byte ${o} of raw_input_contents`,
      );
    const len = raw.readUInt32LE(o);
    o += 4;
    if (o + len > raw.length)
      throw invalidArgument(
        `input '${name}': BYTES element of ${len} bytes at byte ${o - 4} runs past the end of raw_input_contents`,
      );
    out.push(raw.toString('utf8', o, o + len));
    o += len;
  }
  return out;
}

// ---- outputs ----

export type OutputValue = number | string | boolean | null;

/** Builds one output tensor of shape [n] from per-row values: FP64 for numbers, BYTES for strings, BOOL for booleans. */
export function buildOutput(
  name: string,
  values: readonly OutputValue[],
  raw: boolean,
): { tensor: InferOutput; raw?: Buffer } {
  let hasString = false;
  let hasNumber = false;
  let hasBool = false;
  for (const v of values) {
    if (typeof v === 'string') hasString = true;
    else if (typeof v === 'number') hasNumber = true;
    else if (typeof v === 'boolean') hasBool = true;
  }
  const n = values.length;
  const contents: inference.InferTensorContents = {
    boolContents: [],
    intContents: [],
    int64Contents: [],
    uintContents: [],
    uint64Contents: [],
    fp32Contents: [],
    fp64Contents: [],
    bytesContents: [],
  };
  let datatype: string;
  let rawBuf: Buffer | undefined;
  if (hasString || (hasBool && hasNumber)) {
    datatype = 'BYTES';
    const strings = values.map((v) => (v === null ? '' : String(v)));
    if (raw) {
      const parts = strings.map((s) => Buffer.from(s, 'utf8'));
      rawBuf = Buffer.alloc(parts.reduce((a, p) => a + 4 + p.length, 0));
      let o = 0;
      for (const p of parts) {
        rawBuf.writeUInt32LE(p.length, o);
        p.copy(rawBuf, o + 4);
        o += 4 + p.length;
      }
    } else {
      contents.bytesContents = strings.map((s) => Buffer.from(s, 'utf8'));
    }
  } else if (hasBool) {
    datatype = 'BOOL';
    const bools = values.map((v) => v === true);
    if (raw) rawBuf = Buffer.from(bools.map((b) => (b ? 1 : 0)));
    else contents.boolContents = bools;
  } else {
    datatype = 'FP64';
    const nums = values.map((v) => (typeof v === 'number' ? v : NaN));
    if (raw) {
      rawBuf = Buffer.alloc(n * 8);
      for (let i = 0; i < n; i++) rawBuf.writeDoubleLE(nums[i]!, i * 8);
    } else {
      contents.fp64Contents = nums;
    }
  }
  const tensor: InferOutput = {
    name,
    datatype,
    shape: [n],
    parameters: {},
    contents: raw ? undefined : contents,
  };
  return rawBuf !== undefined ? { tensor, raw: rawBuf } : { tensor };
}

export function valueFromProto(v: Value | undefined): OutputValue {
  if (v === undefined) return null;
  if (v.number !== undefined) return v.number;
  if (v.string !== undefined) return v.string;
  if (v.boolean !== undefined) return v.boolean;
  return null;
}
