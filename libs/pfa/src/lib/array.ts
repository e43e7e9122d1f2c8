import { rtError } from '../errors';
import type { AvroType } from '../types/avro-type';
import type { Value } from '../values';
import { comparator, equals } from './compare';
import { LONG_MAX } from './limits';
import { def, fn } from './registry';

/** `a.*`: array functions. Arrays are immutable; every "modification" returns a new array. */
type Arr = Value[];
type F1 = (x: Value) => Value;
type F2 = (x: Value, y: Value) => Value;
const itemType = (t: AvroType | { kind: 'fcn' }): AvroType =>
  t.kind === 'array' ? t.items : (t as AvroType);
const nonEmpty = (a: Arr, code: number, name: string) => {
  if (a.length === 0) throw rtError(code, 'empty array', name);
};
const norm = (len: number, i: number) => (i < 0 ? len + i : i);
const clamp = (len: number, a: number, b: number): [number, number] => {
  const s = Math.max(0, Math.min(len, norm(len, a)));
  const e = Math.max(0, Math.min(len, norm(len, b)));
  return [s, Math.max(s, e)];
};

fn('a.len', '[A] -> int', (a: Arr) => a.length);
fn('a.subseq', '[A], int, int -> [A]', (a: Arr, s: number, e: number) => a.slice(...clamp(a.length, s, e)));
fn('a.subseqto', '[A], int, int, [A] -> [A]', (a: Arr, s: number, e: number, r: Arr) => {
  const [x, y] = clamp(a.length, s, e);
  return [...a.slice(0, x), ...r, ...a.slice(y)];
});
fn('a.head', '[A] -> A', (a: Arr) => (nonEmpty(a, 15020, 'a.head'), a[0]!));
fn('a.tail', '[A] -> [A]', (a: Arr) => (nonEmpty(a, 15030, 'a.tail'), a.slice(1)));
fn('a.last', '[A] -> A', (a: Arr) => (nonEmpty(a, 15040, 'a.last'), a[a.length - 1]!));
fn('a.init', '[A] -> [A]', (a: Arr) => (nonEmpty(a, 15050, 'a.init'), a.slice(0, -1)));

