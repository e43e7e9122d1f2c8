import { rtError } from '../errors';
import { newMap, type PfaMap } from '../values';
import { def } from './registry';

/**
 * `la.*`: linear algebra on dense matrices (arrays of rows) and sparse ones (maps of maps, missing entries
 * are zero). Every map signature converts to a dense matrix over the sorted row and column keys, so the
 * numerical code (Gauss elimination, Jacobi eigenvalues) exists once.
 */
type Vec = number[];
type Mat = number[][];
type SVec = Record<string, number>;
type SMat = Record<string, Record<string, number>>;
type F1 = (x: number) => number;
type F2 = (x: number, y: number) => number;

const ARR_SIGS = [
  '[double], double -> [double]',
  '[[double]], double -> [[double]]',
  '{double}, double -> {double}',
  '{{double}}, double -> {{double}}',
];

function mapOf<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const m = newMap() as unknown as Record<string, T>;
  for (const [k, v] of entries) m[k] = v;
  return m;
}
const mapValues = <T, U>(m: Record<string, T>, f: (v: T, k: string) => U): Record<string, U> =>
  mapOf(Object.keys(m).map((k): [string, U] => [k, f(m[k]!, k)]));
const keyUnion = (...ms: Record<string, unknown>[]): string[] =>
  [...new Set(ms.flatMap((m) => Object.keys(m)))].sort();
const innerKeys = (m: SMat): string[] => [...new Set(Object.values(m).flatMap((r) => Object.keys(r)))].sort();

/** Rows, columns and raggedness of a dense matrix. */
function shape(x: Mat, tooFew: number, ragged: number, name: string): [number, number] {
  const rows = x.length;
  const cols = rows === 0 ? 0 : x[0]!.length;
  if (rows < 1 || cols < 1) throw rtError(tooFew, 'too few rows/cols', name);
  if (x.some((r) => r.length !== cols)) throw rtError(ragged, 'ragged columns', name);
  return [rows, cols];
}

function toDense(x: SMat): { rows: string[]; cols: string[]; m: Mat } {
  const rows = Object.keys(x).sort();
  const cols = innerKeys(x);
  return { rows, cols, m: rows.map((r) => cols.map((c) => x[r]![c] ?? 0)) };
}
function fromDense(m: Mat, rows: readonly string[], cols: readonly string[]): SMat {
  return mapOf(
    rows.map((r, i): [string, Record<string, number>] => [
      r,
      mapOf(cols.map((c, j): [string, number] => [c, m[i]![j]!])),
    ]),
  );
}

// ---------------------------------------------------------------- elementwise

def(
  'la.map',
  ['[[double]], fn(double)->double -> [[double]]', '{{double}}, fn(double)->double -> {{double}}'],
  (i) =>
    i.sig === 0
      ? (x: Mat, f: F1) => x.map((r) => r.map((v) => f(v)))
      : (x: SMat, f: F1) => mapValues(x, (r) => mapValues(r, (v) => f(v))),
);

def('la.scale', ARR_SIGS, (i) => {
  switch (i.sig) {
    case 0:
      return (x: Vec, a: number) => x.map((v) => v * a);
    case 1:
      return (x: Mat, a: number) => x.map((r) => r.map((v) => v * a));
    case 2:
      return (x: SVec, a: number) => mapValues(x, (v) => v * a);
    default:
      return (x: SMat, a: number) => mapValues(x, (r) => mapValues(r, (v) => v * a));
  }
});

/** Elementwise combination; arrays must align exactly, maps take the union of keys with zero for missing. */
function zipVec(x: Vec, y: Vec, f: F2, code: number, name: string): Vec {
  if (x.length !== y.length) throw rtError(code, 'misaligned matrices', name);
  return x.map((v, k) => f(v, y[k]!));
}
function zipMat(x: Mat, y: Mat, f: F2, code: number, name: string): Mat {
  if (x.length !== y.length) throw rtError(code, 'misaligned matrices', name);
  return x.map((r, k) => zipVec(r, y[k]!, f, code, name));
}
const zipSVec = (x: SVec, y: SVec, f: F2): SVec =>
  mapOf(keyUnion(x, y).map((k): [string, number] => [k, f(x[k] ?? 0, y[k] ?? 0)]));
