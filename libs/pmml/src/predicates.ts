import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext } from './context';
import { pmmlError } from './errors';
import type { CompileEnv, FieldDef, Scope } from './scope';
import { resolveField } from './transformations/expressions';
import { coerce, compareValues, isNumericType, valuesEqual } from './values';
import { arrayStrings, findArray } from './xml/array';
import { enumAttr, parseNumber, requiredAttr } from './xml/element';
import type { XmlElement } from './xml/xml-parser';
import type { FastComparison } from './fast-path';

/** Three-valued logic of PMML predicates. */
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;
export type Truth = 0 | 1 | 2;

export type Predicate = (ctx: EvalContext) => Truth;

export const PREDICATE_ELEMENTS = new Set([
  'SimplePredicate',
  'CompoundPredicate',
  'SimpleSetPredicate',
  'True',
  'False',
]);

export function findPredicate(el: XmlElement): XmlElement | undefined {
  return el.children.find((c) => PREDICATE_ELEMENTS.has(c.name));
}

export function requiredPredicate(el: XmlElement): XmlElement {
  const p = findPredicate(el);
  if (!p)
    throw pmmlError(
      el,
      'missing a predicate (SimplePredicate, CompoundPredicate, SimpleSetPredicate, True or False)',
    );
  return p;
}

const ALWAYS_TRUE: Predicate = () => TRUE;
const ALWAYS_FALSE: Predicate = () => FALSE;

/** A compiled predicate, plus whether it is the constant True (lets trees skip the call entirely). */
export interface CompiledPredicate {
  readonly test: Predicate;
  readonly constant?: Truth;
}

export function compilePredicate(el: XmlElement, scope: Scope, env: CompileEnv): CompiledPredicate {
  switch (el.name) {
    case 'True':
      return { test: ALWAYS_TRUE, constant: TRUE };
    case 'False':
      return { test: ALWAYS_FALSE, constant: FALSE };
    case 'SimplePredicate':
      return { test: compileSimple(el, scope) };
    case 'SimpleSetPredicate':
      return { test: compileSet(el, scope) };
    case 'CompoundPredicate':
      return { test: compileCompound(el, scope, env) };
    default:
      throw pmmlError(el, `unsupported predicate <${el.name}>`);
  }
}

/** Converts a predicate's constant to the field's type, so run-time comparison is a plain `===`/`<`. */
function constantFor(field: FieldDef, raw: string, el: XmlElement): FeatureValue {
  const typed = coerce(field.dataType, raw);
  if (typed !== undefined && typed !== null) return typed;
  // An integer field compared with "2.5" still compares numerically.
  if (isNumericType(field.dataType)) {
    const n = parseNumber(raw);
    if (n !== undefined) return n;
  }
  throw pmmlError(el, `value '${raw}' is not a valid ${field.dataType} for field '${field.name}'`);
}

const FAST_OPERATORS = {
  equal: '===',
  notEqual: '!==',
  lessThan: '<',
  lessOrEqual: '<=',
  greaterThan: '>',
  greaterOrEqual: '>=',
} as const;

/**
 * The fast-path form of a predicate (see fast-path.ts): true/false for True/False, a comparison for a
 * SimplePredicate between a numeric top-level input field and a number; undefined for anything else.
 * Call after compilePredicate accepted the element.
 */
export function fastPredicate(el: XmlElement, scope: Scope): FastComparison | boolean | undefined {
  if (el.name === 'True') return true;
  if (el.name === 'False') return false;
  if (el.name !== 'SimplePredicate') return undefined;
  const op = enumAttr(el, 'operator', OPERATORS);
  if (!op || op === 'isMissing' || op === 'isNotMissing') return undefined;
  const field = resolveField(scope, requiredAttr(el, 'field'), el);
  if (!field.input || !isNumericType(field.dataType)) return undefined;
  if (field.optype === 'ordinal' && field.values && field.values.length > 0) return undefined;
  const c = constantFor(field, requiredAttr(el, 'value'), el);
  if (typeof c !== 'number') return undefined;
  return { field: field.input, op: FAST_OPERATORS[op], value: c };
}

const OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessOrEqual',
  'greaterThan',
  'greaterOrEqual',
  'isMissing',
  'isNotMissing',
] as const;

