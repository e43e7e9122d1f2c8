import { rtError } from '../errors';
import type { AvroType, EnumType, FcnType, RecordType } from '../types/avro-type';
import { makeRecord, newMap, type PfaRecord, type Value } from '../values';
import { comparator } from './compare';
import { def } from './registry';

/**
 * Second pass of small functions: `a.ntile`, `a.combinations`, `a.permutations`, `a.groupby`, `s.number`,
 * `cast.fanout*`, `stat.sample.updateWindow` and `stat.sample.fillHistogram2d`.
 */
type Arg = AvroType | FcnType;
const fieldsOf = (t: Arg | undefined): Set<string> =>
  new Set(t?.kind === 'record' ? t.fields.map((f) => f.name) : []);
const needs =
  (index: number, ...names: string[]) =>
  (args: readonly Arg[], _sig: number, ret: AvroType): AvroType | string => {
    const have = fieldsOf(args[index]);
    const missing = names.filter((n) => !have.has(n));
    return missing.length === 0 ? ret : `the record needs field(s) ${missing.join(', ')}`;
  };

// ---------------------------------------------------------------- arrays

def('a.ntile', '[A], double -> A', (i) => {
  const item = (i.args[0] as { items: AvroType }).items;
  const cmp = comparator(item);
  const interpolate = item.kind === 'double' || item.kind === 'float';
  return (a: Value[], p: number) => {
    if (a.length === 0) throw rtError(15460, 'empty array', 'a.ntile');
    if (Number.isNaN(p)) throw rtError(15461, 'p not a number', 'a.ntile');
    const s = [...a].sort(cmp);
    if (p <= 0) return s[0]!;
    if (p >= 1) return s[s.length - 1]!;
    // Position p·(n−1) in the sorted array; numbers interpolate between neighbours, other types take the left.
    const k = p * (s.length - 1);
    const lo = Math.floor(k);
    if (!interpolate || lo === k) return s[lo]!;
    const x = s[lo] as number;
    const y = s[lo + 1] as number;
    return x + (k - lo) * (y - x);
  };
});
def('a.combinations', '[A], int -> [[A]]', () => (a: Value[], size: number) => {
  if (size < 1) throw rtError(15780, 'size < 1', 'a.combinations');
  const out: Value[][] = [];
  const pick: Value[] = [];
  const rec = (start: number) => {
    if (pick.length === size) {
      out.push([...pick]);
      return;
    }
    for (let k = start; k <= a.length - (size - pick.length); k++) {
      pick.push(a[k]!);
      rec(k + 1);
      pick.pop();
    }
  };
  rec(0);
  return out;
});
def('a.permutations', '[A] -> [[A]]', () => (a: Value[]) => {
  // Lexicographic order of indexes (as Python's itertools.permutations).
  const out: Value[][] = [];
  const used = new Array<boolean>(a.length).fill(false);
  const cur: Value[] = [];
  const rec = () => {
    if (cur.length === a.length) {
      out.push([...cur]);
      return;
    }
    for (let k = 0; k < a.length; k++) {
      if (used[k]) continue;
      used[k] = true;
      cur.push(a[k]!);
      rec();
      cur.pop();
      used[k] = false;
    }
  };
  rec();
  return out;
});
def('a.groupby', '[A], fn(A)->string -> {[A]}', () => (a: Value[], f: (x: Value) => Value) => {
  const m = newMap();
  for (const x of a) {
    const k = f(x) as string;
    if (Object.prototype.hasOwnProperty.call(m, k)) (m[k] as Value[]).push(x);
    else m[k] = [x];
  }
  return m;
});

// ---------------------------------------------------------------- s.number

