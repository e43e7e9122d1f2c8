import { PfaSemanticError, rtError } from '../errors';
import { T, accepts, unionOf, type AvroType, type FcnType, type RecordType } from '../types/avro-type';
import { makeRecord, newMap, recordTypeOf, type PfaMap, type PfaRecord, type Value } from '../values';
import { equals } from './compare';
import { pseudoInverse } from './la';
import { gammaP } from './prob-special';
import { def } from './registry';

/**
 * `stat.test.*`, the deprecated `model.reg.*` aliases of them (field "DOF" instead of "dof"),
 * `model.reg.linearVariance`, `model.reg.gaussianProcess`, the remaining `model.tree.*` and
 * `model.cluster.*`, and `stat.sample.updateWindow`/`fillHistogram2d`.
 */
type Arg = AvroType | FcnType;
type Vec = number[];
type SVec = Record<string, number>;
const field = (t: Arg | undefined, name: string): AvroType | undefined =>
  t?.kind === 'record' ? t.fields.find((f) => f.name === name)?.type : undefined;
const needsFields =
  (index: number, ...names: string[]) =>
  (args: readonly Arg[], _sig: number, ret: AvroType): AvroType | string =>
    names.every((n) => field(args[index], n)) ? ret : `the record needs field(s) ${names.join(', ')}`;
const sameKeys = (a: object, b: object) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k));
};
const recName = (t: Arg | undefined) => (t as RecordType).fullName;

// ---------------------------------------------------------------- residuals, pulls, chi2

function residual(name: string, code: number): void {
  def(
    name,
    ['double, double -> double', '[double], [double] -> [double]', '{double}, {double} -> {double}'],
    (i) => {
      if (i.sig === 0) return (o: number, p: number) => o - p;
      if (i.sig === 1)
        return (o: Vec, p: Vec) => {
          if (o.length !== p.length) throw rtError(code, 'misaligned prediction', name);
          return o.map((x, k) => x - p[k]!);
        };
      return (o: SVec, p: SVec) => {
        if (!sameKeys(o, p)) throw rtError(code, 'misaligned prediction', name);
        const r = newMap();
        for (const k of Object.keys(o)) r[k] = o[k]! - p[k]!;
        return r;
      };
    },
  );
}
function pull(name: string, code: number): void {
  def(
    name,
    [
      'double, double, double -> double',
      '[double], [double], [double] -> [double]',
      '{double}, {double}, {double} -> {double}',
    ],
    (i) => {
      if (i.sig === 0) return (o: number, p: number, u: number) => (o - p) / u;
      if (i.sig === 1)
        return (o: Vec, p: Vec, u: Vec) => {
          if (o.length !== p.length) throw rtError(code, 'misaligned prediction', name);
          if (o.length !== u.length) throw rtError(code + 1, 'misaligned uncertainty', name);
          return o.map((x, k) => (x - p[k]!) / u[k]!);
        };
      return (o: SVec, p: SVec, u: SVec) => {
        if (!sameKeys(o, p)) throw rtError(code, 'misaligned prediction', name);
        if (!sameKeys(o, u)) throw rtError(code + 1, 'misaligned uncertainty', name);
        const r = newMap();
        for (const k of Object.keys(o)) r[k] = (o[k]! - p[k]!) / u[k]!;
        return r;
      };
    },
  );
}
function mahalanobis(name: string, code: number): void {
  def(name, ['[double], [double], [[double]] -> double', '{double}, {double}, {{double}} -> double'], (i) => {
    const dist = (d: Vec, cov: number[][]) => {
      const inv = pseudoInverse(cov);
      let s = 0;
      for (let a = 0; a < d.length; a++) for (let b = 0; b < d.length; b++) s += d[a]! * inv[a]![b]! * d[b]!;
      return Math.sqrt(s);
    };
    if (i.sig === 0)
      return (o: Vec, p: Vec, cov: Vec[]) => {
        if (o.length < 1) throw rtError(code, 'too few rows/cols', name);
        if (o.length !== p.length) throw rtError(code + 1, 'misaligned prediction', name);
        if (cov.length !== o.length || cov.some((r) => r.length !== o.length))
          throw rtError(code + 2, 'misaligned covariance', name);
        return dist(
          o.map((x, k) => x - p[k]!),
          cov,
        );
      };
    return (o: SVec, p: SVec, cov: Record<string, SVec>) => {
      const keys = Object.keys(o);
      if (keys.length < 1) throw rtError(code, 'too few rows/cols', name);
      if (!sameKeys(o, p)) throw rtError(code + 1, 'misaligned prediction', name);
      if (!sameKeys(o, cov) || keys.some((k) => !sameKeys(o, cov[k]!)))
        throw rtError(code + 2, 'misaligned covariance', name);
      return dist(
        keys.map((k) => o[k]! - p[k]!),
        keys.map((r) => keys.map((c) => cov[r]![c]!)),
      );
    };
  });
}
/** Chi-square state functions; `dof` is the degrees-of-freedom field name ("dof", or "DOF" for model.reg). */
function chi2(prefix: string, dof: string, probCode: number): void {
  def(
    `${prefix}.updateChi2`,
    ['double, record A -> A', '[double], record A -> A', '{double}, record A -> A'],
    (i) => {
      const rn = recName(i.args[1]);
      const sq = (x: number | Vec | SVec): number =>
        typeof x === 'number'
          ? x * x
          : (Array.isArray(x) ? x : Object.values(x)).reduce((s, y) => s + y * y, 0);
      return (x: number | Vec | SVec, s: PfaRecord) =>
        makeRecord(rn, { ...s, chi2: (s['chi2'] as number) + sq(x), [dof]: (s[dof] as number) + 1 });
    },
    needsFields(1, 'chi2', dof),
  );
  def(
    `${prefix}.reducedChi2`,
    'record A -> double',
    () => (s: PfaRecord) => (s['chi2'] as number) / (s[dof] as number),
    needsFields(0, 'chi2', dof),
  );
  def(
    `${prefix}.chi2Prob`,
    'record A -> double',
    () => (s: PfaRecord) => {
      const c = s['chi2'] as number;
      const n = s[dof] as number;
      if (n < 0) throw rtError(probCode, 'invalid parameterization', `${prefix}.chi2Prob`);
      if (n === 0) return c >= 0 ? 1 : 0;
      return c <= 0 ? 0 : gammaP(n / 2, c / 2);
    },
    needsFields(0, 'chi2', dof),
  );
}
residual('stat.test.residual', 38010);
pull('stat.test.pull', 38020);
mahalanobis('stat.test.mahalanobis', 38030);
chi2('stat.test', 'dof', 38060);
residual('model.reg.residual', 31020);
pull('model.reg.pull', 31030);
mahalanobis('model.reg.mahalanobis', 31040);
chi2('model.reg', 'DOF', 31070);

