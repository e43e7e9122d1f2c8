import type { FeatureValue } from '@modelserving/model-core';
import type { Getter } from '../context';
import { pmmlError } from '../errors';
import {
  compareValues,
  isoDateDays,
  isoDateTimeSeconds,
  isoTimeSeconds,
  isNumericType,
  toBoolean,
  toNumber,
  toText,
  valuesEqual,
  type DataType,
} from '../values';
import type { XmlElement } from '../xml/xml-parser';

/**
 * The PMML built-in functions (Apply/@function). Each is a factory that, given the argument getters,
 * returns one specialised closure, so a call costs a few property reads and the operation itself.
 * Functions see missing arguments as null; unless noted, a missing argument makes the result missing.
 */
export interface BuiltinFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Result type given the argument types. */
  readonly type: (argTypes: readonly DataType[]) => DataType;
  readonly make: (
    args: readonly Getter[],
    argTypes: readonly DataType[],
    el: XmlElement,
    constArgs: readonly (FeatureValue | undefined)[],
  ) => Getter;
}

const N = Infinity;

function widest(types: readonly DataType[]): DataType {
  let out: DataType = 'integer';
  for (const t of types) {
    if (t === 'double' || !isNumericType(t)) return 'double';
    if (t === 'float') out = 'float';
  }
  return out;
}

const double = (): DataType => 'double';
const integer = (): DataType => 'integer';
const boolean = (): DataType => 'boolean';
const string = (): DataType => 'string';

function a0(args: readonly Getter[]): Getter {
  return args[0]!;
}

function unary(f: (x: number) => number): BuiltinFunction {
  return {
    minArgs: 1,
    maxArgs: 1,
    type: double,
    make: (args) => {
      const a = a0(args);
      return (ctx) => {
        const x = toNumber(a(ctx));
        return x === null ? null : f(x);
      };
    },
  };
}

function unaryInt(f: (x: number) => number): BuiltinFunction {
  return { ...unary(f), type: integer };
}

function binary(
  f: (x: number, y: number) => number,
  type: (t: readonly DataType[]) => DataType = double,
): BuiltinFunction {
  return {
    minArgs: 2,
    maxArgs: 2,
    type,
    make: (args) => {
      const a = args[0]!;
      const b = args[1]!;
      return (ctx) => {
        const x = toNumber(a(ctx));
        if (x === null) return null;
        const y = toNumber(b(ctx));
        return y === null ? null : f(x, y);
      };
    },
  };
}

/** n-ary numeric aggregate; a missing argument makes the result missing. */
function aggregate(
  f: (xs: number[]) => number,
  type: (t: readonly DataType[]) => DataType = double,
  minArgs = 1,
): BuiltinFunction {
  return {
    minArgs,
    maxArgs: N,
    type,
    make: (args) => {
      const n = args.length;
      const buf: number[] = new Array<number>(n).fill(0);
      return (ctx) => {
        for (let i = 0; i < n; i++) {
          const x = toNumber(args[i]!(ctx));
          if (x === null) return null;
          buf[i] = x;
        }
        return f(buf);
      };
    },
  };
}

function comparison(test: (c: number) => boolean): BuiltinFunction {
  return {
    minArgs: 2,
    maxArgs: 2,
    type: boolean,
    make: (args) => {
      const a = args[0]!;
      const b = args[1]!;
      return (ctx) => {
        const x = a(ctx);
        if (x === null) return null;
        const y = b(ctx);
        return y === null ? null : test(compareValues(x, y));
      };
    },
  };
}

function equality(negate: boolean): BuiltinFunction {
  return {
    minArgs: 2,
    maxArgs: 2,
    type: boolean,
    make: (args) => {
      const a = args[0]!;
      const b = args[1]!;
      return (ctx) => {
        const x = a(ctx);
        if (x === null) return null;
        const y = b(ctx);
        return y === null ? null : valuesEqual(x, y) !== negate;
      };
    },
  };
}

/** and/or with three-valued logic: a decisive value wins over a missing one. */
function logical(isAnd: boolean): BuiltinFunction {
  return {
    minArgs: 2,
    maxArgs: N,
    type: boolean,
    make: (args) => (ctx) => {
      let sawMissing = false;
      for (const g of args) {
        const b = toBoolean(g(ctx));
        if (b === null) sawMissing = true;
        else if (b !== isAnd) return !isAnd;
      }
      return sawMissing ? null : isAnd;
    },
  };
}

