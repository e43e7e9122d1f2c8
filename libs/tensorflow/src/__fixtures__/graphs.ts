import { DType } from '../graph/dtype';
import { encodeGraphDef, type AttrValue, type NodeDef } from '../graph/graph-def';

/** Helpers to write small GraphDefs in tests (encoded with the library's own writer). */
export const F = { type: DType.DT_FLOAT } as const;

export function placeholder(name: string, dims: number[] | undefined = [-1, 2]): NodeDef {
  const attr: Record<string, AttrValue> = { dtype: F };
  if (dims) attr['shape'] = { shape: { dims } };
  return { name, op: 'Placeholder', input: [], attr };
}

export function constF(name: string, shape: number[], values: number[]): NodeDef {
  return {
    name,
    op: 'Const',
    input: [],
    attr: { dtype: F, value: { tensor: { dtype: DType.DT_FLOAT, shape, data: Float32Array.from(values) } } },
  };
}

export function constI(name: string, shape: number[], values: number[]): NodeDef {
  return {
    name,
    op: 'Const',
    input: [],
    attr: {
      dtype: { type: DType.DT_INT32 },
      value: { tensor: { dtype: DType.DT_INT32, shape, data: Int32Array.from(values) } },
    },
  };
}

export function op(
  name: string,
  opName: string,
  input: string[],
  attr: Record<string, AttrValue> = {},
): NodeDef {
  return { name, op: opName, input, attr: { T: F, ...attr } };
}

export function graphBytes(nodes: NodeDef[], withVersions = false): Uint8Array {
  return encodeGraphDef(
    withVersions ? { node: nodes, versions: { producer: 27, minConsumer: 0 } } : { node: nodes },
  );
}

/** x[?,2] → dense 2→3 (two ways) → concat → dense 6→2 → softmax, touching every fast-path op family. */
export const W1 = [0.5, -0.25, 1.0, 0.75, 0.3, -0.6]; // [2,3]
export const B1 = [0.1, -0.2, 0.05];
export const W1T = [0.2, -0.4, 0.9, 0.1, -0.3, 0.5]; // [3,2], used with transpose_b
export const C = [0.01, 0.02, -0.03];
export const S = [1.5, -2, 0.5];
export const K = 0.25;
export const W2 = [0.3, -0.1, 0.2, 0.4, -0.5, 0.6, 0.7, -0.2, 0.05, 0.15, -0.35, 0.25]; // [6,2]
export const B2 = [0.02, -0.02];

export function denseNet(): NodeDef[] {
  return [
    placeholder('x'),
    constF('w1', [2, 3], W1),
    constF('b1', [3], B1),
    constF('w1t', [3, 2], W1T),
    constF('c', [3], C),
    constF('s', [3], S),
    constF('k', [], [K]),
    constF('w2', [6, 2], W2),
    constF('b2', [2], B2),
    constI('axis', [], [1]),
    constI('shape', [2], [-1, 6]),
    op('x_id', 'Identity', ['x']),
    op('mm1', 'MatMul', ['x_id', 'w1'], { transpose_a: { b: false }, transpose_b: { b: false } }),
    op('ba1', 'BiasAdd', ['mm1', 'b1'], { data_format: { s: 'NHWC' } }),
    op('h', 'Relu', ['ba1']),
    op('mm2', 'MatMul', ['x', 'w1t', '^h'], { transpose_a: { b: false }, transpose_b: { b: true } }),
    op('add2', 'Add', ['mm2', 'c']),
    op('h2', 'Tanh', ['add2']),
    op('mul', 'Mul', ['h', 's']),
    op('h3', 'Sigmoid', ['mul']),
    op('sub', 'Sub', ['h2', 'k']),
    op('h4', 'Relu6', ['sub']),
    {
      name: 'cat',
      op: 'ConcatV2',
      input: ['h3', 'h4', 'axis'],
      attr: { T: F, N: { i: 2 }, Tidx: { type: DType.DT_INT32 } },
    },
    { name: 'r', op: 'Reshape', input: ['cat', 'shape'], attr: { T: F, Tshape: { type: DType.DT_INT32 } } },
    op('mm3', 'MatMul', ['r', 'w2'], { transpose_a: { b: false }, transpose_b: { b: false } }),
    op('logits', 'AddV2', ['mm3', 'b2']),
    op('probs', 'Softmax', ['logits']),
  ];
}

/** The same net in plain JS, from the constants above (the test's reference). */
export function denseNetReference(x: readonly number[]): number[] {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const h = [0, 1, 2].map((j) => Math.max(0, x[0]! * W1[j]! + x[1]! * W1[3 + j]! + B1[j]!));
  const h2 = [0, 1, 2].map((j) => Math.tanh(x[0]! * W1T[j * 2]! + x[1]! * W1T[j * 2 + 1]! + C[j]!));
  const h3 = h.map((v, j) => sig(v * S[j]!));
  const h4 = h2.map((v) => Math.min(6, Math.max(0, v - K)));
  const cat = [...h3, ...h4];
  const logits = [0, 1].map((j) => cat.reduce((s, v, i) => s + v * W2[i * 2 + j]!, B2[j]!));
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