function indexOfSeq(h: Arr, n: Arr, from: number, dir: 1 | -1): number {
  const last = h.length - n.length;
  for (let i = dir === 1 ? from : Math.min(from, last); dir === 1 ? i <= last : i >= 0; i += dir) {
    let ok = true;
    for (let j = 0; j < n.length && ok; j++) ok = equals(h[i + j]!, n[j]!);
    if (ok) return i;
  }
  return -1;
}
const SEARCH = ['[A], [A] -> R', '[A], A -> R', '[A], fn(A)->boolean -> R'];
function search(name: string, ret: string, f: (h: Arr, test: (i: number) => number) => Value): void {
  def(
    name,
    SEARCH.map((s) => s.replace('R', ret)),
    (info) => {
      if (info.sig === 0)
        return (h: Arr, n: Arr) => f(h, (i) => (indexOfSeq(h, n, i, 1) === i ? n.length || 1 : 0));
      if (info.sig === 1)
        return (h: Arr, n: Value) => f(h, (i) => (i < h.length && equals(h[i]!, n) ? 1 : 0));
      return (h: Arr, p: F1) => f(h, (i) => (i < h.length && p(h[i]!) ? 1 : 0));
    },
  );
}
search('a.contains', 'boolean', (h, t) => {
  for (let i = 0; i <= h.length; i++) if (t(i)) return true;
  return false;
});
search('a.count', 'int', (h, t) => {
  let n = 0;
  for (let i = 0; i < h.length;) {
    const k = t(i);
    if (k) {
      n++;
      i += k;
    } else i++;
  }
  return n;
});
search('a.index', 'int', (h, t) => {
  for (let i = 0; i < h.length; i++) if (t(i)) return i;
  return -1;
});
search('a.rindex', 'int', (h, t) => {
  for (let i = h.length - 1; i >= 0; i--) if (t(i)) return i;
  return -1;
});
def('a.startswith', ['[A], [A] -> boolean', '[A], A -> boolean'], (i) =>
  i.sig === 0
    ? (h: Arr, n: Arr) => n.length <= h.length && indexOfSeq(h, n, 0, 1) === 0
    : (h: Arr, n: Value) => h.length > 0 && equals(h[0]!, n),
);
def('a.endswith', ['[A], [A] -> boolean', '[A], A -> boolean'], (i) =>
  i.sig === 0
    ? (h: Arr, n: Arr) => n.length <= h.length && n.every((x, j) => equals(h[h.length - n.length + j]!, x))
    : (h: Arr, n: Value) => h.length > 0 && equals(h[h.length - 1]!, n),
);
fn('a.concat', '[A], [A] -> [A]', (a: Arr, b: Arr) => a.concat(b));
fn('a.append', '[A], A -> [A]', (a: Arr, x: Value) => [...a, x]);
fn('a.cycle', '[A], A, int -> [A]', (a: Arr, x: Value, max: number) => {
  if (max < 0) throw rtError(15150, 'maxLength out of range', 'a.cycle');
  const r = [...a, x];
  return r.slice(Math.max(0, r.length - max));
});
fn('a.insert', '[A], int, A -> [A]', (a: Arr, i: number, x: Value) => {
  const k = norm(a.length, i);
  if (k < 0 || k > a.length) throw rtError(15160, 'index out of range', 'a.insert');
  return [...a.slice(0, k), x, ...a.slice(k)];
});
fn('a.replace', '[A], int, A -> [A]', (a: Arr, i: number, x: Value) => {
  const k = norm(a.length, i);
  if (k < 0 || k >= a.length) throw rtError(15170, 'index out of range', 'a.replace');
  const r = a.slice();
  r[k] = x;
  return r;
});
def('a.remove', ['[A], int, int -> [A]', '[A], int -> [A]'], (i) =>
  i.sig === 0
    ? (a: Arr, s: number, e: number) => {
        const [x, y] = clamp(a.length, s, e);
        return [...a.slice(0, x), ...a.slice(y)];
      }
    : (a: Arr, k0: number) => {
        const k = norm(a.length, k0);
        if (k < 0 || k >= a.length) throw rtError(15180, 'index out of range', 'a.remove');
        return [...a.slice(0, k), ...a.slice(k + 1)];
      },
);
fn('a.rotate', '[A], int -> [A]', (a: Arr, n: number) => {
  if (n < 0) throw rtError(15190, 'steps out of range', 'a.rotate');
  if (a.length === 0) return [];
  const k = n % a.length;
  return [...a.slice(k), ...a.slice(0, k)];
});
def('a.sort', '[A] -> [A]', (i) => {
  const c = comparator(itemType(i.args[0]!));
  return (a: Arr) => a.slice().sort(c);
});
fn('a.sortLT', '[A], fn(A,A)->boolean -> [A]', (a: Arr, lt: F2) =>
  a.slice().sort((x, y) => (lt(x, y) ? -1 : lt(y, x) ? 1 : 0)),
);
fn('a.reverse', '[A] -> [A]', (a: Arr) => a.slice().reverse());

