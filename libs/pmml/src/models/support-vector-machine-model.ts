import type { FeatureValue } from '@modelserving/model-core';
import type { Getter } from '../context';
import { pmmlError } from '../errors';
import { resolveField } from '../transformations/expressions';
import { coerce, toNumber } from '../values';
import { readVector } from '../xml/array';
import { children, enumAttr, numberAttr, requiredAttr, requiredChild } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import { argmax, type ModelCompiler, type ModelResult } from './model';
import { typedCategory } from './regression-model';

type Kernel = (x: Float64Array, v: Float64Array) => number;

function dot(x: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * v[i]!;
  return s;
}

function compileKernel(el: XmlElement): Kernel {
  const k = el.children.find((c) => c.name.endsWith('KernelType'));
  if (!k)
    throw pmmlError(
      el,
      'missing the kernel (LinearKernelType, PolynomialKernelType, RadialBasisKernelType or SigmoidKernelType)',
    );
  const gamma = numberAttr(k, 'gamma', 1);
  const coef0 = numberAttr(k, 'coef0', 1);
  const degree = numberAttr(k, 'degree', 1);
  switch (k.name) {
    case 'LinearKernelType':
      return dot;
    case 'PolynomialKernelType':
      return (x, v) => Math.pow(gamma * dot(x, v) + coef0, degree);
    case 'RadialBasisKernelType':
      return (x, v) => {
        let s = 0;
        for (let i = 0; i < x.length; i++) {
          const d = x[i]! - v[i]!;
          s += d * d;
        }
        return Math.exp(-gamma * s);
      };
    case 'SigmoidKernelType':
      return (x, v) => Math.tanh(gamma * dot(x, v) + coef0);
    default:
      throw pmmlError(k, `unsupported kernel <${k.name}>`);
  }
}

/**
 * SupportVectorMachineModel: f(x) = Σ αᵢ·K(x, svᵢ) + b per SupportVectorMachine (or Σ cᵢ·xᵢ + b with the
 * Coefficients representation). Regression returns f; classification is one-against-one voting (f below
 * the threshold votes for targetCategory, else for alternateTargetCategory; probabilities are vote
 * shares) or one-against-all (smallest f wins, or largest with maxWins).
 */