def('stat.test.kolmogorov', '[double], [double] -> double', () => (x: Vec, y: Vec) => {
  // Two-sample Kolmogorov-Smirnov: the p-value of the maximum CDF difference (Numerical Recipes kstwo).
  const a = x.filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
  const b = y.filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const u = a[i]!;
    const v = b[j]!;
    if (u <= v) i++;
    if (v <= u) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  const en = Math.sqrt((a.length * b.length) / (a.length + b.length));
  return ksProb((en + 0.12 + 0.11 / en) * d);
});
/** Q_KS(λ) = 2 Σ (−1)^{j−1} exp(−2 j² λ²). */
function ksProb(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let prev = 0;
  for (let j = 1; j <= 100; j++) {
    const term = 2 * (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) <= 1e-10 * prev || Math.abs(term) <= 1e-16 * sum) return Math.min(1, Math.max(0, sum));
    prev = Math.abs(term);
  }
  return 1;
}

// ---------------------------------------------------------------- regression variance

def(
  'model.reg.linearVariance',
  [
    '[double], record M -> double',
    '[double], record M -> [double]',
    '{double}, record M -> double',
    '{double}, record M -> {double}',
  ],
  (i) => {
    const N = 'model.reg.linearVariance';
    const dense = (d: Vec, c: Vec[]) => {
      const x = [...d, 1];
      if (c.length !== x.length || c.some((r) => r.length !== x.length))
        throw rtError(31010, 'misaligned covariance', N);
      let s = 0;
      for (let a = 0; a < x.length; a++) for (let b = 0; b < x.length; b++) s += x[a]! * c[a]![b]! * x[b]!;
      return s;
    };
    // Map form: the constant term is keyed by the empty string; missing entries are zero.
    const sparse = (d: SVec, c: Record<string, SVec>) => {
      let s = 0;
      const x = (k: string) => (k === '' ? 1 : (d[k] ?? 0));
      for (const a of Object.keys(c)) for (const b of Object.keys(c[a]!)) s += x(a) * c[a]![b]! * x(b);
      return s;
    };
    if (i.sig === 0) return (d: Vec, m: PfaMap) => dense(d, m['covar'] as Vec[]);
    if (i.sig === 1) return (d: Vec, m: PfaMap) => (m['covar'] as Vec[][]).map((c) => dense(d, c));
    if (i.sig === 2) return (d: SVec, m: PfaMap) => sparse(d, m['covar'] as Record<string, SVec>);
    return (d: SVec, m: PfaMap) => {
      const out = newMap();
      for (const [k, c] of Object.entries(m['covar'] as Record<string, Record<string, SVec>>))
        out[k] = sparse(d, c);
      return out;
    };
  },
  (args, sig, ret) => {
    let t = field(args[1], 'covar');
    const depth = sig === 0 || sig === 2 ? 2 : 3;
    for (let k = 0; k < depth; k++) {
      if (t?.kind !== (sig < 2 ? 'array' : 'map'))
        return 'the model record needs a "covar" matrix of matching shape';
      t = t.kind === 'array' ? t.items : t.kind === 'map' ? t.values : undefined;
    }
    return t && accepts(T.double, t) ? ret : 'the "covar" entries must be numbers';
  },
);

