import { rtError } from '../errors';
import type { Value } from '../values';
import { def, fn } from './registry';

/**
 * `metric.*`: distances between vectors that may have missing (null) components. The similarity function
 * measures one component; missing components are left out and the sum is rescaled by the missing-value
 * weights, Σq / Σ(present q), exactly as the specification's formulas.
 */
type Sim = (x: Value, y: Value) => Value;

fn('metric.simpleEuclidean', '[double], [double] -> double', (x: number[], y: number[]) => {
  if (x.length !== y.length)
    throw rtError(28000, 'dimensions of vectors do not match', 'metric.simpleEuclidean');
  let s = 0;
  for (let k = 0; k < x.length; k++) s += (x[k]! - y[k]!) ** 2;
  return Math.sqrt(s);
});
fn('metric.absDiff', 'double, double -> double', (x: number, y: number) => Math.abs(x - y));
fn('metric.gaussianSimilarity', 'double, double, double -> double', (x: number, y: number, sigma: number) =>
  Math.exp((-Math.LN2 * (x - y) ** 2) / (sigma * sigma)),
);

/** Per-component similarities of the present pairs, and the missing-value rescaling factor. */
function components(
  sim: Sim,
  x: Value[],
  y: Value[],
  w: number[] | undefined,
  code: number,
  name: string,
): { d: number[]; scale: number } {
  if (x.length !== y.length || (w !== undefined && w.length !== x.length))
    throw rtError(code, 'dimensions of vectors do not match', name);
  const d: number[] = [];
  let all = 0;
  let present = 0;
  for (let k = 0; k < x.length; k++) {
    const q = w ? w[k]! : 1;
    all += q;
    if (x[k] === null || y[k] === null) continue;
    present += q;
    d.push(sim(x[k]!, y[k]!) as number);
  }
  return { d, scale: all / present };
}

type Reduce = (d: number[], scale: number, p: number) => number;
const METRICS: [string, number, boolean, Reduce][] = [
  ['metric.euclidean', 28030, true, (d, s) => Math.sqrt(d.reduce((a, v) => a + v * v, 0) * s)],
  ['metric.squaredEuclidean', 28040, false, (d, s) => d.reduce((a, v) => a + v * v, 0) * s],
  // With every value missing the scale is 0/0 = NaN, as the specification says; Math.max of nothing is -∞.
  ['metric.chebyshev', 28050, false, (d, s) => (d.length === 0 ? NaN : Math.max(...d) * s)],
  ['metric.taxicab', 28060, false, (d, s) => d.reduce((a, v) => a + v, 0) * s],
  [
    'metric.minkowski',
    28070,
    false,
    (d, s, p) =>
      p === Infinity
        ? d.length === 0
          ? NaN
          : Math.max(...d) * s
        : (d.reduce((a, v) => a + v ** p, 0) * s) ** (1 / p),
  ],
];
for (const [name, code, generic, reduce] of METRICS) {
  const [a, b] = generic ? ['A', 'B'] : ['double', 'double'];
  const p = name === 'metric.minkowski' ? ', double' : '';
  def(
    name,
    [
      `fn(${a},${b})->double, [(null|${a})], [(null|${b})]${p} -> double`,
      `fn(${a},${b})->double, [(null|${a})], [(null|${b})]${p}, [double] -> double`,
    ],
    () => {
      if (p)
        return (sim: Sim, x: Value[], y: Value[], pw: number, w?: number[]) => {
          if (!(pw > 0)) throw rtError(28071, 'Minkowski parameter p must be positive', name);
          const c = components(sim, x, y, w, code, name);
          return reduce(c.d, c.scale, pw);
        };
      return (sim: Sim, x: Value[], y: Value[], w?: number[]) => {
        const c = components(sim, x, y, w, code, name);
        return reduce(c.d, c.scale, 0);
      };
    },
  );
}

/** Counts of (true,true), (true,false), (false,true), (false,false) pairs. */
function binaryCounts(
  x: boolean[],
  y: boolean[],
  code: number,
  name: string,
): [number, number, number, number] {
  if (x.length !== y.length) throw rtError(code, 'dimensions of vectors do not match', name);
  const c: [number, number, number, number] = [0, 0, 0, 0];
  for (let k = 0; k < x.length; k++) c[(x[k] ? 0 : 2) + (y[k] ? 0 : 1)]!++;
  return c;
}
fn('metric.simpleMatching', '[boolean], [boolean] -> double', (x: boolean[], y: boolean[]) => {
  const [a11, a10, a01, a00] = binaryCounts(x, y, 28080, 'metric.simpleMatching');
  return (a11 + a00) / (a11 + a10 + a01 + a00);
});
fn('metric.jaccard', '[boolean], [boolean] -> double', (x: boolean[], y: boolean[]) => {
  const [a11, a10, a01] = binaryCounts(x, y, 28090, 'metric.jaccard');
  return a11 / (a11 + a10 + a01);
});
fn('metric.tanimoto', '[boolean], [boolean] -> double', (x: boolean[], y: boolean[]) => {
  const [a11, a10, a01, a00] = binaryCounts(x, y, 28100, 'metric.tanimoto');
  return (a11 + a00) / (a11 + 2 * (a10 + a01) + a00);
});
fn(
  'metric.binarySimilarity',
  '[boolean], [boolean], double, double, double, double, double, double, double, double -> double',
  (
    x: boolean[],
    y: boolean[],
    c00: number,
    c01: number,
    c10: number,
    c11: number,
    d00: number,
    d01: number,
    d10: number,
    d11: number,
  ) => {
    const [a11, a10, a01, a00] = binaryCounts(x, y, 28110, 'metric.binarySimilarity');
    return (c11 * a11 + c10 * a10 + c01 * a01 + c00 * a00) / (d11 * a11 + d10 * a10 + d01 * a01 + d00 * a00);
  },
);
