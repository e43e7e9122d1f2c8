import { PfaRuntimeError, PfaSemanticError } from '../errors';
import { T, accepts, describe, lub, type AvroType } from '../types/avro-type';
import type { Value } from '../values';
import { withScope, type CompileContext } from './context';
import type { Code, Expr, Frame } from './scope';

/**
 * The `pack` and `unpack` special forms: bytes laid out by a list of formats (big endian unless
 * "little"). Format names follow the reference engine: pad, boolean, byte/int8, short/int16, int/int32,
 * long/int64, each optionally "unsigned" and/or "little"; float/float32, double/float64 (optionally
 * "little"); raw (all remaining bytes), raw N (exactly N bytes), tonull/nullterminated (bytes ended by a
 * zero byte), prefixed/lengthprefixed (bytes after a one-byte unsigned length).
 */
type Fmt =
  | { readonly k: 'pad' | 'boolean' | 'raw' | 'tonull' | 'prefixed' }
  | { readonly k: 'rawN'; readonly n: number }
  | { readonly k: 'int'; readonly size: 1 | 2 | 4 | 8; readonly unsigned: boolean; readonly little: boolean }
  | { readonly k: 'float'; readonly size: 4 | 8; readonly little: boolean };

const INT_NAMES: Record<string, 1 | 2 | 4 | 8> = {
  byte: 1,
  int8: 1,
  short: 2,
  int16: 2,
  int: 4,
  int32: 4,
  long: 8,
  int64: 8,
};
const UINT_NAMES: Record<string, 1 | 2 | 4 | 8> = { uint8: 1, uint16: 2, uint32: 4, uint64: 8 };
const FLOAT_NAMES: Record<string, 4 | 8> = { float: 4, float32: 4, double: 8, float64: 8 };

export function parseFormat(s: string): Fmt {
  const words = s.trim().toLowerCase().split(/\s+/);
  const joined = words.join(' ');
  if (joined === 'pad') return { k: 'pad' };
  if (joined === 'boolean') return { k: 'boolean' };
  if (joined === 'raw') return { k: 'raw' };
  if (joined === 'tonull' || joined === 'nullterminated' || joined === 'null terminated')
    return { k: 'tonull' };
  if (joined === 'prefixed' || joined === 'lengthprefixed' || joined === 'length prefixed')
    return { k: 'prefixed' };
  const raw = /^raw\s*(\d+)$/.exec(joined);
  if (raw) return { k: 'rawN', n: Number(raw[1]) };
  let little = false;
  let big = false;
  let unsigned = false;
  const rest: string[] = [];
  for (const w of words) {
    if (w === 'little') little = true;
    else if (w === 'big') big = true;
    else if (w === 'unsigned') unsigned = true;
    else rest.push(w);
  }
  if (rest.length === 1 && !(little && big)) {
    const w = rest[0]!;
    if (w in INT_NAMES) return { k: 'int', size: INT_NAMES[w]!, unsigned, little };
    if (w in UINT_NAMES) return { k: 'int', size: UINT_NAMES[w]!, unsigned: true, little };
    if (w in FLOAT_NAMES && !unsigned) return { k: 'float', size: FLOAT_NAMES[w]!, little };
  }
  throw new PfaSemanticError(`unknown pack/unpack format "${s}"`);
}

/** The type an `unpack` variable of this format gets. */
function unpackedType(f: Fmt): AvroType {
  switch (f.k) {
    case 'pad':
      return T.null;
    case 'boolean':
      return T.boolean;
    case 'int':
      if (f.size === 8) return f.unsigned ? T.double : T.long;
      if (f.size === 4 && f.unsigned) return T.long;
      return T.int;
    case 'float':
      return f.size === 4 ? T.float : T.double;
    default:
      return T.bytes;
  }
}

