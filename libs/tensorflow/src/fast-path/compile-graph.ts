import { parseInput, type NodeDef } from '../graph/graph-def';
import { isUnknownShape } from '../graph/prune';
import type { TensorValue } from '../graph/tensor-value';
import {
  addRow,
  concatCols,
  elementwise,
  matmul,
  relu,
  rowBroadcast,
  sigmoid,
  softmax,
  unary,
  BINARY,
  UNARY,
  type BinaryOp,
} from './kernels';

/** A graph compiled to Float32Array kernels over [batch, cols] buffers. */
export interface FastGraph {
  readonly inputWidths: readonly number[];
  readonly outputWidths: readonly number[];
  /**
   * Runs `n` rows. `inputs[i]` holds n × inputWidths[i] values (row-major). Returns one buffer per output
   * whose first n × outputWidths[j] values are the result; the buffers are reused by the next run.
   */
  run(inputs: readonly Float32Array[], n: number): Float32Array[];
}

export type FastPathResult =
  { readonly ok: true; readonly graph: FastGraph } | { readonly ok: false; readonly reason: string };

/** Ops the fast path compiles; a graph with any other op (after pruning) runs on tfjs. */
export const FAST_PATH_OPS: readonly string[] = [
  'Placeholder',
  'Const',
  'Identity',
  'StopGradient',
  'Snapshot',
  'MatMul',
  '_FusedMatMul',
  'BiasAdd',
  'Add',
  'AddV2',
  'Sub',
  'Mul',
  'RealDiv',
  'Div',
  'Maximum',
  'Minimum',
  'SquaredDifference',
  'Softmax',
  'LeakyRelu',
  'Reshape',
  'ConcatV2',
  ...Object.keys(UNARY),
];

const BINARY_OPS: Record<string, BinaryOp> = {
  Add: 'add',
  AddV2: 'add',
  BiasAdd: 'add',
  Sub: 'sub',
  Mul: 'mul',
  RealDiv: 'div',
  Div: 'div',
  Maximum: 'max',
  Minimum: 'min',
  SquaredDifference: 'sqdiff',
};

type Step = (bufs: Float32Array[], n: number) => void;

/** A per-row tensor: [batch, cols]. Aliases (Identity, Reshape) share the object, so a width learnt later reaches all. */
interface BatchValue {
  readonly kind: 'batch';
  readonly slot: number;
  cols: number | undefined;
}
interface ConstValue {
  readonly kind: 'const';
  readonly t: TensorValue;
}
type Value = BatchValue | ConstValue;

class Unsupported extends Error {}

/**
 * Compiles pruned, topologically ordered nodes into kernels, once. Returns `ok: false` with the reason
 * when any node falls outside what the kernels cover (the caller then uses tfjs); never throws for that.
 */
export function compileFastPath(
  nodes: readonly NodeDef[],
  inputs: readonly string[],
  outputs: readonly string[],
  declaredWidths: readonly (number | undefined)[] = [],
): FastPathResult {
  try {
    return { ok: true, graph: compile(nodes, inputs, outputs, declaredWidths) };
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: err.message };
    throw err;
  }
}