// ---------------------------------------------------------------- trees

def(
  'model.tree.compoundTest',
  'record D, string, [record T], fn(D,T)->boolean -> boolean',
  () => (d: Value, op: string, cs: Value[], test: (x: Value, y: Value) => Value) => {
    if (op === 'and') return cs.every((c) => test(d, c) === true);
    if (op === 'or') return cs.some((c) => test(d, c) === true);
    if (op === 'xor') return cs.reduce<boolean>((acc, c) => acc !== (test(d, c) === true), false);
    throw rtError(32020, 'unrecognized logical operator', 'model.tree.compoundTest');
  },
);
def(
  'model.tree.surrogateTest',
  'record D, [record T], fn(D,T)->(boolean|null) -> boolean',
  () => (d: Value, cs: Value[], test: (x: Value, y: Value) => Value) => {
    for (const c of cs) {
      const r = test(d, c);
      if (r !== null) return r;
    }
    throw rtError(32030, 'no successful surrogate', 'model.tree.surrogateTest');
  },
);
def(
  'model.tree.missingWalk',
  'record D, record T, fn(D,T)->(boolean|null) -> null',
  (i) => {
    const nodeName = (i.args[1] as RecordType).fullName;
    return (d: Value, n0: PfaMap, test: (x: Value, y: Value) => Value) => {
      let n = n0;
      for (let depth = 0; depth < 100_000; depth++) {
        const r = test(d, n);
        const next = r === true ? n['pass']! : r === false ? n['fail']! : n['missing']!;
        if (recordTypeOf(next) !== nodeName) return next;
        n = next as PfaMap;
      }
      throw new PfaSemanticError('tree deeper than 100000 nodes');
    };
  },
  (args) => {
    const node = args[1];
    if (node?.kind !== 'record') return 'the tree node must be a record';
    const parts = ['pass', 'fail', 'missing'].map((f) => field(node, f));
    if (parts.some((p) => !p)) return 'the tree node needs "pass", "fail" and "missing"';
    const leaves = parts
      .flatMap((t) => (t!.kind === 'union' ? [...t!.types] : [t!]))
      .filter((t) => !(t.kind === 'record' && t.fullName === node.fullName));
    return leaves.length ? unionOf(leaves) : 'the tree has no leaf type';
  },
);

// ---------------------------------------------------------------- clustering