/** What a `pack` item of this format accepts. */
function packedType(f: Fmt): AvroType {
  switch (f.k) {
    case 'pad':
      return T.null;
    case 'boolean':
      return T.boolean;
    case 'int':
      return f.size === 8 || (f.size === 4 && f.unsigned) ? T.long : T.int;
    case 'float':
      return f.size === 4 ? T.float : T.double;
    default:
      return T.bytes;
  }
}

function oneEntry(x: unknown, what: string): [string, unknown] {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || Object.keys(x).length !== 1)
    throw new PfaSemanticError(`${what} items are one-entry objects`);
  return Object.entries(x)[0]!;
}

function bytesOf(v: Value): Uint8Array {
  return v as Uint8Array;
}

export function compilePack(
  j: Record<string, unknown>,
  ctx: CompileContext,
  compileExpr: (j: unknown, ctx: CompileContext) => Expr,
): Expr {
  const spec = j['pack'];
  if (!Array.isArray(spec)) throw new PfaSemanticError('"pack" takes an array of {format: expression}');
  const items = spec.map((x) => {
    const [fs, ex] = oneEntry(x, '"pack"');
    const f = parseFormat(fs);
    const e = compileExpr(ex, ctx);
    const want = packedType(f);
    const ok =
      f.k === 'rawN' || f.k === 'raw' ? e.t.kind === 'bytes' || e.t.kind === 'fixed' : accepts(want, e.t);
    if (!ok) throw new PfaSemanticError(`pack format "${fs}" takes ${describe(want)}, not ${describe(e.t)}`);
    return { f, code: e.f };
  });
  return {
    t: T.bytes,
    f: (fr: Frame) => {
      const parts: Uint8Array[] = [];
      let total = 0;
      for (const { f, code } of items) {
        const p = packOne(f, code(fr));
        parts.push(p);
        total += p.length;
      }
      const out = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    },
  };
}

function packOne(f: Fmt, v: Value): Uint8Array {
  switch (f.k) {
    case 'pad':
      return new Uint8Array(1);
    case 'boolean':
      return Uint8Array.of(v ? 1 : 0);
    case 'raw':
      return bytesOf(v);
    case 'rawN': {
      const b = bytesOf(v);
      if (b.length !== f.n) throw packError(`pack "raw ${f.n}" got ${b.length} bytes`);
      return b;
    }
    case 'tonull': {
      const b = bytesOf(v);
      const out = new Uint8Array(b.length + 1);
      out.set(b);
      return out;
    }
    case 'prefixed': {
      const b = bytesOf(v);
      if (b.length > 255) throw packError(`pack "prefixed" holds at most 255 bytes, got ${b.length}`);
      const out = new Uint8Array(b.length + 1);
      out[0] = b.length;
      out.set(b, 1);
      return out;
    }
    case 'int': {
      const out = new Uint8Array(f.size);
      const dv = new DataView(out.buffer);
      const x = Math.trunc(v as number);
      // Out-of-range values wrap (two's complement), as the JVM's narrowing conversions do.
      if (f.size === 1) dv.setUint8(0, x & 0xff);
      else if (f.size === 2) dv.setUint16(0, x & 0xffff, f.little);
      else if (f.size === 4) dv.setUint32(0, x >>> 0, f.little);
      else dv.setBigUint64(0, BigInt.asUintN(64, BigInt(x)), f.little);
      return out;
    }
    case 'float': {
      const out = new Uint8Array(f.size);
      const dv = new DataView(out.buffer);
      if (f.size === 4) dv.setFloat32(0, v as number, f.little);
      else dv.setFloat64(0, v as number, f.little);
      return out;
    }
  }
}

/** pack's runtime failures (wrong raw size, over-long prefixed); the spec gives them no code, 3000 is ours. */
const packError = (msg: string) => new PfaRuntimeError(3000, msg, 'pack');