export const compileSupportVectorMachineModel: ModelCompiler = ({
  element: el,
  functionName,
  target,
  scope,
}) => {
  if (el.attrs['alternateBinaryTargetCategory'] !== undefined) {
    throw pmmlError(
      el,
      "attribute 'alternateBinaryTargetCategory' (rounded binary SVM outputs) is not supported",
    );
  }
  const representation = enumAttr(
    el,
    'svmRepresentation',
    ['SupportVectors', 'Coefficients'] as const,
    'SupportVectors',
  );
  const modelThreshold = numberAttr(el, 'threshold', 0);
  const maxWins = el.attrs['maxWins'] === 'true';
  const dictionary = requiredChild(el, 'VectorDictionary');
  const vectorFields = requiredChild(dictionary, 'VectorFields');
  const inputs: ((ctx: Parameters<Getter>[0]) => number | null)[] = vectorFields.children
    .filter((c) => c.name === 'FieldRef' || c.name === 'CategoricalPredictor')
    .map((c) => {
      if (c.name === 'FieldRef') {
        const get = resolveField(scope, requiredAttr(c, 'field'), c).get;
        return (ctx) => toNumber(get(ctx));
      }
      const field = resolveField(scope, requiredAttr(c, 'name'), c);
      const value = coerce(field.dataType, requiredAttr(c, 'value'));
      const coefficient = numberAttr(c, 'coefficient', 1);
      const get = field.get;
      return (ctx) => {
        const v = get(ctx);
        return v === null ? null : v === value ? coefficient : 0;
      };
    });
  const n = inputs.length;
  const vectors = new Map<string, Float64Array>();
  for (const vi of children(dictionary, 'VectorInstance')) {
    const v = readVector(vi);
    if (v.length !== n) throw pmmlError(vi, `has ${v.length} values for ${n} vector fields`);
    vectors.set(requiredAttr(vi, 'id'), v);
  }
  const kernel = representation === 'SupportVectors' ? compileKernel(el) : undefined;

  const machines = children(el, 'SupportVectorMachine').map((m) => {
    const coefficientsEl = requiredChild(m, 'Coefficients');
    const b = numberAttr(coefficientsEl, 'absoluteValue', 0);
    const alphas = Float64Array.from(children(coefficientsEl, 'Coefficient'), (c) =>
      numberAttr(c, 'value', 0),
    );
    let svs: Float64Array[] = [];
    if (representation === 'SupportVectors') {
      svs = children(requiredChild(m, 'SupportVectors'), 'SupportVector').map((sv) => {
        const id = requiredAttr(sv, 'vectorId');
        const v = vectors.get(id);
        if (!v) throw pmmlError(sv, `unknown vectorId '${id}'`);
        return v;
      });
      if (svs.length !== alphas.length)
        throw pmmlError(m, `${svs.length} support vectors but ${alphas.length} coefficients`);
    } else if (alphas.length !== n)
      throw pmmlError(m, `${alphas.length} coefficients for ${n} vector fields`);
    return {
      el: m,
      target: m.attrs['targetCategory'],
      alternate: m.attrs['alternateTargetCategory'],
      threshold: numberAttr(m, 'threshold', modelThreshold),
      f: (x: Float64Array): number => {
        let s = b;
        if (kernel) for (let i = 0; i < svs.length; i++) s += alphas[i]! * kernel(x, svs[i]!);
        else for (let i = 0; i < n; i++) s += alphas[i]! * x[i]!;
        return s;
      },
    };
  });
  if (machines.length === 0) throw pmmlError(el, 'has no SupportVectorMachine');

  const x = new Float64Array(n);
  const readInput = (ctx: Parameters<Getter>[0]): boolean => {
    for (let i = 0; i < n; i++) {
      const v = inputs[i]!(ctx);
      if (v === null) return false;
      x[i] = v;
    }
    return true;
  };

  if (functionName === 'regression') {
    if (machines.length !== 1)
      throw pmmlError(
        el,
        `a regression model needs exactly one SupportVectorMachine (has ${machines.length})`,
      );
    const f = machines[0]!.f;
    return { evaluate: (ctx): ModelResult => (readInput(ctx) ? { value: f(x) } : { value: null }) };
  }
  if (functionName !== 'classification')
    throw pmmlError(el, `functionName '${functionName}' is not supported by SupportVectorMachineModel`);

  // Producers often omit classificationMethod: machines with two categories mean one-against-one.
  const declared = enumAttr(el, 'classificationMethod', ['OneAgainstAll', 'OneAgainstOne'] as const);
  const method =
    declared ?? (machines.every((m) => m.alternate !== undefined) ? 'OneAgainstOne' : 'OneAgainstAll');
  const categories: FeatureValue[] = [];
  const indexOf = (raw: string | undefined, at: XmlElement): number => {
    if (raw === undefined)
      throw pmmlError(
        at,
        `missing required attribute '${method === 'OneAgainstOne' ? 'alternateTargetCategory' : 'targetCategory'}'`,
      );
    const v = typedCategory(target, raw, at);
    let i = categories.indexOf(v);
    if (i < 0) i = categories.push(v) - 1;
    return i;
  };
  const compiled = machines.map((m) => ({
    f: m.f,
    threshold: m.threshold,
    target: indexOf(m.target, m.el),
    alternate: method === 'OneAgainstOne' ? indexOf(m.alternate, m.el) : -1,
  }));
  const k = categories.length;
  const scores = new Float64Array(k);

  if (method === 'OneAgainstOne') {
    const total = compiled.length;
    return {
      categories,
      evaluate: (ctx): ModelResult => {
        if (!readInput(ctx)) return { value: null };
        scores.fill(0);
        for (const m of compiled) {
          const winner = m.f(x) < m.threshold ? m.target : m.alternate;
          scores[winner] = scores[winner]! + 1;
        }
        const best = argmax(scores);
        for (let i = 0; i < k; i++) scores[i] = scores[i]! / total;
        return { value: categories[best]!, probabilities: scores };
      },
    };
  }
  return {
    categories,
    evaluate: (ctx): ModelResult => {
      if (!readInput(ctx)) return { value: null };
      let best = -1;
      let bestF = 0;
      for (const m of compiled) {
        const fx = m.f(x);
        if (best < 0 || (maxWins ? fx > bestF : fx < bestF)) {
          best = m.target;
          bestF = fx;
        }
      }
      return { value: categories[best]! };
    },
  };
};
