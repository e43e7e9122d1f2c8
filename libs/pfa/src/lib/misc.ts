import { rtError } from '../errors';
import type { EnumType } from '../types/avro-type';
import type { Value } from '../values';
import { LONG_MAX_DOUBLE, LONG_MIN } from './limits';
import { def, fn } from './registry';

/** `bytes.*`, `fixed.*`, `enum.*`, `impute.*` and the numeric `cast.*` functions. */
type B = Uint8Array;
const clamp = (len: number, a: number, b: number): [number, number] => {
  const n = (i: number) => Math.max(0, Math.min(len, i < 0 ? len + i : i));
  const s = n(a);
  return [s, Math.max(s, n(b))];
};
fn('bytes.len', 'bytes -> int', (b: B) => b.length);
fn('bytes.subseq', 'bytes, int, int -> bytes', (b: B, s: number, e: number) =>
  b.slice(...clamp(b.length, s, e)),
);
fn('bytes.subseqto', 'bytes, int, int, bytes -> bytes', (b: B, s: number, e: number, r: B) => {
  const [x, y] = clamp(b.length, s, e);
  return new Uint8Array([...b.subarray(0, x), ...r, ...b.subarray(y)]);
});

const decoders: [string, number, (b: B) => string | undefined][] = [
  ['Ascii', 16090, (b) => (b.every((x) => x < 128) ? String.fromCharCode(...b) : undefined)],
  ['Latin1', 16100, (b) => String.fromCharCode(...b)],
  ['Utf8', 16110, (b) => strict('utf-8', b)],
  [
    'Utf16',
    16120,
    (b) =>
      b[0] === 0xff && b[1] === 0xfe
        ? strict('utf-16le', b.subarray(2))
        : strict('utf-16be', b[0] === 0xfe && b[1] === 0xff ? b.subarray(2) : b),
  ],
  ['Utf16be', 16130, (b) => strict('utf-16be', b)],
  ['Utf16le', 16140, (b) => strict('utf-16le', b)],
];
function strict(label: string, b: B): string | undefined {
  try {
    return new TextDecoder(label, { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}
for (const [name, code, dec] of decoders) {
  fn(`bytes.is${name}`, ['bytes -> boolean', 'string -> boolean'], (x: B | string) =>
    typeof x === 'string' ? encoders[name]!(x) !== undefined : dec(x) !== undefined,
  );
  fn(`bytes.decode${name}`, 'bytes -> string', (b: B) => {
    const s = dec(b);
    if (s === undefined) throw rtError(code, 'invalid bytes', `bytes.decode${name}`);
    return s;
  });
}
const utf16 = (s: string, le: boolean): B => {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i + (le ? 0 : 1)] = c & 0xff;
    out[2 * i + (le ? 1 : 0)] = c >> 8;
  }
  return out;
};
const encoders: Record<string, (s: string) => B | undefined> = {
  Ascii: (s) =>
    [...s].every((c) => c.charCodeAt(0) < 0x80)
      ? new Uint8Array([...s].map((c) => c.charCodeAt(0)))
      : undefined,
  Latin1: (s) =>
    [...s].every((c) => c.charCodeAt(0) < 0x100)
      ? new Uint8Array([...s].map((c) => c.charCodeAt(0)))
      : undefined,
  Utf8: (s) => new TextEncoder().encode(s),
  // Java's "UTF-16" encoder writes a big-endian byte-order mark.
  Utf16: (s) => new Uint8Array([0xfe, 0xff, ...utf16(s, false)]),
  Utf16be: (s) => utf16(s, false),
  Utf16le: (s) => utf16(s, true),
};
[16150, 16160, 16170, 16180, 16190, 16200].forEach((code, i) => {
  const name = decoders[i]![0];
  fn(`bytes.encode${name}`, 'string -> bytes', (s: string) => {
    const b = encoders[name]!(s);
    if (!b) throw rtError(code, 'invalid string', `bytes.encode${name}`);
    return b;
  });
});
fn('bytes.toBase64', 'bytes -> string', (b: B) => Buffer.from(b).toString('base64'));
fn('bytes.fromBase64', 'string -> bytes', (s: string) => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
    throw rtError(16220, 'invalid base64', 'bytes.fromBase64');
  return new Uint8Array(Buffer.from(s, 'base64'));
});
fn('fixed.toBytes', 'fixed A -> bytes', (b: B) => b.slice());
def('fixed.fromBytes', 'fixed A, bytes -> A', () => (f: B, b: B) => {
  const r = f.slice();
  r.set(b.subarray(0, r.length));
  return r;
});