function compileSimple(el: XmlElement, scope: Scope): Predicate {
  const field = resolveField(scope, requiredAttr(el, 'field'), el);
  const op = enumAttr(el, 'operator', OPERATORS);
  if (!op) throw pmmlError(el, "missing required attribute 'operator'");
  const get = field.get;
  if (op === 'isMissing') return (ctx) => (get(ctx) === null ? TRUE : FALSE);
  if (op === 'isNotMissing') return (ctx) => (get(ctx) === null ? FALSE : TRUE);
  const c = constantFor(field, requiredAttr(el, 'value'), el);

  // Ordinal fields compare by the position of their values in the DataDictionary.
  if (
    field.optype === 'ordinal' &&
    field.values &&
    field.values.length > 0 &&
    op !== 'equal' &&
    op !== 'notEqual'
  ) {
    const order = new Map<FeatureValue, number>();
    field.values.forEach((v, i) => order.set(v, i));
    const ci = order.get(c);
    if (ci !== undefined) {
      const test = relation(op);
      return (ctx) => {
        const v = get(ctx);
        if (v === null) return UNKNOWN;
        const vi = order.get(v);
        return vi === undefined ? UNKNOWN : test(vi - ci) ? TRUE : FALSE;
      };
    }
  }

  if (typeof c === 'number') {
    switch (op) {
      case 'equal':
        return (ctx) => {
          const v = get(ctx);
          return v === null ? UNKNOWN : (typeof v === 'number' ? v === c : valuesEqual(v, c)) ? TRUE : FALSE;
        };
      case 'notEqual':
        return (ctx) => {
          const v = get(ctx);
          return v === null ? UNKNOWN : (typeof v === 'number' ? v !== c : !valuesEqual(v, c)) ? TRUE : FALSE;
        };
      case 'lessThan':
        return (ctx) => {
          const v = get(ctx);
          return v === null
            ? UNKNOWN
            : (typeof v === 'number' ? v < c : compareValues(v, c) < 0)
              ? TRUE
              : FALSE;
        };
      case 'lessOrEqual':
        return (ctx) => {
          const v = get(ctx);
          return v === null
            ? UNKNOWN
            : (typeof v === 'number' ? v <= c : compareValues(v, c) <= 0)
              ? TRUE
              : FALSE;
        };
      case 'greaterThan':
        return (ctx) => {
          const v = get(ctx);
          return v === null
            ? UNKNOWN
            : (typeof v === 'number' ? v > c : compareValues(v, c) > 0)
              ? TRUE
              : FALSE;
        };
      case 'greaterOrEqual':
        return (ctx) => {
          const v = get(ctx);
          return v === null
            ? UNKNOWN
            : (typeof v === 'number' ? v >= c : compareValues(v, c) >= 0)
              ? TRUE
              : FALSE;
        };
    }
  }
  if (op === 'equal') {
    return (ctx) => {
      const v = get(ctx);
      return v === null ? UNKNOWN : v === c || valuesEqual(v, c) ? TRUE : FALSE;
    };
  }
  if (op === 'notEqual') {
    return (ctx) => {
      const v = get(ctx);
      return v === null ? UNKNOWN : v === c || valuesEqual(v, c) ? FALSE : TRUE;
    };
  }
  const test = relation(op);
  return (ctx) => {
    const v = get(ctx);
    return v === null ? UNKNOWN : test(compareValues(v, c)) ? TRUE : FALSE;
  };
}

function relation(op: (typeof OPERATORS)[number]): (cmp: number) => boolean {
  switch (op) {
    case 'lessThan':
      return (x) => x < 0;
    case 'lessOrEqual':
      return (x) => x <= 0;
    case 'greaterThan':
      return (x) => x > 0;
    case 'greaterOrEqual':
      return (x) => x >= 0;
    case 'equal':
      return (x) => x === 0;
    default:
      return (x) => x !== 0;
  }
}

function compileSet(el: XmlElement, scope: Scope): Predicate {
  const field = resolveField(scope, requiredAttr(el, 'field'), el);
  const op = enumAttr(el, 'booleanOperator', ['isIn', 'isNotIn'] as const);
  if (!op) throw pmmlError(el, "missing required attribute 'booleanOperator'");
  const arrayEl = findArray(el);
  if (!arrayEl) throw pmmlError(el, 'missing required child element <Array>');
  const set = new Set<FeatureValue>();
  for (const s of arrayStrings(arrayEl)) {
    const typed = coerce(field.dataType, s);
    if (typed !== undefined && typed !== null) set.add(typed);
  }
  const get = field.get;
  const inside = op === 'isIn' ? TRUE : FALSE;
  const outside = op === 'isIn' ? FALSE : TRUE;
  return (ctx) => {
    const v = get(ctx);
    return v === null ? UNKNOWN : set.has(v) ? inside : outside;
  };
}

function compileCompound(el: XmlElement, scope: Scope, env: CompileEnv): Predicate {
  const op = enumAttr(el, 'booleanOperator', ['and', 'or', 'xor', 'surrogate'] as const);
  if (!op) throw pmmlError(el, "missing required attribute 'booleanOperator'");
  const parts = el.children
    .filter((c) => PREDICATE_ELEMENTS.has(c.name))
    .map((c) => compilePredicate(c, scope, env).test);
  if (parts.length < 2) throw pmmlError(el, 'needs at least two predicates');
  const n = parts.length;
  switch (op) {
    case 'and':
      return (ctx) => {
        let unknown = false;
        for (let i = 0; i < n; i++) {
          const r = parts[i]!(ctx);
          if (r === FALSE) return FALSE;
          if (r === UNKNOWN) unknown = true;
        }
        return unknown ? UNKNOWN : TRUE;
      };
    case 'or':
      return (ctx) => {
        let unknown = false;
        for (let i = 0; i < n; i++) {
          const r = parts[i]!(ctx);
          if (r === TRUE) return TRUE;
          if (r === UNKNOWN) unknown = true;
        }
        return unknown ? UNKNOWN : FALSE;
      };
    case 'xor':
      return (ctx) => {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          const r = parts[i]!(ctx);
          if (r === UNKNOWN) return UNKNOWN;
          acc ^= r;
        }
        return acc === 1 ? TRUE : FALSE;
      };
    case 'surrogate':
      // The first predicate that is not UNKNOWN decides.
      return (ctx) => {
        for (let i = 0; i < n; i++) {
          const r = parts[i]!(ctx);
          if (r !== UNKNOWN) {
            if (i > 0) ctx.surrogates++;
            return r;
          }
        }
        return UNKNOWN;
      };
  }
}
