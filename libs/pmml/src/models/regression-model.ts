import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext, Getter } from '../context';
import { pmmlError } from '../errors';
import type { Scope } from '../scope';
import { resolveField } from '../transformations/expressions';
import { coerce, isNumericType, toNumber } from '../values';
import { children, enumAttr, intAttr, numberAttr, requiredAttr, requiredNumberAttr } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import type { FastTable } from '../fast-path';
import { argmax, type ModelCompiler, type ModelResult, type TargetInfo } from './model';
import {
  NORMALIZATIONS,
  simplemaxInPlace,
  softmaxInPlace,
  unaryNormalization,
  type Normalization,
} from './normalization';

/** A compiled RegressionTable: the linear predictor, NaN when an input it needs is missing. */
export type LinearTable = (ctx: EvalContext) => number;

function num(v: FeatureValue): number {
  if (typeof v === 'number') return v;
  const n = toNumber(v);
  return n === null ? NaN : n;
}

/**
 * Compiles one RegressionTable. Numeric predictors and predictor terms make the result missing when an
 * input is missing; a missing categorical input just contributes nothing (spec: "the categorical field
 * is ignored").
 */
export function compileRegressionTable(el: XmlElement, scope: Scope, f32 = false): LinearTable {
  const intercept = requiredNumberAttr(el, 'intercept');
  if (f32) return compileFloatTable(el, scope, intercept);
  const numeric = children(el, 'NumericPredictor').map((p) => ({
    get: resolveField(scope, requiredAttr(p, 'name'), p).get,
    coefficient: requiredNumberAttr(p, 'coefficient'),
    exponent: intAttr(p, 'exponent', 1),
  }));
  const nGet: Getter[] = numeric.map((p) => p.get);
  const nCoef = Float64Array.from(numeric, (p) => p.coefficient);
  const nExp = Float64Array.from(numeric, (p) => p.exponent);
  const allLinear = numeric.every((p) => p.exponent === 1);
  const nn = nGet.length;

  // Categorical predictors grouped by field: one map lookup per field.
  const groups = new Map<string, { get: Getter; coef: Map<FeatureValue, number> }>();
  for (const p of children(el, 'CategoricalPredictor')) {
    const name = requiredAttr(p, 'name');
    let g = groups.get(name);
    if (!g) {
      g = { get: resolveField(scope, name, p).get, coef: new Map() };
      groups.set(name, g);
    }
    const field = resolveField(scope, name, p);
    const raw = requiredAttr(p, 'value');
    const value = coerce(field.dataType, raw);
    if (value === undefined || value === null)
      throw pmmlError(p, `value '${raw}' is not a valid ${field.dataType}`);
    if (!g.coef.has(value)) g.coef.set(value, requiredNumberAttr(p, 'coefficient'));
  }
  const cats = [...groups.values()];
  const nc = cats.length;

  const terms = children(el, 'PredictorTerm').map((t) => ({
    coefficient: requiredNumberAttr(t, 'coefficient'),
    factors: children(t, 'FieldRef').map((f) => resolveField(scope, requiredAttr(f, 'field'), f).get),
  }));
  const nt = terms.length;

  return (ctx) => {
    let s = intercept;
    if (allLinear) {
      for (let i = 0; i < nn; i++) {
        const v = nGet[i]!(ctx);
        if (v === null) return NaN;
        s += nCoef[i]! * num(v);
      }
    } else {
      for (let i = 0; i < nn; i++) {
        const v = nGet[i]!(ctx);
        if (v === null) return NaN;
        const e = nExp[i]!;
        s += nCoef[i]! * (e === 1 ? num(v) : Math.pow(num(v), e));
      }
    }
    for (let i = 0; i < nc; i++) {
      const g = cats[i]!;
      const v = g.get(ctx);
      if (v === null) continue;
      const c = g.coef.get(v);
      if (c !== undefined) s += c;
    }
    for (let i = 0; i < nt; i++) {
      const t = terms[i]!;
      let prod = t.coefficient;
      for (const f of t.factors) {
        const v = f(ctx);
        if (v === null) return NaN;
        prod *= num(v);
      }
      s += prod;
    }
    return s;
  };
}

