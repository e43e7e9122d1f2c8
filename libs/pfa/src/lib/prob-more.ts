import { rtError } from '../errors';
import { betaI, gammaP, gammaQ, invert, invertDiscrete, lchoose, lgamma } from './prob-special';
import { fn } from './registry';

/**
 * `prob.dist.*` for the families that need incomplete gamma/beta functions (chi2, poisson, gamma, beta, F,
 * t, binomial, geometric, hypergeometric, negative binomial). Parameterizations follow R (d/p/q functions),
 * as the reference engines do. Accuracy: see prob-special.ts (about 1e-13 for the CDFs, quantiles by
 * bisection to 1e-15 relative). Parameters are checked first (code base+0), then the input (base+1).
 */
type Kind = 'pdf' | 'cdf' | 'qf';
type Family = {
  ok: (...ps: number[]) => boolean;
  pdf: (x: number, ...ps: number[]) => number;
  cdf: (x: number, ...ps: number[]) => number;
  qf: (p: number, ...ps: number[]) => number;
  /** Stricter parameter check for the quantile function, where the specification has one. */
  okQf?: (...ps: number[]) => boolean;
};
const xlogy = (a: number, y: number) => (a === 0 ? 0 : a * Math.log(y));
const lbeta = (a: number, b: number) => lgamma(a) + lgamma(b) - lgamma(a + b);

function family(
  prefix: string,
  base: number,
  sigs: Record<Kind, string>,
  d: Family,
  opts: { finiteParams?: boolean; pdfInputCheck?: boolean } = {},
): void {
  const codes: Record<Kind, number> = { pdf: base, cdf: base + 10, qf: base + 20 };
  for (const kind of ['pdf', 'cdf', 'qf'] as const) {
    const name = `prob.dist.${prefix}${kind.toUpperCase()}`;
    const code = codes[kind];
    const checkInput = kind !== 'pdf' || opts.pdfInputCheck !== false;
    fn(name, sigs[kind], (x: number, ...ps: number[]) => {
      if (
        (opts.finiteParams !== false && !ps.every(Number.isFinite)) ||
        !(kind === 'qf' && d.okQf ? d.okQf : d.ok)(...ps)
      )
        throw rtError(code, 'invalid parameterization', name);
      if (checkInput && (kind === 'qf' ? !(x >= 0 && x <= 1) : !Number.isFinite(x)))
        throw rtError(code + 1, 'invalid input', name);
      return d[kind](x, ...ps);
    });
  }
}

// ---------------------------------------------------------------- continuous

const gammaPdf = (x: number, k: number, th: number): number => {
  if (x < 0) return 0;
  if (k === 0 || th === 0) return x === 0 ? Infinity : 0; // point mass at zero
  if (x === 0) return k < 1 ? Infinity : k === 1 ? 1 / th : 0;
  return Math.exp((k - 1) * Math.log(x) - x / th - lgamma(k) - k * Math.log(th));
};
const gammaCdf = (x: number, k: number, th: number): number =>
  x < 0 ? 0 : k === 0 || th === 0 ? 1 : gammaP(k, x / th);
const gammaQf = (p: number, k: number, th: number): number => {
  if (k === 0 || th === 0 || p === 0) return 0;
  if (p === 1) return Infinity;
  return invert((x) => gammaCdf(x, k, th), p, 0, Math.max(1, k * th * 4));
};

