import { PfaSemanticError } from '../errors';

/** The Avro type system as PFA uses it, plus function types for higher-order arguments. */
export type PrimitiveKind = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export type AvroType =
  { readonly kind: PrimitiveKind } | ArrayType | MapType | RecordType | EnumType | FixedType | UnionType;

export interface ArrayType {
  readonly kind: 'array';
  readonly items: AvroType;
}
export interface MapType {
  readonly kind: 'map';
  readonly values: AvroType;
}
export interface FieldDef {
  readonly name: string;
  type: AvroType;
  readonly default?: unknown;
}
export interface RecordType {
  readonly kind: 'record';
  readonly name: string;
  readonly fullName: string;
  fields: FieldDef[];
}
export interface EnumType {
  readonly kind: 'enum';
  readonly name: string;
  readonly fullName: string;
  readonly symbols: readonly string[];
}
export interface FixedType {
  readonly kind: 'fixed';
  readonly name: string;
  readonly fullName: string;
  readonly size: number;
}
export interface UnionType {
  readonly kind: 'union';
  readonly types: readonly AvroType[];
}
/** Not an Avro type: the type of a function argument (`fcn` reference or inline function). */
export interface FcnType {
  readonly kind: 'fcn';
  readonly params: readonly AvroType[];
  readonly ret: AvroType;
}
export type NamedType = RecordType | EnumType | FixedType;

const PRIMS = new Map<string, AvroType>(
  (['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const).map((k) => [
    k,
    { kind: k },
  ]),
);
export const T = {
  null: PRIMS.get('null')!,
  boolean: PRIMS.get('boolean')!,
  int: PRIMS.get('int')!,
  long: PRIMS.get('long')!,
  float: PRIMS.get('float')!,
  double: PRIMS.get('double')!,
  bytes: PRIMS.get('bytes')!,
  string: PRIMS.get('string')!,
  array: (items: AvroType): ArrayType => ({ kind: 'array', items }),
  map: (values: AvroType): MapType => ({ kind: 'map', values }),
  union: (types: AvroType[]): AvroType => unionOf(types),
};

export function primitive(kind: PrimitiveKind): AvroType {
  return PRIMS.get(kind)!;
}

/** Flattens nested unions and drops duplicates; a one-branch union is its branch. */
export function unionOf(types: readonly AvroType[]): AvroType {
  const out: AvroType[] = [];
  for (const t of types) {
    for (const b of t.kind === 'union' ? t.types : [t]) if (!out.some((o) => sameType(o, b))) out.push(b);
  }
  return out.length === 1 ? out[0]! : { kind: 'union', types: out };
}

const NUMERIC_RANK: Record<string, number> = { int: 0, long: 1, float: 2, double: 3 };
export function isNumeric(t: AvroType): boolean {
  return t.kind in NUMERIC_RANK;
}
export function numericRank(t: AvroType): number {
  return NUMERIC_RANK[t.kind] ?? -1;
}

export function isNamed(t: AvroType): t is NamedType {
  return t.kind === 'record' || t.kind === 'enum' || t.kind === 'fixed';
}

export function sameType(a: AvroType, b: AvroType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'array':
      return sameType(a.items, (b as ArrayType).items);
    case 'map':
      return sameType(a.values, (b as MapType).values);
    case 'record':
    case 'enum':
    case 'fixed':
      return a.fullName === (b as NamedType).fullName;
    case 'union': {
      const bt = (b as UnionType).types;
      return a.types.length === bt.length && a.types.every((x) => bt.some((y) => sameType(x, y)));
    }
    default:
      return true;
  }
}

/**
 * Can a value of type `from` be used where `to` is expected? Numeric promotion (int → long → float →
 * double) is allowed, named types match by full name, unions accept any of their branches.
 */
export function accepts(to: AvroType, from: AvroType): boolean {
  if (to === from) return true;
  if (from.kind === 'union') {
    if (to.kind === 'union') return from.types.every((f) => to.types.some((t) => accepts(t, f)));
    return from.types.every((f) => accepts(to, f));
  }
  if (to.kind === 'union') return to.types.some((t) => accepts(t, from));
  if (isNumeric(to) && isNumeric(from)) return numericRank(from) <= numericRank(to);
  if (to.kind !== from.kind) return false;
  switch (to.kind) {
    case 'array':
      return accepts(to.items, (from as ArrayType).items);
    case 'map':
      return accepts(to.values, (from as MapType).values);
    case 'record':
    case 'enum':
    case 'fixed':
      return to.fullName === (from as NamedType).fullName;
    default:
      return true;
  }
}

export function acceptsFcn(to: FcnType, from: FcnType): boolean {
  return (
    to.params.length === from.params.length &&
    to.params.every((p, i) => accepts(from.params[i]!, p)) &&
    accepts(to.ret, from.ret)
  );
}

/** The narrowest type both can be assigned to (numeric widening, else a union). */
export function lub(a: AvroType, b: AvroType): AvroType {
  if (accepts(a, b)) return a;
  if (accepts(b, a)) return b;
  if (isNumeric(a) && isNumeric(b)) return numericRank(a) > numericRank(b) ? a : b;
  return unionOf([a, b]);
}

export function describe(t: AvroType | FcnType): string {
  switch (t.kind) {
    case 'array':
      return `array of ${describe(t.items)}`;
    case 'map':
      return `map of ${describe(t.values)}`;
    case 'record':
    case 'enum':
    case 'fixed':
      return t.fullName;
    case 'union':
      return `union of {${t.types.map(describe).join(', ')}}`;
    case 'fcn':
      return `function of (${t.params.map(describe).join(', ')}) -> ${describe(t.ret)}`;
    default:
      return t.kind;
  }
}

