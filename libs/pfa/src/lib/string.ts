import { rtError } from '../errors';
import { def, fn } from './registry';

/** `s.*` string functions and `parse.*`. Positions are characters; negative indices count from the end. */
function clampRange(len: number, start: number, end: number): [number, number] {
  let s = start < 0 ? len + start : start;
  let e = end < 0 ? len + end : end;
  s = Math.max(0, Math.min(len, s));
  e = Math.max(0, Math.min(len, e));
  return [s, Math.max(s, e)];
}

fn('s.len', 'string -> int', (s: string) => [...s].length);
fn('s.substr', 'string, int, int -> string', (s: string, a: number, b: number) => {
  const cs = [...s];
  const [x, y] = clampRange(cs.length, a, b);
  return cs.slice(x, y).join('');
});
fn('s.substrto', 'string, int, int, string -> string', (s: string, a: number, b: number, r: string) => {
  const cs = [...s];
  const [x, y] = clampRange(cs.length, a, b);
  return cs.slice(0, x).join('') + r + cs.slice(y).join('');
});
fn('s.contains', 'string, string -> boolean', (h: string, n: string) => h.includes(n));
fn('s.count', 'string, string -> int', (h: string, n: string) =>
  n.length === 0 ? 0 : h.split(n).length - 1,
);
fn('s.index', 'string, string -> int', (h: string, n: string) => {
  const i = h.indexOf(n);
  return i < 0 ? -1 : [...h.slice(0, i)].length;
});
fn('s.rindex', 'string, string -> int', (h: string, n: string) => {
  const i = h.lastIndexOf(n);
  return i < 0 ? -1 : [...h.slice(0, i)].length;
});
fn('s.startswith', 'string, string -> boolean', (h: string, n: string) => h.startsWith(n));
fn('s.endswith', 'string, string -> boolean', (h: string, n: string) => h.endsWith(n));
fn('s.join', '[string], string -> string', (a: string[], sep: string) => a.join(sep));
fn('s.split', 'string, string -> [string]', (s: string, sep: string) => s.split(sep));
fn('s.concat', 'string, string -> string', (a: string, b: string) => a + b);
fn('s.repeat', 'string, int -> string', (s: string, n: number) => s.repeat(Math.max(0, n)));
fn('s.lower', 'string -> string', (s: string) => s.toLowerCase());
fn('s.upper', 'string -> string', (s: string) => s.toUpperCase());
const stripper = (left: boolean, right: boolean) => (s: string, chars: string) => {
  const set = new Set(chars);
  const cs = [...s];
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && set.has(cs[a]!)) a++;
  if (right) while (b > a && set.has(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
};
fn('s.lstrip', 'string, string -> string', stripper(true, false));
fn('s.rstrip', 'string, string -> string', stripper(false, true));
fn('s.strip', 'string, string -> string', stripper(true, true));
fn('s.replaceall', 'string, string, string -> string', (s: string, o: string, r: string) =>
  o === '' ? s : s.split(o).join(r),
);
fn('s.replacefirst', 'string, string, string -> string', (s: string, o: string, r: string) => {
  const i = s.indexOf(o);
  return i < 0 || o === '' ? s : s.slice(0, i) + r + s.slice(i + o.length);
});
fn('s.replacelast', 'string, string, string -> string', (s: string, o: string, r: string) => {
  const i = s.lastIndexOf(o);
  return i < 0 || o === '' ? s : s.slice(0, i) + r + s.slice(i + o.length);
});
fn('s.translate', 'string, string, string -> string', (s: string, oldc: string, newc: string) => {
  const o = [...oldc];
  const n = [...newc];
  return [...s]
    .map((c) => {
      const i = o.indexOf(c);
      return i < 0 ? c : i < n.length ? n[i]! : '';
    })
    .join('');
});
function pad(s: string, width: number, zero: boolean): string {
  if (width >= 0)
    return zero
      ? s.startsWith('-')
        ? '-' + s.slice(1).padStart(width - 1, '0')
        : s.padStart(width, '0')
      : s.padStart(width, ' ');
  return s.padEnd(-width, ' ');
}
def(
  's.int',
  ['long -> string', 'long, int, boolean -> string'],
  () => (x: number, w?: number, z?: boolean) => {
    if (w === undefined) return String(x);
    if (w < 0 && z) throw rtError(39240, 'negative width cannot be used with zero-padding', 's.int');
    return pad(String(x), w, z ?? false);
  },
);
def(
  's.hex',
  ['long -> string', 'long, int, boolean -> string'],
  () => (x: number, w?: number, z?: boolean) => {
    if (w !== undefined && w < 0 && z)
      throw rtError(39110, 'negative width cannot be used with zero-padding', 's.hex');
    if (x < 0) throw rtError(39111, 'negative number', 's.hex');
    const h = x.toString(16);
    return w === undefined ? h : pad(h, w, z ?? false);
  },
);

const INT_RE = (base: number) =>
  new RegExp(`^[-+]?[${'0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base)}]+$`, 'i');
fn('parse.int', 'string, int -> int', (s: string, base: number) => {
  if (base < 2 || base > 36) throw rtError(33001, 'base out of range', 'parse.int');
  const t = s.trim();
  const v = parseInt(t, base);
  if (!INT_RE(base).test(t) || v > 2147483647 || v < -2147483648)
    throw rtError(33000, 'not an integer', 'parse.int');
  return v;
});
fn('parse.long', 'string, int -> long', (s: string, base: number) => {
  if (base < 2 || base > 36) throw rtError(33011, 'base out of range', 'parse.long');
  const t = s.trim();
  if (!INT_RE(base).test(t)) throw rtError(33010, 'not a long integer', 'parse.long');
  return parseInt(t, base);
});
const FLOAT_RE = /^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|nan|inf|infinity)$/i;
const parseFloatish = (t: string): number => {
  const l = t.toLowerCase().replace(/^\+/, '');
  if (l === 'nan' || l === '-nan') return NaN;
  if (l === 'inf' || l === 'infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return Number(t);
};
fn('parse.float', 'string -> float', (s: string) => {
  const t = s.trim();
  if (!FLOAT_RE.test(t)) throw rtError(33020, 'not a single-precision float', 'parse.float');
  return Math.fround(parseFloatish(t));
});
fn('parse.double', 'string -> double', (s: string) => {
  const t = s.trim();
  if (!FLOAT_RE.test(t)) throw rtError(33030, 'not a double-precision float', 'parse.double');
  return parseFloatish(t);
});