/**
 * The same table evaluated in 32-bit float arithmetic (x-mathContext="float"): every coefficient, input,
 * product and partial sum is rounded to float, reproducing producers that score in float.
 */
function compileFloatTable(el: XmlElement, scope: Scope, intercept: number): LinearTable {
  const f = Math.fround;
  if (children(el, 'CategoricalPredictor').length > 0 || children(el, 'PredictorTerm').length > 0) {
    throw pmmlError(el, 'x-mathContext="float" supports NumericPredictor terms only');
  }
  const preds = children(el, 'NumericPredictor').map((p) => ({
    get: resolveField(scope, requiredAttr(p, 'name'), p).get,
    coefficient: f(requiredNumberAttr(p, 'coefficient')),
    exponent: intAttr(p, 'exponent', 1),
  }));
  const b = f(intercept);
  return (ctx) => {
    let s = 0;
    for (const p of preds) {
      const v = p.get(ctx);
      if (v === null) return NaN;
      const x = f(num(v));
      s = f(s + f(p.coefficient * (p.exponent === 1 ? x : f(Math.pow(x, p.exponent)))));
    }
    return f(s + b);
  };
}

/**
 * The fast-path form of a table (see fast-path.ts): only NumericPredictors over numeric top-level input
 * fields; undefined for anything else.
 */
function fastTable(el: XmlElement, scope: Scope): FastTable | undefined {
  if (children(el, 'CategoricalPredictor').length > 0 || children(el, 'PredictorTerm').length > 0)
    return undefined;
  const terms: FastTable['terms'][number][] = [];
  for (const p of children(el, 'NumericPredictor')) {
    const field = resolveField(scope, requiredAttr(p, 'name'), p);
    if (!field.input || !isNumericType(field.dataType)) return undefined;
    terms.push({
      field: field.input,
      coefficient: requiredNumberAttr(p, 'coefficient'),
      exponent: intAttr(p, 'exponent', 1),
    });
  }
  return { intercept: requiredNumberAttr(el, 'intercept'), terms };
}

/** A table with no predictors and a zero intercept (the reference category of a binary logit). */
function isDefaultTable(el: XmlElement): boolean {
  return (
    children(el, 'NumericPredictor').length === 0 &&
    children(el, 'CategoricalPredictor').length === 0 &&
    children(el, 'PredictorTerm').length === 0 &&
    numberAttr(el, 'intercept', 0) === 0
  );
}

/**
 * Turns per-category linear predictors into probabilities, following the PMML 4.4 rules (and what
 * JPMML does where the spec is silent): binary logit/probit/... compute the first category and give
 * the rest to the second; softmax/simplemax normalise over all; ordinal targets use cumulative links.
 */
export function classificationProbabilities(
  method: Normalization,
  ordinal: boolean,
  xs: Float64Array,
  binarySoftmaxAsLogit: boolean,
  el: XmlElement,
): (xs: Float64Array) => void {
  const k = xs.length;
  const link = unaryNormalization(method);
  const restrict = (y: number) => Math.min(1, Math.max(0, y));
  if (ordinal && method !== 'softmax' && method !== 'simplemax' && method !== 'exp') {
    const f = method === 'none' ? restrict : link!;
    return (p) => {
      let sum = 0;
      for (let i = 0; i < k - 1; i++) {
        const cum = f(p[i]!);
        p[i] = i === 0 ? cum : cum - sum;
        sum = i === 0 ? cum : sum + p[i]!;
      }
      p[k - 1] = 1 - sum;
    };
  }
  switch (method) {
    case 'none':
      if (k === 2) {
        return (p) => {
          p[0] = restrict(p[0]!);
          p[1] = 1 - p[0]!;
        };
      }
      return (p) => {
        let sum = 0;
        for (let i = 0; i < k - 1; i++) sum += p[i]!;
        p[k - 1] = 1 - sum;
      };
    case 'softmax':
      if (k === 2 && binarySoftmaxAsLogit) {
        return (p) => {
          p[0] = 1 / (1 + Math.exp(-p[0]!));
          p[1] = 1 - p[0]!;
        };
      }
      return (p) => softmaxInPlace(p, k);
    case 'simplemax':
      return (p) => simplemaxInPlace(p, k);
    case 'logit':
    case 'probit':
    case 'cloglog':
    case 'loglog':
    case 'cauchit': {
      const f = link!;
      if (k === 2) {
        return (p) => {
          p[0] = f(p[0]!);
          p[1] = 1 - p[0]!;
        };
      }
      if (method === 'logit') {
        // Not in the spec, but what producers of multi-class "logit" tables expect.
        return (p) => softmaxInPlace(p, k);
      }
      throw pmmlError(el, `normalizationMethod '${method}' needs exactly two categories (has ${k})`);
    }
    default:
      throw pmmlError(el, `normalizationMethod '${method}' is not allowed for classification`);
  }
}

