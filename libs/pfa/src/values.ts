/**
 * Runtime values are plain JavaScript data so compiled closures stay cheap: null, boolean, number (int,
 * long, float and double alike), string (also enum symbols), Uint8Array (bytes and fixed), arrays,
 * maps as null-prototype objects and records as objects tagged with their type name. Unions are
 * untagged: a union value is just the value of its branch.
 */
export type Value =
  null | boolean | number | string | Uint8Array | Value[] | PfaMap | PfaRecord | PfaFunction;

export interface PfaMap {
  [key: string]: Value;
}

/** Hidden tag so a record can be told apart from a map at runtime (cast, union encoding). */
export const RECORD_TYPE: unique symbol = Symbol('pfa.record');

export interface PfaRecord {
  [key: string]: Value;
  [RECORD_TYPE]?: string;
}

/** A function value passed to a higher-order library function. */
export type PfaFunction = (...args: Value[]) => Value;

export function makeRecord(typeName: string, fields: Record<string, Value>): PfaRecord {
  const r = fields as PfaRecord;
  r[RECORD_TYPE] = typeName;
  return r;
}

export function recordTypeOf(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
    ? (v as PfaRecord)[RECORD_TYPE]
    : undefined;
}

export function newMap(): PfaMap {
  return Object.create(null) as PfaMap;
}

export function isMapLike(v: unknown): v is PfaMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
