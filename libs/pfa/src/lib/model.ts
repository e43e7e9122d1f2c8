import { PfaSemanticError, rtError } from '../errors';
import {
  T,
  accepts,
  isNumeric,
  unionOf,
  type AvroType,
  type EnumType,
  type FcnType,
  type RecordType,
} from '../types/avro-type';
import { recordTypeOf, type PfaMap, type Value } from '../values';
import { comparator, equals } from './compare';
import { def } from './registry';

/** Model families: `model.reg.linear`, `model.tree.*` (simple trees) and `model.cluster.closest`. */
type Arg = AvroType | FcnType;
const field = (t: Arg | undefined, name: string): AvroType | undefined =>
  t?.kind === 'record' ? t.fields.find((f) => f.name === name)?.type : undefined;
const isArr = (t: AvroType | undefined, depth: number): boolean =>
  depth === 0 ? t !== undefined && accepts(T.double, t) : t?.kind === 'array' && isArr(t.items, depth - 1);
const isMap = (t: AvroType | undefined, depth: number): boolean =>
  depth === 0 ? t !== undefined && accepts(T.double, t) : t?.kind === 'map' && isMap(t.values, depth - 1);

// ---------------------------------------------------------------- regression

def(
  'model.reg.linear',
  [
    '[double], record M -> double',
    '[double], record M -> [double]',
    '{double}, record M -> double',
    '{double}, record M -> {double}',
  ],
  (i) => {
    const multi = i.sig === 1 || i.sig === 3;
    if (i.sig < 2) {
      const dot = (d: number[], c: number[]) => {
        if (c.length !== d.length) throw rtError(31000, 'misaligned coeff', 'model.reg.linear');
        let s = 0;
        for (let k = 0; k < d.length; k++) s += d[k]! * c[k]!;
        return s;
      };
      if (!multi) return (d: number[], m: PfaMap) => dot(d, m['coeff'] as number[]) + (m['const'] as number);
      return (d: number[], m: PfaMap) => {
        const coeff = m['coeff'] as number[][];
        const c0 = m['const'] as number[];
        if (c0.length !== coeff.length) throw rtError(31001, 'misaligned const', 'model.reg.linear');
        return coeff.map((row, k) => dot(d, row) + c0[k]!);
      };
    }
    // Map signature: sparse, missing entries are zero.
    const dot = (d: Record<string, number>, c: Record<string, number>) => {
      let s = 0;
      for (const k of Object.keys(c)) s += (d[k] ?? 0) * c[k]!;
      return s;
    };
    if (!multi)
      return (d: Record<string, number>, m: PfaMap) =>
        dot(d, m['coeff'] as Record<string, number>) + (m['const'] as number);
    return (d: Record<string, number>, m: PfaMap) => {
      const coeff = m['coeff'] as Record<string, Record<string, number>>;
      const c0 = m['const'] as Record<string, number>;
      const out = Object.create(null) as Record<string, number>;
      for (const k of new Set([...Object.keys(coeff), ...Object.keys(c0)]))
        out[k] = dot(d, coeff[k] ?? {}) + (c0[k] ?? 0);
      return out;
    };
  },
  (args, sig, ret) => {
    const coeff = field(args[1], 'coeff');
    const c0 = field(args[1], 'const');
    const ok = [
      isArr(coeff, 1) && isArr(c0, 0),
      isArr(coeff, 2) && isArr(c0, 1),
      isMap(coeff, 1) && isMap(c0, 0),
      isMap(coeff, 2) && isMap(c0, 1),
    ][sig];
    return ok ? ret : 'the model record needs "coeff" and "const" of matching shapes';
  },
);

// ---------------------------------------------------------------- trees

const OPS = new Set([
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'notIn',
  'alwaysTrue',
  'alwaysFalse',
  'isMissing',
  'notMissing',
]);

/** Builds a `(datum, node) => boolean` test for node records {field: enum, operator: string, value: V}. */
function simpleTest(
  datum: RecordType,
  node: RecordType,
  code: number,
  name: string,
): (d: PfaMap, n: PfaMap) => boolean | null {
  const valueType = field(node, 'value')!;
  const cmps = new Map<string, (a: Value, b: Value) => number>();
  for (const f of datum.fields) {
    const ft = f.type.kind === 'union' ? unionOf(f.type.types.filter((t) => t.kind !== 'null')) : f.type;
    if (isNumeric(ft) && isNumeric(valueType)) cmps.set(f.name, (a, b) => (a as number) - (b as number));
    else if (accepts(valueType, ft) || accepts(ft, valueType)) cmps.set(f.name, comparator(ft));
  }
  return (d, n) => {
    const fname = n['field'] as string;
    const op = n['operator'] as string;
    const x = d[fname]!;
    const v = n['value']!;
    switch (op) {
      case 'alwaysTrue':
        return true;
      case 'alwaysFalse':
        return false;
      case 'isMissing':
        return x === null;
      case 'notMissing':
        return x !== null;
      case 'in':
        return Array.isArray(v) && v.some((y) => equals(x, y) || (typeof x === 'number' && x === y));
      case 'notIn':
        return !(Array.isArray(v) && v.some((y) => equals(x, y) || (typeof x === 'number' && x === y)));
    }
    if (!OPS.has(op)) throw rtError(code, 'invalid comparison operator', name);
    if (x === null) return null;
    const cmp = cmps.get(fname);
    if (!cmp) throw rtError(code + 1, 'bad value type', name);
    const c = cmp(x, v);
    switch (op) {
      case '==':
        return c === 0;
      case '!=':
        return c !== 0;
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      default:
        return c >= 0;
    }
  };
}

