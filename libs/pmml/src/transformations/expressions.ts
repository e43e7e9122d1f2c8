import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext, Getter } from '../context';
import { inInterval, parseDataType, parseInterval, type Interval } from '../data-dictionary';
import { pmmlError, recordError } from '../errors';
import { FieldCycleError, type CompileEnv, type FieldDef, type Scope } from '../scope';
import { coerce, coerceOrNull, isNumericType, toNumber, toText, type DataType, type OpType } from '../values';
import {
  boolAttr,
  children,
  enumAttr,
  numberAttr,
  parseNumber,
  requiredAttr,
  requiredNumberAttr,
} from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import { lookupBuiltin } from './builtin-functions';
import { compileTextIndex } from './text-index';

/** A compiled PMML expression: a getter plus the type of what it returns. */
export interface CompiledExpr {
  readonly get: Getter;
  readonly dataType: DataType;
  readonly optype: OpType;
  /** The value when the expression is a Constant (lets callers precompute regexes and the like). */
  readonly constant?: FeatureValue;
}

export const EXPRESSION_ELEMENTS = new Set([
  'Constant',
  'FieldRef',
  'NormContinuous',
  'NormDiscrete',
  'Discretize',
  'MapValues',
  'TextIndex',
  'Apply',
  'Aggregate',
  'Lag',
]);

/** The expression child of a DerivedField, OutputField, DefineFunction, ... (undefined if none). */
export function findExpression(el: XmlElement): XmlElement | undefined {
  for (const c of el.children) if (EXPRESSION_ELEMENTS.has(c.name)) return c;
  return undefined;
}

/** Looks a field up, turning "unknown" and "cyclic" into build errors that name the referencing element. */
export function resolveField(scope: Scope, name: string, el: XmlElement): FieldDef {
  let def: FieldDef | undefined;
  try {
    def = scope.resolve(name);
  } catch (err) {
    if (err instanceof FieldCycleError) throw pmmlError(el, err.message);
    throw err;
  }
  if (!def) throw pmmlError(el, `reference to undefined field '${name}'`);
  return def;
}

function mapMissing(el: XmlElement, dataType: DataType): FeatureValue {
  const raw = el.attrs['mapMissingTo'];
  if (raw === undefined) return null;
  return coerceOrNull(dataType, raw);
}

function inferConstantType(text: string): DataType {
  const n = parseNumber(text);
  if (n === undefined) return 'string';
  return /^[+-]?\d+$/.test(text.trim()) ? 'integer' : 'double';
}

export function compileExpression(el: XmlElement, scope: Scope, env: CompileEnv): CompiledExpr {
  switch (el.name) {
    case 'Constant':
      return compileConstant(el);
    case 'FieldRef':
      return compileFieldRef(el, scope);
    case 'NormContinuous':
      return compileNormContinuous(el, scope);
    case 'NormDiscrete':
      return compileNormDiscrete(el, scope);
    case 'Discretize':
      return compileDiscretize(el, scope);
    case 'MapValues':
      return compileMapValues(el, scope);
    case 'Apply':
      return compileApply(el, scope, env);
    case 'TextIndex':
      return compileTextIndex(el, scope, env, compileExpression);
    default:
      throw pmmlError(el, `unsupported expression <${el.name}>`);
  }
}

function compileConstant(el: XmlElement): CompiledExpr {
  const text = el.text.trim();
  const dataType = parseDataType(el) ?? inferConstantType(text);
  const missing = boolAttr(el, 'missing', false);
  let value: FeatureValue = null;
  if (!missing) {
    const v = coerce(dataType, dataType === 'string' ? el.text : text);
    if (v === undefined) throw pmmlError(el, `constant '${text}' is not a valid ${dataType}`);
    value = v;
  }
  return {
    get: () => value,
    dataType,
    optype: isNumericType(dataType) ? 'continuous' : 'categorical',
    constant: value,
  };
}

function compileFieldRef(el: XmlElement, scope: Scope): CompiledExpr {
  const field = resolveField(scope, requiredAttr(el, 'field'), el);
  const replacement = mapMissing(el, field.dataType);
  const get0 = field.get;
  const get: Getter =
    replacement === null
      ? get0
      : (ctx) => {
          const v = get0(ctx);
          return v === null ? replacement : v;
        };
  return { get, dataType: field.dataType, optype: field.optype };
}

