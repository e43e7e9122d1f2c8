import { rtError } from '../errors';
import type { AvroType } from '../types/avro-type';
import type { Value } from '../values';
import { comparator, equals } from './compare';
import { LONG_MAX, LONG_MIN } from './limits';
import { def, fn, type Impl } from './registry';

/** Core arithmetic, comparison and logic (the PFA spec's first chapter of functions). */
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
// Longs are JS numbers: exact to 2^53, and overflow is detected at the 64-bit bounds.

const NUM = 'A<num>, A -> A';

function checked(
  name: string,
  t: AvroType,
  intCode: number,
  longCode: number,
  op: (x: number, y: number) => number,
): Impl {
  if (t.kind === 'int')
    return (x: number, y: number) => {
      const r = op(x, y);
      if (r > INT_MAX || r < INT_MIN) throw rtError(intCode, 'int overflow', name);
      return r;
    };
  if (t.kind === 'long')
    return (x: number, y: number) => {
      const r = op(x, y);
      if (r >= LONG_MAX || r < LONG_MIN) throw rtError(longCode, 'long overflow', name);
      return r;
    };
  if (t.kind === 'float') return (x: number, y: number) => Math.fround(op(x, y));
  return op as Impl;
}

def('+', NUM, (i) => checked('+', i.ret, 18000, 18001, (x, y) => x + y));
def('-', NUM, (i) => checked('-', i.ret, 18010, 18011, (x, y) => x - y));
def('*', NUM, (i) => checked('*', i.ret, 18020, 18021, (x, y) => x * y));
fn('/', 'double, double -> double', (x: number, y: number) => x / y);
def('//', 'A<int|long>, A -> A', () => (x: number, y: number) => {
  if (y === 0) throw rtError(18040, 'integer division by zero', '//');
  return Math.floor(x / y);
});
def('u-', 'A<num> -> A', (i) => {
  if (i.ret.kind === 'int')
    return (x: number) => {
      if (x === INT_MIN) throw rtError(18050, 'int overflow', 'u-');
      return -x;
    };
  if (i.ret.kind === 'long')
    return (x: number) => {
      if (x <= LONG_MIN) throw rtError(18051, 'long overflow', 'u-');
      return -x;
    };
  return (x: number) => -x;
});
def('%', NUM, (i) => {
  const integral = i.ret.kind === 'int' || i.ret.kind === 'long';
  return (k: number, n: number) => {
    if (n === 0 && integral) throw rtError(18060, 'integer division by zero', '%');
    // Modulo with the sign of the divisor (floored), as in the reference engines.
    const r = k - n * Math.floor(k / n);
    return integral ? r : i.ret.kind === 'float' ? Math.fround(r) : r;
  };
});
def('%%', NUM, (i) => {
  const integral = i.ret.kind === 'int' || i.ret.kind === 'long';
  return (k: number, n: number) => {
    if (n === 0 && integral) throw rtError(18070, 'integer division by zero', '%%');
    return k % n;
  };
});
def('**', NUM, (i) => checked('**', i.ret, 18080, 18081, (x, y) => Math.pow(x, y)));

def('cmp', 'A, A -> int', (i) => {
  const c = comparator(i.args[0] as AvroType);
  return (a: Value, b: Value) => Math.sign(c(a, b));
});
fn('==', 'A, A -> boolean', (a: Value, b: Value) => equals(a, b));
fn('!=', 'A, A -> boolean', (a: Value, b: Value) => !equals(a, b));
for (const [name, test] of [
  ['<', (c: number) => c < 0],
  ['<=', (c: number) => c <= 0],
  ['>', (c: number) => c > 0],
  ['>=', (c: number) => c >= 0],
] as const) {
  def(name, 'A, A -> boolean', (i) => {
    const t = i.args[0] as AvroType;
    if (t.kind === 'int' || t.kind === 'long' || t.kind === 'float' || t.kind === 'double') {
      // Fast paths for numbers (the common case in scoring documents).
      if (name === '<') return (a: number, b: number) => a < b;
      if (name === '<=') return (a: number, b: number) => a <= b;
      if (name === '>') return (a: number, b: number) => a > b;
      return (a: number, b: number) => a >= b;
    }
    const c = comparator(t);
    return (a: Value, b: Value) => test(c(a, b));
  });
}
def('max', 'A, A -> A', (i) => {
  const c = comparator(i.args[0] as AvroType);
  return (a: Value, b: Value) => (c(a, b) >= 0 ? a : b);
});
def('min', 'A, A -> A', (i) => {
  const c = comparator(i.args[0] as AvroType);
  return (a: Value, b: Value) => (c(a, b) <= 0 ? a : b);
});

// `&&` and `||` short-circuit, so the compiler handles them; these entries give them signatures.
fn('&&', 'boolean, boolean -> boolean', (a: boolean, b: boolean) => a && b);
fn('||', 'boolean, boolean -> boolean', (a: boolean, b: boolean) => a || b);
fn('^^', 'boolean, boolean -> boolean', (a: boolean, b: boolean) => a !== b);
fn('!', 'boolean -> boolean', (a: boolean) => !a);
// Kleene three-valued logic: null is "unknown".
fn('&&&', '(boolean|null), (boolean|null) -> (boolean|null)', (a: boolean | null, b: boolean | null) =>
  a === false || b === false ? false : a === null || b === null ? null : true,
);
fn('|||', '(boolean|null), (boolean|null) -> (boolean|null)', (a: boolean | null, b: boolean | null) =>
  a === true || b === true ? true : a === null || b === null ? null : false,
);
fn('!!!', '(boolean|null) -> (boolean|null)', (a: boolean | null) => (a === null ? null : !a));

const big = (x: number) => BigInt.asIntN(64, BigInt(x));
def('&', ['int, int -> int', 'long, long -> long'], (i) =>
  i.sig === 0 ? (x: number, y: number) => x & y : (x: number, y: number) => Number(big(x) & big(y)),
);
def('|', ['int, int -> int', 'long, long -> long'], (i) =>
  i.sig === 0 ? (x: number, y: number) => x | y : (x: number, y: number) => Number(big(x) | big(y)),
);
def('^', ['int, int -> int', 'long, long -> long'], (i) =>
  i.sig === 0 ? (x: number, y: number) => x ^ y : (x: number, y: number) => Number(big(x) ^ big(y)),
);
def('~', ['int -> int', 'long -> long'], (i) =>
  i.sig === 0 ? (x: number) => ~x : (x: number) => Number(~big(x)),
);