function treeNodeCheck(args: readonly Arg[], withValue: boolean): string | undefined {
  const d = args[0];
  const n = args[1];
  if (d?.kind !== 'record' || n?.kind !== 'record') return 'datum and tree node must be records';
  const f = field(n, 'field');
  if (f?.kind !== 'enum' || !(f as EnumType).symbols.every((s) => d.fields.some((x) => x.name === s)))
    return 'the node\'s "field" must be an enum of the datum\'s field names';
  if (!accepts(T.string, field(n, 'operator') ?? T.null)) return 'the node needs a string "operator"';
  if (withValue && !field(n, 'value')) return 'the node needs a "value"';
  return undefined;
}

/** Score type S of a tree node T whose pass/fail are union(T, S). */
function scoreType(node: RecordType): AvroType | string {
  const pass = field(node, 'pass');
  const fail = field(node, 'fail');
  if (!pass || !fail) return 'the tree node needs "pass" and "fail"';
  const leaves = [pass, fail]
    .flatMap((t) => (t.kind === 'union' ? [...t.types] : [t]))
    .filter((t) => !(t.kind === 'record' && t.fullName === node.fullName));
  if (leaves.length === 0) return 'the tree has no leaf type';
  return unionOf(leaves);
}

def(
  'model.tree.simpleTest',
  'record D, record T -> boolean',
  (i) => {
    const t = simpleTest(i.args[0] as RecordType, i.args[1] as RecordType, 32000, 'model.tree.simpleTest');
    return (d: PfaMap, n: PfaMap) => t(d, n) === true;
  },
  (args, _s, ret) => treeNodeCheck(args, true) ?? ret,
);
def(
  'model.tree.missingTest',
  'record D, record T -> (boolean|null)',
  (i) => simpleTest(i.args[0] as RecordType, i.args[1] as RecordType, 32010, 'model.tree.missingTest'),
  (args, _s, ret) => treeNodeCheck(args, true) ?? ret,
);
def(
  'model.tree.simpleTree',
  'record D, record T -> null',
  (i) => {
    const node = i.args[1] as RecordType;
    const test = simpleTest(i.args[0] as RecordType, node, 32060, 'model.tree.simpleTree');
    const name = node.fullName;
    return (d: PfaMap, n0: PfaMap) => walk(d, n0, name, (x, n) => test(x, n) === true);
  },
  (args, _s) => treeNodeCheck(args, true) ?? scoreType(args[1] as RecordType),
);
def(
  'model.tree.simpleWalk',
  'record D, record T, fn(D,T)->boolean -> null',
  (i) => {
    const name = (i.args[1] as RecordType).fullName;
    return (d: PfaMap, n0: PfaMap, f: (x: Value, y: Value) => Value) =>
      walk(d, n0, name, (x, n) => f(x, n) === true);
  },
  (args) => (args[1]?.kind === 'record' ? scoreType(args[1]) : 'the tree node must be a record'),
);

function walk(d: PfaMap, n0: PfaMap, nodeName: string, test: (d: PfaMap, n: PfaMap) => boolean): Value {
  let n = n0;
  for (let depth = 0; depth < 100_000; depth++) {
    const next = test(d, n) ? n['pass']! : n['fail']!;
    if (recordTypeOf(next) === nodeName) {
      n = next as PfaMap;
      continue;
    }
    return next;
  }
  throw new PfaSemanticError('tree deeper than 100000 nodes');
}

// ---------------------------------------------------------------- clustering

def(
  'model.cluster.closest',
  ['[double], [record C] -> C', 'A, [record C], fn(A,[double])->double -> C'],
  (i) => {
    if (i.sig === 0)
      return (d: number[], cs: PfaMap[]) => {
        if (cs.length === 0) throw rtError(29000, 'no clusters', 'model.cluster.closest');
        let best = cs[0]!;
        let bestD = Infinity;
        for (const c of cs) {
          const center = c['center'] as number[];
          let s = 0;
          for (let k = 0; k < d.length; k++) s += (d[k]! - (center[k] ?? 0)) ** 2;
          if (s < bestD) {
            bestD = s;
            best = c;
          }
        }
        return best;
      };
    return (d: Value, cs: PfaMap[], metric: (a: Value, b: Value) => Value) => {
      if (cs.length === 0) throw rtError(29000, 'no clusters', 'model.cluster.closest');
      let best = cs[0]!;
      let bestD = Infinity;
      for (const c of cs) {
        const m = metric(d, c['center']!) as number;
        if (m < bestD) {
          bestD = m;
          best = c;
        }
      }
      return best;
    };
  },
  (args, sig, ret) => {
    const c = args[1]?.kind === 'array' ? args[1].items : undefined;
    const center = field(c, 'center');
    if (!center) return 'clusters need a "center" field';
    if (sig === 0 && !isArr(center, 1)) return 'cluster centers must be arrays of numbers';
    return ret;
  },
);
