import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext, Getter } from '../context';
import { pmmlError } from '../errors';
import type { Scope } from '../scope';
import { resolveField } from '../transformations/expressions';
import { coerce, toNumber } from '../values';
import {
  child,
  children,
  enumAttr,
  numberAttr,
  parseNumber,
  requiredAttr,
  requiredChild,
  requiredNumberAttr,
} from '../xml/element';
import { readMatrix } from '../xml/array';
import type { XmlElement } from '../xml/xml-parser';
import { argmax, type ModelCompiler, type ModelCore, type ModelResult } from './model';
import { cauchit, cloglog, logit, loglog, probit } from './normalization';
import { typedCategory } from './regression-model';

const MODEL_TYPES = [
  'regression',
  'generalLinear',
  'multinomialLogistic',
  'ordinalMultinomial',
  'generalizedLinear',
  'CoxRegression',
] as const;
const LINKS = [
  'cloglog',
  'identity',
  'log',
  'logc',
  'logit',
  'loglog',
  'negbin',
  'oddspower',
  'power',
  'probit',
] as const;
const CUMULATIVE_LINKS = ['logit', 'probit', 'cloglog', 'loglog', 'cauchit'] as const;

/** The inverse of a GLM link function: linear predictor → mean. */
function inverseLink(el: XmlElement, link: (typeof LINKS)[number]): (eta: number) => number {
  const d = numberAttr(el, 'linkParameter');
  const c = numberAttr(el, 'distParameter');
  switch (link) {
    case 'identity':
      return (e) => e;
    case 'log':
      return Math.exp;
    case 'logc':
      return (e) => 1 - Math.exp(e);
    case 'logit':
      return logit;
    case 'loglog':
      return loglog;
    case 'cloglog':
      return cloglog;
    case 'probit':
      return probit;
    case 'negbin':
      if (c === undefined) throw pmmlError(el, "linkFunction 'negbin' needs the distParameter attribute");
      return (e) => 1 / (c * (Math.exp(-e) - 1));
    case 'oddspower':
      if (d === undefined) throw pmmlError(el, "linkFunction 'oddspower' needs the linkParameter attribute");
      return d === 0 ? logit : (e) => 1 / (1 + Math.pow(1 + d * e, -1 / d));
    case 'power':
      if (d === undefined) throw pmmlError(el, "linkFunction 'power' needs the linkParameter attribute");
      return d === 0 ? Math.exp : (e) => Math.pow(e, 1 / d);
  }
}

/** One parameter's design value x_j for a record: product of factor indicators and covariate powers. */
type Design = (ctx: EvalContext) => number;

/**
 * GeneralRegressionModel: the linear predictor η = Σ β_j·x_j over ParamMatrix cells, where x_j comes from
 * the PPMatrix (factors are 0/1 indicators of a category, or with a contrast matrix the matrix entry at the record
 * category's row and the PPCell category's column; covariates are raised to the PPCell value) and
 * parameters without PPCells (the intercept) have x_j = 1. Regression/generalLinear return η,
 * generalizedLinear applies the inverse link (with offset and trials); classification covers binary
 * generalizedLinear, multinomialLogistic and ordinalMultinomial.
 */