const euclid2 = (a: Vec, b: Vec) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k]! - (b[k] ?? 0)) ** 2;
  return s;
};
def(
  'model.cluster.closestN',
  ['int, [double], [record C] -> [C]', 'int, A, [record C], fn(A,[double])->double -> [C]'],
  () => (n: number, d: Value, cs: PfaMap[], metric?: (a: Value, b: Value) => Value) => {
    if (n < 0) throw rtError(29010, 'n must be nonnegative', 'model.cluster.closestN');
    const dist = metric
      ? (c: PfaMap) => metric(d, c['center']!) as number
      : (c: PfaMap) => euclid2(d as Vec, c['center'] as Vec);
    return cs
      .map((c, k) => ({ c, k, x: dist(c) }))
      .sort((a, b) => a.x - b.x || a.k - b.k)
      .slice(0, n)
      .map((e) => e.c);
  },
  (args, sig, ret) => {
    const c = args[2]?.kind === 'array' ? args[2].items : undefined;
    const center = field(c, 'center');
    if (!center) return 'clusters need a "center" field';
    if (sig === 0 && !(center.kind === 'array' && accepts(T.double, center.items)))
      return 'cluster centers must be arrays of numbers';
    if (sig === 1 && args[3]?.kind === 'fcn' && !accepts(args[3].params[1]!, center))
      return 'the metric must take the cluster center';
    return ret;
  },
);
def(
  'model.cluster.updateMean',
  '[[double]], record C, double -> C',
  (i) => {
    const rn = recName(i.args[1]);
    return (data: Vec[], c: PfaRecord, w: number) => {
      const N = 'model.cluster.updateMean';
      if (data.length === 0) throw rtError(29040, 'no data', N);
      const old = c['center'] as Vec;
      if (data.some((x) => x.length !== old.length))
        throw rtError(29041, 'dimensions of vectors do not match', N);
      const center = old.map((o, k) => (w * o + data.reduce((s, x) => s + x[k]!, 0)) / (w + data.length));
      return makeRecord(rn, { ...c, center });
    };
  },
  (args, _s, ret) => {
    const center = field(args[1], 'center');
    return center?.kind === 'array' && accepts(T.double, center.items)
      ? ret
      : 'the cluster needs a numeric array "center"';
  },
);
def(
  'model.cluster.kmeansIteration',
  '[[A]], [record C], fn([A],[double])->double, fn([[A]],C)->C -> [C]',
  () =>
    (
      data: Value[][],
      cs: PfaMap[],
      metric: (a: Value, b: Value) => Value,
      update: (a: Value, b: Value) => Value,
    ) => {
      const N = 'model.cluster.kmeansIteration';
      if (data.length === 0) throw rtError(29030, 'no data', N);
      if (cs.length === 0) throw rtError(29031, 'no clusters', N);
      const matched: Value[][][] = cs.map(() => []);
      for (const x of data) {
        let best = 0;
        let bestD = Infinity;
        cs.forEach((c, k) => {
          const m = metric(x, c['center']!) as number;
          if (m < bestD) {
            bestD = m;
            best = k;
          }
        });
        matched[best]!.push(x);
      }
      return cs.map((c, k) => (matched[k]!.length > 0 ? update(matched[k]!, c) : c));
    },
  (args, _s, ret) => {
    const c = args[1]?.kind === 'array' ? args[1].items : undefined;
    const center = field(c, 'center');
    return center?.kind === 'array' ? ret : 'clusters need an array "center"';
  },
);
def(
  'model.cluster.randomSeeds',
  '[[A]], int, fn(int,[A])->record C -> [C]',
  (i) => (data: Value[][], k: number, make: (a: Value, b: Value) => Value) => {
    const N = 'model.cluster.randomSeeds';
    if (k <= 0) throw rtError(29020, 'k must be greater than zero', N);
    if (data.some((x) => x.length !== data[0]!.length))
      throw rtError(29022, 'dimensions of vectors do not match', N);
    const unique: Value[][] = [];
    for (const x of data) if (!unique.some((u) => equals(u, x))) unique.push(x);
    if (unique.length < k) throw rtError(29021, 'not enough unique points', N);
    for (let j = 0; j < k; j++) {
      const m = j + Math.floor(i.random() * (unique.length - j));
      [unique[j], unique[m]] = [unique[m]!, unique[j]!];
    }
    return unique.slice(0, k).map((x, j) => make(j, x));
  },
  (args, _s, ret) => {
    const f = args[2];
    const c = f?.kind === 'fcn' ? f.ret : undefined;
    return c?.kind === 'record' && field(c, 'center')?.kind === 'array'
      ? ret
      : 'newCluster must return a record with an array "center"';
  },
);

// ---------------------------------------------------------------- Gaussian process

/** Cholesky factor L (lower) of a symmetric matrix, or undefined if it is not positive definite. */
function cholesky(a: number[][]): number[][] | undefined {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  return l;
}
/** Solves (L Lᵀ) z = b. */
function cholSolve(l: number[][], b: number[]): number[] {
  const n = l.length;
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * y[k]!;
    y[i] = s / l[i]![i]!;
  }
  const z = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k]![i]! * z[k]!;
    z[i] = s / l[i]![i]!;
  }
  return z;
}

/**
 * Kriging with a constant regression term, as in the reference engines (after scikit-learn's
 * GaussianProcess, without normalization): R_ij = kernel(x_i, x_j) with 1 + (sigma/to)² on the diagonal,
 * β = krigingWeight or, when null (universal Kriging), the generalized least-squares mean
 * (1ᵀR⁻¹y)/(1ᵀR⁻¹1); the prediction is β + r(x)ᵀ R⁻¹ (y − β), with r(x)_i = kernel(x, x_i). A vector
 * `to` is fitted one component at a time.
 */