function compile(
  nodes: readonly NodeDef[],
  inputNames: readonly string[],
  outputNames: readonly string[],
  declaredWidths: readonly (number | undefined)[],
): FastGraph {
  const values = new Map<string, Value>();
  const slots: BatchValue[] = [];
  const steps: Step[] = [];
  const newBatch = (cols: number | undefined): BatchValue => {
    const v: BatchValue = { kind: 'batch', slot: slots.length, cols };
    slots.push(v);
    return v;
  };
  const inputIndex = new Map(inputNames.map((n, i) => [parseInput(n)[0], i]));

  for (const node of nodes) {
    const where = `op ${node.op} (node '${node.name}')`;
    const unsupported = (why: string): never => {
      throw new Unsupported(`${where}: ${why}`);
    };
    const arg = (i: number): Value => {
      const ref = node.input[i];
      if (ref === undefined) return unsupported(`missing input ${i}`);
      const [name, idx] = parseInput(ref);
      if (idx !== 0) return unsupported(`reads output ${idx} of '${name}'`);
      const v = values.get(name);
      if (!v) return unsupported(`input '${name}' is not compiled`);
      return v;
    };
    const batchArg = (i: number): BatchValue => {
      const v = arg(i);
      return v.kind === 'batch' ? v : unsupported(`input ${i} is a constant`);
    };
    const constArg = (i: number): ConstValue => {
      const v = arg(i);
      return v.kind === 'const' ? v : unsupported(`input ${i} is not a constant`);
    };
    const floatData = (c: ConstValue): Float32Array => {
      if (!(c.t.data instanceof Float32Array)) return unsupported('constant is not a float tensor');
      return c.t.data;
    };
    const out = (v: Value) => values.set(node.name, v);

    switch (node.op) {
      case 'Placeholder': {
        const i = inputIndex.get(node.name);
        if (i === undefined) unsupported('placeholder is not a model input');
        const dims = node.attr['shape']?.shape?.dims;
        let cols = declaredWidths[i!];
        if (!isUnknownShape(dims)) {
          if (dims!.length !== 2)
            unsupported(`input of rank ${dims!.length}; the fast path takes [batch, features]`);
          if (cols === undefined && dims![1]! > 0) cols = dims![1];
        }
        out(newBatch(cols));
        break;
      }
      case 'Const': {
        const t = node.attr['value']?.tensor;
        if (!t) unsupported('no value');
        out({ kind: 'const', t: t! });
        break;
      }
      case 'Identity':
      case 'StopGradient':
      case 'Snapshot':
        out(arg(0));
        break;
      case 'MatMul':
      case '_FusedMatMul': {
        if (node.attr['transpose_a']?.b) unsupported('transpose_a');
        const a = batchArg(0);
        const b = constArg(1);
        if (b.t.shape.length !== 2) unsupported('weights are not a matrix');
        const w = floatData(b);
        const transposeB = node.attr['transpose_b']?.b === true;
        const k = transposeB ? b.t.shape[1]! : b.t.shape[0]!;
        const cols = transposeB ? b.t.shape[0]! : b.t.shape[1]!;
        if (a.cols === undefined) a.cols = k;
        if (a.cols !== k)
          unsupported(`input width ${a.cols} does not match weights [${b.t.shape.join(', ')}]`);
        // Kernels read W transposed ([cols, k]) so both operands stream contiguously.
        const wt = transposeB ? w : transpose(w, k, cols);
        const o = newBatch(cols);
        let bias: Float32Array | undefined;
        let act: string | undefined;
        if (node.op === '_FusedMatMul') {
          const fused = node.attr['fused_ops']?.list?.s ?? [];
          for (const f of fused) {
            if (f === 'BiasAdd') {
              const bc = constArg(2);
              bias = floatData(bc);
              if (bias.length !== cols) unsupported('bias length does not match the layer width');
            } else if (f === 'Relu' || f === 'Sigmoid' || f === 'Tanh' || f === 'Relu6' || f === 'Elu')
              act = f;
            else unsupported(`fused op ${f}`);
          }
        }
        const ai = a.slot;
        const oi = o.slot;
        const bv = bias;
        const f = act === undefined ? undefined : UNARY[act];
        steps.push((bufs, n) => {
          const ob = bufs[oi]!;
          matmul(bufs[ai]!, wt, ob, n, k, cols);
          if (bv) addRow(ob, bv, ob, n, cols);
          if (f) unary(f, ob, ob, n * cols);
        });
        out(o);
        break;
      }
      case 'Reshape': {
        const a = arg(0);
        const s = constArg(1).t.data;
        if (a.kind === 'const') unsupported('reshape of a constant');
        const b = a as BatchValue;
        if (s.length !== 2 || s[0] !== -1)
          unsupported(`target shape [${Array.from(s as ArrayLike<unknown>).join(', ')}] is not [-1, n]`);
        const c = Number(s[1]);
        if (b.cols === undefined && c > 0) b.cols = c;
        if (c !== b.cols) unsupported(`reshape from ${b.cols} to ${c} columns changes the batch size`);
        out(b);
        break;
      }
      case 'ConcatV2': {
        const count = node.input.length - 1;
        const axisData = constArg(count).t.data;
        const axis = Number(axisData[0]);
        if (axis !== 1 && axis !== -1) unsupported(`axis ${axis}; only the feature axis is supported`);
        const parts: BatchValue[] = [];
        for (let i = 0; i < count; i++) parts.push(batchArg(i));
        const widths = parts.map((p) => p.cols ?? unsupported('input width unknown'));
        const cols = widths.reduce((x, y) => x + y, 0);
        const o = newBatch(cols);
        const partSlots = parts.map((p) => p.slot);
        const oi = o.slot;
        const srcs: Float32Array[] = new Array<Float32Array>(count);
        steps.push((bufs, n) => {
          for (let i = 0; i < count; i++) srcs[i] = bufs[partSlots[i]!]!;
          concatCols(srcs, widths, bufs[oi]!, n, cols);
        });
        out(o);
        break;
      }
      case 'Softmax': {
        const a = batchArg(0);
        const cols = a.cols ?? unsupported('input width unknown');
        const o = newBatch(cols);
        const ai = a.slot;
        const oi = o.slot;
        steps.push((bufs, n) => softmax(bufs[ai]!, bufs[oi]!, n, cols));
        out(o);
        break;
      }
      case 'LeakyRelu': {
        const alpha = node.attr['alpha']?.f ?? 0.2;
        out(unaryStep(batchArg(0), (x) => (x > 0 ? x : alpha * x)));
        break;
      }
      default: {
        const bop = BINARY_OPS[node.op];
        if (bop !== undefined) {
          out(binaryStep(bop, arg(0), arg(1)));
          break;
        }
        const f = UNARY[node.op];
        if (f !== undefined) {
          const a = arg(0);
          if (a.kind === 'const') {
            const src = floatData(a);
            out({ kind: 'const', t: { dtype: a.t.dtype, shape: a.t.shape, data: src.map(f) } });
          } else out(unaryStep(a, f, node.op));
          break;
        }
        unsupported('not covered by the fast path');
      }
    }

    function unaryStep(a: BatchValue, f: (x: number) => number, op?: string): BatchValue {
      const cols = a.cols ?? unsupported('input width unknown');
      const o = newBatch(cols);
      const ai = a.slot;
      const oi = o.slot;
      if (op === 'Relu') steps.push((bufs, n) => relu(bufs[ai]!, bufs[oi]!, n * cols));
      else if (op === 'Sigmoid') steps.push((bufs, n) => sigmoid(bufs[ai]!, bufs[oi]!, n * cols));
      else steps.push((bufs, n) => unary(f, bufs[ai]!, bufs[oi]!, n * cols));
      return o;
    }

    function binaryStep(op: BinaryOp, x: Value, y: Value): Value {
      if (x.kind === 'const' && y.kind === 'const') {
        // Constant folding for the simple cases (same size, or a scalar against anything).
        const a = floatData(x);
        const b = floatData(y);
        const f = BINARY[op];
        if (a.length === b.length)
          return { kind: 'const', t: { ...x.t, data: a.map((v, i) => f(v, b[i]!)) } };
        if (b.length === 1) return { kind: 'const', t: { ...x.t, data: a.map((v) => f(v, b[0]!)) } };
        if (a.length === 1) return { kind: 'const', t: { ...y.t, data: b.map((v) => f(a[0]!, v)) } };
        return unsupported('broadcast between constants of different shapes');
      }
      if (x.kind === 'batch' && y.kind === 'batch') {
        if (x.cols === undefined || x.cols !== y.cols)
          unsupported(`inputs of widths ${x.cols} and ${y.cols}`);
        const cols = x.cols!;
        const o = newBatch(cols);
        const xi = x.slot;
        const yi = y.slot;
        const oi = o.slot;
        steps.push((bufs, n) => elementwise(op, bufs[xi]!, bufs[yi]!, bufs[oi]!, n * cols));
        return o;
      }
      const constFirst = x.kind === 'const';
      const a = (constFirst ? y : x) as BatchValue;
      const c = (constFirst ? x : y) as ConstValue;
      const data = floatData(c);
      const shape = c.t.shape;
      const isRow = shape.length <= 1 || (shape.length === 2 && shape[0] === 1);
      if (!isRow) unsupported(`constant of shape [${shape.join(', ')}] does not broadcast along rows`);
      if (a.cols === undefined && data.length > 1) a.cols = data.length;
      const cols = a.cols ?? unsupported('input width unknown');
      let row: Float32Array;
      if (data.length === cols) row = data;
      else if (data.length === 1) row = new Float32Array(cols).fill(data[0]!);
      else return unsupported(`constant of ${data.length} values against ${cols} columns`);
      const o = newBatch(cols);
      const ai = a.slot;
      const oi = o.slot;
      if (op === 'add') steps.push((bufs, n) => addRow(bufs[ai]!, row, bufs[oi]!, n, cols));
      else steps.push((bufs, n) => rowBroadcast(op, bufs[ai]!, row, bufs[oi]!, n, cols, constFirst));
      return o;
    }
  }

  const inputs: BatchValue[] = inputNames.map((name) => {
    const v = values.get(parseInput(name)[0]);
    if (!v || v.kind !== 'batch') throw new Unsupported(`input '${name}' is not used by the outputs`);
    if (v.cols === undefined) throw new Unsupported(`the width of input '${name}' cannot be inferred`);
    return v;
  });
  const outs: BatchValue[] = outputNames.map((name) => {
    const [node, idx] = parseInput(name);
    const v = values.get(node);
    if (idx !== 0) throw new Unsupported(`output '${name}' is not output 0 of its node`);
    if (!v || v.kind !== 'batch') throw new Unsupported(`output '${name}' is not computed from the inputs`);
    if (v.cols === undefined) throw new Unsupported(`the width of output '${name}' cannot be inferred`);
    return v;
  });
  for (const s of slots)
    if (s.cols === undefined) throw new Unsupported(`a tensor of unknown width (slot ${s.slot})`);

  const widths = slots.map((s) => s.cols!);
  const inputSlots = inputs.map((v) => v.slot);
  const outputSlots = outs.map((v) => v.slot);
  const isInput = new Set(inputSlots);
  const bufs: Float32Array[] = slots.map(() => new Float32Array(0));
  let capacity = 0;
  return {
    inputWidths: inputs.map((v) => v.cols!),
    outputWidths: outs.map((v) => v.cols!),
    run(inputData, n) {
      if (n > capacity) {
        // Grow geometrically so a rising batch size costs a few allocations, not one per batch.
        capacity = Math.max(n, capacity * 2, 1);
        for (let s = 0; s < bufs.length; s++)
          if (!isInput.has(s)) bufs[s] = new Float32Array(capacity * widths[s]!);
      }
      for (let i = 0; i < inputSlots.length; i++) bufs[inputSlots[i]!] = inputData[i]!;
      for (let s = 0; s < steps.length; s++) steps[s]!(bufs, n);
      return outputSlots.map((s) => bufs[s]!);
    },
  };
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}