/** Index of the best item: `better(x, y)` says x beats y; ties keep the first. */
function argBest(a: Arr, better: (x: Value, y: Value) => boolean): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (better(a[i]!, a[b]!)) b = i;
  return b;
}
function argBestN(a: Arr, n: number, better: (x: Value, y: Value) => boolean): number[] {
  const idx = a.map((_, i) => i);
  idx.sort((i, j) => (better(a[i]!, a[j]!) ? -1 : better(a[j]!, a[i]!) ? 1 : i - j));
  return idx.slice(0, n);
}
const extremes: [string, number, boolean][] = [
  ['max', 15240, true],
  ['min', 15250, false],
];
for (const [w, code, isMax] of extremes) {
  const lt = (i: { args: readonly (AvroType | { kind: 'fcn' })[] }) => {
    const c = comparator(itemType(i.args[0]!));
    return isMax ? (x: Value, y: Value) => c(x, y) > 0 : (x: Value, y: Value) => c(x, y) < 0;
  };
  def(`a.${w}`, '[A] -> A', (i) => {
    const b = lt(i);
    return (a: Arr) => (nonEmpty(a, code, `a.${w}`), a[argBest(a, b)]!);
  });
  def(`a.${w}LT`, '[A], fn(A,A)->boolean -> A', () => (a: Arr, f: F2) => {
    nonEmpty(a, code + 20, `a.${w}LT`);
    return a[argBest(a, isMax ? (x, y) => f(y, x) as boolean : (x, y) => f(x, y) as boolean)]!;
  });
  def(`a.${w}N`, '[A], int -> [A]', (i) => {
    const b = lt(i);
    return (a: Arr, n: number) => {
      nonEmpty(a, code + 40, `a.${w}N`);
      if (n < 0) throw rtError(code + 41, 'n < 0', `a.${w}N`);
      return argBestN(a, n, b).map((k) => a[k]!);
    };
  });
  def(`a.${w}NLT`, '[A], int, fn(A,A)->boolean -> [A]', () => (a: Arr, n: number, f: F2) => {
    nonEmpty(a, code + 60, `a.${w}NLT`);
    if (n < 0) throw rtError(code + 61, 'n < 0', `a.${w}NLT`);
    return argBestN(a, n, isMax ? (x, y) => f(y, x) as boolean : (x, y) => f(x, y) as boolean).map(
      (k) => a[k]!,
    );
  });
  def(`a.arg${w}`, '[A] -> int', (i) => {
    const b = lt(i);
    return (a: Arr) => (nonEmpty(a, code + 80, `a.arg${w}`), argBest(a, b));
  });
  def(`a.arg${w}LT`, '[A], fn(A,A)->boolean -> int', () => (a: Arr, f: F2) => {
    nonEmpty(a, code + 100, `a.arg${w}LT`);
    return argBest(a, isMax ? (x, y) => f(y, x) as boolean : (x, y) => f(x, y) as boolean);
  });
  def(`a.arg${w}N`, '[A], int -> [int]', (i) => {
    const b = lt(i);
    return (a: Arr, n: number) => {
      nonEmpty(a, code + 120, `a.arg${w}N`);
      if (n < 0) throw rtError(code + 121, 'n < 0', `a.arg${w}N`);
      return argBestN(a, n, b);
    };
  });
  def(`a.arg${w}NLT`, '[A], int, fn(A,A)->boolean -> [int]', () => (a: Arr, n: number, f: F2) => {
    nonEmpty(a, code + 140, `a.arg${w}NLT`);
    if (n < 0) throw rtError(code + 141, 'n < 0', `a.arg${w}NLT`);
    return argBestN(a, n, isMax ? (x, y) => f(y, x) as boolean : (x, y) => f(x, y) as boolean);
  });
}