const zipSMat = (x: SMat, y: SMat, f: F2): SMat =>
  mapOf(keyUnion(x, y).map((k): [string, SVec] => [k, zipSVec(x[k] ?? {}, y[k] ?? {}, f)]));

def(
  'la.zipmap',
  [
    '[[double]], [[double]], fn(double,double)->double -> [[double]]',
    '{{double}}, {{double}}, fn(double,double)->double -> {{double}}',
  ],
  (i) =>
    i.sig === 0
      ? (x: Mat, y: Mat, f: F2) => zipMat(x, y, (a, b) => f(a, b), 24020, 'la.zipmap')
      : (x: SMat, y: SMat, f: F2) => zipSMat(x, y, (a, b) => f(a, b)),
);
for (const [name, code, op] of [
  ['la.add', 24030, (a: number, b: number) => a + b],
  ['la.sub', 24040, (a: number, b: number) => a - b],
] as const) {
  def(
    name,
    [
      '[double], [double] -> [double]',
      '[[double]], [[double]] -> [[double]]',
      '{double}, {double} -> {double}',
      '{{double}}, {{double}} -> {{double}}',
    ],
    (i) => {
      switch (i.sig) {
        case 0:
          return (x: Vec, y: Vec) => zipVec(x, y, op, code, name);
        case 1:
          return (x: Mat, y: Mat) => zipMat(x, y, op, code, name);
        case 2:
          return (x: SVec, y: SVec) => zipSVec(x, y, op);
        default:
          return (x: SMat, y: SMat) => zipSMat(x, y, op);
      }
    },
  );
}

// ---------------------------------------------------------------- products

function finite(values: Iterable<number>, name: string): void {
  for (const v of values) if (!Number.isFinite(v)) throw rtError(24052, 'contains non-finite value', name);
}
function matMul(x: Mat, y: Mat): Mat {
  const n = y[0]!.length;
  return x.map((r) => {
    const out = new Array<number>(n).fill(0);
    for (let k = 0; k < r.length; k++) {
      const a = r[k]!;
      const yr = y[k]!;
      for (let j = 0; j < n; j++) out[j]! += a * yr[j]!;
    }
    return out;
  });
}

def(
  'la.dot',
  [
    '[[double]], [double] -> [double]',
    '{{double}}, {double} -> {double}',
    '[[double]], [[double]] -> [[double]]',
    '{{double}}, {{double}} -> {{double}}',
  ],
  (i) => {
    const N = 'la.dot';
    switch (i.sig) {
      case 0:
        return (x: Mat, y: Vec) => {
          const [, cols] = shape(x, 24051, 24050, N);
          if (y.length < 1) throw rtError(24051, 'too few rows/cols', N);
          if (cols !== y.length) throw rtError(24050, 'misaligned matrices', N);
          finite(x.flat(), N);
          finite(y, N);
          return x.map((r) => r.reduce((s, v, k) => s + v * y[k]!, 0));
        };
      case 2:
        return (x: Mat, y: Mat) => {
          const [, cols] = shape(x, 24051, 24050, N);
          const [rows] = shape(y, 24051, 24050, N);
          if (cols !== rows) throw rtError(24050, 'misaligned matrices', N);
          finite(x.flat(), N);
          finite(y.flat(), N);
          return matMul(x, y);
        };
      case 1:
        return (x: SMat, y: SVec) => {
          if (Object.keys(x).length === 0 || innerKeys(x).length === 0 || Object.keys(y).length === 0)
            throw rtError(24051, 'too few rows/cols', N);
          finite(
            Object.values(x).flatMap((r) => Object.values(r)),
            N,
          );
          finite(Object.values(y), N);
          return mapValues(x, (r) => Object.keys(r).reduce((s, k) => s + r[k]! * (y[k] ?? 0), 0));
        };
      default:
        return (x: SMat, y: SMat) => {
          const yCols = innerKeys(y);
          if (
            Object.keys(x).length === 0 ||
            innerKeys(x).length === 0 ||
            Object.keys(y).length === 0 ||
            yCols.length === 0
          )
            throw rtError(24051, 'too few rows/cols', N);
          finite(
            Object.values(x).flatMap((r) => Object.values(r)),
            N,
          );
          finite(
            Object.values(y).flatMap((r) => Object.values(r)),
            N,
          );
          return mapValues(x, (r) =>
            mapOf(
              yCols.map((c): [string, number] => [
                c,
                Object.keys(r).reduce((s, k) => s + r[k]! * (y[k]?.[c] ?? 0), 0),
              ]),
            ),
          );
        };
    }
  },
);