function compileNormContinuous(el: XmlElement, scope: Scope): CompiledExpr {
  const field = resolveField(scope, requiredAttr(el, 'field'), el);
  const norms = children(el, 'LinearNorm').map((n) => ({
    orig: requiredNumberAttr(n, 'orig'),
    norm: requiredNumberAttr(n, 'norm'),
  }));
  if (norms.length < 2) throw pmmlError(el, 'needs at least two LinearNorm elements');
  for (let i = 1; i < norms.length; i++) {
    if (!(norms[i]!.orig > norms[i - 1]!.orig))
      throw pmmlError(el, 'LinearNorm orig values must be strictly increasing');
  }
  const orig = Float64Array.from(norms, (n) => n.orig);
  const norm = Float64Array.from(norms, (n) => n.norm);
  const k = orig.length;
  const outliers = enumAttr(el, 'outliers', ['asIs', 'asMissingValues', 'asExtremeValues'] as const, 'asIs');
  const mapMissingTo = numberAttr(el, 'mapMissingTo');
  const missing = mapMissingTo ?? null;
  const get0 = field.get;
  const get: Getter = (ctx) => {
    const x = toNumber(get0(ctx));
    if (x === null) return missing;
    let i: number;
    if (x < orig[0]!) {
      if (outliers === 'asMissingValues') return missing;
      if (outliers === 'asExtremeValues') return norm[0]!;
      i = 1;
    } else if (x > orig[k - 1]!) {
      if (outliers === 'asMissingValues') return missing;
      if (outliers === 'asExtremeValues') return norm[k - 1]!;
      i = k - 1;
    } else {
      i = 1;
      while (i < k - 1 && x > orig[i]!) i++;
    }
    const x0 = orig[i - 1]!;
    const y0 = norm[i - 1]!;
    return y0 + ((x - x0) / (orig[i]! - x0)) * (norm[i]! - y0);
  };
  return { get, dataType: 'double', optype: 'continuous' };
}

function compileNormDiscrete(el: XmlElement, scope: Scope): CompiledExpr {
  const field = resolveField(scope, requiredAttr(el, 'field'), el);
  const raw = requiredAttr(el, 'value');
  const value = coerce(field.dataType, raw);
  const missing = numberAttr(el, 'mapMissingTo') ?? null;
  const get0 = field.get;
  if (value === undefined || value === null) {
    // A category the field can never take: always 0 (still missing when the input is).
    return { get: (ctx) => (get0(ctx) === null ? missing : 0), dataType: 'double', optype: 'continuous' };
  }
  return {
    get: (ctx) => {
      const v = get0(ctx);
      return v === null ? missing : v === value ? 1 : 0;
    },
    dataType: 'double',
    optype: 'continuous',
  };
}

function compileDiscretize(el: XmlElement, scope: Scope): CompiledExpr {
  const field = resolveField(scope, requiredAttr(el, 'field'), el);
  const dataType = parseDataType(el) ?? 'string';
  const bins: { iv: Interval; value: FeatureValue }[] = children(el, 'DiscretizeBin').map((b) => {
    const iv = children(b, 'Interval')[0];
    if (!iv) throw pmmlError(b, 'missing required child element <Interval>');
    const v = coerce(dataType, requiredAttr(b, 'binValue'));
    if (v === undefined || v === null) throw pmmlError(b, `binValue is not a valid ${dataType}`);
    return { iv: parseInterval(iv), value: v };
  });
  const missing = mapMissing(el, dataType);
  const dflt =
    el.attrs['defaultValue'] === undefined ? null : coerceOrNull(dataType, el.attrs['defaultValue']);
  const get0 = field.get;
  return {
    get: (ctx) => {
      const x = toNumber(get0(ctx));
      if (x === null) return missing;
      for (const b of bins) if (inInterval(b.iv, x)) return b.value;
      return dflt;
    },
    dataType,
    optype: isNumericType(dataType) ? 'continuous' : 'categorical',
  };
}

/** Reads an InlineTable into rows of column → cell text (namespaced cell elements match on local name). */
export function parseInlineTable(el: XmlElement): Record<string, string>[] {
  return children(el, 'row').map((row) => {
    const r: Record<string, string> = {};
    for (const c of row.children) r[c.name] = c.text;
    return r;
  });
}

export function findTable(el: XmlElement): XmlElement {
  for (const c of el.children) {
    if (c.name === 'InlineTable') return c;
    if (c.name === 'TableLocator')
      throw pmmlError(c, 'TableLocator (external tables) is not supported; use an InlineTable');
  }
  throw pmmlError(el, 'missing required child element <InlineTable>');
}

/** Canonical text of a typed value (for keys of lookup tables over several columns). */
function keyOf(v: FeatureValue): string {
  return toText(v) ?? '';
}

