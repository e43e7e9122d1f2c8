import { rtError } from '../errors';
import type { AvroType, FcnType } from '../types/avro-type';
import type { PfaRecord, Value } from '../values';
import { def } from './registry';

/** `interp.*`: binning, nearest-neighbour lookup and piecewise-linear interpolation in tables of {x, to}. */
type Arg = AvroType | FcnType;
const tableHas = (t: Arg | undefined, ...names: string[]) =>
  t?.kind === 'array' &&
  t.items.kind === 'record' &&
  names.every((n) => (t.items as { fields: { name: string }[] }).fields.some((f) => f.name === n));
const tableRefine = (args: readonly Arg[], _sig: number, ret: AvroType) =>
  tableHas(args[1], 'x', 'to') ? ret : 'the table needs records with "x" and "to"';

def('interp.bin', ['double, int, double, double -> int', 'double, double, double -> int'], (i) => {
  const N = 'interp.bin';
  if (i.sig === 0)
    return (x: number, numbins: number, low: number, high: number) => {
      if (!(low < high)) throw rtError(22000, 'bad histogram range', N);
      if (numbins < 1) throw rtError(22001, 'bad histogram scale', N);
      if (!(x >= low && x < high)) throw rtError(22002, 'x out of range', N);
      return Math.min(numbins - 1, Math.floor((numbins * (x - low)) / (high - low)));
    };
  return (x: number, origin: number, width: number) => {
    if (!Number.isFinite(origin)) throw rtError(22000, 'bad histogram range', N);
    if (!(width > 0)) throw rtError(22001, 'bad histogram scale', N);
    const bin = Math.floor((x - origin) / width);
    if (!Number.isFinite(bin) || bin < -2147483648 || bin > 2147483647)
      throw rtError(22002, 'x out of range', N);
    return bin;
  };
});

def(
  'interp.nearest',
  [
    'double, [record R] -> null',
    '[double], [record R] -> null',
    // The notation cannot bind the metric's second parameter to the table's x type, so the metric here
    // compares values of the input's type (the usual case); the return type is read off "to" in refine.
    'X1, [record R], fn(X1,X1)->double -> null',
  ],
  (i) => {
    const N = 'interp.nearest';
    const dist: (x: Value, tx: Value) => number =
      i.sig === 0
        ? (x, tx) => Math.abs((x as number) - (tx as number))
        : (x, tx) => {
            const a = x as number[];
            const b = tx as number[];
            if (a.length !== b.length) throw rtError(22011, 'inconsistent dimensionality', N);
            return a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0);
          };
    const nearest = (x: Value, table: PfaRecord[], d: (x: Value, tx: Value) => number) => {
      if (table.length === 0) throw rtError(22010, 'table must have at least one entry', N);
      let best = table[0]!;
      let bestD = Infinity;
      for (const r of table) {
        const v = d(x, r['x']!);
        if (v < bestD) {
          bestD = v;
          best = r;
        }
      }
      return best['to']!;
    };
    if (i.sig < 2) return (x: Value, table: PfaRecord[]) => nearest(x, table, dist);
    return (x: Value, table: PfaRecord[], metric: (a: Value, b: Value) => Value) =>
      nearest(x, table, (a, b) => metric(a, b) as number);
  },
  (args, sig, ret) => {
    const items = args[1]?.kind === 'array' && args[1].items.kind === 'record' ? args[1].items : undefined;
    const x = items?.fields.find((f) => f.name === 'x')?.type;
    const to = items?.fields.find((f) => f.name === 'to')?.type;
    if (!x || !to) return 'the table needs records with "x" and "to"';
    if (sig === 0 && x.kind !== 'double') return 'table x must be double';
    if (sig === 1 && !(x.kind === 'array' && x.items.kind === 'double')) return 'table x must be [double]';
    if (sig === 2) {
      const m = args[2];
      if (m?.kind !== 'fcn' || m.params.length !== 2) return 'metric must be a function of two arguments';
    }
    void ret;
    return to;
  },
);

type Mode = 'linear' | 'flat' | 'missing';

/** The two table entries to interpolate between, or the single entry x equals or is nearest beyond. */
function interpolate(x: number, table: PfaRecord[], mode: Mode, code: number, name: string): Value {
  const xs = [...new Set(table.map((r) => r['x'] as number))].sort((a, b) => a - b);
  if (xs.length < 2) throw rtError(code, 'table must have at least two distinct x values', name);
  const first = (v: number) => table.find((r) => r['x'] === v)!['to']!;
  const exact = table.find((r) => r['x'] === x);
  if (exact) return exact['to']!;
  let lo: number;
  let hi: number;
  if (x < xs[0]! || x > xs.at(-1)!) {
    if (mode === 'flat') return first(x < xs[0]! ? xs[0]! : xs.at(-1)!);
    if (mode === 'missing') return null;
    [lo, hi] = x < xs[0]! ? [xs[0]!, xs[1]!] : [xs.at(-2)!, xs.at(-1)!];
  } else {
    const k = xs.findIndex((v) => v > x);
    [lo, hi] = [xs[k - 1]!, xs[k]!];
  }
  const t = (x - lo) / (hi - lo);
  const a = first(lo);
  const b = first(hi);
  if (typeof a === 'number') return a + t * ((b as number) - a);
  const va = a as number[];
  const vb = b as number[];
  if (va.length !== vb.length) throw rtError(code + 1, 'inconsistent dimensionality', name);
  return va.map((v, k) => v + t * (vb[k]! - v));
}

for (const [name, mode, code] of [
  ['interp.linear', 'linear', 22020],
  ['interp.linearFlat', 'flat', 22030],
  ['interp.linearMissing', 'missing', 22040],
] as const) {
  const ret = mode === 'missing' ? ['(null|double)', '(null|[double])'] : ['double', '[double]'];
  def(
    name,
    [`double, [record R] -> ${ret[0]}`, `double, [record R] -> ${ret[1]}`],
    () => (x: number, table: PfaRecord[]) => interpolate(x, table, mode, code, name),
    (args, sig, r) => {
      if (!tableHas(args[1], 'x', 'to')) return tableRefine(args, sig, r);
      const items = (args[1] as { items: { fields: { name: string; type: AvroType }[] } }).items;
      const to = items.fields.find((f) => f.name === 'to')!.type;
      const x = items.fields.find((f) => f.name === 'x')!.type;
      if (x.kind !== 'double') return 'table x must be double';
      const want = sig === 0 ? to.kind === 'double' : to.kind === 'array' && to.items.kind === 'double';
      return want ? r : 'table "to" has the other signature\'s type';
    },
  );
}
