import { PfaSemanticError } from '../errors';
import {
  T,
  accepts,
  describe,
  isNumeric,
  numericRank,
  primitive,
  sameType,
  unionOf,
  type AvroType,
  type FcnType,
  type PrimitiveKind,
} from '../types/avro-type';

/**
 * Library signatures, written in a compact notation so the whole library reads like libfcns.xml:
 *   `int`, `double`, ... primitives;  `A` a type variable (any type);  `A<int|long>` (or `A<num>`) a type
 *   variable restricted to some types;  `[P]` array;  `{P}` map;  `(P|Q)` union;  `fn(P,Q)->R` function;
 *   `record A`, `enum A`, `fixed A`, `union A` wildcards of a kind;  `any` an anonymous wildcard.
 * A signature is `P, Q -> R`.
 */
export type Pat =
  | { readonly p: 'type'; readonly t: AvroType }
  | { readonly p: 'label'; readonly name: string; readonly of?: readonly AvroType[]; readonly kind?: string }
  | { readonly p: 'array'; readonly items: Pat }
  | { readonly p: 'map'; readonly values: Pat }
  | { readonly p: 'union'; readonly types: readonly Pat[] }
  | { readonly p: 'fcn'; readonly params: readonly Pat[]; readonly ret: Pat };

export interface Sig {
  readonly params: readonly Pat[];
  readonly ret: Pat;
  readonly text: string;
}

const PRIM_NAMES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NUM = [T.int, T.long, T.float, T.double];
let anon = 0;

export function parseSig(text: string): Sig {
  const toks = text.match(/->|[A-Za-z_][A-Za-z0-9_]*|[[\]{}()<>|,]/g) ?? [];
  let i = 0;
  const peek = () => toks[i];
  const eat = (t: string) => {
    if (toks[i] !== t) throw new Error(`signature "${text}": expected ${t} at token ${i}`);
    i++;
  };
  const pat = (): Pat => {
    const t = toks[i++];
    if (t === undefined) throw new Error(`signature "${text}": unexpected end`);
    if (t === '[') {
      const items = pat();
      eat(']');
      return { p: 'array', items };
    }
    if (t === '{') {
      const values = pat();
      eat('}');
      return { p: 'map', values };
    }
    if (t === '(') {
      const types = [pat()];
      while (peek() === '|') {
        i++;
        types.push(pat());
      }
      eat(')');
      return { p: 'union', types };
    }
    if (t === 'fn') {
      eat('(');
      const params: Pat[] = [];
      while (peek() !== ')') {
        params.push(pat());
        if (peek() === ',') i++;
      }
      eat(')');
      eat('->');
      return { p: 'fcn', params, ret: pat() };
    }
    if (t === 'any') return { p: 'label', name: `_${anon++}` };
    if (t === 'record' || t === 'enum' || t === 'fixed' || t === 'union') {
      const name = toks[i++]!;
      return { p: 'label', name, kind: t };
    }
    if (PRIM_NAMES.has(t)) return { p: 'type', t: primitive(t as PrimitiveKind) };
    if (/^[A-Z]/.test(t)) {
      if (peek() === '<') {
        i++;
        const of: AvroType[] = [];
        for (;;) {
          const n = toks[i++]!;
          if (n === 'num') of.push(...NUM);
          else of.push(primitive(n as PrimitiveKind));
          if (peek() === '|') i++;
          else break;
        }
        eat('>');
        return { p: 'label', name: t, of };
      }
      return { p: 'label', name: t };
    }
    throw new Error(`signature "${text}": unexpected token ${t}`);
  };
  const params: Pat[] = [];
  while (peek() !== '->') {
    params.push(pat());
    if (peek() === ',') i++;
  }
  eat('->');
  const ret = pat();
  if (i !== toks.length) throw new Error(`signature "${text}": trailing tokens`);
  return { params, ret, text };
}

/** A function-valued argument: a known type, or a library function whose overload depends on the use. */
export interface FcnArg {
  readonly kind: 'fcnArg';
  /** Fixes the parameter types; returns the function's type, or a reason it does not fit. */
  resolve(params: readonly AvroType[]): FcnType | string;
}

export type ArgType = AvroType | FcnArg;
export type Labels = Map<string, AvroType>;

