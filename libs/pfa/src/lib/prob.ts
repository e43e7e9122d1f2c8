import { rtError } from '../errors';
import type { PfaRecord } from '../values';
import { erf } from './math';
import { def, fn } from './registry';

/**
 * `prob.dist.*` for the distributions with closed forms (gaussian, exponential, cauchy, lognormal, uniform,
 * weibull). Each function checks its parameters first ("invalid parameterization", code base+0) and then
 * its input ("invalid input", base+1), in the specification's order.
 */
const fin = (...xs: number[]) => xs.every(Number.isFinite);
const SQRT2 = Math.SQRT2;
const normCdf = (z: number) => 0.5 * (1 + erf(z / SQRT2));

/** Standard normal quantile: Acklam's rational approximation refined by one Halley step on the CDF. */
export function normQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = normCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

type Dist = {
  /** Parameters valid (they are all finite already). */
  ok: (...params: number[]) => boolean;
  pdf: (x: number, ...params: number[]) => number;
  cdf: (x: number, ...params: number[]) => number;
  qf: (p: number, ...params: number[]) => number;
};

function family(prefix: string, base: number, params: string, d: Dist, ll = false): void {
  const kinds: [string, 'pdf' | 'cdf' | 'qf', number][] = [
    [ll ? 'LL' : 'PDF', 'pdf', base],
    ['CDF', 'cdf', base + 10],
    ['QF', 'qf', base + 20],
  ];
  for (const [suffix, kind, code] of kinds) {
    const name = `prob.dist.${prefix}${suffix}`;
    const impl = (x: number, ...ps: number[]) => {
      if (!fin(...ps) || !d.ok(...ps)) throw rtError(code, 'invalid parameterization', name);
      if (kind === 'qf' ? !(x >= 0 && x <= 1) : !Number.isFinite(x))
        throw rtError(code + 1, 'invalid input', name);
      return d[kind](x, ...ps);
    };
    if (prefix === 'gaussian')
      def(
        name,
        [`double, ${params} -> double`, 'double, record A -> double'],
        (i) =>
          i.sig === 0
            ? impl
            : (x: number, r: PfaRecord) => impl(x, r['mean'] as number, Math.sqrt(r['variance'] as number)),
        (args, sig, ret) =>
          sig === 0 ||
          (args[1]?.kind === 'record' &&
            ['mean', 'variance'].every((f) =>
              (args[1] as { fields: { name: string }[] }).fields.some((x) => x.name === f),
            ))
            ? ret
            : 'the parameter record needs "mean" and "variance"',
      );
    else fn(name, `double, ${params} -> double`, impl);
  }
}

// Gaussian: a zero sigma is a point mass (allowed, as in the reference engines); its log-likelihood is ±∞.
family(
  'gaussian',
  13000,
  'double, double',
  {
    ok: (_mu, s) => s! >= 0,
    pdf: (x, mu, s) =>
      s === 0
        ? x === mu
          ? Infinity
          : -Infinity
        : -((x - mu!) ** 2) / (2 * s! * s!) - Math.log(s! * Math.sqrt(2 * Math.PI)),
    cdf: (x, mu, s) => (s === 0 ? (x < mu! ? 0 : 1) : normCdf((x - mu!) / s!)),
    qf: (p, mu, s) => (s === 0 ? mu! : mu! + s! * normQuantile(p)),
  },
  true,
);
family('exponential', 13030, 'double', {
  ok: (l) => l! >= 0,
  pdf: (x, l) => (x < 0 ? 0 : l === 0 ? 0 : l! * Math.exp(-l! * x)),
  cdf: (x, l) => (x <= 0 || l === 0 ? 0 : 1 - Math.exp(-l! * x)),
  qf: (p, l) => (l === 0 ? Infinity : -Math.log(1 - p) / l!),
});
family('cauchy', 13180, 'double, double', {
  ok: (_loc, s) => s! > 0,
  pdf: (x, loc, s) => 1 / (Math.PI * s! * (1 + ((x - loc!) / s!) ** 2)),
  cdf: (x, loc, s) => 0.5 + Math.atan((x - loc!) / s!) / Math.PI,
  qf: (p, loc, s) => (p === 1 ? Infinity : p === 0 ? -Infinity : loc! + s! * Math.tan(Math.PI * (p - 0.5))),
});
family('lognormal', 13240, 'double, double', {
  ok: (_m, s) => s! > 0,
  pdf: (x, m, s) =>
    x <= 0 ? 0 : Math.exp(-((Math.log(x) - m!) ** 2) / (2 * s! * s!)) / (x * s! * Math.sqrt(2 * Math.PI)),
  cdf: (x, m, s) => (x <= 0 ? 0 : normCdf((Math.log(x) - m!) / s!)),
  qf: (p, m, s) => Math.exp(m! + s! * normQuantile(p)),
});
family('uniform', 13330, 'double, double', {
  ok: (lo, hi) => lo! < hi!,
  pdf: (x, lo, hi) => (x < lo! || x > hi! ? 0 : 1 / (hi! - lo!)),
  cdf: (x, lo, hi) => (x <= lo! ? 0 : x >= hi! ? 1 : (x - lo!) / (hi! - lo!)),
  qf: (p, lo, hi) => lo! + p * (hi! - lo!),
});
family('weibull', 13420, 'double, double', {
  ok: (k, l) => k! > 0 && l! > 0,
  pdf: (x, k, l) => (x < 0 ? 0 : (k! / l!) * (x / l!) ** (k! - 1) * Math.exp(-((x / l!) ** k!))),
  cdf: (x, k, l) => (x <= 0 ? 0 : 1 - Math.exp(-((x / l!) ** k!))),
  qf: (p, k, l) => l! * (-Math.log(1 - p)) ** (1 / k!),
});
