import { rtError } from '../errors';
import type { RecordType } from '../types/avro-type';
import type { PfaRecord, Value } from '../values';
import { def } from './registry';

/**
 * `rand.*` and `a.shuffle`: draws from the engine's seeded generator (`CallInfo.random`; seed from the
 * document's "randseed" or the engine option `seed`), so a seeded engine is reproducible. Longs on the
 * full range are JS numbers (exact to 2^53 only).
 */
type R = () => number;
const below = (r: R, n: number) => Math.floor(r() * n);

def('rand.int', [' -> int', 'int, int -> int'], (i) =>
  i.sig === 0
    ? () => below(i.random, 2 ** 32) - 2 ** 31
    : (lo: number, hi: number) => {
        if (hi <= lo) throw rtError(34000, 'high must be greater than low', 'rand.int');
        return lo + below(i.random, hi - lo);
      },
);
def('rand.long', [' -> long', 'long, long -> long'], (i) =>
  i.sig === 0
    ? () => Math.floor((i.random() - 0.5) * 2 ** 64)
    : (lo: number, hi: number) => {
        if (hi <= lo) throw rtError(34010, 'high must be greater than low', 'rand.long');
        return lo + below(i.random, hi - lo);
      },
);
def('rand.float', 'float, float -> float', (i) => (lo: number, hi: number) => {
  if (hi <= lo) throw rtError(34020, 'high must be greater than low', 'rand.float');
  return Math.fround(lo + i.random() * (hi - lo));
});
def('rand.double', 'double, double -> double', (i) => (lo: number, hi: number) => {
  if (hi <= lo) throw rtError(34030, 'high must be greater than low', 'rand.double');
  return lo + i.random() * (hi - lo);
});
def('rand.choice', '[A] -> A', (i) => (pop: Value[]) => {
  if (pop.length === 0) throw rtError(34040, 'population must not be empty', 'rand.choice');
  return pop[below(i.random, pop.length)]!;
});
def('rand.choices', 'int, [A] -> [A]', (i) => (n: number, pop: Value[]) => {
  if (pop.length === 0) throw rtError(34050, 'population must not be empty', 'rand.choices');
  return Array.from({ length: Math.max(0, n) }, () => pop[below(i.random, pop.length)]!);
});
/** Partial Fisher-Yates: the first n items of a random permutation. */
function sample(r: R, pop: readonly Value[], n: number): Value[] {
  const a = [...pop];
  const k = Math.min(n, a.length);
  for (let j = 0; j < k; j++) {
    const m = j + below(r, a.length - j);
    [a[j], a[m]] = [a[m]!, a[j]!];
  }
  return a.slice(0, k);
}
def('rand.sample', 'int, [A] -> [A]', (i) => (n: number, pop: Value[]) => {
  if (pop.length === 0) throw rtError(34060, 'population must not be empty', 'rand.sample');
  if (pop.length < n) throw rtError(34061, 'population smaller than requested subsample', 'rand.sample');
  return sample(i.random, pop, Math.max(0, n));
});
def('a.shuffle', '[A] -> [A]', (i) => (a: Value[]) => sample(i.random, a, a.length));

def(
  'rand.histogram',
  ['[double] -> int', '[record A] -> A'],
  (i) => {
    const pick = (ws: number[]): number => {
      if (ws.some((w) => !Number.isFinite(w)))
        throw rtError(34071, 'distribution must be finite', 'rand.histogram');
      if (ws.some((w) => w < 0)) throw rtError(34072, 'distribution must be non-negative', 'rand.histogram');
      const total = ws.reduce((s, w) => s + w, 0);
      if (!(total > 0)) throw rtError(34070, 'distribution must be non-empty', 'rand.histogram');
      let u = i.random() * total;
      let last = 0;
      for (let k = 0; k < ws.length; k++) {
        if (ws[k]! > 0) last = k;
        u -= ws[k]!;
        if (u < 0 && ws[k]! > 0) return k;
      }
      return last;
    };
    return i.sig === 0
      ? (ws: number[]) => pick(ws)
      : (rs: PfaRecord[]) => rs[pick(rs.map((r) => r['prob'] as number))]!;
  },
  (args, sig, ret) =>
    sig === 0 ||
    (args[0]?.kind === 'array' &&
      args[0].items.kind === 'record' &&
      (args[0].items as RecordType).fields.some((f) => f.name === 'prob'))
      ? ret
      : 'the records need a "prob" field',
);

def('rand.string', ['int -> string', 'int, string -> string', 'int, int, int -> string'], (i) => {
  const N = 'rand.string';
  const size = (n: number) => {
    if (n <= 0) throw rtError(34080, 'size must be positive', N);
  };
  const range = (n: number, lo: number, hi: number) => {
    let s = '';
    for (let k = 0; k < n; k++) s += String.fromCodePoint(lo + below(i.random, hi - lo));
    return s;
  };
  if (i.sig === 0) return (n: number) => (size(n), range(n, 1, 0xd800));
  if (i.sig === 1)
    return (n: number, pop: string) => {
      size(n);
      const cs = [...pop];
      if (cs.length === 0) throw rtError(34083, 'population must be non-empty', N);
      return Array.from({ length: n }, () => cs[below(i.random, cs.length)]!).join('');
    };
  return (n: number, lo: number, hi: number) => {
    size(n);
    if (hi <= lo) throw rtError(34081, 'high must be greater than low', N);
    if (lo < 1 || lo > 0xd800 || hi < 1 || hi > 0xd800) throw rtError(34082, 'invalid char', N);
    return range(n, lo, hi);
  };
});
def('rand.bytes', ['int -> bytes', 'int, bytes -> bytes', 'int, int, int -> bytes'], (i) => {
  const N = 'rand.bytes';
  const size = (n: number) => {
    if (n <= 0) throw rtError(34090, 'size must be positive', N);
  };
  const range = (n: number, lo: number, hi: number) =>
    Uint8Array.from({ length: n }, () => lo + below(i.random, hi - lo));
  if (i.sig === 0) return (n: number) => (size(n), range(n, 0, 256));
  if (i.sig === 1)
    return (n: number, pop: Uint8Array) => {
      size(n);
      if (pop.length === 0) throw rtError(34093, 'population must be non-empty', N);
      return Uint8Array.from({ length: n }, () => pop[below(i.random, pop.length)]!);
    };
  return (n: number, lo: number, hi: number) => {
    size(n);
    if (hi <= lo) throw rtError(34091, 'high must be greater than low', N);
    if (lo < 0 || lo > 255 || hi < 0 || hi > 256) throw rtError(34092, 'invalid byte', N);
    return range(n, lo, hi);
  };
});
for (const name of ['rand.uuid', 'rand.uuid4'])
  def(name, ' -> string', (i) => () => {
    const hex = (n: number) => Array.from({ length: n }, () => below(i.random, 16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  });
def('rand.gaussian', 'double, double -> double', (i) => (mu: number, sigma: number) => {
  // Box-Muller; 1 - u keeps the logarithm finite.
  const u = 1 - i.random();
  const v = i.random();
  return mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
});