const transpose = (x: Mat): Mat => x[0]!.map((_, j) => x.map((r) => r[j]!));

def('la.transpose', ['[[double]] -> [[double]]', '{{double}} -> {{double}}'], (i) => {
  if (i.sig === 0)
    return (x: Mat) => {
      shape(x, 24060, 24061, 'la.transpose');
      return transpose(x);
    };
  return (x: SMat) => {
    const rows = Object.keys(x);
    const cols = innerKeys(x);
    if (rows.length < 1 || cols.length < 1) throw rtError(24060, 'too few rows/cols', 'la.transpose');
    if (rows.some((r) => Object.keys(x[r]!).length !== cols.length))
      throw rtError(24061, 'ragged columns', 'la.transpose');
    return mapOf(
      cols.map((c): [string, SVec] => [c, mapOf(rows.map((r): [string, number] => [r, x[r]![c]!]))]),
    );
  };
});

// ---------------------------------------------------------------- decompositions

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations: simple, unconditionally
 * stable, and exact enough for the small matrices PFA documents carry. Returns vectors as rows, sorted by
 * decreasing eigenvalue.
 */
export function symmetricEigen(a0: Mat): { values: number[]; vectors: Mat } {
  const n = a0.length;
  const a = a0.map((r) => [...r]);
  const v: Mat = a.map((_, i) => a.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
  }
  const order = a.map((_, i) => i).sort((x, y) => a[y]![y]! - a[x]![x]!);
  return { values: order.map((i) => a[i]![i]!), vectors: order.map((i) => v.map((r) => r[i]!)) };
}

/**
 * Moore–Penrose pseudoinverse as pinv(AᵀA)·Aᵀ with pinv of the symmetric AᵀA from its eigenvalues (ones
 * below a relative tolerance count as zero); for an invertible square matrix this is the ordinary inverse.
 */
export function pseudoInverse(x: Mat): Mat {
  const xt = transpose(x);
  const { values, vectors } = symmetricEigen(matMul(xt, x));
  const tol = Math.max(...values.map(Math.abs)) * 1e-13 * Math.max(x.length, x[0]!.length);
  const n = values.length;
  const inv: Mat = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  values.forEach((lambda, k) => {
    if (Math.abs(lambda) <= tol) return;
    const u = vectors[k]!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) inv[i]![j]! += (u[i]! * u[j]!) / lambda;
  });
  return matMul(inv, xt);
}

/** Determinant by Gaussian elimination with partial pivoting. */
export function determinant(x: Mat): number {
  const a = x.map((r) => [...r]);
  const n = a.length;
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (a[p]![c] === 0) return 0;
    if (p !== c) {
      [a[p], a[c]] = [a[c]!, a[p]!];
      det = -det;
    }
    det *= a[c]![c]!;
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return det;
}

def('la.inverse', ['[[double]] -> [[double]]', '{{double}} -> {{double}}'], (i) => {
  if (i.sig === 0)
    return (x: Mat) => {
      shape(x, 24070, 24071, 'la.inverse');
      return pseudoInverse(x);
    };
  return (x: SMat) => {
    const d = toDense(x);
    if (d.rows.length < 1 || d.cols.length < 1) throw rtError(24070, 'too few rows/cols', 'la.inverse');
    // The inverse maps the column space back to the row space: its rows are keyed by x's column keys.
    return fromDense(pseudoInverse(d.m), d.cols, d.rows);
  };
});

