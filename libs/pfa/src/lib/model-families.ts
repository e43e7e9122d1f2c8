import { rtError } from '../errors';
import type { AvroType, FcnType } from '../types/avro-type';
import type { PfaRecord, Value } from '../values';
import { def } from './registry';

/** `model.neighbor.*`, `model.naive.*`, `model.neural.simpleLayers` and `model.svm.score`. */
type Arg = AvroType | FcnType;
type Metric = (a: Value, b: Value) => Value;
const recordHas = (t: Arg | undefined, ...names: string[]) =>
  t?.kind === 'record' && names.every((n) => t.fields.some((f) => f.name === n));

// ---------------------------------------------------------------- nearest neighbours

def(
  'model.neighbor.mean',
  ['[[double]] -> [double]', '[[double]], fn([double])->double -> [double]'],
  () => (points: number[][], weight?: (p: Value) => Value) => {
    const N = 'model.neighbor.mean';
    if (points.length === 0) throw rtError(30000, 'not enough points', N);
    const d = points[0]!.length;
    if (points.some((p) => p.length !== d)) throw rtError(30001, 'inconsistent dimensionality', N);
    const sum = new Array<number>(d).fill(0);
    let total = 0;
    for (const p of points) {
      const w = weight ? (weight(p) as number) : 1;
      total += w;
      for (let k = 0; k < d; k++) sum[k]! += w * p[k]!;
    }
    return sum.map((s) => s / total);
  },
);

function euclid2(a: number[], b: number[], code: number, name: string): number {
  if (a.length !== b.length) throw rtError(code, 'inconsistent dimensionality', name);
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k]! - b[k]!) ** 2;
  return s;
}

def(
  'model.neighbor.nearestK',
  ['int, [double], [[double]] -> [[double]]', 'int, A, [B], fn(A,B)->double -> [B]'],
  (i) => {
    const N = 'model.neighbor.nearestK';
    const pick = (k: number, book: Value[], dist: (b: Value) => number) => {
      if (k < 0) throw rtError(30010, 'k must be nonnegative', N);
      // Stable by distance, so ties keep codebook order.
      return book
        .map((b, idx) => ({ b, idx, d: dist(b) }))
        .sort((x, y) => x.d - y.d || x.idx - y.idx)
        .slice(0, k)
        .map((x) => x.b);
    };
    if (i.sig === 0)
      return (k: number, datum: number[], book: number[][]) => {
        if (book.some((b) => b.length !== book[0]!.length))
          throw rtError(30011, 'inconsistent dimensionality', N);
        return pick(k, book, (b) => euclid2(datum, b as number[], 30011, N));
      };
    return (k: number, datum: Value, book: Value[], metric: Metric) =>
      pick(k, book, (b) => metric(datum, b) as number);
  },
);

def(
  'model.neighbor.ballR',
  ['double, [double], [[double]] -> [[double]]', 'double, A, [B], fn(A,B)->double -> [B]'],
  (i) => {
    if (i.sig === 0)
      // The specification gives ballR no error codes: a codebook entry of another dimension is never within r.
      return (r: number, datum: number[], book: number[][]) =>
        book.filter(
          (b) => b.length === datum.length && Math.sqrt(euclid2(datum, b, 0, 'model.neighbor.ballR')) < r,
        );
    return (r: number, datum: Value, book: Value[], metric: Metric) =>
      book.filter((b) => (metric(datum, b) as number) < r);
  },
);

// ---------------------------------------------------------------- naive Bayes

const gaussLL = (x: number, m: PfaRecord) => {
  const mean = m['mean'] as number;
  const v = m['variance'] as number;
  if (!(v > 0)) throw rtError(10001, 'variance less than or equal to zero', 'model.naive.gaussian');
  return -0.5 * Math.log(2 * Math.PI * v) - (x - mean) ** 2 / (2 * v);
};
const sameKeys = (a: object, b: object) => {
  const ka = Object.keys(a);
  const kb = new Set(Object.keys(b));
  return ka.length === kb.size && ka.every((k) => kb.has(k));
};

def(
  'model.naive.gaussian',
  ['[double], [record A] -> double', '{double}, {record A} -> double'],
  (i) => {
    const N = 'model.naive.gaussian';
    if (i.sig === 0)
      return (x: number[], m: PfaRecord[]) => {
        if (x.length !== m.length) throw rtError(10000, 'datum and classModel misaligned', N);
        return x.reduce((s, v, k) => s + gaussLL(v, m[k]!), 0);
      };
    return (x: Record<string, number>, m: Record<string, PfaRecord>) => {
      if (!sameKeys(x, m)) throw rtError(10000, 'datum and classModel misaligned', N);
      return Object.keys(x).reduce((s, k) => s + gaussLL(x[k]!, m[k]!), 0);
    };
  },
  (args, _sig, ret) => {
    const c = args[1];
    const rec = c?.kind === 'array' ? c.items : c?.kind === 'map' ? c.values : undefined;
    return recordHas(rec, 'mean', 'variance') ? ret : 'class model records need "mean" and "variance"';
  },
);

