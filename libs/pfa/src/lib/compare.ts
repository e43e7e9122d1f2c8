import type { AvroType } from '../types/avro-type';
import { unionBranch } from '../json/avro-json';
import type { Value } from '../values';

/** Avro sort order as a comparator specialised for one type (built once per call site). */
export function comparator(t: AvroType): (a: Value, b: Value) => number {
  switch (t.kind) {
    case 'null':
      return () => 0;
    case 'boolean':
      return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      // NaN sorts above everything, as in Java's Double.compare (the reference engine's ordering).
      return (a, b) => {
        const x = a as number;
        const y = b as number;
        if (x < y) return -1;
        if (x > y) return 1;
        if (x === y) return 0;
        return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
      };
    case 'string':
      return (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
    case 'bytes':
    case 'fixed':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'enum': {
      const idx = new Map(t.symbols.map((s, i) => [s, i]));
      return (a, b) => idx.get(a as string)! - idx.get(b as string)!;
    }
    case 'array': {
      const item = comparator(t.items);
      return (a, b) => {
        const x = a as Value[];
        const y = b as Value[];
        const n = Math.min(x.length, y.length);
        for (let i = 0; i < n; i++) {
          const c = item(x[i]!, y[i]!);
          if (c !== 0) return c;
        }
        return x.length - y.length;
      };
    }
    case 'map':
      return (a, b) => (equals(a, b) ? 0 : JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
    case 'record': {
      let fields: { name: string; cmp: (a: Value, b: Value) => number }[] | undefined;
      return (a, b) => {
        // Built lazily: recursive records would otherwise recurse forever here.
        fields ??= t.fields.map((f) => ({ name: f.name, cmp: comparator(f.type) }));
        const x = a as Record<string, Value>;
        const y = b as Record<string, Value>;
        for (const f of fields) {
          const c = f.cmp(x[f.name]!, y[f.name]!);
          if (c !== 0) return c;
        }
        return 0;
      };
    }
    case 'union': {
      const cmps = t.types.map((b) => comparator(b));
      return (a, b) => {
        const ba = unionBranch(t, a);
        const bb = unionBranch(t, b);
        const ia = ba ? t.types.indexOf(ba) : -1;
        const ib = bb ? t.types.indexOf(bb) : -1;
        return ia !== ib ? ia - ib : cmps[ia]!(a, b);
      };
    }
  }
}

export function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Structural equality of runtime values. */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && compareBytes(a, b) === 0;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof Uint8Array || typeof a === 'function' || typeof b === 'function')
    return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!equals((a as Record<string, Value>)[k]!, (b as Record<string, Value>)[k]!)) return false;
  }
  return true;
}