family(
  'chi2',
  13060,
  { pdf: 'double, int -> double', cdf: 'double, int -> double', qf: 'double, int -> double' },
  {
    ok: (n) => n! >= 0,
    pdf: (x, n) => gammaPdf(x, n! / 2, 2),
    cdf: (x, n) => gammaCdf(x, n! / 2, 2),
    qf: (p, n) => gammaQf(p, n! / 2, 2),
  },
);
family(
  'gamma',
  13120,
  {
    pdf: 'double, double, double -> double',
    cdf: 'double, double, double -> double',
    qf: 'double, double, double -> double',
  },
  {
    ok: (k, th) => k! >= 0 && th! >= 0,
    okQf: (k, th) => k! > 0 && th! > 0,
    pdf: (x, k, th) => gammaPdf(x, k!, th!),
    cdf: (x, k, th) => gammaCdf(x, k!, th!),
    qf: (p, k, th) => gammaQf(p, k!, th!),
  },
);
family(
  'beta',
  13150,
  {
    pdf: 'double, double, double -> double',
    cdf: 'double, double, double -> double',
    qf: 'double, double, double -> double',
  },
  {
    ok: (a, b) => a! > 0 && b! > 0,
    pdf: (x, a, b) =>
      x < 0 || x > 1 ? 0 : Math.exp(xlogy(a! - 1, x) + xlogy(b! - 1, 1 - x) - lbeta(a!, b!)),
    cdf: (x, a, b) => betaI(x, a!, b!),
    qf: (p, a, b) => (p === 0 ? 0 : p === 1 ? 1 : invert((x) => betaI(x, a!, b!), p, 0, 1)),
  },
);
const fCdf = (x: number, d1: number, d2: number) =>
  x <= 0 ? 0 : betaI((d1 * x) / (d1 * x + d2), d1 / 2, d2 / 2);
family(
  'f',
  13210,
  { pdf: 'double, int, int -> double', cdf: 'double, int, int -> double', qf: 'double, int, int -> double' },
  {
    ok: (d1, d2) => d1! > 0 && d2! > 0,
    pdf: (x, d1, d2) => {
      if (x < 0) return 0;
      if (x === 0) return d1! < 2 ? Infinity : d1 === 2 ? 1 : 0;
      return Math.exp(
        0.5 * (d1! * Math.log(d1! * x) + d2! * Math.log(d2!) - (d1! + d2!) * Math.log(d1! * x + d2!)) -
          Math.log(x) -
          lbeta(d1! / 2, d2! / 2),
      );
    },
    cdf: (x, d1, d2) => fCdf(x, d1!, d2!),
    qf: (p, d1, d2) => (p === 0 ? 0 : p === 1 ? Infinity : invert((x) => fCdf(x, d1!, d2!), p, 0, 10)),
  },
);
const tCdf = (x: number, v: number) => {
  const tail = 0.5 * betaI(v / (v + x * x), v / 2, 0.5);
  return x >= 0 ? 1 - tail : tail;
};
const tQf = (p: number, v: number): number => {
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQf(1 - p, v);
  return invert((x) => tCdf(x, v), p, 0, 10);
};
family(
  't',
  13270,
  { pdf: 'double, int -> double', cdf: 'double, int -> double', qf: 'double, int -> double' },
  {
    ok: (v) => v! > 0,
    pdf: (x, v) =>
      Math.exp(
        lgamma((v! + 1) / 2) -
          lgamma(v! / 2) -
          0.5 * Math.log(v! * Math.PI) -
          ((v! + 1) / 2) * Math.log1p((x * x) / v!),
      ),
    cdf: (x, v) => tCdf(x, v!),
    qf: (p, v) => tQf(p, v!),
  },
);

// ---------------------------------------------------------------- discrete