export const compileGeneralRegressionModel: ModelCompiler = ({
  element: el,
  functionName,
  target,
  scope,
}) => {
  const modelType = enumAttr(el, 'modelType', MODEL_TYPES);
  if (!modelType) throw pmmlError(el, "missing required attribute 'modelType'");

  requiredChild(el, 'ParameterList');
  const factorNames = new Set(
    children(child(el, 'FactorList') ?? el, 'Predictor').map((p) => requiredAttr(p, 'name')),
  );
  // Factors with a contrast matrix: rows and columns follow the Categories (else the field's values).
  const contrasts = new Map<
    string,
    { readonly index: Map<FeatureValue, number>; readonly matrix: number[][] }
  >();
  for (const p of children(child(el, 'FactorList') ?? el, 'Predictor')) {
    const matrixEl = child(p, 'Matrix');
    if (!matrixEl) continue;
    const name = requiredAttr(p, 'name');
    const field = resolveField(scope, name, p);
    const categoriesEl = child(p, 'Categories');
    const values: FeatureValue[] = categoriesEl
      ? children(categoriesEl, 'Category').map((c) => {
          const raw = requiredAttr(c, 'value');
          const v = coerce(field.dataType, raw);
          if (v === undefined || v === null)
            throw pmmlError(c, `value '${raw}' is not a valid ${field.dataType} for factor '${name}'`);
          return v;
        })
      : [...(field.values ?? [])];
    const matrix = readMatrix(matrixEl);
    if (values.length === 0)
      throw pmmlError(p, `the contrast matrix of factor '${name}' needs Categories or the field's Values`);
    if (matrix.length !== values.length)
      throw pmmlError(
        matrixEl,
        `the contrast matrix of factor '${name}' has ${matrix.length} rows for ${values.length} categories`,
      );
    contrasts.set(name, { index: new Map(values.map((v, i) => [v, i])), matrix });
  }
  const covariateNames = new Set(
    children(child(el, 'CovariateList') ?? el, 'Predictor').map((p) => requiredAttr(p, 'name')),
  );

  // PPMatrix rows, grouped by target category ('' = shared) then by parameter.
  const ppByCategory = new Map<string, Map<string, XmlElement[]>>();
  for (const cell of children(requiredChild(el, 'PPMatrix'), 'PPCell')) {
    const cat = cell.attrs['targetCategory'] ?? '';
    const param = requiredAttr(cell, 'parameterName');
    let byParam = ppByCategory.get(cat);
    if (!byParam) ppByCategory.set(cat, (byParam = new Map()));
    const list = byParam.get(param) ?? [];
    list.push(cell);
    byParam.set(param, list);
  }

  const compileDesign = (cells: readonly XmlElement[]): Design => {
    /** A factor is an indicator of `value`, or (contrast matrix) the coding of the record's category. */
    const factors: { get: Getter; value: FeatureValue; coding?: ReadonlyMap<FeatureValue, number> }[] = [];
    const covariates: { get: Getter; exponent: number }[] = [];
    for (const cell of cells) {
      const name = requiredAttr(cell, 'predictorName');
      const field = resolveField(scope, name, cell);
      const raw = requiredAttr(cell, 'value');
      if (factorNames.has(name) || (!covariateNames.has(name) && field.optype !== 'continuous')) {
        const v = coerce(field.dataType, raw);
        if (v === undefined || v === null)
          throw pmmlError(cell, `value '${raw}' is not a valid ${field.dataType} for factor '${name}'`);
        const contrast = contrasts.get(name);
        if (contrast) {
          // PPCell@value picks the column (its category's position); the record's category picks the row.
          const col = contrast.index.get(v);
          if (col === undefined || contrast.matrix.some((row) => row[col] === undefined))
            throw pmmlError(
              cell,
              `value '${raw}' names no column of the contrast matrix of factor '${name}'`,
            );
          const byValue = new Map([...contrast.index].map(([c, row]) => [c, contrast.matrix[row]![col]!]));
          factors.push({ get: field.get, value: v, coding: byValue });
        } else factors.push({ get: field.get, value: v });
      } else {
        const exponent = parseNumber(raw);
        if (exponent === undefined) throw pmmlError(cell, `covariate exponent '${raw}' is not a number`);
        covariates.push({ get: field.get, exponent });
      }
    }
    // Specialised shapes: a single plain covariate, or a single factor (the usual PPMatrix rows).
    if (factors.length === 0 && covariates.length === 1 && covariates[0]!.exponent === 1) {
      const get = covariates[0]!.get;
      return (ctx) => {
        const v = get(ctx);
        return typeof v === 'number' ? v : v === null ? NaN : (toNumber(v) ?? NaN);
      };
    }
    if (factors.length === 1 && covariates.length === 0 && !factors[0]!.coding) {
      const { get, value } = factors[0]!;
      return (ctx) => {
        const v = get(ctx);
        return v === null ? NaN : v === value ? 1 : 0;
      };
    }
    return (ctx) => {
      let x = 1;
      for (const f of factors) {
        const v = f.get(ctx);
        if (v === null) return NaN;
        if (f.coding) {
          // a category outside the contrast matrix has no coding: no prediction
          const c = f.coding.get(v);
          if (c === undefined) return NaN;
          x *= c;
        } else if (v !== f.value) x = 0;
      }
      if (x === 0) return 0;
      for (const c of covariates) {
        const v = toNumber(c.get(ctx));
        if (v === null) return NaN;
        x *= c.exponent === 1 ? v : Math.pow(v, c.exponent);
      }
      return x;
    };
  };

  // ParamMatrix cells grouped by target category ('' = shared).
  const pcellsByCategory = new Map<string, XmlElement[]>();
  for (const cell of children(requiredChild(el, 'ParamMatrix'), 'PCell')) {
    const cat = cell.attrs['targetCategory'] ?? '';
    const list = pcellsByCategory.get(cat) ?? [];
    list.push(cell);
    pcellsByCategory.set(cat, list);
  }

  /** Compiles Σ β·x over `cells`, using the PPMatrix rows of `category` (or the shared ones). */
  const compileDot = (cells: readonly XmlElement[], category: string): ((ctx: EvalContext) => number) => {
    const rows = ppByCategory.get(category) ?? ppByCategory.get('') ?? new Map<string, XmlElement[]>();
    const betas: number[] = [];
    const designs: (Design | null)[] = [];
    for (const cell of cells) {
      const param = requiredAttr(cell, 'parameterName');
      betas.push(requiredNumberAttr(cell, 'beta'));
      const ppCells = rows.get(param);
      designs.push(ppCells ? compileDesign(ppCells) : null);
    }
    const n = betas.length;
    const beta = Float64Array.from(betas);
    return (ctx) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const d = designs[i]!;
        if (d === null) {
          s += beta[i]!;
          continue;
        }
        const x = d(ctx);
        if (x !== x) return NaN;
        s += beta[i]! * x;
      }
      return s;
    };
  };

  const offsetVariable = el.attrs['offsetVariable'];
  const offsetGet = offsetVariable === undefined ? undefined : resolveField(scope, offsetVariable, el).get;
  const offsetValue = numberAttr(el, 'offsetValue', 0);
  const trialsVariable = el.attrs['trialsVariable'];
  const trialsGet = trialsVariable === undefined ? undefined : resolveField(scope, trialsVariable, el).get;
  const trialsValue = numberAttr(el, 'trialsValue');
  /** Offset and trials come from fields or constants; a missing field makes the prediction missing. */
  const offset = (ctx: EvalContext): number => (offsetGet ? (toNumber(offsetGet(ctx)) ?? NaN) : offsetValue);
  const trials = (ctx: EvalContext): number =>
    trialsGet ? (toNumber(trialsGet(ctx)) ?? NaN) : (trialsValue ?? 1);

  const linkName = enumAttr(el, 'linkFunction', LINKS);
  const link =
    modelType === 'generalizedLinear' ? (linkName ? inverseLink(el, linkName) : undefined) : undefined;
  if (modelType === 'generalizedLinear' && !link)
    throw pmmlError(el, "modelType 'generalizedLinear' needs the linkFunction attribute");

  if (modelType === 'CoxRegression') {
    if (functionName !== 'regression')
      throw pmmlError(el, "modelType 'CoxRegression' needs functionName='regression'");
    const dot = compileDot(pcellsByCategory.get('') ?? [], '');
    return compileCox(el, dot, scope);
  }

  if (functionName === 'regression') {
    if (modelType === 'multinomialLogistic' || modelType === 'ordinalMultinomial') {
      throw pmmlError(el, `modelType '${modelType}' is a classification model type`);
    }
    const shared = pcellsByCategory.get('') ?? [...pcellsByCategory.values()].flat();
    const dot = compileDot(shared, '');
    if (!link) {
      return {
        evaluate: (ctx): ModelResult => {
          const eta = dot(ctx);
          return { value: eta !== eta ? null : eta };
        },
      };
    }
    return {
      evaluate: (ctx): ModelResult => {
        const eta = dot(ctx) + offset(ctx);
        if (eta !== eta) return { value: null };
        const mu = link(eta) * trials(ctx);
        return { value: mu !== mu ? null : mu };
      },
    };
  }
  if (functionName !== 'classification')
    throw pmmlError(el, `functionName '${functionName}' is not supported by GeneralRegressionModel`);
  if (
    modelType !== 'generalizedLinear' &&
    modelType !== 'multinomialLogistic' &&
    modelType !== 'ordinalMultinomial'
  ) {
    throw pmmlError(el, `modelType '${modelType}' cannot be used for classification`);
  }

  // Target categories: the DataDictionary's, with the reference category (the one without parameters) last.
  let cats: string[] = (target.values ?? []).map((v) => String(v));
  if (cats.length === 0) {
    cats = [...pcellsByCategory.keys()].filter((c) => c !== '');
    const ref = el.attrs['targetReferenceCategory'];
    if (ref !== undefined && !cats.includes(ref)) cats.push(ref);
  }
  if (cats.length < 2) throw pmmlError(el, 'a classification model needs at least two target categories');
  let reference = el.attrs['targetReferenceCategory'];
  if (reference === undefined && modelType !== 'ordinalMultinomial') {
    const missing = cats.filter((c) => !pcellsByCategory.has(c));
    if (missing.length === 1) reference = missing[0];
    else if (cats.length === 2 && pcellsByCategory.has('')) reference = cats[1];
    else
      throw pmmlError(
        el,
        'cannot tell the reference category (exactly one target category must lack ParamMatrix cells)',
      );
  }
  if (reference !== undefined && cats.includes(reference))
    cats = [...cats.filter((c) => c !== reference), reference];
  const categories = cats.map((c) => typedCategory(target, c, el));
  const k = cats.length;

  const dots = cats.slice(0, k - 1).map((c) => {
    let cells: XmlElement[];
    if (modelType === 'ordinalMultinomial') {
      const intercept = pcellsByCategory.get(c);
      if (!intercept || intercept.length !== 1)
        throw pmmlError(el, `ordinalMultinomial needs exactly one intercept PCell for category '${c}'`);
      cells = [...intercept, ...(pcellsByCategory.get('') ?? [])];
    } else {
      cells = pcellsByCategory.get(c) ?? (k === 2 ? pcellsByCategory.get('') : undefined) ?? [];
      if (cells.length === 0) throw pmmlError(el, `no ParamMatrix cells for target category '${c}'`);
    }
    return compileDot(cells, c);
  });

  const cumulative = enumAttr(el, 'cumulativeLink', CUMULATIVE_LINKS);
  if (modelType === 'ordinalMultinomial' && !cumulative) {
    throw pmmlError(el, "modelType 'ordinalMultinomial' needs the cumulativeLink attribute");
  }
  const cumLink = cumulative ? { logit, probit, cloglog, loglog, cauchit }[cumulative] : undefined;

  const buf = new Float64Array(k);
  return {
    categories,
    evaluate: (ctx): ModelResult => {
      for (let i = 0; i < k - 1; i++) {
        const eta = dots[i]!(ctx);
        if (eta !== eta) return { value: null };
        buf[i] = eta;
      }
      if (modelType === 'generalizedLinear') {
        const off = offset(ctx);
        const t = trials(ctx);
        let prev = 0;
        for (let i = 0; i < k - 1; i++) {
          buf[i] = link!(buf[i]! + off) * t;
          prev = buf[i]!;
        }
        buf[k - 1] = 1 - prev;
      } else if (modelType === 'multinomialLogistic') {
        let sum = 1;
        for (let i = 0; i < k - 1; i++) {
          buf[i] = Math.exp(buf[i]!);
          sum += buf[i]!;
        }
        buf[k - 1] = 1;
        for (let i = 0; i < k; i++) buf[i] = buf[i]! / sum;
      } else {
        const off = offset(ctx);
        let prevCum = 0;
        for (let i = 0; i < k - 1; i++) {
          const cum = cumLink!(buf[i]! + off);
          buf[i] = cum - prevCum;
          prevCum = cum;
        }
        buf[k - 1] = 1 - prevCum;
      }
      for (let i = 0; i < k; i++) if (buf[i] !== buf[i]) return { value: null };
      const best = argmax(buf);
      return { value: best < 0 ? null : categories[best]!, probabilities: buf };
    },
  };
};

