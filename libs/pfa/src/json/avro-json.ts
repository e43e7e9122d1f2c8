import { PfaSemanticError } from '../errors';
import { describe, type AvroType } from '../types/avro-type';
import { makeRecord, newMap, recordTypeOf, type Value } from '../values';
import { JsonDouble } from './pfa-json';

/**
 * Avro's JSON encoding. Bytes and fixed are base64 strings by default (the PFA conformance files use
 * that) or ISO-8859-1 strings (the Avro specification's encoding) with `bytes: 'latin1'`.
 */
export type BytesEncoding = 'base64' | 'latin1';

export function bytesFromString(s: string, enc: BytesEncoding): Uint8Array {
  if (enc === 'base64') return new Uint8Array(Buffer.from(s, 'base64'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function bytesToString(b: Uint8Array, enc: BytesEncoding): string {
  return enc === 'base64' ? Buffer.from(b).toString('base64') : String.fromCharCode(...b);
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** Converts Avro-JSON data of `type` into a runtime value, checking it. */
export function fromAvroJson(
  type: AvroType,
  json: unknown,
  enc: BytesEncoding = 'base64',
  path = '$',
): Value {
  const bad = (): never => {
    throw new PfaSemanticError(`${path}: ${JSON.stringify(json)} is not a ${describe(type)}`);
  };
  if (json instanceof JsonDouble) json = json.value;
  switch (type.kind) {
    case 'null':
      return json === null ? null : bad();
    case 'boolean':
      return typeof json === 'boolean' ? json : bad();
    case 'int':
      return typeof json === 'number' && Number.isInteger(json) && json >= INT_MIN && json <= INT_MAX
        ? json
        : bad();
    case 'long':
      return typeof json === 'number' && Number.isInteger(json) ? json : bad();
    case 'float':
      return typeof json === 'number' ? Math.fround(json) : (nonFinite(json) ?? bad());
    case 'double':
      return typeof json === 'number' ? json : (nonFinite(json) ?? bad());
    case 'string':
      return typeof json === 'string' ? json : bad();
    case 'bytes':
      return typeof json === 'string' ? bytesFromString(json, enc) : bad();
    case 'fixed': {
      if (typeof json !== 'string') return bad();
      const b = bytesFromString(json, enc);
      return b.length === type.size ? b : bad();
    }
    case 'enum':
      return typeof json === 'string' && type.symbols.includes(json) ? json : bad();
    case 'array':
      return Array.isArray(json)
        ? json.map((x, i) => fromAvroJson(type.items, x, enc, `${path}[${i}]`))
        : bad();
    case 'map': {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad();
      const m = newMap();
      for (const [k, v] of Object.entries(json)) m[k] = fromAvroJson(type.values, v, enc, `${path}.${k}`);
      return m;
    }
    case 'record': {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad();
      const o = json as Record<string, unknown>;
      const fields: Record<string, Value> = {};
      for (const f of type.fields) {
        const has = Object.prototype.hasOwnProperty.call(o, f.name);
        if (!has && f.default === undefined)
          throw new PfaSemanticError(`${path}: record ${type.fullName} lacks field ${f.name}`);
        fields[f.name] = fromAvroJson(f.type, has ? o[f.name] : f.default, enc, `${path}.${f.name}`);
      }
      return makeRecord(type.fullName, fields);
    }
    case 'union': {
      if (json === null) {
        if (type.types.some((t) => t.kind === 'null')) return null;
        return bad();
      }
      if (typeof json === 'object' && !Array.isArray(json)) {
        const entries = Object.entries(json as object);
        if (entries.length === 1) {
          const [tag, inner] = entries[0]!;
          const branch = type.types.find(
            (t) => branchName(t) === tag || (isNamedKind(t) && (t as { name: string }).name === tag),
          );
          if (branch) return fromAvroJson(branch, inner, enc, `${path}.${tag}`);
        }
      }
      return bad();
    }
  }
}

function nonFinite(json: unknown): number | undefined {
  // Avro JSON has no literal for these; the reference runners write them as strings.
  if (json === 'NaN' || json === 'nan') return NaN;
  if (json === 'Infinity' || json === 'inf') return Infinity;
  if (json === '-Infinity' || json === '-inf') return -Infinity;
  return undefined;
}

function isNamedKind(t: AvroType): boolean {
  return t.kind === 'record' || t.kind === 'enum' || t.kind === 'fixed';
}

/** The tag of a union branch in Avro JSON. */
export function branchName(t: AvroType): string {
  return isNamedKind(t) ? (t as { fullName: string }).fullName : t.kind;
}

/** Does a runtime value belong to `type`? (Unions are untagged, so this decides branches.) */
export function valueMatches(type: AvroType, v: Value): boolean {
  switch (type.kind) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX;
    case 'long':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float':
    case 'double':
      return typeof v === 'number';
    case 'string':
      return typeof v === 'string';
    case 'bytes':
      return v instanceof Uint8Array;
    case 'fixed':
      return v instanceof Uint8Array && v.length === type.size;
    case 'enum':
      return typeof v === 'string' && type.symbols.includes(v);
    case 'array':
      return Array.isArray(v) && v.every((x) => valueMatches(type.items, x));
    case 'map':
      return (
        typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        !(v instanceof Uint8Array) &&
        recordTypeOf(v) === undefined &&
        Object.values(v).every((x) => valueMatches(type.values, x as Value))
      );
    case 'record':
      return recordTypeOf(v) === type.fullName;
    case 'union':
      return type.types.some((t) => valueMatches(t, v));
  }
}

/** Picks the union branch a value belongs to; non-integral numbers skip int/long branches. */
export function unionBranch(type: AvroType & { kind: 'union' }, v: Value): AvroType | undefined {
  return type.types.find((t) => valueMatches(t, v));
}

/** Converts a runtime value of `type` into Avro-JSON data. */
export function toAvroJson(type: AvroType, v: Value, enc: BytesEncoding = 'base64'): unknown {
  switch (type.kind) {
    case 'bytes':
    case 'fixed':
      return bytesToString(v as Uint8Array, enc);
    case 'float':
    case 'double': {
      const n = v as number;
      return Number.isFinite(n) ? n : Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
    }
    case 'array':
      return (v as Value[]).map((x) => toAvroJson(type.items, x, enc));
    case 'map': {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as object)) o[k] = toAvroJson(type.values, x as Value, enc);
      return o;
    }
    case 'record': {
      const o: Record<string, unknown> = {};
      const r = v as Record<string, Value>;
      for (const f of type.fields) o[f.name] = toAvroJson(f.type, r[f.name] ?? null, enc);
      return o;
    }
    case 'union': {
      if (v === null) return null;
      const b = unionBranch(type, v);
      if (!b) throw new PfaSemanticError(`value does not match ${describe(type)}`);
      return { [branchName(b)]: toAvroJson(b, v, enc) };
    }
    default:
      return v;
  }
}
