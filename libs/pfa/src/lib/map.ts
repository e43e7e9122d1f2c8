import { rtError } from '../errors';
import type { AvroType } from '../types/avro-type';
import { newMap, type PfaMap, type Value } from '../values';
import { comparator, equals } from './compare';
import { def, fn } from './registry';

/**
 * `map.*`: maps keyed by strings. The set-like functions (map.toset, map.in, map.union, ...) are in
 * serial.ts; the one-argument map.add is not implemented.
 */
type M = PfaMap;
type F1 = (x: Value) => Value;
type F2 = (x: Value, y: Value) => Value;
const own = (m: M, k: string) => Object.prototype.hasOwnProperty.call(m, k);
const build = (entries: Iterable<[string, Value]>): M => {
  const m = newMap();
  for (const [k, v] of entries) m[k] = v;
  return m;
};

fn('map.len', '{A} -> int', (m: M) => Object.keys(m).length);
fn('map.keys', '{A} -> [string]', (m: M) => Object.keys(m));
fn('map.values', '{A} -> [A]', (m: M) => Object.values(m));
def('map.containsKey', ['{A}, string -> boolean', '{A}, fn(string)->boolean -> boolean'], (i) =>
  i.sig === 0 ? (m: M, k: string) => own(m, k) : (m: M, f: F1) => Object.keys(m).some((k) => f(k)),
);
def('map.containsValue', ['{A}, A -> boolean', '{A}, fn(A)->boolean -> boolean'], (i) =>
  i.sig === 0
    ? (m: M, v: Value) => Object.values(m).some((x) => equals(x, v))
    : (m: M, f: F1) => Object.values(m).some((x) => f(x)),
);
fn('map.add', '{A}, string, A -> {A}', (m: M, k: string, v: Value) => {
  const r = Object.assign(newMap(), m);
  r[k] = v;
  return r;
});
fn('map.remove', '{A}, string -> {A}', (m: M, k: string) => {
  const r = Object.assign(newMap(), m);
  delete r[k];
  return r;
});
fn('map.only', '{A}, [string] -> {A}', (m: M, ks: string[]) =>
  build(ks.filter((k) => own(m, k)).map((k) => [k, m[k]!])),
);
fn('map.except', '{A}, [string] -> {A}', (m: M, ks: string[]) =>
  build(Object.entries(m).filter(([k]) => !ks.includes(k))),
);
fn('map.update', '{A}, {A} -> {A}', (a: M, b: M) => Object.assign(newMap(), a, b));
fn('map.split', '{A} -> [{A}]', (m: M) => Object.entries(m).map(([k, v]) => build([[k, v]])));
fn('map.join', '[{A}] -> {A}', (a: M[]) => Object.assign(newMap(), ...a));

function argBest(m: M, better: (x: Value, y: Value) => boolean): string | undefined {
  let best: string | undefined;
  for (const k of Object.keys(m).sort()) if (best === undefined || better(m[k]!, m[best]!)) best = k;
  return best;
}
function argBestN(m: M, n: number, better: (x: Value, y: Value) => boolean): string[] {
  return Object.keys(m)
    .sort()
    .sort((a, b) => (better(m[a]!, m[b]!) ? -1 : better(m[b]!, m[a]!) ? 1 : 0))
    .slice(0, n);
}
for (const [w, code, isMax] of [
  ['max', 26120, true],
  ['min', 26130, false],
] as const) {
  const cmpOf = (t: AvroType | { kind: 'fcn' }) => {
    const c = comparator((t as { values: AvroType }).values);
    return isMax ? (x: Value, y: Value) => c(x, y) > 0 : (x: Value, y: Value) => c(x, y) < 0;
  };
  const empty = (m: M, c: number, name: string) => {
    if (Object.keys(m).length === 0) throw rtError(c, 'empty map', name);
  };
  def(`map.arg${w}`, '{A} -> string', (i) => {
    const b = cmpOf(i.args[0]!);
    return (m: M) => (empty(m, code, `map.arg${w}`), argBest(m, b)!);
  });
  def(`map.arg${w}LT`, '{A}, fn(A,A)->boolean -> string', () => (m: M, f: F2) => {
    empty(m, code + 20, `map.arg${w}LT`);
    return argBest(m, isMax ? (x, y) => f(y, x) as boolean : (x, y) => f(x, y) as boolean)!;
  });
  def(`map.arg${w}N`, '{A}, int -> [string]', (i) => {
    const b = cmpOf(i.args[0]!);
    return (m: M, n: number) => {
      empty(m, code + 40, `map.arg${w}N`);
      if (n < 0) throw rtError(code + 41, 'n < 0', `map.arg${w}N`);
      return argBestN(m, n, b);
    };
  });
  def(`map.arg${w}NLT`, '{A}, int, fn(A,A)->boolean -> [string]', () => (m: M, n: number, f: F2) => {
    empty(m, code + 60, `map.arg${w}NLT`);
    if (n < 0) throw rtError(code + 61, 'n < 0', `map.arg${w}NLT`);
    return argBestN(m, n, isMax ? (x, y) => f(y, x) as boolean : (x, y) => f(x, y) as boolean);
  });
}