/** Reads one item at `at`; returns the value and the next offset, or undefined when the bytes do not fit. */
function unpackOne(
  f: Fmt,
  b: Uint8Array,
  dv: DataView,
  at: number,
  last: boolean,
): [Value, number] | undefined {
  const left = b.length - at;
  switch (f.k) {
    case 'pad':
      return left >= 1 ? [null, at + 1] : undefined;
    case 'boolean':
      return left >= 1 ? [b[at] !== 0, at + 1] : undefined;
    case 'raw':
      return last ? [b.slice(at), b.length] : undefined;
    case 'rawN':
      return left >= f.n ? [b.slice(at, at + f.n), at + f.n] : undefined;
    case 'tonull': {
      const z = b.indexOf(0, at);
      return z < 0 ? undefined : [b.slice(at, z), z + 1];
    }
    case 'prefixed': {
      if (left < 1) return undefined;
      const n = b[at]!;
      return left >= 1 + n ? [b.slice(at + 1, at + 1 + n), at + 1 + n] : undefined;
    }
    case 'int': {
      if (left < f.size) return undefined;
      let x: number;
      if (f.size === 1) x = f.unsigned ? dv.getUint8(at) : dv.getInt8(at);
      else if (f.size === 2) x = f.unsigned ? dv.getUint16(at, f.little) : dv.getInt16(at, f.little);
      else if (f.size === 4) x = f.unsigned ? dv.getUint32(at, f.little) : dv.getInt32(at, f.little);
      else x = Number(f.unsigned ? dv.getBigUint64(at, f.little) : dv.getBigInt64(at, f.little));
      return [x, at + f.size];
    }
    case 'float':
      if (left < f.size) return undefined;
      return [f.size === 4 ? dv.getFloat32(at, f.little) : dv.getFloat64(at, f.little), at + f.size];
  }
}

export function compileUnpack(
  j: Record<string, unknown>,
  ctx: CompileContext,
  compileExpr: (j: unknown, ctx: CompileContext) => Expr,
  compileBody: (j: unknown, ctx: CompileContext, newScope?: boolean) => Expr,
): Expr {
  const src = compileExpr(j['unpack'], ctx);
  if (src.t.kind !== 'bytes' && src.t.kind !== 'fixed')
    throw new PfaSemanticError(`"unpack" takes bytes, not ${describe(src.t)}`);
  const spec = j['format'];
  if (!Array.isArray(spec) || spec.length === 0)
    throw new PfaSemanticError('"unpack" needs "format": [{name: format}, ...]');
  if (!('then' in j)) throw new PfaSemanticError('"unpack" needs "then"');
  const inner = withScope(ctx, ctx.scope.child());
  const vars = spec.map((x, i) => {
    const [name, fs] = oneEntry(x, '"unpack" format');
    if (typeof fs !== 'string') throw new PfaSemanticError(`"unpack" format of ${name} must be a string`);
    const f = parseFormat(fs);
    if (f.k === 'raw' && i !== spec.length - 1)
      throw new PfaSemanticError('"raw" without a size may only be the last unpack format');
    return { f, slot: inner.scope.declare(name, unpackedType(f)).slot };
  });
  const th = compileBody(j['then'], inner, false);
  const el = 'else' in j ? compileBody(j['else'], ctx) : undefined;
  let t: AvroType = T.null;
  if (el) t = th.never ? el.t : el.never ? th.t : lub(th.t, el.t);
  const sf = src.f;
  const tf = th.f;
  const ef: Code | undefined = el?.f;
  const n = vars.length;
  return {
    t,
    f: (fr) => {
      const b = sf(fr) as Uint8Array;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const v = vars[i]!;
        const r = unpackOne(v.f, b, dv, at, i === n - 1);
        if (!r) return ef ? ef(fr) : null;
        fr[v.slot] = r[0];
        at = r[1];
      }
      // Leftover bytes mean the format did not describe the data.
      if (at !== b.length) return ef ? ef(fr) : null;
      const r = tf(fr);
      return ef ? r : null;
    },
  };
}