def(
  'model.naive.multinomial',
  [
    '[double], [double] -> double',
    '{double}, {double} -> double',
    '[double], record C -> double',
    '{double}, record C -> double',
  ],
  (i) => {
    const N = 'model.naive.multinomial';
    const fromRecord = i.sig >= 2;
    return (x: number[] | Record<string, number>, model: Value) => {
      const c = (fromRecord ? (model as PfaRecord)['values'] : model) as number[] | Record<string, number>;
      const keys = Array.isArray(c) ? c.map((_, k) => k) : Object.keys(c);
      const values = keys.map((k) => (c as Record<string | number, number>)[k]!);
      if (values.length === 0 || values.some((v) => !(v > 0)))
        throw rtError(10011, 'classModel must be non-empty and strictly positive', N);
      if (Array.isArray(x) ? x.length !== values.length : !sameKeys(x, c))
        throw rtError(10010, 'datum and classModel misaligned', N);
      // The class model is a histogram: normalise it to probabilities, then Σ xᵢ log pᵢ.
      const total = values.reduce((s, v) => s + v, 0);
      return keys.reduce(
        (s: number, k, j) => s + (x as Record<string | number, number>)[k]! * Math.log(values[j]! / total),
        0,
      );
    };
  },
  (args, sig, ret) =>
    sig < 2 || recordHas(args[1], 'values') ? ret : 'the class model record needs "values"',
);

def(
  'model.naive.bernoulli',
  ['[string], {double} -> double', '[string], record C -> double'],
  (i) => (datum: string[], model: Value) => {
    const c = (i.sig === 1 ? (model as PfaRecord)['values'] : model) as Record<string, number>;
    const present = new Set(datum);
    let s = 0;
    for (const k of Object.keys(c)) {
      const p = c[k]!;
      if (!(p > 0 && p < 1))
        throw rtError(
          10020,
          'probability in classModel must be strictly between 0 and 1',
          'model.naive.bernoulli',
        );
      s += Math.log(present.has(k) ? p : 1 - p);
    }
    return s;
  },
  (args, sig, ret) =>
    sig === 0 || recordHas(args[1], 'values') ? ret : 'the class model record needs "values"',
);

// ---------------------------------------------------------------- neural networks and SVMs

def(
  'model.neural.simpleLayers',
  '[double], [record M], fn(double)->double -> [double]',
  () => (datum: number[], layers: PfaRecord[], activation: (x: Value) => Value) => {
    const N = 'model.neural.simpleLayers';
    if (layers.length === 0) throw rtError(11000, 'no layers', N);
    let x = datum;
    layers.forEach((layer, li) => {
      const w = layer['weights'] as number[][];
      const b = layer['bias'] as number[];
      if (w.length !== b.length || w.some((row) => row.length !== x.length))
        throw rtError(11001, 'weights, bias, or datum misaligned', N);
      // Each row of weights is one node over the previous layer's outputs; the last layer is linear.
      const out = w.map((row, j) => row.reduce((s, v, k) => s + v * x[k]!, b[j]!));
      x = li < layers.length - 1 ? out.map((v) => activation(v) as number) : out;
    });
    return x;
  },
  (args, _sig, ret) =>
    args[1]?.kind === 'array' && recordHas(args[1].items, 'weights', 'bias')
      ? ret
      : 'layers need "weights" and "bias"',
);

def(
  'model.svm.score',
  '[double], record L, fn([double],[double])->double -> double',
  () => (datum: number[], model: PfaRecord, kernel: Metric) => {
    const N = 'model.svm.score';
    const pos = model['posClass'] as PfaRecord[];
    const neg = model['negClass'] as PfaRecord[];
    if (pos.length === 0 && neg.length === 0) throw rtError(12000, 'no support vectors', N);
    let s = model['const'] as number;
    for (const sv of [...pos, ...neg]) {
      const v = sv['supVec'] as number[];
      if (v.length !== datum.length)
        throw rtError(12001, 'support vectors must have same length as datum', N);
      s += (sv['coeff'] as number) * (kernel(datum, v) as number);
    }
    return s;
  },
  (args, _sig, ret) =>
    recordHas(args[1], 'const', 'posClass', 'negClass')
      ? ret
      : 'the SVM model needs "const", "posClass" and "negClass"',
);