const poissonCdf = (x: number, l: number) => (x < 0 ? 0 : gammaQ(Math.floor(x) + 1, l));
family(
  'poisson',
  13090,
  { pdf: 'int, double -> double', cdf: 'int, double -> double', qf: 'double, double -> double' },
  {
    ok: (l) => l! >= 0,
    pdf: (x, l) =>
      x < 0 ? 0 : l === 0 ? (x === 0 ? 1 : 0) : Math.exp(x * Math.log(l!) - l! - lgamma(x + 1)),
    cdf: (x, l) => poissonCdf(x, l!),
    qf: (p, l) => (l === 0 ? 0 : p === 1 ? Infinity : invertDiscrete((k) => poissonCdf(k, l!), p, 0)),
  },
  { pdfInputCheck: false },
);
const binomPdf = (x: number, n: number, q: number) => {
  if (x < 0 || x > n || x !== Math.floor(x)) return 0;
  if (q === 0) return x === 0 ? 1 : 0;
  if (q === 1) return x === n ? 1 : 0;
  return Math.exp(lchoose(n, x) + x * Math.log(q) + (n - x) * Math.log1p(-q));
};
const binomCdf = (x: number, n: number, q: number) => {
  if (x < 0) return 0;
  const k = Math.floor(x);
  if (k >= n) return 1;
  return 1 - betaI(q, k + 1, n - k);
};
family(
  'binomial',
  13300,
  {
    pdf: 'int, int, double -> double',
    cdf: 'double, int, double -> double',
    qf: 'double, int, double -> double',
  },
  {
    ok: (n, q) => n! >= 0 && q! >= 0 && q! <= 1,
    pdf: (x, n, q) => binomPdf(x, n!, q!),
    cdf: (x, n, q) => binomCdf(x, n!, q!),
    qf: (p, n, q) => (p === 1 ? n! : invertDiscrete((k) => binomCdf(k, n!, q!), p, 0, n!)),
  },
);
const geomCdf = (x: number, q: number) => (x < 0 ? 0 : 1 - Math.pow(1 - q, Math.floor(x) + 1));
family(
  'geometric',
  13360,
  { pdf: 'int, double -> double', cdf: 'double, double -> double', qf: 'double, double -> double' },
  {
    ok: (q) => q! > 0 && q! <= 1,
    pdf: (x, q) => (x < 0 ? 0 : q! * Math.pow(1 - q!, x)),
    cdf: (x, q) => geomCdf(x, q!),
    qf: (p, q) => (q === 1 ? 0 : p === 1 ? Infinity : invertDiscrete((k) => geomCdf(k, q!), p, 0)),
  },
);
const hyperPdf = (x: number, m: number, n: number, k: number) =>
  x < Math.max(0, k - n) || x > Math.min(k, m)
    ? 0
    : Math.exp(lchoose(m, x) + lchoose(n, k - x) - lchoose(m + n, k));
const hyperCdf = (x: number, m: number, n: number, k: number) => {
  const lo = Math.max(0, k - n);
  const hi = Math.min(Math.floor(x), k, m);
  let s = 0;
  for (let i = lo; i <= hi; i++) s += hyperPdf(i, m, n, k);
  return Math.min(1, s);
};
family(
  'hypergeometric',
  13390,
  {
    pdf: 'int, int, int, int -> double',
    cdf: 'int, int, int, int -> double',
    qf: 'double, int, int, int -> double',
  },
  {
    ok: (m, n, k) => m! >= 0 && n! >= 0 && k! >= 0 && m! + n! > 0 && m! + n! >= k!,
    pdf: (x, m, n, k) => hyperPdf(x, m!, n!, k!),
    cdf: (x, m, n, k) => hyperCdf(x, m!, n!, k!),
    qf: (p, m, n, k) => {
      const lo = Math.max(0, k! - n!);
      const hi = Math.min(k!, m!);
      return p === 1 ? hi : invertDiscrete((i) => hyperCdf(i, m!, n!, k!), p, lo, hi);
    },
  },
  { pdfInputCheck: false },
);
const nbCdf = (x: number, r: number, q: number) =>
  x < 0 ? 0 : r === 0 || q === 1 ? 1 : q === 0 ? 0 : betaI(q, r, Math.floor(x) + 1);
family(
  'negativeBinomial',
  13450,
  {
    pdf: 'int, int, double -> double',
    cdf: 'double, int, double -> double',
    qf: 'double, int, double -> double',
  },
  {
    ok: (r, q) => r! >= 0 && q! >= 0 && q! <= 1,
    okQf: (r, q) => r! > 0 && q! >= 0 && q! <= 1,
    pdf: (x, r, q) => {
      if (x < 0) return 0;
      if (r === 0 || q === 1) return x === 0 ? 1 : 0;
      if (q === 0) return 0;
      return Math.exp(lchoose(x + r! - 1, x) + r! * Math.log(q!) + xlogy(x, 1 - q!));
    },
    cdf: (x, r, q) => nbCdf(x, r!, q!),
    qf: (p, r, q) => (q === 1 ? 0 : p === 1 ? Infinity : invertDiscrete((k) => nbCdf(k, r!, q!), p, 0)),
  },
);