def('a.sum', '[A<num>] -> A', (i) => {
  const k = i.ret.kind;
  return (a: number[]) => {
    let s = 0;
    for (const x of a) s += x;
    if (k === 'int' && (s > 2147483647 || s < -2147483648)) throw rtError(15400, 'int overflow', 'a.sum');
    if (k === 'long' && Math.abs(s) >= LONG_MAX) throw rtError(15401, 'long overflow', 'a.sum');
    return k === 'float' ? Math.fround(s) : s;
  };
});
def('a.product', '[A<num>] -> A', (i) => {
  const k = i.ret.kind;
  return (a: number[]) => {
    let s = 1;
    for (const x of a) s *= x;
    if (k === 'int' && (s > 2147483647 || s < -2147483648)) throw rtError(15410, 'int overflow', 'a.product');
    if (k === 'long' && Math.abs(s) >= LONG_MAX) throw rtError(15411, 'long overflow', 'a.product');
    return k === 'float' ? Math.fround(s) : s;
  };
});
fn('a.lnsum', '[double] -> double', (a: number[]) => a.reduce((s, x) => s + Math.log(x), 0));
fn('a.mean', '[double] -> double', (a: number[]) =>
  a.length === 0 ? NaN : a.reduce((s, x) => s + x, 0) / a.length,
);
fn('a.geomean', '[double] -> double', (a: number[]) =>
  a.length === 0 ? NaN : Math.exp(a.reduce((s, x) => s + Math.log(x), 0) / a.length),
);
def('a.median', '[A] -> A', (i) => {
  const c = comparator(itemType(i.args[0]!));
  const numeric = ['double', 'float'].includes(i.ret.kind);
  return (a: Arr) => {
    nonEmpty(a, 15450, 'a.median');
    const s = a.slice().sort(c);
    const m = s.length >> 1;
    if (s.length % 2 === 1 || !numeric) return s[s.length % 2 === 1 ? m : m - 1]!;
    return ((s[m - 1] as number) + (s[m] as number)) / 2;
  };
});
def('a.mode', '[A] -> A', () => (a: Arr) => {
  nonEmpty(a, 15470, 'a.mode');
  let best: Value = a[0]!;
  let bestN = 0;
  const seen: { v: Value; n: number }[] = [];
  for (const x of a) {
    let e = seen.find((s) => equals(s.v, x));
    if (!e) seen.push((e = { v: x, n: 0 }));
    e.n++;
    if (e.n > bestN) {
      bestN = e.n;
      best = e.v;
    }
  }
  return best;
});
fn('a.logsumexp', '[double] -> double', (a: number[]) => {
  if (a.length === 0) return -Infinity;
  const m = Math.max(...a);
  return m + Math.log(a.reduce((s, x) => s + Math.exp(x - m), 0));
});
const distinct = (a: Arr): Arr => {
  const out: Arr = [];
  for (const x of a) if (!out.some((y) => equals(x, y))) out.push(x);
  return out;
};
const has = (a: Arr, x: Value) => a.some((y) => equals(x, y));
fn('a.distinct', '[A] -> [A]', distinct);
fn(
  'a.seteq',
  '[A], [A] -> boolean',
  (a: Arr, b: Arr) => a.every((x) => has(b, x)) && b.every((x) => has(a, x)),
);
fn('a.union', '[A], [A] -> [A]', (a: Arr, b: Arr) => distinct([...a, ...b]));
fn('a.intersection', '[A], [A] -> [A]', (a: Arr, b: Arr) => distinct(a.filter((x) => has(b, x))));
fn('a.diff', '[A], [A] -> [A]', (a: Arr, b: Arr) => distinct(a.filter((x) => !has(b, x))));
fn('a.symdiff', '[A], [A] -> [A]', (a: Arr, b: Arr) =>
  distinct([...a.filter((x) => !has(b, x)), ...b.filter((x) => !has(a, x))]),
);
fn('a.subset', '[A], [A] -> boolean', (a: Arr, b: Arr) => a.every((x) => has(b, x)));
fn('a.disjoint', '[A], [A] -> boolean', (a: Arr, b: Arr) => !a.some((x) => has(b, x)));

