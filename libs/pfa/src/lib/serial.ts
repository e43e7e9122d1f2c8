import { bytesToString, unionBranch } from '../json/avro-json';
import { PfaRuntimeError } from '../errors';
import type { AvroType } from '../types/avro-type';
import type { PfaMap, Value } from '../values';
import { def } from './registry';

/**
 * Serialization: `cast.avro` (Avro binary encoding), `cast.json` (compact Avro-JSON text; doubles keep a
 * decimal point, bytes are ISO-8859-1 strings as the Avro specification says), and the set-like `map.*`
 * functions, whose sets are maps from the base64 of each item's Avro binary encoding to the item.
 */
class Writer {
  private buf = new Uint8Array(64);
  private n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  }
  byte(x: number): void {
    this.room(1);
    this.buf[this.n++] = x;
  }
  bytes(x: Uint8Array): void {
    this.room(x.length);
    this.buf.set(x, this.n);
    this.n += x.length;
  }
  /** Zig-zag varint of an integer (exact for |x| ≤ 2^53 via BigInt). */
  long(x: number): void {
    let z = BigInt(x);
    z = z >= 0n ? z << 1n : (-z << 1n) - 1n;
    do {
      let b = Number(z & 0x7fn);
      z >>= 7n;
      if (z > 0n) b |= 0x80;
      this.byte(b);
    } while (z > 0n);
  }
  float(x: number, size: 4 | 8): void {
    const b = new Uint8Array(size);
    const dv = new DataView(b.buffer);
    if (size === 4) dv.setFloat32(0, x, true);
    else dv.setFloat64(0, x, true);
    this.bytes(b);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}
const utf8 = new TextEncoder();

function write(w: Writer, t: AvroType, v: Value): void {
  switch (t.kind) {
    case 'null':
      return;
    case 'boolean':
      return w.byte(v ? 1 : 0);
    case 'int':
    case 'long':
      return w.long(v as number);
    case 'float':
      return w.float(v as number, 4);
    case 'double':
      return w.float(v as number, 8);
    case 'string':
    case 'bytes': {
      const b = t.kind === 'string' ? utf8.encode(v as string) : (v as Uint8Array);
      w.long(b.length);
      return w.bytes(b);
    }
    case 'fixed':
      return w.bytes(v as Uint8Array);
    case 'enum':
      return w.long(t.symbols.indexOf(v as string));
    case 'array': {
      const a = v as Value[];
      if (a.length) {
        w.long(a.length);
        for (const x of a) write(w, t.items, x);
      }
      return w.byte(0);
    }
    case 'map': {
      const ks = Object.keys(v as PfaMap);
      if (ks.length) {
        w.long(ks.length);
        for (const k of ks) {
          write(w, { kind: 'string' }, k);
          write(w, t.values, (v as PfaMap)[k]!);
        }
      }
      return w.byte(0);
    }
    case 'record':
      for (const f of t.fields) write(w, f.type, (v as PfaMap)[f.name] ?? null);
      return;
    case 'union': {
      const b = unionBranch(t, v);
      if (!b) throw new PfaRuntimeError(0, 'value does not match its union type');
      w.long(t.types.indexOf(b));
      return write(w, b, v);
    }
  }
}

export function avroBinary(t: AvroType, v: Value): Uint8Array {
  const w = new Writer();
  write(w, t, v);
  return w.done();
}

export function avroJsonText(t: AvroType, v: Value): string {
  switch (t.kind) {
    case 'float':
    case 'double': {
      const n = v as number;
      if (!Number.isFinite(n)) return Number.isNaN(n) ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
      const s = String(n);
      return /[.eE]/.test(s) ? s : `${s}.0`;
    }
    case 'bytes':
    case 'fixed':
      return JSON.stringify(bytesToString(v as Uint8Array, 'latin1'));
    case 'array':
      return `[${(v as Value[]).map((x) => avroJsonText(t.items, x)).join(',')}]`;
    case 'map':
      return `{${Object.keys(v as PfaMap)
        .map((k) => `${JSON.stringify(k)}:${avroJsonText(t.values, (v as PfaMap)[k]!)}`)
        .join(',')}}`;
    case 'record':
      return `{${t.fields.map((f) => `${JSON.stringify(f.name)}:${avroJsonText(f.type, (v as PfaMap)[f.name] ?? null)}`).join(',')}}`;
    case 'union': {
      if (v === null) return 'null';
      const b = unionBranch(t, v)!;
      const tag = b.kind === 'record' || b.kind === 'enum' || b.kind === 'fixed' ? b.fullName : b.kind;
      return `{${JSON.stringify(tag)}:${avroJsonText(b, v)}}`;
    }
    default:
      return JSON.stringify(v);
  }
}

def('cast.avro', 'A -> bytes', (i) => {
  const t = i.args[0] as AvroType;
  return (x: Value) => avroBinary(t, x);
});
def('cast.json', 'A -> string', (i) => {
  const t = i.args[0] as AvroType;
  return (x: Value) => avroJsonText(t, x);
});

// ---------------------------------------------------------------- sets as maps

type M = PfaMap;
const has = (m: M, k: string) => Object.prototype.hasOwnProperty.call(m, k);
const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
const setOf = (entries: Iterable<[string, Value]>): M => {
  const m = Object.create(null) as M;
  for (const [k, v] of entries) m[k] = v;
  return m;
};
const itemOf = (t: AvroType | { kind: 'fcn' }): AvroType =>
  (t as AvroType).kind === 'map' ? (t as { values: AvroType }).values : (t as AvroType);

def('map.toset', '[A] -> {A}', (i) => {
  const t = (i.args[0] as { items: AvroType }).items;
  return (a: Value[]) => setOf(a.map((x) => [b64(avroBinary(t, x)), x]));
});
def('map.fromset', '{A} -> [A]', () => (m: M) => Object.values(m));
def('map.in', '{A}, A -> boolean', (i) => {
  const t = itemOf(i.args[0]!);
  return (m: M, x: Value) => has(m, b64(avroBinary(t, x)));
});
def('map.union', '{A}, {A} -> {A}', () => (a: M, b: M) => Object.assign(Object.create(null) as M, a, b));
def(
  'map.intersection',
  '{A}, {A} -> {A}',
  () => (a: M, b: M) => setOf(Object.entries(a).filter(([k]) => has(b, k))),
);
def(
  'map.diff',
  '{A}, {A} -> {A}',
  () => (a: M, b: M) => setOf(Object.entries(a).filter(([k]) => !has(b, k))),
);
def(
  'map.symdiff',
  '{A}, {A} -> {A}',
  () => (a: M, b: M) =>
    setOf([
      ...Object.entries(a).filter(([k]) => !has(b, k)),
      ...Object.entries(b).filter(([k]) => !has(a, k)),
    ]),
);
def('map.subset', '{A}, {A} -> boolean', () => (a: M, b: M) => Object.keys(a).every((k) => has(b, k)));
def('map.disjoint', '{A}, {A} -> boolean', () => (a: M, b: M) => !Object.keys(a).some((k) => has(b, k)));