function pad(s: string, width: number | null): string {
  if (width === null) return s;
  return width < 0 ? s.padEnd(-width) : s.padStart(width);
}
function formatDouble(x: number, precision: number | null, minNoExp: number, maxNoExp: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) x = 0; // no negative zero
  const withPoint = (s: string) => (s.includes('.') ? s : `${s}.0`);
  const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '.0') : s);
  const ax = Math.abs(x);
  if (ax === 0 || (ax >= minNoExp && ax < maxNoExp))
    return precision === null ? withPoint(trim(x.toFixed(6))) : withPoint(x.toFixed(precision));
  const e = precision === null ? x.toExponential(6) : x.toExponential(precision);
  const [mant, exp] = e.split('e') as [string, string];
  const m = precision === null ? trim(withPoint(mant)) : withPoint(mant);
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${m}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
}
def(
  's.number',
  [
    'long -> string',
    'long, int, boolean -> string',
    'double, (int|null), (int|null) -> string',
    'double, (int|null), (int|null), double, double -> string',
  ],
  (i) => {
    if (i.sig === 0) return (x: number) => String(x);
    if (i.sig === 1)
      return (x: number, width: number, zeroPad: boolean) => {
        if (!zeroPad) return pad(String(x), width);
        if (width < 0) throw rtError(39120, 'negative width cannot be used with zero-padding', 's.number');
        const digits = String(Math.abs(x));
        return (x < 0 ? '-' : '') + digits.padStart(width - (x < 0 ? 1 : 0), '0');
      };
    return (
      x: number,
      width: number | null,
      precision: number | null,
      minNoExp = 0.0001,
      maxNoExp = 100000,
    ) => {
      if (precision !== null && precision < 0) throw rtError(39121, 'negative precision', 's.number');
      return pad(formatDouble(x, precision, minNoExp, maxNoExp), width);
    };
  },
);

// ---------------------------------------------------------------- fanout

for (const [suffix, code, on, off] of [
  ['Boolean', 17060, true, false],
  ['Int', 17070, 1, 0],
  ['Long', 17080, 1, 0],
  ['Float', 17090, 1, 0],
  ['Double', 17100, 1, 0],
] as const) {
  const name = `cast.fanout${suffix}`;
  const t = suffix.toLowerCase();
  def(
    name,
    [`enum A -> [${t}]`, `string, [string], boolean -> [${t}]`, `int, int, int, boolean -> [${t}]`],
    (i) => {
      const out = (n: number, hit: number) => Array.from({ length: n }, (_, k) => (k === hit ? on : off));
      if (i.sig === 0) {
        const symbols = (i.args[0] as EnumType).symbols;
        return (x: string) => out(symbols.length, symbols.indexOf(x));
      }
      if (i.sig === 1)
        return (x: string, dict: string[], outOfRange: boolean) => {
          if (new Set(dict).size !== dict.length)
            throw rtError(code, 'non-distinct values in dictionary', name);
          const k = dict.indexOf(x);
          return out(dict.length + (outOfRange ? 1 : 0), k >= 0 ? k : outOfRange ? dict.length : -1);
        };
      return (x: number, lo: number, hi: number, outOfRange: boolean) => {
        const n = Math.max(0, hi - lo);
        const inside = x >= lo && x < hi;
        return out(n + (outOfRange ? 1 : 0), inside ? x - lo : outOfRange ? n : -1);
      };
    },
  );
}

// ---------------------------------------------------------------- stat.sample extras

