import { PfaRuntimeError, PfaSemanticError, PfaTimeoutError, PfaUserError } from '../errors';
import { fromAvroJson, valueMatches } from '../json/avro-json';
import { JsonDouble, plainJson } from '../json/pfa-json';
import { LIBRARY, type CallInfo } from '../lib/registry';
import { PARAM_NAMES } from '../lib/param-names';
import {
  T,
  accepts,
  acceptsFcn,
  describe,
  lub,
  unionOf,
  type AvroType,
  type FcnType,
} from '../types/avro-type';
import { makeRecord, newMap, type PfaMap, type Value } from '../values';
import { spend, withScope, type CompileContext, type UserFn } from './context';
import { compileUserFnBody } from './user-fn';
import { compilePack, compileUnpack } from './pack';
import { Scope, type Code, type Expr, type Frame } from './scope';
import { describeArgs, matchSig, type ArgType, type FcnArg } from './signature';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

const lit = (t: AvroType, value: Value): Expr => ({ t, f: () => value, literal: { value } });
const isObj = (j: unknown): j is Record<string, unknown> =>
  typeof j === 'object' && j !== null && !Array.isArray(j) && !(j instanceof JsonDouble);

/** Compiles one PFA expression (JSON form) into a typed closure. */
export function compileExpr(j: unknown, ctx: CompileContext): Expr {
  if (j === null) return lit(T.null, null);
  if (typeof j === 'boolean') return lit(T.boolean, j);
  if (j instanceof JsonDouble) return lit(T.double, j.value);
  if (typeof j === 'number') {
    if (Number.isInteger(j)) return lit(j >= INT_MIN && j <= INT_MAX ? T.int : T.long, j);
    return lit(T.double, j);
  }
  if (typeof j === 'string') return compileSymbolPath(j, ctx);
  if (Array.isArray(j)) {
    if (j.length === 1 && typeof j[0] === 'string') return lit(T.string, j[0]);
    throw new PfaSemanticError(`an array is not an expression (except ["string literal"]): ${short(j)}`);
  }
  if (!isObj(j)) throw new PfaSemanticError(`not an expression: ${short(j)}`);
  const keys = Object.keys(j).filter((k) => k !== 'doc' || Object.keys(j).length === 1);
  const has = (k: string) => Object.prototype.hasOwnProperty.call(j, k);
  // Literal forms.
  if (keys.length === 1) {
    const k = keys[0]!;
    const v = j[k];
    switch (k) {
      case 'int':
      case 'long':
      case 'float':
      case 'double':
      case 'string':
        return lit(T[k], fromAvroJson(T[k], plainJson(v), 'latin1'));
      case 'base64':
        if (typeof v !== 'string') throw new PfaSemanticError('"base64" needs a string');
        return lit(T.bytes, new Uint8Array(Buffer.from(v, 'base64')));
      case 'doc':
        return lit(T.null, null);
    }
  }
  if (has('type') && has('value') && keys.length === 2) {
    const t = ctx.types.parse(plainJson(j['type']));
    return lit(t, fromAvroJson(t, plainJson(j['value']), 'latin1'));
  }
  if (has('let')) return compileLet(j, ctx, false);
  if (has('set')) return compileLet(j, ctx, true);
  if (has('if')) return compileIf(j, ctx);
  if (has('cond')) return compileCond(j, ctx);
  // `for` before `while`: a for loop has a "while" key too.
  if (has('for')) return compileFor(j, ctx);
  if (has('while')) return compileWhile(j, ctx);
  if (has('until')) return compileUntil(j, ctx);
  if (has('foreach')) return compileForeach(j, ctx);
  if (has('forkey') || has('forval')) return compileForkey(j, ctx);
  if (has('do')) return compileDo(j['do'], ctx);
  if (has('attr')) return compileAttr(j, ctx);
  if (has('cell')) return compileCell(j, ctx);
  if (has('pool')) return compilePool(j, ctx);
  if (has('new')) return compileNew(j, ctx);
  if (has('upcast')) return compileUpcast(j, ctx);
  if (has('ifnotnull')) return compileIfNotNull(j, ctx);
  if (has('cast')) return compileCast(j, ctx);
  if (has('try')) return compileTry(j, ctx);
  if (has('error')) return compileError(j, ctx);
  if (has('log')) return compileLog(j, ctx);
  if (has('pack')) return compilePack(j, ctx, compileExpr);
  if (has('unpack')) return compileUnpack(j, ctx, compileExpr, compileBody);
  if (has('fcn') || has('params'))
    throw new PfaSemanticError('a function reference is only allowed as a function argument');
  if (keys.length === 1) return compileCall(keys[0]!, j[keys[0]!], ctx);
  throw new PfaSemanticError(`unrecognised expression with keys ${keys.join(', ')}`);
}