/** Types class labels as the target field, with an error naming the element for bad ones. */
export function typedCategory(target: TargetInfo, raw: string, el: XmlElement): FeatureValue {
  const v = coerce(target.dataType, raw);
  if (v === undefined || v === null)
    throw pmmlError(el, `category '${raw}' is not a valid ${target.dataType} for target '${target.name}'`);
  return v;
}

export const compileRegressionModel: ModelCompiler = ({ element: el, functionName, target, scope }) => {
  const method = enumAttr(el, 'normalizationMethod', NORMALIZATIONS, 'none');
  const f32 = el.attrs['x-mathContext'] === 'float';
  const tables = children(el, 'RegressionTable');
  if (tables.length === 0) throw pmmlError(el, 'missing required child element <RegressionTable>');

  if (functionName === 'regression') {
    if (tables.length !== 1)
      throw pmmlError(el, `a regression model needs exactly one RegressionTable (has ${tables.length})`);
    if (method === 'simplemax')
      throw pmmlError(el, "normalizationMethod 'simplemax' is not allowed for regression");
    const table = compileRegressionTable(tables[0]!, scope, f32);
    const link = unaryNormalization(method);
    const fast = f32 ? undefined : fastTable(tables[0]!, scope);
    return {
      ...(fast ? { fast: { kind: 'regression' as const, table: fast, link } } : {}),
      evaluate: (ctx): ModelResult => {
        const y = table(ctx);
        if (y !== y) return { value: null };
        const v = link ? link(y) : y;
        return { value: f32 ? Math.fround(v) : v };
      },
    };
  }
  if (functionName !== 'classification')
    throw pmmlError(el, `functionName '${functionName}' is not supported by RegressionModel`);
  if (tables.length < 2)
    throw pmmlError(el, 'a classification model needs a RegressionTable per category (at least two)');
  const categories = tables.map((t) => typedCategory(target, requiredAttr(t, 'targetCategory'), t));
  const compiled = tables.map((t) => compileRegressionTable(t, scope, f32));
  const k = compiled.length;
  const buf = new Float64Array(k);
  const normalize = classificationProbabilities(
    method,
    target.optype === 'ordinal',
    buf,
    isDefaultTable(tables[1]!),
    el,
  );
  const fastTables = f32 ? [] : tables.map((t) => fastTable(t, scope));
  const fast =
    !f32 && fastTables.every((t) => t !== undefined)
      ? {
          kind: 'classification' as const,
          tables: fastTables as FastTable[],
          normalize,
          // classificationProbabilities' binary logit (and binary softmax read as logit) branches
          binaryLogit:
            k === 2 &&
            target.optype !== 'ordinal' &&
            (method === 'logit' || (method === 'softmax' && isDefaultTable(tables[1]!))),
          buf,
        }
      : undefined;
  return {
    categories,
    ...(fast ? { fast } : {}),
    evaluate: (ctx): ModelResult => {
      for (let i = 0; i < k; i++) {
        const y = compiled[i]!(ctx);
        if (y !== y) return { value: null };
        buf[i] = y;
      }
      normalize(buf);
      if (f32) for (let i = 0; i < k; i++) buf[i] = Math.fround(buf[i]!);
      const best = argmax(buf);
      return { value: best < 0 ? null : categories[best]!, probabilities: buf };
    },
  };
};