export interface SigMatch {
  readonly labels: Labels;
  readonly params: readonly (AvroType | FcnType)[];
  readonly ret: AvroType;
}

function unify(a: AvroType, b: AvroType): AvroType | undefined {
  if (sameType(a, b)) return a;
  if (isNumeric(a) && isNumeric(b)) return numericRank(a) >= numericRank(b) ? a : b;
  if (accepts(a, b)) return a;
  if (accepts(b, a)) return b;
  return undefined;
}

function bindLabel(p: Pat & { p: 'label' }, t: AvroType, L: Labels): boolean {
  if (p.of && !p.of.some((o) => sameType(o, t))) return false;
  if (p.kind && p.kind !== t.kind) return false;
  const cur = L.get(p.name);
  if (!cur) {
    L.set(p.name, t);
    return true;
  }
  const u = unify(cur, t);
  if (!u) return false;
  L.set(p.name, u);
  return true;
}

/** Phase one: bind type variables from an argument type. */
function bind(p: Pat, t: AvroType, L: Labels): boolean {
  switch (p.p) {
    case 'type':
      return true;
    case 'label':
      return bindLabel(p, t, L);
    case 'array':
      return t.kind === 'array' && bind(p.items, t.items, L);
    case 'map':
      return t.kind === 'map' && bind(p.values, t.values, L);
    case 'union': {
      const concrete = p.types.filter((x) => x.p === 'type').map((x) => (x as { t: AvroType }).t);
      const open = p.types.filter((x) => x.p !== 'type');
      const branches = t.kind === 'union' ? t.types : [t];
      const left = branches.filter((b) => !concrete.some((c) => accepts(c, b)));
      if (left.length === 0) return true;
      if (open.length !== 1) return false;
      return bind(open[0]!, unionOf(left), L);
    }
    case 'fcn':
      return false;
  }
}

export function resolvePat(p: Pat, L: Labels): AvroType {
  switch (p.p) {
    case 'type':
      return p.t;
    case 'label': {
      const t = L.get(p.name);
      if (!t) throw new PfaSemanticError(`cannot infer type variable ${p.name}`);
      return t;
    }
    case 'array':
      return T.array(resolvePat(p.items, L));
    case 'map':
      return T.map(resolvePat(p.values, L));
    case 'union':
      return unionOf(p.types.map((x) => resolvePat(x, L)));
    case 'fcn':
      throw new PfaSemanticError('a function type cannot be a value type');
  }
}

/** Matches argument types against a signature; undefined when it does not apply. */
export function matchSig(sig: Sig, args: readonly ArgType[]): SigMatch | undefined {
  if (sig.params.length !== args.length) return undefined;
  const L: Labels = new Map();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = sig.params[i]!;
    if (a.kind === 'fcnArg') {
      if (p.p !== 'fcn') return undefined;
      continue;
    }
    if (p.p === 'fcn') return undefined;
    if (!bind(p, a, L)) return undefined;
  }
  const params: (AvroType | FcnType)[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = sig.params[i]!;
    if (a.kind === 'fcnArg') continue;
    let want: AvroType;
    try {
      want = resolvePat(p, L);
    } catch {
      return undefined;
    }
    if (!accepts(want, a)) return undefined;
    params[i] = want;
  }
  // Function arguments last: their parameter types come from the other arguments.
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const p = sig.params[i]!;
    if (a.kind !== 'fcnArg' || p.p !== 'fcn') continue;
    let ps: AvroType[];
    try {
      ps = p.params.map((x) => resolvePat(x, L));
    } catch {
      return undefined;
    }
    const ft = a.resolve(ps);
    if (typeof ft === 'string') return undefined;
    if (!bind(p.ret, ft.ret, L)) return undefined;
    let r: AvroType;
    try {
      r = resolvePat(p.ret, L);
    } catch {
      return undefined;
    }
    if (!accepts(r, ft.ret)) return undefined;
    params[i] = { kind: 'fcn', params: ps, ret: r };
  }
  let ret: AvroType;
  try {
    ret = resolvePat(sig.ret, L);
  } catch {
    return undefined;
  }
  return { labels: L, params, ret };
}

export function describeArgs(args: readonly ArgType[]): string {
  return args.map((a) => (a.kind === 'fcnArg' ? 'function' : describe(a))).join(', ');
}