def(
  'stat.sample.updateWindow',
  'double, double, [record A], int -> [A]',
  (i) => {
    const rt = (i.args[2] as { items: RecordType }).items;
    const name = rt.fullName;
    const f = fieldsOf(rt);
    const withMean = f.has('mean');
    const withVar = f.has('variance');
    const N = 'stat.sample.updateWindow';
    return (x: number, w: number, state: PfaRecord[], windowSize: number) => {
      if (windowSize < 2) throw rtError(14020, 'windowSize must be at least 2', N);
      if (state.length === 0) {
        if ([...f].some((k) => !['x', 'w', 'count', 'mean', 'variance'].includes(k)))
          throw rtError(14021, 'cannot initialize unrecognized fields', N);
        const r: Record<string, Value> = { x, w, count: w };
        if (withMean) r['mean'] = x;
        if (withVar) r['variance'] = 0;
        return [makeRecord(name, r)];
      }
      const last = state[state.length - 1]!;
      const count = last['count'] as number;
      const mean = withMean ? (last['mean'] as number) : 0;
      const variance = withVar ? (last['variance'] as number) : 0;
      const changes: Record<string, Value> = { x, w };
      let keep: PfaRecord[];
      if (state.length >= windowSize) {
        // Drop the oldest samples so the window holds windowSize records with the new one.
        const drop = state.slice(0, state.length - windowSize + 1);
        keep = state.slice(state.length - windowSize + 1);
        const dw = drop.reduce((s, r) => s + (r['w'] as number), 0);
        const dwx = drop.reduce((s, r) => s + (r['w'] as number) * (r['x'] as number), 0);
        const dwxx = drop.reduce((s, r) => s + (r['w'] as number) * (r['x'] as number) ** 2, 0);
        const next = count + w - dw;
        changes['count'] = next;
        if (withMean) {
          const newMean = (count * mean + w * x - dwx) / next;
          changes['mean'] = newMean;
          if (withVar)
            changes['variance'] =
              (count * (variance + mean * mean) + w * x * x - dwxx) / next - newMean * newMean;
        }
      } else {
        keep = state;
        const next = count + w;
        changes['count'] = next;
        if (withMean) {
          const delta = x - mean;
          const newMean = mean + (w / next) * delta;
          changes['mean'] = newMean;
          if (withVar) changes['variance'] = (variance * count + w * delta * (x - newMean)) / next;
        }
      }
      return [...keep, makeRecord(name, { ...last, ...changes })];
    };
  },
  (args, _s, ret) => {
    const items = args[2]?.kind === 'array' ? args[2].items : undefined;
    const f = fieldsOf(items);
    if (!['x', 'w', 'count'].every((k) => f.has(k))) return 'the state records need x, w and count';
    if (f.has('variance') && !f.has('mean')) return 'a variance needs a mean';
    return ret;
  },
);

def(
  'stat.sample.fillHistogram2d',
  'double, double, double, record A -> A',
  (i) => {
    const f = fieldsOf(i.args[3]);
    const name = (i.args[3] as RecordType).fullName;
    const N = 'stat.sample.fillHistogram2d';
    return (x: number, y: number, w: number, h: PfaRecord) => {
      const xn = h['xnumbins'] as number;
      const yn = h['ynumbins'] as number;
      const [xlo, xhi, ylo, yhi] = ['xlow', 'xhigh', 'ylow', 'yhigh'].map((k) => h[k] as number) as [
        number,
        number,
        number,
        number,
      ];
      const values = (h['values'] as number[][]).map((r) => [...r]);
      if (values.length !== xn || values.some((r) => r.length !== yn))
        throw rtError(14090, 'wrong histogram size', N);
      if (!(xlo < xhi) || !(ylo < yhi)) throw rtError(14091, 'bad histogram range', N);
      if (xn < 1 || yn < 1) throw rtError(14092, 'bad histogram scale', N);
      const changes: Record<string, Value> = { values };
      const bump = (k: string) => {
        if (f.has(k)) changes[k] = (h[k] as number) + w;
      };
      if (Number.isNaN(x) || Number.isNaN(y)) bump('nanflow');
      else if ((!Number.isFinite(x) || !Number.isFinite(y)) && f.has('infflow')) bump('infflow');
      else {
        const side = (v: number, lo: number, hi: number) => (v < lo ? 'under' : v >= hi ? 'over' : 'mid');
        const sx = side(x, xlo, xhi);
        const sy = side(y, ylo, yhi);
        if (sx === 'mid' && sy === 'mid') {
          const bx = Math.min(xn - 1, Math.floor((xn * (x - xlo)) / (xhi - xlo)));
          const by = Math.min(yn - 1, Math.floor((yn * (y - ylo)) / (yhi - ylo)));
          values[bx]![by]! += w;
        } else bump(`${sx}${sy}flow`);
      }
      return makeRecord(name, { ...h, ...changes });
    };
  },
  needs(3, 'xnumbins', 'xlow', 'xhigh', 'ynumbins', 'ylow', 'yhigh', 'values'),
);