def('enum.toString', 'enum A -> string', () => (x: string) => x);
def('enum.toInt', 'enum A -> int', (i) => {
  const t = i.args[0] as EnumType;
  return (x: string) => t.symbols.indexOf(x);
});
def('enum.numSymbols', 'enum A -> int', (i) => {
  const n = (i.args[0] as EnumType).symbols.length;
  return () => n;
});

fn('impute.errorOnNull', '(A|null) -> A', (x: Value) => {
  if (x === null) throw rtError(21000, 'encountered null', 'impute.errorOnNull');
  return x;
});
fn('impute.defaultOnNull', '(A|null), A -> A', (x: Value, d: Value) => (x === null ? d : x));
fn('impute.isnan', ['float -> boolean', 'double -> boolean'], (x: number) => Number.isNaN(x));
fn(
  'impute.isinf',
  ['float -> boolean', 'double -> boolean'],
  (x: number) => x === Infinity || x === -Infinity,
);
fn('impute.isnum', ['float -> boolean', 'double -> boolean'], (x: number) => Number.isFinite(x));
fn('impute.errorOnNonNum', ['float -> float', 'double -> double'], (x: number) => {
  if (Number.isNaN(x)) throw rtError(21050, 'encountered nan', 'impute.errorOnNonNum');
  if (x === Infinity) throw rtError(21051, 'encountered +inf', 'impute.errorOnNonNum');
  if (x === -Infinity) throw rtError(21052, 'encountered -inf', 'impute.errorOnNonNum');
  return x;
});
fn('impute.defaultOnNonNum', ['float, float -> float', 'double, double -> double'], (x: number, d: number) =>
  Number.isFinite(x) ? x : d,
);

const NUMS = ['int', 'long', 'float', 'double'];
// The spec lists no code for these overflows; 17020/17030 follow the cast.* numbering (unverified).
const toInt = (code: number, lo: number, hi: number, name: string) => (x: number) => {
  const r = Math.trunc(x);
  if (!Number.isFinite(r) || r < lo || r > hi) throw rtError(code, 'overflow', name);
  return r;
};
fn(
  'cast.int',
  NUMS.map((n) => `${n} -> int`),
  toInt(17020, -2147483648, 2147483647, 'cast.int'),
);
fn(
  'cast.long',
  NUMS.map((n) => `${n} -> long`),
  toInt(17030, LONG_MIN, LONG_MAX_DOUBLE, 'cast.long'),
);
fn(
  'cast.float',
  NUMS.map((n) => `${n} -> float`),
  (x: number) => Math.fround(x),
);
fn(
  'cast.double',
  NUMS.map((n) => `${n} -> double`),
  (x: number) => x,
);
fn('cast.signed', 'long, int -> long', (x: number, bits: number) => {
  if (bits < 2 || bits > 64) throw rtError(17000, 'unrepresentable unsigned number', 'cast.signed');
  return Number(BigInt.asIntN(bits, BigInt(x)));
});
fn('cast.unsigned', 'long, int -> long', (x: number, bits: number) => {
  if (bits < 1 || bits > 63) throw rtError(17010, 'unrepresentable unsigned number', 'cast.unsigned');
  return Number(BigInt.asUintN(bits, BigInt(x)));
});