fn('a.map', '[A], fn(A)->B -> [B]', (a: Arr, f: F1) => a.map((x) => f(x)));
fn('a.mapWithIndex', '[A], fn(int,A)->B -> [B]', (a: Arr, f: F2) => a.map((x, i) => f(i, x)));
fn('a.filter', '[A], fn(A)->boolean -> [A]', (a: Arr, f: F1) => a.filter((x) => f(x)));
fn('a.filterWithIndex', '[A], fn(int,A)->boolean -> [A]', (a: Arr, f: F2) => a.filter((x, i) => f(i, x)));
fn('a.filterMap', '[A], fn(A)->(B|null) -> [B]', (a: Arr, f: F1) =>
  a.map((x) => f(x)).filter((x) => x !== null),
);
fn('a.filterMapWithIndex', '[A], fn(int,A)->(B|null) -> [B]', (a: Arr, f: F2) =>
  a.map((x, i) => f(i, x)).filter((x) => x !== null),
);
fn('a.flatMap', '[A], fn(A)->[B] -> [B]', (a: Arr, f: F1) => a.flatMap((x) => f(x) as Arr));
fn('a.flatMapWithIndex', '[A], fn(int,A)->[B] -> [B]', (a: Arr, f: F2) =>
  a.flatMap((x, i) => f(i, x) as Arr),
);
def(
  'a.zipmap',
  [
    '[A], [B], fn(A,B)->Z -> [Z]',
    '[A], [B], [C], fn(A,B,C)->Z -> [Z]',
    '[A], [B], [C], [D], fn(A,B,C,D)->Z -> [Z]',
  ],
  () =>
    (...args: Value[]) => {
      const f = args[args.length - 1] as (...x: Value[]) => Value;
      const arrs = args.slice(0, -1) as Arr[];
      const n = arrs[0]!.length;
      if (arrs.some((x) => x.length !== n)) throw rtError(15650, 'misaligned arrays', 'a.zipmap');
      return Array.from({ length: n }, (_, i) => f(...arrs.map((x) => x[i]!)));
    },
);
def(
  'a.zipmapWithIndex',
  [
    '[A], [B], fn(int,A,B)->Z -> [Z]',
    '[A], [B], [C], fn(int,A,B,C)->Z -> [Z]',
    '[A], [B], [C], [D], fn(int,A,B,C,D)->Z -> [Z]',
  ],
  () =>
    (...args: Value[]) => {
      const f = args[args.length - 1] as (...x: Value[]) => Value;
      const arrs = args.slice(0, -1) as Arr[];
      const n = arrs[0]!.length;
      if (arrs.some((x) => x.length !== n)) throw rtError(15660, 'misaligned arrays', 'a.zipmapWithIndex');
      return Array.from({ length: n }, (_, i) => f(i, ...arrs.map((x) => x[i]!)));
    },
);
fn(
  'a.reduce',
  '[A], fn(A,A)->A -> A',
  (a: Arr, f: F2) => (nonEmpty(a, 15670, 'a.reduce'), a.reduce((x, y) => f(x, y))),
);
fn(
  'a.reduceRight',
  '[A], fn(A,A)->A -> A',
  (a: Arr, f: F2) => (nonEmpty(a, 15680, 'a.reduceRight'), a.reduceRight((x, y) => f(y, x))),
);
fn('a.fold', '[A], B, fn(B,A)->B -> B', (a: Arr, z: Value, f: F2) => a.reduce((acc, x) => f(acc, x), z));
fn('a.foldRight', '[A], B, fn(A,B)->B -> B', (a: Arr, z: Value, f: F2) =>
  a.reduceRight((acc, x) => f(x, acc), z),
);
fn('a.takeWhile', '[A], fn(A)->boolean -> [A]', (a: Arr, f: F1) => {
  const i = a.findIndex((x) => !f(x));
  return i < 0 ? a.slice() : a.slice(0, i);
});
fn('a.dropWhile', '[A], fn(A)->boolean -> [A]', (a: Arr, f: F1) => {
  const i = a.findIndex((x) => !f(x));
  return i < 0 ? [] : a.slice(i);
});
fn('a.any', '[A], fn(A)->boolean -> boolean', (a: Arr, f: F1) => a.some((x) => f(x)));
fn('a.all', '[A], fn(A)->boolean -> boolean', (a: Arr, f: F1) => a.every((x) => f(x)));
fn(
  'a.corresponds',
  '[A], [B], fn(A,B)->boolean -> boolean',
  (a: Arr, b: Arr, f: F2) => a.length === b.length && a.every((x, i) => f(x, b[i]!)),
);
fn(
  'a.correspondsWithIndex',
  '[A], [B], fn(int,A,B)->boolean -> boolean',
  (a: Arr, b: Arr, f: (i: number, x: Value, y: Value) => Value) =>
    a.length === b.length && a.every((x, i) => f(i, x, b[i]!)),
);
def(
  'a.slidingWindow',
  '[A], int, int, boolean -> [[A]]',
  () => (a: Arr, size: number, step: number, partial: boolean) => {
    if (size < 1) throw rtError(15770, 'size < 1', 'a.slidingWindow');
    if (step < 1) throw rtError(15771, 'step < 1', 'a.slidingWindow');
    const out: Arr[] = [];
    for (let i = 0; i < a.length; i += step) {
      const w = a.slice(i, i + size);
      if (w.length === size || (partial && w.length > 0)) out.push(w);
      if (i + size >= a.length) break;
    }
    return out;
  },
);
fn('a.flatten', '[[A]] -> [A]', (a: Arr[]) => a.flat());