def(
  'model.reg.gaussianProcess',
  [
    'double, [record R], (null|double), fn([double],[double])->double -> double',
    'double, [record R], (null|double), fn([double],[double])->double -> [double]',
    '[double], [record R], (null|double), fn([double],[double])->double -> double',
    '[double], [record R], (null|double), fn([double],[double])->double -> [double]',
  ],
  (i) => {
    const N = 'model.reg.gaussianProcess';
    const vecX = i.sig >= 2;
    const vecTo = i.sig === 1 || i.sig === 3;
    const item = (i.args[1] as { items: RecordType }).items;
    const withSigma = item.fields.some((f) => f.name === 'sigma');
    return (
      x0: number | Vec,
      table: PfaRecord[],
      kw: number | null,
      kernel: (a: Value, b: Value) => Value,
    ) => {
      if (table.length === 0) throw rtError(31080, 'table must have at least 1 entry', N);
      const x = vecX ? (x0 as Vec) : [x0 as number];
      if (x.length === 0) throw rtError(31081, 'x must have at least 1 feature', N);
      const xs = table.map((r) => (vecX ? (r['x'] as Vec) : [r['x'] as number]));
      if (xs.some((v) => v.length !== x.length))
        throw rtError(31082, 'table must have the same number of features as x', N);
      const tos = table.map((r) => (vecTo ? (r['to'] as Vec) : [r['to'] as number]));
      if (tos.some((t) => t.length === 0))
        throw rtError(31083, 'table outputs must have at least 1 dimension', N);
      const dims = tos[0]!.length;
      if (tos.some((t) => t.length !== dims))
        throw rtError(31084, 'table outputs must all have the same number of dimensions', N);
      if (!x.every(Number.isFinite)) throw rtError(31085, 'x is not finite', N);
      const sigmas = withSigma
        ? table.map((r) => (vecTo ? (r['sigma'] as Vec) : [r['sigma'] as number]))
        : undefined;
      if (
        xs.some((v) => !v.every(Number.isFinite)) ||
        tos.some((t) => !t.every(Number.isFinite)) ||
        (sigmas && sigmas.some((s) => !s.every(Number.isFinite)))
      )
        throw rtError(31086, 'table value is not finite', N);
      if (kw !== null && !Number.isFinite(kw)) throw rtError(31087, 'krigingWeight is not finite', N);
      const n = table.length;
      const base = xs.map((a, p) => xs.map((b, q) => (p === q ? 0 : (kernel(a, b) as number))));
      const r = xs.map((a) => kernel(x, a) as number);
      const out = new Array<number>(dims);
      for (let d = 0; d < dims; d++) {
        const R = base.map((row, p) =>
          row.map((v, q) => (p === q ? 1 + (sigmas ? (sigmas[p]![d]! / tos[p]![d]!) ** 2 : 0) : v)),
        );
        const l = cholesky(R);
        if (!l) throw rtError(31088, 'matrix of kernel results is not positive definite', N);
        const y = tos.map((t) => t[d]!);
        let beta = kw;
        if (beta === null) {
          const ri1 = cholSolve(l, new Array<number>(n).fill(1));
          const riy = cholSolve(l, y);
          beta = riy.reduce((s, v) => s + v, 0) / ri1.reduce((s, v) => s + v, 0);
        }
        const gamma = cholSolve(
          l,
          y.map((v) => v - beta!),
        );
        out[d] = beta + r.reduce((s, v, k) => s + v * gamma[k]!, 0);
      }
      return vecTo ? out : out[0]!;
    };
  },
  (args, sig, ret) => {
    const item = args[1]?.kind === 'array' ? args[1].items : undefined;
    const fx = field(item, 'x');
    const to = field(item, 'to');
    const sigma = field(item, 'sigma');
    const vecX = sig >= 2;
    const vecTo = sig === 1 || sig === 3;
    const isVec = (t: AvroType | undefined) => t?.kind === 'array' && accepts(T.double, t.items);
    const isNum = (t: AvroType | undefined) => t !== undefined && t.kind !== 'array' && accepts(T.double, t);
    if (!(vecX ? isVec(fx) : isNum(fx))) return 'the table\'s "x" must have the type of x';
    if (!(vecTo ? isVec(to) : isNum(to))) return 'the table\'s "to" does not match the return type';
    if (sigma && !(vecTo ? isVec(sigma) : isNum(sigma))) return '"sigma" must have the type of "to"';
    return ret;
  },
);