function membership(negate: boolean): BuiltinFunction {
  return {
    minArgs: 2,
    maxArgs: N,
    type: boolean,
    make: (args) => {
      const [x, ...rest] = args;
      return (ctx) => {
        const v = x!(ctx);
        if (v === null) return null;
        for (const g of rest) {
          const w = g(ctx);
          if (w !== null && valuesEqual(v, w)) return !negate;
        }
        return negate;
      };
    },
  };
}

function stringUnary(f: (s: string) => string): BuiltinFunction {
  return {
    minArgs: 1,
    maxArgs: 1,
    type: string,
    make: (args) => {
      const a = a0(args);
      return (ctx) => {
        const s = toText(a(ctx));
        return s === null ? null : f(s);
      };
    },
  };
}

/** Java-style rounding: half up toward positive infinity. */
function javaRound(x: number): number {
  return Math.floor(x + 0.5);
}

/**
 * erf and erfc to near double precision: the positive-term series e^{-x²}·Σ 2ⁿx^{2n+1}/(2n+1)!! below 2,
 * and the continued fraction of erfc (modified Lentz) above, so tails keep their relative accuracy.
 */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax < 2) return erfSeries(x);
  const r = 1 - erfcFraction(ax);
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  if (x !== x) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) return 1 - erfSeries(x);
  return erfcFraction(x);
}

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}

// erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), for x ≥ 2.
function erfcFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 1000; k++) {
    const a = k / 2;
    d = x + a * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

export function stdNormalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

export function stdNormalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Inverse of the standard normal CDF (Acklam's algorithm with one Halley refinement step). */
export function stdNormalIdf(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [
    -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
    2.506628277459239,
  ];
  const b = [
    -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
    -1.328068155288572e1,
  ];
  const c = [
    -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  let x: number;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - pl) {
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
  const e = stdNormalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Regexes are compiled once per distinct pattern; PMML uses Perl/Java-compatible syntax. */
const regexCache = new Map<string, RegExp | null>();
function regex(pattern: string, flags = ''): RegExp | null {
  const key = flags + '\u0000' + pattern;
  let r = regexCache.get(key);
  if (r === undefined) {
    try {
      r = new RegExp(pattern, flags);
    } catch {
      r = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, r);
  }
  return r;
}

/** Java/C printf-style number formatting for the common conversions (%d %f %e %g %s %x with width/precision). */
export function formatPrintf(x: number, pattern: string): string {
  return pattern.replace(
    /%([-+ 0#,]*)(\d+)?(?:\.(\d+))?([dfeEgGsxX%])/g,
    (_m, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      let s: string;
      const p = prec === undefined ? undefined : Number(prec);
      switch (conv) {
        case 'd':
          s = Math.trunc(x).toString();
          break;
        case 'f':
          s = x.toFixed(p ?? 6);
          break;
        case 'e':
        case 'E': {
          const t = x.toExponential(p ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
          s = conv === 'E' ? t.toUpperCase() : t;
          break;
        }
        case 'g':
        case 'G':
          s = x.toPrecision(p === 0 ? 1 : (p ?? 6));
          if (conv === 'G') s = s.toUpperCase();
          break;
        case 'x':
        case 'X':
          s = Math.trunc(x).toString(16);
          if (conv === 'X') s = s.toUpperCase();
          break;
        default:
          s = String(x);
      }
      if (flags.includes(',') && (conv === 'd' || conv === 'f')) {
        const [i, f] = s.split('.');
        s = i!.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (f !== undefined ? '.' + f : '');
      }
      if (flags.includes('+') && x >= 0) s = '+' + s;
      else if (flags.includes(' ') && x >= 0) s = ' ' + s;
      const w = width === undefined ? 0 : Number(width);
      if (s.length < w) {
        if (flags.includes('-')) s = s.padEnd(w, ' ');
        else if (flags.includes('0')) {
          const sign = /^[+\- ]/.test(s) ? s[0]! : '';
          s = sign + s.slice(sign.length).padStart(w - sign.length, '0');
        } else s = s.padStart(w, ' ');
      }
      return s;
    },
  );
}

/** strftime-style date formatting for formatDatetime (%Y %m %d %H %M %S %y %b %B %j %%). */
function formatDatetime(seconds: number, pattern: string): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  return pattern.replace(/%([YmdHMSyBbj%])/g, (_m, c: string) => {
    switch (c) {
      case 'Y':
        return pad(d.getUTCFullYear(), 4);
      case 'y':
        return pad(d.getUTCFullYear() % 100);
      case 'm':
        return pad(d.getUTCMonth() + 1);
      case 'd':
        return pad(d.getUTCDate());
      case 'H':
        return pad(d.getUTCHours());
      case 'M':
        return pad(d.getUTCMinutes());
      case 'S':
        return pad(d.getUTCSeconds());
      case 'B':
        return months[d.getUTCMonth()]!;
      case 'b':
        return months[d.getUTCMonth()]!.slice(0, 3);
      case 'j':
        return pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3);
      default:
        return '%';
    }
  });
}

function secondsOf(v: FeatureValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return isoDateTimeSeconds(v) ?? isoTimeSeconds(v) ?? null;
  return null;
}

/**
 * dateDaysSinceYear / dateSecondsSinceYear: the value, parsed into days or seconds since the epoch, minus
 * 1 January of the given year in the same unit.
 */
function sinceYear(parse: (iso: string) => number | undefined, unitMs: number): BuiltinFunction {
  return {
    minArgs: 2,
    maxArgs: 2,
    type: integer,
    make: (args) => {
      const [a, y] = args;
      return (ctx) => {
        const v = a!(ctx);
        const year = toNumber(y!(ctx));
        if (v === null || year === null) return null;
        const units = typeof v === 'string' ? parse(v) : undefined;
        if (units === undefined) return null;
        const base = new Date(0);
        base.setUTCFullYear(year, 0, 1);
        return units - Math.round(base.getTime() / unitMs);
      };
    },
  };
}

/** isNotMissing, and isValid: invalid values never reach expressions, so validity is presence. */
const presence: BuiltinFunction = {
  minArgs: 1,
  maxArgs: 1,
  type: boolean,
  make: (args) => {
    const a = a0(args);
    return (ctx) => a(ctx) !== null;
  },
};

export const BUILTINS: Readonly<Record<string, BuiltinFunction>> = {
  '+': binary((x, y) => x + y, widest),
  '-': binary((x, y) => x - y, widest),
  '*': binary((x, y) => x * y, widest),
  '/': binary((x, y) => x / y),
  modulo: binary((x, y) => x - y * Math.floor(x / y)),
  min: aggregate((xs) => Math.min(...xs), widest),
  max: aggregate((xs) => Math.max(...xs), widest),
  sum: aggregate((xs) => xs.reduce((s, x) => s + x, 0), widest),
  avg: aggregate((xs) => xs.reduce((s, x) => s + x, 0) / xs.length),
  median: aggregate(median),
  product: aggregate((xs) => xs.reduce((s, x) => s * x, 1), widest),
  log10: unary(Math.log10),
  ln: unary(Math.log),
  log1p: unary(Math.log1p),
  exp: unary(Math.exp),
  expm1: unary(Math.expm1),
  sqrt: unary(Math.sqrt),
  abs: { ...unary(Math.abs), type: (t) => widest(t) },
  pow: binary(Math.pow),
  hypot: binary(Math.hypot),
  atan2: binary(Math.atan2),
  threshold: binary((x, y) => (x > y ? 1 : 0), integer),
  floor: unaryInt(Math.floor),
  ceil: unaryInt(Math.ceil),
  round: unaryInt(javaRound),
  rint: unary((x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
  }),
  sin: unary(Math.sin),
  cos: unary(Math.cos),
  tan: unary(Math.tan),
  asin: unary(Math.asin),
  acos: unary(Math.acos),
  atan: unary(Math.atan),
  sinh: unary(Math.sinh),
  cosh: unary(Math.cosh),
  tanh: unary(Math.tanh),
  erf: unary(erf),
  stdNormalCDF: unary(stdNormalCdf),
  stdNormalPDF: unary(stdNormalPdf),
  stdNormalIDF: unary(stdNormalIdf),
  normalCDF: aggregate(([x, mu, s]) => stdNormalCdf((x! - mu!) / s!), double, 3),
  normalPDF: aggregate(([x, mu, s]) => stdNormalPdf((x! - mu!) / s!) / s!, double, 3),
  normalIDF: aggregate(([p, mu, s]) => mu! + s! * stdNormalIdf(p!), double, 3),
  equal: equality(false),
  notEqual: equality(true),
  lessThan: comparison((c) => c < 0),
  lessOrEqual: comparison((c) => c <= 0),
  greaterThan: comparison((c) => c > 0),
  greaterOrEqual: comparison((c) => c >= 0),
  and: logical(true),
  or: logical(false),
  not: {
    minArgs: 1,
    maxArgs: 1,
    type: boolean,
    make: (args) => {
      const a = a0(args);
      return (ctx) => {
        const b = toBoolean(a(ctx));
        return b === null ? null : !b;
      };
    },
  },
  isIn: membership(false),
  isNotIn: membership(true),
  isMissing: {
    minArgs: 1,
    maxArgs: 1,
    type: boolean,
    make: (args) => {
      const a = a0(args);
      return (ctx) => a(ctx) === null;
    },
  },
  isNotMissing: presence,
  // Invalid values never reach expressions (the MiningSchema has treated them), so validity = presence.
  isValid: presence,
  isNotValid: {
    minArgs: 1,
    maxArgs: 1,
    type: boolean,
    make: () => () => false,
  },
  if: {
    minArgs: 2,
    maxArgs: 3,
    type: (t) => t[1] ?? 'string',
    make: (args) => {
      const c = args[0]!;
      const t = args[1]!;
      const e = args[2];
      return (ctx) => {
        const b = toBoolean(c(ctx));
        if (b === null) return null;
        if (b) return t(ctx);
        return e ? e(ctx) : null;
      };
    },
  },
  uppercase: stringUnary((s) => s.toUpperCase()),
  lowercase: stringUnary((s) => s.toLowerCase()),
  trimBlanks: stringUnary((s) => s.trim()),
  stringLength: {
    minArgs: 1,
    maxArgs: 1,
    type: integer,
    make: (args) => {
      const a = a0(args);
      return (ctx) => {
        const s = toText(a(ctx));
        return s === null ? null : [...s].length;
      };
    },
  },
  substring: {
    minArgs: 3,
    maxArgs: 3,
    type: string,
    make: (args) => {
      const [a, p, l] = args;
      return (ctx) => {
        const s = toText(a!(ctx));
        const pos = toNumber(p!(ctx));
        const len = toNumber(l!(ctx));
        if (s === null || pos === null || len === null) return null;
        // PMML positions are 1-based.
        const start = Math.max(0, Math.trunc(pos) - 1);
        return s.substring(start, start + Math.max(0, Math.trunc(len)));
      };
    },
  },
  concat: {
    minArgs: 1,
    maxArgs: N,
    type: string,
    make: (args) => (ctx) => {
      let out = '';
      for (const g of args) {
        const s = toText(g(ctx));
        if (s !== null) out += s;
      }
      return out;
    },
  },
  replace: {
    minArgs: 3,
    maxArgs: 3,
    type: string,
    make: (args) => {
      const [a, p, r] = args;
      return (ctx) => {
        const s = toText(a!(ctx));
        const pat = toText(p!(ctx));
        const rep = toText(r!(ctx));
        if (s === null || pat === null || rep === null) return null;
        const re = regex(pat, 'g');
        return re ? s.replace(re, rep) : null;
      };
    },
  },
  matches: {
    minArgs: 2,
    maxArgs: 2,
    type: boolean,
    make: (args) => {
      const [a, p] = args;
      return (ctx) => {
        const s = toText(a!(ctx));
        const pat = toText(p!(ctx));
        if (s === null || pat === null) return null;
        const re = regex(pat);
        return re ? re.test(s) : null;
      };
    },
  },
  formatNumber: {
    minArgs: 2,
    maxArgs: 2,
    type: string,
    make: (args) => {
      const [a, p] = args;
      return (ctx) => {
        const x = toNumber(a!(ctx));
        const pat = toText(p!(ctx));
        return x === null || pat === null ? null : formatPrintf(x, pat);
      };
    },
  },
  formatDatetime: {
    minArgs: 2,
    maxArgs: 2,
    type: string,
    make: (args) => {
      const [a, p] = args;
      return (ctx) => {
        const s = secondsOf(a!(ctx));
        const pat = toText(p!(ctx));
        return s === null || pat === null ? null : formatDatetime(s, pat);
      };
    },
  },
  dateDaysSinceYear: sinceYear(isoDateDays, 86_400_000),
  dateSecondsSinceYear: sinceYear(isoDateTimeSeconds, 1000),
  dateSecondsSinceMidnight: {
    minArgs: 1,
    maxArgs: 1,
    type: integer,
    make: (args) => {
      const a = a0(args);
      return (ctx) => {
        const v = a(ctx);
        if (typeof v === 'number') return ((v % 86_400) + 86_400) % 86_400;
        return typeof v === 'string' ? (isoTimeSeconds(v) ?? null) : null;
      };
    },
  },
};

export function lookupBuiltin(name: string, el: XmlElement, argc: number): BuiltinFunction | undefined {
  const f = BUILTINS[name];
  if (!f) return undefined;
  if (argc < f.minArgs || argc > f.maxArgs) {
    const expected =
      f.minArgs === f.maxArgs
        ? `${f.minArgs}`
        : f.maxArgs === N
          ? `at least ${f.minArgs}`
          : `${f.minArgs}-${f.maxArgs}`;
    throw pmmlError(el, `function '${name}' takes ${expected} argument(s), got ${argc}`);
  }
  return f;
}