function short(j: unknown): string {
  const s = JSON.stringify(plainJson(j));
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** A body is an array of expressions or one expression; it gets its own scope. */
export function compileBody(j: unknown, ctx: CompileContext, newScope = true): Expr {
  const c = newScope ? withScope(ctx, ctx.scope.child()) : ctx;
  const list = Array.isArray(j) ? j : [j];
  if (list.length === 0) throw new PfaSemanticError('an expression list may not be empty');
  const exprs = list.map((x) => compileExpr(x, c));
  return sequence(exprs);
}

function sequence(exprs: Expr[]): Expr {
  const last = exprs[exprs.length - 1]!;
  if (exprs.length === 1) return last;
  const fs = exprs.map((e) => e.f);
  const n = fs.length;
  if (n === 2) {
    const [a, b] = fs as [Code, Code];
    return { t: last.t, f: (fr) => (a(fr), b(fr)), ...(last.never ? { never: true } : {}) };
  }
  return {
    t: last.t,
    f: (fr) => {
      for (let i = 0; i < n - 1; i++) fs[i]!(fr);
      return fs[n - 1]!(fr);
    },
    ...(last.never ? { never: true } : {}),
  };
}

function compileDo(j: unknown, ctx: CompileContext): Expr {
  return compileBody(j, ctx);
}

// ---------------------------------------------------------------- symbols and paths

function compileSymbolPath(s: string, ctx: CompileContext): Expr {
  const parts = s.split('.');
  const sym = ctx.scope.lookup(parts[0]!);
  if (!sym)
    throw new PfaSemanticError(
      `unknown symbol "${parts[0]}" (string literals are written {"string": ...} or ["..."])`,
    );
  const slot = sym.slot;
  const base: Expr = { t: sym.type, f: (fr) => fr[slot]! };
  if (parts.length === 1) return base;
  const path = parts.slice(1).map((p): Expr => (/^\d+$/.test(p) ? lit(T.int, Number(p)) : lit(T.string, p)));
  return pathGet(base, path, ctx);
}

interface Step {
  readonly kind: 'array' | 'map' | 'record';
  readonly key: Code;
  readonly field?: string;
  readonly type: AvroType;
}

function pathSteps(start: AvroType, path: readonly Expr[]): Step[] {
  let t = start;
  const steps: Step[] = [];
  for (const p of path) {
    if (t.kind === 'array') {
      if (!accepts(T.long, p.t))
        throw new PfaSemanticError(`array path index must be an int, not ${describe(p.t)}`);
      steps.push({ kind: 'array', key: p.f, type: t.items });
      t = t.items;
    } else if (t.kind === 'map') {
      if (!accepts(T.string, p.t))
        throw new PfaSemanticError(`map path key must be a string, not ${describe(p.t)}`);
      steps.push({ kind: 'map', key: p.f, type: t.values });
      t = t.values;
    } else if (t.kind === 'record') {
      const name = p.literal?.value;
      if (typeof name !== 'string')
        throw new PfaSemanticError('record path elements must be string literals');
      const f = t.fields.find((x) => x.name === name);
      if (!f) throw new PfaSemanticError(`record ${t.fullName} has no field "${name}"`);
      steps.push({ kind: 'record', key: p.f, field: name, type: f.type });
      t = f.type;
    } else {
      throw new PfaSemanticError(`path goes into ${describe(t)}, which has no parts`);
    }
  }
  return steps;
}

function getStep(s: Step, v: Value, fr: Frame): Value {
  if (s.kind === 'record') return (v as PfaMap)[s.field!]!;
  if (s.kind === 'array') {
    const a = v as Value[];
    const i = s.key(fr) as number;
    if (i < 0 || i >= a.length)
      throw new PfaRuntimeError(2000, `array index ${i} out of range (length ${a.length})`);
    return a[i]!;
  }
  const k = s.key(fr) as string;
  const m = v as PfaMap;
  if (!Object.prototype.hasOwnProperty.call(m, k))
    throw new PfaRuntimeError(2001, `map key "${k}" not found`);
  return m[k]!;
}

function walk(steps: readonly Step[], v: Value, fr: Frame): Value {
  for (const s of steps) v = getStep(s, v, fr);
  return v;
}

function pathGet(base: Expr, path: readonly Expr[], _ctx: CompileContext): Expr {
  const steps = pathSteps(base.t, path);
  const b = base.f;
  const last = steps[steps.length - 1]!;
  if (steps.length === 1 && last.kind === 'record') {
    const name = last.field!;
    return { t: last.type, f: (fr) => (b(fr) as PfaMap)[name]! };
  }
  return {
    t: last.type,
    f: (fr) => {
      let v = b(fr);
      for (const s of steps) v = getStep(s, v, fr);
      return v;
    },
  };
}

/** Copy-on-write update along a path; values are immutable, so unchanged parts are shared. */
function updateAt(v: Value, steps: readonly Step[], i: number, fr: Frame, to: (old: Value) => Value): Value {
  if (i === steps.length) return to(v);
  const s = steps[i]!;
  if (s.kind === 'array') {
    const a = (v as Value[]).slice();
    const k = s.key(fr) as number;
    if (k < 0 || k >= a.length)
      throw new PfaRuntimeError(2000, `array index ${k} out of range (length ${a.length})`);
    a[k] = updateAt(a[k]!, steps, i + 1, fr, to);
    return a;
  }
  const key = s.kind === 'record' ? s.field! : (s.key(fr) as string);
  const m = v as PfaMap;
  if (s.kind === 'map' && !Object.prototype.hasOwnProperty.call(m, key))
    throw new PfaRuntimeError(2001, `map key "${key}" not found`);
  const copy = s.kind === 'record' ? ({ ...m } as PfaMap) : Object.assign(newMap(), m);
  if (s.kind === 'record') Object.assign(copy, m); // keeps the record tag (a symbol key) too
  copy[key] = updateAt(m[key]!, steps, i + 1, fr, to);
  return copy;
}

/** `to` is an expression of the item type, or a function from the item type to the item type. */
function compileTo(
  j: unknown,
  itemType: AvroType,
  ctx: CompileContext,
): (fr: Frame) => (old: Value) => Value {
  if (isFcnJson(j)) {
    const fa = compileFcnArg(j, ctx);
    const ft = fa.arg.resolve([itemType]);
    if (typeof ft === 'string') throw new PfaSemanticError(`"to" function: ${ft}`);
    if (!accepts(itemType, ft.ret))
      throw new PfaSemanticError(`"to" function returns ${describe(ft.ret)}, not ${describe(itemType)}`);
    const get = fa.value;
    return (fr) => {
      const f = get(fr) as (x: Value) => Value;
      return (old) => f(old);
    };
  }
  const e = compileExpr(j, ctx);
  if (!accepts(itemType, e.t))
    throw new PfaSemanticError(`"to" value is ${describe(e.t)}, not ${describe(itemType)}`);
  const f = e.f;
  return (fr) => {
    const v = f(fr);
    return () => v;
  };
}

function compileAttr(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const base = compileExpr(j['attr'], ctx);
  const path = compilePath(j['path'], ctx);
  if (!('to' in j)) return pathGet(base, path, ctx);
  const steps = pathSteps(base.t, path);
  const to = compileTo(j['to'], steps[steps.length - 1]!.type, ctx);
  const b = base.f;
  return { t: base.t, f: (fr) => updateAt(b(fr), steps, 0, fr, to(fr)) };
}

function compilePath(j: unknown, ctx: CompileContext): Expr[] {
  if (!Array.isArray(j) || j.length === 0) throw new PfaSemanticError('"path" must be a non-empty array');
  return j.map((p) => compileExpr(p, ctx));
}

// ---------------------------------------------------------------- cells and pools

function compileCell(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const name = j['cell'];
  const cell = typeof name === 'string' ? ctx.rt.cells.get(name) : undefined;
  if (!cell) throw new PfaSemanticError(`unknown cell ${JSON.stringify(name)}`);
  const path = j['path'] === undefined ? [] : compilePath(j['path'], ctx);
  const steps = pathSteps(cell.type, path);
  if (!('to' in j)) {
    if (steps.length === 0) return { t: cell.type, f: () => cell.value };
    return { t: steps[steps.length - 1]!.type, f: (fr) => walk(steps, cell.value, fr) };
  }
  const to = compileTo(j['to'], steps.length ? steps[steps.length - 1]!.type : cell.type, ctx);
  return {
    t: cell.type,
    f: (fr) => {
      cell.value = updateAt(cell.value, steps, 0, fr, to(fr));
      return cell.value;
    },
  };
}

function compilePool(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const name = j['pool'];
  const pool = typeof name === 'string' ? ctx.rt.pools.get(name) : undefined;
  if (!pool) throw new PfaSemanticError(`unknown pool ${JSON.stringify(name)}`);
  const path = compilePath(j['path'], ctx);
  const key = path[0]!;
  if (!accepts(T.string, key.t))
    throw new PfaSemanticError('the first pool path element must be a string key');
  const rest = pathSteps(pool.type, path.slice(1));
  const k = key.f;
  const itemType = rest.length ? rest[rest.length - 1]!.type : pool.type;
  if (!('to' in j)) {
    return {
      t: itemType,
      f: (fr) => {
        const kk = k(fr) as string;
        if (!Object.prototype.hasOwnProperty.call(pool.values, kk))
          throw new PfaRuntimeError(2002, `pool ${String(name)} has no item "${kk}"`);
        return walk(rest, pool.values[kk]!, fr);
      },
    };
  }
  const to = compileTo(j['to'], itemType, ctx);
  let init: Code | undefined;
  if ('init' in j) {
    const ie = compileExpr(j['init'], ctx);
    if (!accepts(pool.type, ie.t))
      throw new PfaSemanticError(`pool init is ${describe(ie.t)}, not ${describe(pool.type)}`);
    init = ie.f;
  }
  return {
    t: pool.type,
    f: (fr) => {
      const kk = k(fr) as string;
      let cur: Value;
      if (Object.prototype.hasOwnProperty.call(pool.values, kk)) cur = pool.values[kk]!;
      else if (init) cur = init(fr);
      else throw new PfaRuntimeError(2002, `pool ${String(name)} has no item "${kk}" and no "init"`);
      const next = updateAt(cur, rest, 0, fr, to(fr));
      pool.values[kk] = next;
      return next;
    },
  };
}

// ---------------------------------------------------------------- binding and control flow

function compileLet(j: Record<string, unknown>, ctx: CompileContext, isSet: boolean): Expr {
  const spec = j[isSet ? 'set' : 'let'];
  if (!isObj(spec) || Object.keys(spec).length === 0)
    throw new PfaSemanticError(`"${isSet ? 'set' : 'let'}" needs an object of names`);
  // All right-hand sides see the scope before any of the new names (PFA's simultaneous binding).
  const pairs = Object.entries(spec).map(([name, x]) => ({ name, e: compileExpr(x, ctx) }));
  const slots: number[] = [];
  const codes: Code[] = [];
  for (const { name, e } of pairs) {
    if (isSet) {
      const s = ctx.scope.lookup(name);
      if (!s) throw new PfaSemanticError(`cannot set unknown symbol "${name}"`);
      if (!accepts(s.type, e.t))
        throw new PfaSemanticError(`cannot set "${name}" (${describe(s.type)}) to ${describe(e.t)}`);
      slots.push(s.slot);
    } else {
      slots.push(ctx.scope.declare(name, e.t).slot);
    }
    codes.push(e.f);
  }
  if (slots.length === 1) {
    const s = slots[0]!;
    const c = codes[0]!;
    return { t: T.null, f: (fr) => ((fr[s] = c(fr)), null) };
  }
  const n = slots.length;
  return {
    t: T.null,
    f: (fr) => {
      const vals = codes.map((c) => c(fr));
      for (let i = 0; i < n; i++) fr[slots[i]!] = vals[i]!;
      return null;
    },
  };
}

function branchType(a: Expr, b: Expr): AvroType {
  if (a.never) return b.t;
  if (b.never) return a.t;
  return lub(a.t, b.t);
}

function predicate(j: unknown, ctx: CompileContext, what: string): Code {
  const e = compileExpr(j, ctx);
  if (e.t.kind !== 'boolean') throw new PfaSemanticError(`${what} must be boolean, not ${describe(e.t)}`);
  return e.f;
}

function compileIf(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const c = predicate(j['if'], ctx, '"if" predicate');
  if (!('then' in j)) throw new PfaSemanticError('"if" needs "then"');
  const th = compileBody(j['then'], ctx);
  const t = th.f;
  if (!('else' in j)) return { t: T.null, f: (fr) => (c(fr) ? (t(fr), null) : null) };
  const el = compileBody(j['else'], ctx);
  const e = el.f;
  return {
    t: branchType(th, el),
    f: (fr) => (c(fr) ? t(fr) : e(fr)),
    ...(th.never && el.never ? { never: true } : {}),
  };
}

function compileCond(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const list = j['cond'];
  if (!Array.isArray(list) || list.length === 0)
    throw new PfaSemanticError('"cond" needs a non-empty array of {if, then}');
  const cases = list.map((x) => {
    if (!isObj(x) || !('if' in x) || !('then' in x))
      throw new PfaSemanticError('"cond" items are {"if": ..., "then": ...}');
    return { c: predicate(x['if'], ctx, '"cond" predicate'), body: compileBody(x['then'], ctx) };
  });
  const el = 'else' in j ? compileBody(j['else'], ctx) : undefined;
  let t: AvroType = T.null;
  if (el) {
    let acc: Expr = el;
    for (const k of cases)
      acc = { t: branchType(acc, k.body), f: acc.f, ...(acc.never && k.body.never ? { never: true } : {}) };
    t = acc.t;
  }
  const cs = cases.map((k) => k.c);
  const bs = cases.map((k) => k.body.f);
  const ef = el?.f;
  const n = cs.length;
  return {
    t,
    f: (fr) => {
      for (let i = 0; i < n; i++) if (cs[i]!(fr)) return ef ? bs[i]!(fr) : (bs[i]!(fr), null);
      return ef ? ef(fr) : null;
    },
  };
}

function compileWhile(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const c = predicate(j['while'], ctx, '"while" predicate');
  const body = compileBody(j['do'], ctx).f;
  const rt = ctx.rt;
  return {
    t: T.null,
    f: (fr) => {
      while (c(fr)) {
        spend(rt);
        body(fr);
      }
      return null;
    },
  };
}

function compileUntil(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const bodyScope = withScope(ctx, ctx.scope.child());
  const body = compileBody(j['do'], bodyScope, false).f;
  // The predicate sees the body's symbols (do-until evaluates it after the body).
  const c = predicate(j['until'], bodyScope, '"until" predicate');
  const rt = ctx.rt;
  return {
    t: T.null,
    f: (fr) => {
      do {
        spend(rt);
        body(fr);
      } while (!c(fr));
      return null;
    },
  };
}

function compileFor(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const loop = withScope(ctx, ctx.scope.child());
  const init = compileLet({ let: j['for'] }, loop, false).f;
  const c = predicate(j['while'], loop, '"for" predicate');
  const step = compileLet({ set: j['step'] }, loop, true).f;
  const body = compileBody(j['do'], loop).f;
  const rt = ctx.rt;
  return {
    t: T.null,
    f: (fr) => {
      for (init(fr); c(fr); step(fr)) {
        spend(rt);
        body(fr);
      }
      return null;
    },
  };
}

function compileForeach(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const name = j['foreach'];
  if (typeof name !== 'string') throw new PfaSemanticError('"foreach" names the loop variable');
  const arr = compileExpr(j['in'], ctx);
  if (arr.t.kind !== 'array') throw new PfaSemanticError(`"foreach" needs an array, not ${describe(arr.t)}`);
  const loop = withScope(ctx, ctx.scope.child());
  const slot = loop.scope.declare(name, arr.t.items).slot;
  const body = compileBody(j['do'], loop).f;
  const a = arr.f;
  const rt = ctx.rt;
  return {
    t: T.null,
    f: (fr) => {
      for (const x of a(fr) as Value[]) {
        spend(rt);
        fr[slot] = x;
        body(fr);
      }
      return null;
    },
  };
}

function compileForkey(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const kn = j['forkey'];
  const vn = j['forval'];
  if (typeof kn !== 'string' || typeof vn !== 'string')
    throw new PfaSemanticError('"forkey"/"forval" name the loop variables');
  const m = compileExpr(j['in'], ctx);
  if (m.t.kind !== 'map') throw new PfaSemanticError(`"forkey" needs a map, not ${describe(m.t)}`);
  const loop = withScope(ctx, ctx.scope.child());
  const ks = loop.scope.declare(kn, T.string).slot;
  const vs = loop.scope.declare(vn, m.t.values).slot;
  const body = compileBody(j['do'], loop).f;
  const mf = m.f;
  const rt = ctx.rt;
  return {
    t: T.null,
    f: (fr) => {
      const map = mf(fr) as PfaMap;
      for (const k of Object.keys(map)) {
        spend(rt);
        fr[ks] = k;
        fr[vs] = map[k]!;
        body(fr);
      }
      return null;
    },
  };
}

// ---------------------------------------------------------------- construction and types

function compileNew(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const t = ctx.types.parse(plainJson(j['type']));
  const spec = j['new'];
  if (t.kind === 'array') {
    if (!Array.isArray(spec)) throw new PfaSemanticError('"new" of an array takes an array of expressions');
    const items = spec.map((x) => checked(compileExpr(x, ctx), t.items, 'array item'));
    return { t, f: (fr) => items.map((f) => f(fr)) };
  }
  if (!isObj(spec)) throw new PfaSemanticError('"new" of a record or map takes an object of expressions');
  if (t.kind === 'map') {
    const entries = Object.entries(spec).map(
      ([k, x]) => [k, checked(compileExpr(x, ctx), t.values, `map value ${k}`)] as const,
    );
    return {
      t,
      f: (fr) => {
        const m = newMap();
        for (const [k, f] of entries) m[k] = f(fr);
        return m;
      },
    };
  }
  if (t.kind === 'record') {
    const extra = Object.keys(spec).filter((k) => !t.fields.some((f) => f.name === k));
    if (extra.length) throw new PfaSemanticError(`record ${t.fullName} has no field(s) ${extra.join(', ')}`);
    const fields = t.fields.map((f) => {
      if (!(f.name in spec)) throw new PfaSemanticError(`"new" ${t.fullName} lacks field ${f.name}`);
      return [f.name, checked(compileExpr(spec[f.name], ctx), f.type, `field ${f.name}`)] as const;
    });
    const name = t.fullName;
    return {
      t,
      f: (fr) => {
        const r: Record<string, Value> = {};
        for (const [k, f] of fields) r[k] = f(fr);
        return makeRecord(name, r);
      },
    };
  }
  throw new PfaSemanticError(`"new" builds records, maps and arrays, not ${describe(t)}`);
}

function checked(e: Expr, t: AvroType, what: string): Code {
  if (!accepts(t, e.t)) throw new PfaSemanticError(`${what}: expected ${describe(t)}, got ${describe(e.t)}`);
  return e.f;
}

function compileUpcast(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const e = compileExpr(j['upcast'], ctx);
  const t = ctx.types.parse(plainJson(j['as']));
  if (!accepts(t, e.t)) throw new PfaSemanticError(`cannot upcast ${describe(e.t)} to ${describe(t)}`);
  return { t, f: e.f };
}

function withoutNull(t: AvroType): AvroType | undefined {
  if (t.kind !== 'union' || !t.types.some((x) => x.kind === 'null')) return undefined;
  return unionOf(t.types.filter((x) => x.kind !== 'null'));
}

function compileIfNotNull(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const spec = j['ifnotnull'];
  if (!isObj(spec)) throw new PfaSemanticError('"ifnotnull" takes an object of names');
  const inner = withScope(ctx, ctx.scope.child());
  const vars = Object.entries(spec).map(([name, x]) => {
    const e = compileExpr(x, ctx);
    const t = withoutNull(e.t);
    if (!t) throw new PfaSemanticError(`"ifnotnull" ${name} must be a union with null, not ${describe(e.t)}`);
    return { slot: inner.scope.declare(name, t).slot, f: e.f };
  });
  const th = compileBody(j['then'], inner, false);
  const el = 'else' in j ? compileBody(j['else'], ctx) : undefined;
  const t = th.f;
  const e = el?.f;
  return {
    t: el ? branchType(th, el) : T.null,
    f: (fr) => {
      for (const v of vars) {
        const x = v.f(fr);
        if (x === null) return e ? e(fr) : null;
        fr[v.slot] = x;
      }
      const r = t(fr);
      return e ? r : null;
    },
  };
}

function compileCast(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const e = compileExpr(j['cast'], ctx);
  const cases = j['cases'];
  if (!Array.isArray(cases) || cases.length === 0) throw new PfaSemanticError('"cast" needs "cases"');
  const partial = j['partial'] === true;
  const compiled = cases.map((c) => {
    if (!isObj(c) || typeof c['named'] !== 'string')
      throw new PfaSemanticError('"cast" cases are {"as": T, "named": n, "do": ...}');
    const t = ctx.types.parse(plainJson(c['as']));
    if (!accepts(e.t, t))
      throw new PfaSemanticError(`cast case ${describe(t)} is not a subtype of ${describe(e.t)}`);
    const inner = withScope(ctx, ctx.scope.child());
    const slot = inner.scope.declare(c['named'], t).slot;
    const body = compileBody(c['do'], inner, false);
    return { t, slot, body };
  });
  if (!partial) {
    const branches = e.t.kind === 'union' ? e.t.types : [e.t];
    const missing = branches.filter((b) => !compiled.some((c) => accepts(c.t, b)));
    if (missing.length)
      throw new PfaSemanticError(
        `"cast" does not cover ${missing.map(describe).join(', ')} (use "partial": true)`,
      );
  }
  let rt: Expr | undefined;
  for (const c of compiled) rt = rt ? { t: branchType(rt, c.body), f: rt.f } : c.body;
  const ef = e.f;
  const cs = compiled.map((c) => ({ t: c.t, slot: c.slot, f: c.body.f }));
  return {
    t: partial ? T.null : rt!.t,
    f: (fr) => {
      const v = ef(fr);
      for (const c of cs) {
        if (valueMatches(c.t, v)) {
          fr[c.slot] = v;
          const r = c.f(fr);
          return partial ? null : r;
        }
      }
      return null;
    },
  };
}

function compileTry(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const body = compileBody(j['try'], ctx);
  const filter = j['filter'];
  const accept = Array.isArray(filter) ? filter.map((x) => plainJson(x)) : undefined;
  const b = body.f;
  return {
    t: body.t.kind === 'null' ? T.null : unionOf([body.t, T.null]),
    f: (fr) => {
      try {
        return b(fr);
      } catch (err) {
        if (err instanceof PfaTimeoutError) throw err;
        if (!(err instanceof PfaUserError || err instanceof PfaRuntimeError)) throw err;
        if (accept && !accept.some((a) => a === err.message || (typeof a === 'number' && a === err.code)))
          throw err;
        return null;
      }
    },
  };
}

function compileError(j: Record<string, unknown>, _ctx: CompileContext): Expr {
  const msg = j['error'];
  if (typeof msg !== 'string') throw new PfaSemanticError('"error" takes a message string');
  const code = typeof j['code'] === 'number' ? (j['code'] as number) : undefined;
  return {
    t: T.null,
    never: true,
    f: () => {
      throw new PfaUserError(msg, code);
    },
  };
}

function compileLog(j: Record<string, unknown>, ctx: CompileContext): Expr {
  const raw = j['log'];
  const exprs = (Array.isArray(raw) && !(raw.length === 1 && typeof raw[0] === 'string') ? raw : [raw]).map(
    (x) => compileExpr(x, ctx),
  );
  const ns = typeof j['namespace'] === 'string' ? (j['namespace'] as string) : undefined;
  const rt = ctx.rt;
  return {
    t: T.null,
    f: (fr) => {
      rt.log(
        exprs.map((e) => e.f(fr)),
        ns,
      );
      return null;
    },
  };
}

// ---------------------------------------------------------------- function references

export function isFcnJson(j: unknown): j is Record<string, unknown> {
  return isObj(j) && ('fcn' in j || ('params' in j && 'ret' in j && 'do' in j));
}

/** A compiled function argument: its (possibly overload-dependent) type and the code that yields it. */
interface CompiledFcnArg {
  readonly arg: FcnArg;
  readonly value: Code;
}

function userFnArg(fnDef: UserFn, fill: Record<string, Expr> | undefined): CompiledFcnArg {
  const free = fnDef.params.filter((p) => !fill || !(p.name in fill));
  for (const [k, e] of Object.entries(fill ?? {})) {
    const p = fnDef.params.find((x) => x.name === k);
    if (!p) throw new PfaSemanticError(`function ${fnDef.name} has no parameter "${k}" to fill`);
    if (!accepts(p.type, e.t))
      throw new PfaSemanticError(`fill ${k}: expected ${describe(p.type)}, got ${describe(e.t)}`);
  }
  const type: FcnType = { kind: 'fcn', params: free.map((p) => p.type), ret: fnDef.ret };
  const arg: FcnArg = {
    kind: 'fcnArg',
    resolve: (ps) =>
      acceptsFcn({ kind: 'fcn', params: ps, ret: fnDef.ret }, type)
        ? type
        : `${fnDef.name} does not take (${ps.map(describe).join(', ')})`,
  };
  if (!fill) {
    const f = (...args: Value[]) => fnDef.call(args);
    return { arg, value: () => f };
  }
  // Partial application: the filled values are computed where the reference appears.
  const layout = fnDef.params.map((p) => (fill[p.name] ? { fixed: fill[p.name]!.f } : { fixed: undefined }));
  return {
    arg,
    value: (fr) => {
      const fixed = layout.map((l) => (l.fixed ? l.fixed(fr) : undefined));
      return (...args: Value[]) => {
        let k = 0;
        return fnDef.call(fixed.map((v) => (v === undefined ? args[k++]! : v)));
      };
    },
  };
}

export function compileFcnArg(j: Record<string, unknown>, ctx: CompileContext): CompiledFcnArg {
  if ('params' in j) {
    const fnDef = declareUserFn('(inline)', j, ctx);
    compileUserFnBody(fnDef, j['do'], ctx, compileBody);
    return userFnArg(fnDef, undefined);
  }
  const name = j['fcn'];
  if (typeof name !== 'string') throw new PfaSemanticError('"fcn" names a function');
  const fill = isObj(j['fill'])
    ? Object.fromEntries(Object.entries(j['fill']).map(([k, x]) => [k, compileExpr(x, ctx)]))
    : undefined;
  const user = ctx.fcns.get(name);
  if (user) return userFnArg(user, fill);
  const lib = LIBRARY.get(name);
  if (!lib) throw new PfaSemanticError(`unknown function "${name}"`);
  if (fill) return libFillArg(name, fill, ctx);
  let impl: ((...a: Value[]) => Value) | undefined;
  const arg: FcnArg = {
    kind: 'fcnArg',
    resolve: (ps) => {
      for (let s = 0; s < lib.sigs.length; s++) {
        const m = matchSig(lib.sigs[s]!, ps);
        const ret = m && (lib.refine ? lib.refine(m.params, s, m.ret) : m.ret);
        if (m && ret && typeof ret !== 'string') {
          impl = lib.build({ name, sig: s, args: m.params, ret, labels: m.labels, random: ctx.rt.random });
          return { kind: 'fcn', params: ps, ret };
        }
      }
      return `${name} does not take (${ps.map(describe).join(', ')})`;
    },
  };
  return {
    arg,
    value: () => {
      if (!impl) throw new PfaSemanticError(`function reference ${name} was never resolved`);
      return impl as Value;
    },
  };
}

/**
 * A library function with some parameters filled (`{"fcn": "s.concat", "fill": {"x": ...}}`). Parameters
 * are named as in libfcns.xml; the remaining ones, in their declared order, are the reference's parameters.
 * Each signature whose names include every filled one is tried with the filled types in place.
 */
function libFillArg(name: string, fill: Record<string, Expr>, ctx: CompileContext): CompiledFcnArg {
  const lib = LIBRARY.get(name)!;
  const keys = Object.keys(fill);
  const lists = (PARAM_NAMES[name] ?? '')
    .split(' ')
    .filter((x) => x)
    .map((x) => x.split(','));
  if (!lists.some((names) => keys.every((k) => names.includes(k))))
    throw new PfaSemanticError(`library function ${name} has no parameter(s) ${keys.join(', ')} to fill`);
  let impl: ((...a: Value[]) => Value) | undefined;
  let order: (Code | undefined)[] = [];
  const arg: FcnArg = {
    kind: 'fcnArg',
    resolve: (ps) => {
      for (const names of lists) {
        if (names.length !== keys.length + ps.length || !keys.every((k) => names.includes(k))) continue;
        let k = 0;
        const args = names.map((n) => (n in fill ? fill[n]!.t : ps[k++]!));
        for (let s = 0; s < lib.sigs.length; s++) {
          const m = matchSig(lib.sigs[s]!, args);
          const ret = m && (lib.refine ? lib.refine(m.params, s, m.ret) : m.ret);
          if (m && ret && typeof ret !== 'string') {
            impl = lib.build({ name, sig: s, args: m.params, ret, labels: m.labels, random: ctx.rt.random });
            order = names.map((n) => (n in fill ? fill[n]!.f : undefined));
            return { kind: 'fcn', params: ps, ret };
          }
        }
      }
      return `${name} with ${keys.join(', ')} filled does not take (${ps.map(describe).join(', ')})`;
    },
  };
  return {
    arg,
    value: (fr) => {
      if (!impl) throw new PfaSemanticError(`function reference ${name} was never resolved`);
      const f = impl;
      const n = order.length;
      // Filled values are computed where the reference appears; free slots take the call's arguments.
      const full = order.map((c) => (c ? c(fr) : null));
      const free = order.map((c, i) => (c ? -1 : i)).filter((i) => i >= 0);
      if (free.length === 1) {
        const at = free[0]!;
        return ((x: Value) => {
          const a = full.slice();
          a[at] = x;
          return f(...a);
        }) as unknown as Value;
      }
      return ((...xs: Value[]) => {
        const a = full.slice(0, n);
        for (let i = 0; i < free.length; i++) a[free[i]!] = xs[i]!;
        return f(...a);
      }) as unknown as Value;
    },
  };
}

/** Declares a user function from `{"params": [{name: type}], "ret": type}` (its body comes later). */
export function declareUserFn(
  name: string,
  j: Record<string, unknown>,
  ctx: Pick<CompileContext, 'types'>,
): UserFn {
  const ps = j['params'];
  if (!Array.isArray(ps)) throw new PfaSemanticError(`function ${name}: "params" must be an array`);
  const params = ps.map((p) => {
    if (!isObj(p) || Object.keys(p).length !== 1)
      throw new PfaSemanticError(`function ${name}: params are [{"name": type}]`);
    const [pn, pt] = Object.entries(p)[0]!;
    return { name: pn, type: ctx.types.parse(plainJson(pt)) };
  });
  const ret = ctx.types.parse(plainJson(j['ret']));
  return {
    name,
    params,
    ret,
    type: { kind: 'fcn', params: params.map((p) => p.type), ret },
    call: () => {
      throw new PfaSemanticError(`function ${name} called before it was compiled`);
    },
  };
}

// ---------------------------------------------------------------- calls

function compileCall(name: string, rawArgs: unknown, ctx: CompileContext): Expr {
  const list = Array.isArray(rawArgs) ? rawArgs : [rawArgs];
  if (name === '&&' || name === '||') {
    if (list.length !== 2) throw new PfaSemanticError(`${name} takes two arguments`);
    const a = predicate(list[0], ctx, `${name} argument`);
    const b = predicate(list[1], ctx, `${name} argument`);
    return {
      t: T.boolean,
      f: name === '&&' ? (fr) => (a(fr) as boolean) && b(fr) : (fr) => (a(fr) as boolean) || b(fr),
    };
  }
  if (name === 'emit') {
    if (ctx.method !== 'emit') throw new PfaSemanticError('"emit" is only available with method "emit"');
    if (list.length !== 1) throw new PfaSemanticError('"emit" takes one argument');
    const e = compileExpr(list[0], ctx);
    if (!accepts(ctx.outputType, e.t))
      throw new PfaSemanticError(`emit: ${describe(e.t)} is not the output type ${describe(ctx.outputType)}`);
    const f = e.f;
    const rt = ctx.rt;
    return { t: T.null, f: (fr) => (rt.emit(f(fr)), null) };
  }
  const user = ctx.fcns.get(name);
  if (user) {
    if (list.length !== user.params.length)
      throw new PfaSemanticError(`${name} takes ${user.params.length} arguments`);
    const args = list.map((x, i) =>
      checked(compileExpr(x, ctx), user.params[i]!.type, `${name} argument ${user.params[i]!.name}`),
    );
    const n = args.length;
    return {
      t: user.ret,
      f: (fr) => {
        const vals = new Array<Value>(n);
        for (let i = 0; i < n; i++) vals[i] = args[i]!(fr);
        return user.call(vals);
      },
    };
  }
  const lib = LIBRARY.get(name);
  if (!lib) throw new PfaSemanticError(`unknown function or special form "${name}"`);
  const compiled = list.map((x) => (isFcnJson(x) ? compileFcnArg(x, ctx) : compileExpr(x, ctx)));
  const argTypes: ArgType[] = compiled.map((c) => ('arg' in c ? c.arg : c.t));
  const reasons: string[] = [];
  for (let s = 0; s < lib.sigs.length; s++) {
    const m = matchSig(lib.sigs[s]!, argTypes);
    if (!m) continue;
    const ret = lib.refine ? lib.refine(m.params, s, m.ret) : m.ret;
    if (typeof ret === 'string') {
      reasons.push(ret);
      continue;
    }
    const info: CallInfo = { name, sig: s, args: m.params, ret, labels: m.labels, random: ctx.rt.random };
    const impl = lib.build(info);
    const codes = compiled.map((c) => ('arg' in c ? c.value : c.f));
    return { t: ret, f: callCode(impl, codes) };
  }
  throw new PfaSemanticError(
    `${name}: no signature takes (${describeArgs(argTypes)}); expected ${lib.sigs.map((s) => s.text).join(' or ')}${reasons.length ? ` (${reasons.join('; ')})` : ''}`,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- library implementations take any arity and types
function callCode(impl: (...a: any[]) => Value, codes: Code[]): Code {
  switch (codes.length) {
    case 0:
      return () => impl();
    case 1: {
      const [a] = codes as [Code];
      return (fr) => impl(a(fr));
    }
    case 2: {
      const [a, b] = codes as [Code, Code];
      return (fr) => impl(a(fr), b(fr));
    }
    case 3: {
      const [a, b, c] = codes as [Code, Code, Code];
      return (fr) => impl(a(fr), b(fr), c(fr));
    }
    default:
      return (fr) => impl(...codes.map((c) => c(fr)));
  }
}

export { Scope };