def('la.trace', ['[[double]] -> double', '{{double}} -> double'], (i) => {
  if (i.sig === 0)
    return (x: Mat) => {
      if (x.length === 0) return 0;
      if (x.some((r) => r.length !== x[0]!.length)) throw rtError(24080, 'ragged columns', 'la.trace');
      let s = 0;
      for (let k = 0; k < Math.min(x.length, x[0]!.length); k++) s += x[k]![k]!;
      return s;
    };
  return (x: SMat) => Object.keys(x).reduce((s, k) => s + (x[k]![k] ?? 0), 0);
});

def('la.det', ['[[double]] -> double', '{{double}} -> double'], (i) => {
  if (i.sig === 0)
    return (x: Mat) => {
      const [rows, cols] = shape(x, 24090, 24091, 'la.det');
      if (rows !== cols) throw rtError(24092, 'non-square matrix', 'la.det');
      return determinant(x);
    };
  return (x: SMat) => {
    // A sparse matrix is square over the union of its row and column keys.
    const keys = keyUnion(x, ...Object.values(x));
    if (keys.length < 1) throw rtError(24090, 'too few rows/cols', 'la.det');
    return determinant(keys.map((r) => keys.map((c) => x[r]?.[c] ?? 0)));
  };
});

def('la.symmetric', ['[[double]], double -> boolean', '{{double}}, double -> boolean'], (i) => {
  const sym = (m: Mat, tol: number) =>
    m.every((r, a) => r.every((v, b) => Math.abs(v - m[b]![a]!) < tol || v === m[b]![a]));
  if (i.sig === 0)
    return (x: Mat, tol: number) => {
      const [rows, cols] = shape(x, 24100, 24101, 'la.symmetric');
      if (rows !== cols) throw rtError(24102, 'non-square matrix', 'la.symmetric');
      return sym(x, tol);
    };
  return (x: SMat, tol: number) => {
    const keys = keyUnion(x, ...Object.values(x));
    if (keys.length < 1) throw rtError(24100, 'too few rows/cols', 'la.symmetric');
    return sym(
      keys.map((r) => keys.map((c) => x[r]?.[c] ?? 0)),
      tol,
    );
  };
});

/** Rows: unit eigenvectors over √eigenvalue, decreasing eigenvalue, first component positive. */
function eigenBasis(m: Mat): Mat {
  if (m.some((r) => r.some((v) => !Number.isFinite(v))))
    throw rtError(24113, 'non-finite matrix', 'la.eigenBasis');
  const sym = m.map((r, a) => r.map((v, b) => (v + m[b]![a]!) / 2));
  const { values, vectors } = symmetricEigen(sym);
  return vectors.map((u, k) => {
    const sign = u.find((c) => Math.abs(c) > 1e-300) ?? 1;
    const s = (sign < 0 ? -1 : 1) / Math.sqrt(Math.abs(values[k]!));
    return u.map((c) => c * s);
  });
}

def('la.eigenBasis', ['[[double]] -> [[double]]', '{{double}} -> {{double}}'], (i) => {
  if (i.sig === 0)
    return (x: Mat) => {
      const [rows, cols] = shape(x, 24110, 24111, 'la.eigenBasis');
      if (rows !== cols) throw rtError(24112, 'non-square matrix', 'la.eigenBasis');
      return eigenBasis(x);
    };
  return (x: SMat) => {
    const keys = keyUnion(x, ...Object.values(x));
    if (keys.length < 1) throw rtError(24110, 'too few rows/cols', 'la.eigenBasis');
    const basis = eigenBasis(keys.map((r) => keys.map((c) => x[r]?.[c] ?? 0)));
    return fromDense(
      basis,
      basis.map((_, k) => String(k)),
      keys,
    );
  };
});

def('la.truncate', ['[[double]], int -> [[double]]', '{{double}}, [string] -> {{double}}'], (i) => {
  if (i.sig === 0)
    return (x: Mat, keep: number) => {
      shape(x, 24120, 24121, 'la.truncate');
      return x.slice(0, Math.max(0, keep));
    };
  return (x: SMat, keep: string[]) => {
    if (Object.keys(x).length < 1 || innerKeys(x).length < 1)
      throw rtError(24120, 'too few rows/cols', 'la.truncate');
    return mapOf(
      keep.filter((k) => x[k] !== undefined).map((k): [string, PfaMap] => [k, x[k]! as unknown as PfaMap]),
    );
  };
});