function compileMapValues(el: XmlElement, scope: Scope): CompiledExpr {
  const outputColumn = requiredAttr(el, 'outputColumn');
  const dataType = parseDataType(el) ?? 'string';
  const pairs = children(el, 'FieldColumnPair').map((p) => ({
    field: resolveField(scope, requiredAttr(p, 'field'), p),
    column: requiredAttr(p, 'column'),
  }));
  const missing = mapMissing(el, dataType);
  const dflt =
    el.attrs['defaultValue'] === undefined ? null : coerceOrNull(dataType, el.attrs['defaultValue']);
  const table = new Map<string, FeatureValue>();
  for (const row of parseInlineTable(findTable(el))) {
    const out = row[outputColumn];
    if (out === undefined) continue;
    const parts: string[] = [];
    let ok = true;
    for (const p of pairs) {
      const cell = row[p.column];
      const typed = cell === undefined ? undefined : coerce(p.field.dataType, cell);
      if (typed === undefined || typed === null) {
        ok = false;
        break;
      }
      parts.push(keyOf(typed));
    }
    const key = parts.join('\u0000');
    if (ok && !table.has(key)) table.set(key, coerceOrNull(dataType, out));
  }
  const getters = pairs.map((p) => p.field.get);
  const n = getters.length;
  let get: Getter;
  if (n === 1) {
    const g = getters[0]!;
    get = (ctx) => {
      const v = g(ctx);
      if (v === null) return missing;
      const r = table.get(keyOf(v));
      return r === undefined ? dflt : r;
    };
  } else {
    get = (ctx) => {
      let key = '';
      for (let i = 0; i < n; i++) {
        const v = getters[i]!(ctx);
        if (v === null) return missing;
        key += (i > 0 ? '\u0000' : '') + keyOf(v);
      }
      const r = table.get(key);
      return r === undefined ? dflt : r;
    };
  }
  return { get, dataType, optype: isNumericType(dataType) ? 'continuous' : 'categorical' };
}

function compileApply(el: XmlElement, scope: Scope, env: CompileEnv): CompiledExpr {
  const name = requiredAttr(el, 'function');
  const argEls = el.children.filter((c) => EXPRESSION_ELEMENTS.has(c.name));
  const args = argEls.map((a) => compileExpression(a, scope, env));
  const getters = args.map((a) => a.get);
  const argTypes = args.map((a) => a.dataType);
  const invalidTreatment = enumAttr(
    el,
    'invalidValueTreatment',
    ['returnInvalid', 'asIs', 'asMissing'] as const,
    'returnInvalid',
  );

  let call: Getter;
  let dataType: DataType;
  let optype: OpType;
  const builtin = lookupBuiltin(name, el, args.length);
  if (builtin) {
    call = builtin.make(
      getters,
      argTypes,
      el,
      args.map((a) => a.constant),
    );
    dataType = builtin.type(argTypes);
    optype = isNumericType(dataType) ? 'continuous' : 'categorical';
  } else {
    if (!env.functions.has(name)) throw pmmlError(el, `unknown function '${name}'`);
    const fn = env.resolveFunction(name);
    if (!fn) throw pmmlError(el, `function '${name}' calls itself (recursion is not allowed)`);
    if (fn.paramSlots.length !== args.length) {
      throw pmmlError(el, `function '${name}' takes ${fn.paramSlots.length} argument(s), got ${args.length}`);
    }
    call = userFunctionCall(fn.paramSlots, fn.paramTypes, getters, () => fn.body);
    dataType = fn.dataType;
    optype = fn.optype;
  }

  const mapMissingTo =
    el.attrs['mapMissingTo'] === undefined ? null : coerceOrNull(dataType, el.attrs['mapMissingTo']);
  const defaultValue =
    el.attrs['defaultValue'] === undefined ? null : coerceOrNull(dataType, el.attrs['defaultValue']);
  const numeric = isNumericType(dataType);
  const n = getters.length;
  const get: Getter = (ctx) => {
    if (mapMissingTo !== null) {
      for (let i = 0; i < n; i++) if (getters[i]!(ctx) === null) return mapMissingTo;
    }
    let v = call(ctx);
    if (numeric && typeof v === 'number' && v !== v) {
      // A numeric domain error (log of a negative number, 0/0, ...) is an invalid result.
      if (invalidTreatment === 'returnInvalid')
        throw recordError(`function '${name}' returned an invalid result`);
      v = null;
    }
    if (v === null) return defaultValue;
    return v;
  };
  return { get, dataType, optype };
}

/** Calls a DefineFunction: evaluate every argument first, then bind parameter slots, then the body. */
function userFunctionCall(
  slots: readonly number[],
  types: readonly (DataType | undefined)[],
  args: readonly Getter[],
  body: () => Getter | undefined,
): Getter {
  const n = args.length;
  const buf: FeatureValue[] = new Array<FeatureValue>(n).fill(null);
  return (ctx: EvalContext) => {
    for (let i = 0; i < n; i++) {
      const t = types[i];
      const v = args[i]!(ctx);
      buf[i] = t === undefined ? v : coerceOrNull(t, v);
    }
    for (let i = 0; i < n; i++) {
      ctx.values[slots[i]!] = buf[i]!;
      ctx.stamps[slots[i]!] = ctx.epoch;
    }
    const b = body();
    return b ? b(ctx) : null;
  };
}
