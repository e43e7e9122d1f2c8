import { rtError } from '../errors';
import type { Value } from '../values';
import { LONG_MAX_DOUBLE, LONG_MIN } from './limits';
import { def, fn } from './registry';

/** `m.*`: math, special functions, link functions and kernels. */
const D1 = 'double -> double';
const unary: Record<string, (x: number) => number> = {
  'm.acos': Math.acos,
  'm.asin': Math.asin,
  'm.atan': Math.atan,
  'm.ceil': Math.ceil,
  'm.cos': Math.cos,
  'm.cosh': Math.cosh,
  'm.exp': Math.exp,
  'm.expm1': Math.expm1,
  'm.floor': Math.floor,
  'm.ln': Math.log,
  'm.log10': Math.log10,
  'm.ln1p': Math.log1p,
  // Round half to even, as Java's Math.rint.
  'm.rint': (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  'm.sin': Math.sin,
  'm.sinh': Math.sinh,
  'm.sqrt': Math.sqrt,
  'm.tan': Math.tan,
  'm.tanh': Math.tanh,
  'm.special.erf': erf,
  'm.special.erfc': (x) => 1 - erf(x),
  'm.special.lnGamma': lnGamma,
};
for (const [name, f] of Object.entries(unary)) fn(name, D1, f);

fn('m.pi', '-> double', () => Math.PI);
fn('m.e', '-> double', () => Math.E);
def('m.abs', 'A<num> -> A', (i) => {
  if (i.ret.kind === 'int')
    return (x: number) => {
      if (x === -2147483648) throw rtError(27020, 'int overflow', 'm.abs');
      return Math.abs(x);
    };
  if (i.ret.kind === 'long')
    return (x: number) => {
      if (x <= LONG_MIN) throw rtError(27021, 'long overflow', 'm.abs');
      return Math.abs(x);
    };
  return Math.abs;
});
fn('m.atan2', 'double, double -> double', Math.atan2);
fn('m.hypot', 'double, double -> double', Math.hypot);
fn('m.copysign', 'A<num>, A -> A', (m: number, s: number) =>
  s < 0 || Object.is(s, -0) ? -Math.abs(m) : Math.abs(m),
);
fn('m.log', 'double, int -> double', (x: number, base: number) => {
  if (base <= 0) throw rtError(27170, 'base must be positive', 'm.log');
  return Math.log(x) / Math.log(base);
});
def('m.round', ['float -> int', 'double -> long'], (i) => {
  const [lo, hi, code] = i.sig === 0 ? [-2147483648, 2147483647, 27190] : [LONG_MIN, LONG_MAX_DOUBLE, 27191];
  return (x: number) => {
    const r = Math.floor(x + 0.5);
    if (!Number.isFinite(r) || r < lo || r > hi)
      throw rtError(code, i.sig === 0 ? 'int overflow' : 'long overflow', 'm.round');
    return r;
  };
});
fn('m.signum', 'double -> int', (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0));
fn('m.special.nChooseK', 'int, int -> int', (n: number, k: number) => {
  if (k <= 0 || k >= n) throw rtError(36000, 'domain error', 'm.special.nChooseK');
  let r = 1;
  for (let j = 1; j <= k; j++) r = (r * (n - k + j)) / j;
  return Math.round(r);
});
fn('m.special.lnBeta', 'double, double -> double', (a: number, b: number) => {
  if (a <= 0 || b <= 0) throw rtError(36010, 'domain error', 'm.special.lnBeta');
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
});

/** Abramowitz–Stegun 7.1.26 is too coarse; this is the W. J. Cody-style series/continued fraction. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series converges quickly here.
    let sum = x;
    let term = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc at larger |x|.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** Lanczos approximation (g = 7, n = 9). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

// Link functions apply elementwise to a double, an array of doubles or a map of doubles.
const LINK_SIGS = ['double -> double', '[double] -> [double]', '{double} -> {double}'];
function link(name: string, f: (x: number) => number): void {
  def(name, LINK_SIGS, (i) => {
    if (i.sig === 0) return f;
    if (i.sig === 1) return (a: number[]) => a.map(f);
    return (m: Record<string, number>) => mapValues(m, f);
  });
}
function mapValues(m: Record<string, number>, f: (x: number) => number): Value {
  const out = Object.create(null) as Record<string, number>;
  for (const k of Object.keys(m)) out[k] = f(m[k]!);
  return out;
}
link('m.link.logit', (x) => 1 / (1 + Math.exp(-x)));
link('m.link.probit', (x) => (1 + erf(x / Math.SQRT2)) / 2);
link('m.link.cloglog', (x) => 1 - Math.exp(-Math.exp(x)));
link('m.link.loglog', (x) => Math.exp(-Math.exp(-x)));
link('m.link.cauchit', (x) => 0.5 + Math.atan(x) / Math.PI);
link('m.link.softplus', (x) => Math.log1p(Math.exp(x)));
link('m.link.relu', (x) => (x > 0 ? x : 0));
link('m.link.tanh', Math.tanh);
def('m.link.softmax', ['[double] -> [double]', '{double} -> {double}'], (i) => {
  const soft = (xs: number[]): number[] => {
    if (xs.length === 0) throw rtError(25000, 'empty input', 'm.link.softmax');
    const mx = Math.max(...xs);
    const e = xs.map((x) => Math.exp(x - mx));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  };
  if (i.sig === 0) return soft;
  return (m: Record<string, number>) => {
    const ks = Object.keys(m);
    const v = soft(ks.map((k) => m[k]!));
    const out = Object.create(null) as Record<string, number>;
    ks.forEach((k, j) => (out[k] = v[j]!));
    return out;
  };
});

function dotChecked(x: number[], y: number[], code: number, name: string): number {
  if (x.length !== y.length) throw rtError(code, 'arrays must have same length', name);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}
fn('m.kernel.linear', '[double], [double] -> double', (x: number[], y: number[]) =>
  dotChecked(x, y, 23000, 'm.kernel.linear'),
);
fn('m.kernel.rbf', '[double], [double], double -> double', (x: number[], y: number[], g: number) => {
  if (x.length !== y.length) throw rtError(23010, 'arrays must have same length', 'm.kernel.rbf');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - y[i]!) ** 2;
  return Math.exp(-g * s);
});
fn(
  'm.kernel.poly',
  '[double], [double], double, double, double -> double',
  (x: number[], y: number[], g: number, c: number, d: number) =>
    Math.pow(g * dotChecked(x, y, 23020, 'm.kernel.poly') + c, d),
);
fn(
  'm.kernel.sigmoid',
  '[double], [double], double, double -> double',
  (x: number[], y: number[], g: number, c: number) =>
    Math.tanh(g * dotChecked(x, y, 23030, 'm.kernel.sigmoid') + c),
);
