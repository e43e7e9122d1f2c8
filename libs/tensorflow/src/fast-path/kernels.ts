/**
 * Float32Array kernels over row-major [batch, cols] buffers. Each kernel runs once per batch, so a batch of
 * 64 records costs one pass per layer, not 64; accumulation is in doubles (JS numbers) and stored as
 * float32, which keeps results within float32 rounding of TensorFlow's.
 */

/** out[n, N] = a[n, K] · W, with W given transposed (wt[N, K]) so the inner loop reads both contiguously. */
export function matmul(
  a: Float32Array,
  wt: Float32Array,
  out: Float32Array,
  n: number,
  k: number,
  cols: number,
): void {
  for (let r = 0; r < n; r++) {
    const ao = r * k;
    const oo = r * cols;
    for (let j = 0; j < cols; j++) {
      const wo = j * k;
      let acc = 0;
      for (let i = 0; i < k; i++) acc += a[ao + i]! * wt[wo + i]!;
      out[oo + j] = acc;
    }
  }
}

/** out = a ⊕ row-vector b (length cols; a scalar b is stretched at compile time). */
export function rowBroadcast(
  op: BinaryOp,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  n: number,
  cols: number,
  constFirst: boolean,
): void {
  const f = BINARY[op];
  for (let r = 0; r < n; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] = constFirst ? f(b[j]!, a[o + j]!) : f(a[o + j]!, b[j]!);
  }
}

/** BiasAdd / Add with a row vector, specialised because it follows every dense layer. */
export function addRow(a: Float32Array, b: Float32Array, out: Float32Array, n: number, cols: number): void {
  for (let r = 0; r < n; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] = a[o + j]! + b[j]!;
  }
}

export function elementwise(
  op: BinaryOp,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  size: number,
): void {
  const f = BINARY[op];
  for (let i = 0; i < size; i++) out[i] = f(a[i]!, b[i]!);
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'sqdiff';

export const BINARY: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  max: (x, y) => (x > y ? x : y),
  min: (x, y) => (x < y ? x : y),
  sqdiff: (x, y) => (x - y) * (x - y),
};

export type UnaryOp = (x: number) => number;

export const UNARY: Record<string, UnaryOp> = {
  Relu: (x) => (x > 0 ? x : 0),
  Relu6: (x) => (x > 0 ? (x < 6 ? x : 6) : 0),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: Math.tanh,
  Elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
  Selu: (x) => (x > 0 ? 1.0507009873554805 * x : 1.7580993408473766 * (Math.exp(x) - 1)),
  Softplus: (x) => Math.log1p(Math.exp(-Math.abs(x))) + (x > 0 ? x : 0),
  Softsign: (x) => x / (1 + Math.abs(x)),
  Exp: Math.exp,
  Log: Math.log,
  Neg: (x) => -x,
  Abs: Math.abs,
  Square: (x) => x * x,
  Sqrt: Math.sqrt,
  Rsqrt: (x) => 1 / Math.sqrt(x),
  Reciprocal: (x) => 1 / x,
};

export function unary(f: UnaryOp, a: Float32Array, out: Float32Array, size: number): void {
  for (let i = 0; i < size; i++) out[i] = f(a[i]!);
}

/** Relu and Sigmoid get their own loops: they are the hot activations, and a call per element costs. */
export function relu(a: Float32Array, out: Float32Array, size: number): void {
  for (let i = 0; i < size; i++) {
    const x = a[i]!;
    out[i] = x > 0 ? x : 0;
  }
}

export function sigmoid(a: Float32Array, out: Float32Array, size: number): void {
  for (let i = 0; i < size; i++) out[i] = 1 / (1 + Math.exp(-a[i]!));
}

/** Row-wise softmax, shifted by the row max for stability (as TensorFlow does). */
export function softmax(a: Float32Array, out: Float32Array, n: number, cols: number): void {
  for (let r = 0; r < n; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (a[o + j]! > max) max = a[o + j]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(a[o + j]! - max);
      out[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) out[o + j] = out[o + j]! / sum;
  }
}

/** Concatenation along the feature axis. */
export function concatCols(
  parts: readonly Float32Array[],
  widths: readonly number[],
  out: Float32Array,
  n: number,
  cols: number,
): void {
  for (let r = 0; r < n; r++) {
    let o = r * cols;
    for (let p = 0; p < parts.length; p++) {
      const w = widths[p]!;
      const src = parts[p]!;
      const so = r * w;
      for (let j = 0; j < w; j++) out[o + j] = src[so + j]!;
      o += w;
    }
  }
}