/** Avro JSON schema of a type; named types are written in full once, then by name. */
export function typeToJson(t: AvroType, seen: Set<string> = new Set()): unknown {
  switch (t.kind) {
    case 'array':
      return { type: 'array', items: typeToJson(t.items, seen) };
    case 'map':
      return { type: 'map', values: typeToJson(t.values, seen) };
    case 'union':
      return t.types.map((x) => typeToJson(x, seen));
    case 'record':
      if (seen.has(t.fullName)) return t.fullName;
      seen.add(t.fullName);
      return {
        type: 'record',
        name: t.fullName,
        fields: t.fields.map((f) => ({ name: f.name, type: typeToJson(f.type, seen) })),
      };
    case 'enum':
      if (seen.has(t.fullName)) return t.fullName;
      seen.add(t.fullName);
      return { type: 'enum', name: t.fullName, symbols: [...t.symbols] };
    case 'fixed':
      if (seen.has(t.fullName)) return t.fullName;
      seen.add(t.fullName);
      return { type: 'fixed', name: t.fullName, size: t.size };
    default:
      return t.kind;
  }
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Named types of one PFA document. Names are registered before their fields are parsed, so recursive
 * records work; later references may use the full or (within the namespace) the short name.
 */
export class TypeRegistry {
  private readonly named = new Map<string, NamedType>();

  get(name: string): NamedType | undefined {
    return this.named.get(name);
  }

  all(): NamedType[] {
    return [...this.named.values()];
  }

  parse(json: unknown, namespace?: string): AvroType {
    if (typeof json === 'string') return this.byName(json, namespace);
    if (Array.isArray(json)) {
      const types = json.map((j) => this.parse(j, namespace));
      if (types.some((t) => t.kind === 'union'))
        throw new PfaSemanticError('a union may not directly contain a union');
      return types.length === 1 ? types[0]! : { kind: 'union', types };
    }
    if (typeof json !== 'object' || json === null)
      throw new PfaSemanticError(`not an Avro type: ${JSON.stringify(json)}`);
    const o = json as Record<string, unknown>;
    const kind = o['type'];
    switch (kind) {
      case 'array':
        return { kind: 'array', items: this.parse(o['items'], namespace) };
      case 'map':
        return { kind: 'map', values: this.parse(o['values'], namespace) };
      case 'record': {
        const { name, fullName, ns } = this.names(o, namespace);
        const rec: RecordType = { kind: 'record', name, fullName, fields: [] };
        this.register(rec);
        const fields = o['fields'];
        if (!Array.isArray(fields)) throw new PfaSemanticError(`record ${fullName} needs a "fields" array`);
        const seen = new Set<string>();
        for (const f of fields as Record<string, unknown>[]) {
          const fname = f['name'];
          if (typeof fname !== 'string' || !NAME_RE.test(fname))
            throw new PfaSemanticError(`record ${fullName}: bad field name ${JSON.stringify(fname)}`);
          if (seen.has(fname)) throw new PfaSemanticError(`record ${fullName}: duplicate field ${fname}`);
          seen.add(fname);
          rec.fields.push({ name: fname, type: this.parse(f['type'], ns), default: f['default'] });
        }
        return rec;
      }
      case 'enum': {
        const { name, fullName } = this.names(o, namespace);
        const symbols = o['symbols'];
        if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string' && NAME_RE.test(s)))
          throw new PfaSemanticError(`enum ${fullName} needs "symbols" (names)`);
        const e: EnumType = { kind: 'enum', name, fullName, symbols: symbols as string[] };
        this.register(e);
        return e;
      }
      case 'fixed': {
        const { name, fullName } = this.names(o, namespace);
        const size = o['size'];
        if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
          throw new PfaSemanticError(`fixed ${fullName} needs a non-negative integer "size"`);
        const f: FixedType = { kind: 'fixed', name, fullName, size };
        this.register(f);
        return f;
      }
      default:
        if (typeof kind === 'string' && PRIMS.has(kind)) return PRIMS.get(kind)!;
        if (typeof kind === 'object' && kind !== null) return this.parse(kind, namespace);
        if (typeof kind === 'string') return this.byName(kind, namespace);
        throw new PfaSemanticError(`not an Avro type: ${JSON.stringify(json)}`);
    }
  }

  private byName(name: string, namespace?: string): AvroType {
    const p = PRIMS.get(name);
    if (p) return p;
    const t = (namespace ? this.named.get(`${namespace}.${name}`) : undefined) ?? this.named.get(name);
    if (!t) throw new PfaSemanticError(`unknown type name "${name}"`);
    return t;
  }

  private names(
    o: Record<string, unknown>,
    namespace?: string,
  ): { name: string; fullName: string; ns?: string } {
    const raw = o['name'];
    if (typeof raw !== 'string' || raw.length === 0) throw new PfaSemanticError(`named type needs a "name"`);
    const explicitNs = typeof o['namespace'] === 'string' ? (o['namespace'] as string) : undefined;
    const dot = raw.lastIndexOf('.');
    const ns = dot >= 0 ? raw.slice(0, dot) : (explicitNs ?? namespace);
    const name = dot >= 0 ? raw.slice(dot + 1) : raw;
    if (!NAME_RE.test(name)) throw new PfaSemanticError(`bad type name "${raw}"`);
    return ns ? { name, fullName: `${ns}.${name}`, ns } : { name, fullName: name };
  }

  private register(t: NamedType): void {
    if (this.named.has(t.fullName)) throw new PfaSemanticError(`type "${t.fullName}" is defined twice`);
    this.named.set(t.fullName, t);
    // Short names resolve too (PFA documents rarely use namespaces, and references often omit them).
    if (t.fullName !== t.name && !this.named.has(t.name)) this.named.set(t.name, t);
  }
}