/**
 * Cox proportional hazards: cumulative hazard = exp(η − η₀)·H₀(t), where η₀ is the linear predictor at the
 * parameters' reference points and H₀ is read from the BaseCumHazardTables (per baseline stratum when
 * baselineStrataVariable is set) at the largest tabulated time not after t. Beyond maxTime, or for an
 * unknown stratum, the prediction is missing; before the first time it is 0.
 */
function compileCox(el: XmlElement, dot: (ctx: EvalContext) => number, scope: Scope): ModelCore {
  const endTime = el.attrs['endTimeVariable'];
  if (endTime === undefined) throw pmmlError(el, 'CoxRegression needs the endTimeVariable attribute');
  const getTime = resolveField(scope, endTime, el).get;
  const tables = requiredChild(el, 'BaseCumHazardTables');
  const readCells = (container: XmlElement) => {
    const cells = children(container, 'BaselineCell')
      .map((c) => ({ time: requiredNumberAttr(c, 'time'), cumHazard: requiredNumberAttr(c, 'cumHazard') }))
      .sort((a, b) => a.time - b.time);
    return {
      maxTime: requiredNumberAttr(container, 'maxTime'),
      times: Float64Array.from(cells, (c) => c.time),
      hazards: Float64Array.from(cells, (c) => c.cumHazard),
    };
  };
  const strataVariable = el.attrs['baselineStrataVariable'];
  let lookup: (ctx: EvalContext) => ReturnType<typeof readCells> | undefined;
  if (strataVariable !== undefined) {
    const field = resolveField(scope, strataVariable, el);
    const strata = new Map<FeatureValue, ReturnType<typeof readCells>>();
    for (const st of children(tables, 'BaselineStratum')) {
      const v = coerce(field.dataType, requiredAttr(st, 'value'));
      if (v === undefined || v === null) throw pmmlError(st, `value is not a valid ${field.dataType}`);
      strata.set(v, readCells(st));
    }
    const get = field.get;
    lookup = (ctx) => {
      const v = get(ctx);
      return v === null ? undefined : strata.get(v);
    };
  } else {
    const only = readCells(tables);
    lookup = () => only;
  }
  const referencePoints = new Map(
    children(requiredChild(el, 'ParameterList'), 'Parameter').map((p) => [
      requiredAttr(p, 'name'),
      numberAttr(p, 'referencePoint', 0),
    ]),
  );
  let eta0 = 0;
  for (const cell of children(requiredChild(el, 'ParamMatrix'), 'PCell')) {
    const ref = referencePoints.get(requiredAttr(cell, 'parameterName'));
    if (ref === undefined)
      throw pmmlError(cell, `parameter '${cell.attrs['parameterName']}' is not in the ParameterList`);
    eta0 += requiredNumberAttr(cell, 'beta') * ref;
  }
  return {
    evaluate: (ctx): ModelResult => {
      const t = toNumber(getTime(ctx));
      const table = lookup(ctx);
      if (t === null || !table || t > table.maxTime) return { value: null };
      const { times, hazards } = table;
      if (times.length === 0 || t < times[0]!) return { value: 0 };
      let i = 0;
      while (i + 1 < times.length && times[i + 1]! <= t) i++;
      const eta = dot(ctx);
      if (eta !== eta) return { value: null };
      return { value: Math.exp(eta - eta0) * hazards[i]! };
    },
  };
}