const mapVals = (m: M, f: (k: string, v: Value) => Value) =>
  build(Object.keys(m).map((k) => [k, f(k, m[k]!)]));
fn('map.map', '{A}, fn(A)->B -> {B}', (m: M, f: F1) => mapVals(m, (_, v) => f(v)));
fn('map.mapWithKey', '{A}, fn(string,A)->B -> {B}', (m: M, f: F2) => mapVals(m, (k, v) => f(k, v)));
fn('map.filter', '{A}, fn(A)->boolean -> {A}', (m: M, f: F1) =>
  build(Object.entries(m).filter(([, v]) => f(v))),
);
fn('map.filterWithKey', '{A}, fn(string,A)->boolean -> {A}', (m: M, f: F2) =>
  build(Object.entries(m).filter(([k, v]) => f(k, v))),
);
fn('map.filterMap', '{A}, fn(A)->(B|null) -> {B}', (m: M, f: F1) =>
  build(
    Object.entries(m)
      .map(([k, v]) => [k, f(v)] as [string, Value])
      .filter(([, v]) => v !== null),
  ),
);
fn('map.filterMapWithKey', '{A}, fn(string,A)->(B|null) -> {B}', (m: M, f: F2) =>
  build(
    Object.entries(m)
      .map(([k, v]) => [k, f(k, v)] as [string, Value])
      .filter(([, v]) => v !== null),
  ),
);
fn('map.flatMap', '{A}, fn(A)->{B} -> {B}', (m: M, f: F1) =>
  Object.assign(newMap(), ...Object.values(m).map((v) => f(v) as M)),
);
fn('map.flatMapWithKey', '{A}, fn(string,A)->{B} -> {B}', (m: M, f: F2) =>
  Object.assign(newMap(), ...Object.entries(m).map(([k, v]) => f(k, v) as M)),
);
function zip(name: string, code: number, withKey: boolean) {
  const sigs = withKey
    ? [
        '{A}, {B}, fn(string,A,B)->Z -> {Z}',
        '{A}, {B}, {C}, fn(string,A,B,C)->Z -> {Z}',
        '{A}, {B}, {C}, {D}, fn(string,A,B,C,D)->Z -> {Z}',
      ]
    : [
        '{A}, {B}, fn(A,B)->Z -> {Z}',
        '{A}, {B}, {C}, fn(A,B,C)->Z -> {Z}',
        '{A}, {B}, {C}, {D}, fn(A,B,C,D)->Z -> {Z}',
      ];
  def(name, sigs, () => (...args: Value[]) => {
    const f = args[args.length - 1] as (...x: Value[]) => Value;
    const ms = args.slice(0, -1) as M[];
    const keys = Object.keys(ms[0]!);
    if (ms.some((m) => Object.keys(m).length !== keys.length || !keys.every((k) => own(m, k))))
      throw rtError(code, 'misaligned maps', name);
    return build(keys.map((k) => [k, withKey ? f(k, ...ms.map((m) => m[k]!)) : f(...ms.map((m) => m[k]!))]));
  });
}
zip('map.zipmap', 26370, false);
zip('map.zipmapWithKey', 26380, true);
fn('map.corresponds', '{A}, {B}, fn(A,B)->boolean -> boolean', (a: M, b: M, f: F2) => {
  const ks = Object.keys(a);
  return ks.length === Object.keys(b).length && ks.every((k) => own(b, k) && f(a[k]!, b[k]!));
});
fn(
  'map.correspondsWithKey',
  '{A}, {B}, fn(string,A,B)->boolean -> boolean',
  (a: M, b: M, f: (k: string, x: Value, y: Value) => Value) => {
    const ks = Object.keys(a);
    return ks.length === Object.keys(b).length && ks.every((k) => own(b, k) && f(k, a[k]!, b[k]!));
  },
);
