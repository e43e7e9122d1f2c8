import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext, Getter } from '../context';
import { pmmlError } from '../errors';
import { resolveField } from '../transformations/expressions';
import { compileDerivedField } from '../transformations/transformation-dictionary';
import { coerce, toNumber, toText } from '../values';
import { child, children, numberAttr, requiredAttr, requiredChild, requiredNumberAttr } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import { argmax, type ModelCompiler, type ModelResult } from './model';
import { typedCategory } from './regression-model';

/** One BayesInput, compiled: adds ln P(value | class) for every class it knows to the log-likelihoods. */
type Contribution = (ctx: EvalContext, logL: Float64Array) => void;

/**
 * NaiveBayesModel: log prior from the BayesOutput counts, plus for each non-missing input the log of its
 * conditional probability — PairCounts for discrete inputs (count / class total for that input, or the
 * threshold for a zero count), Gaussian or Poisson densities for continuous ones (never below the
 * threshold) — then softmax back to probabilities. Missing inputs and unseen values are ignored.
 */
export const compileNaiveBayesModel: ModelCompiler = ({ element: el, functionName, target, scope, env }) => {
  if (functionName !== 'classification')
    throw pmmlError(el, `functionName '${functionName}' is not supported by NaiveBayesModel`);
  const threshold = numberAttr(el, 'threshold');
  if (threshold === undefined) throw pmmlError(el, "missing required attribute 'threshold'");

  const output = requiredChild(el, 'BayesOutput');
  const priorCounts = children(requiredChild(output, 'TargetValueCounts'), 'TargetValueCount');
  if (priorCounts.length === 0) throw pmmlError(output, 'has no TargetValueCount');
  const categories: FeatureValue[] = priorCounts.map((c) =>
    typedCategory(target, requiredAttr(c, 'value'), c),
  );
  const index = new Map<string, number>(categories.map((c, i) => [toText(c)!, i]));
  const k = categories.length;
  const logPrior = Float64Array.from(priorCounts, (c) => Math.log(requiredNumberAttr(c, 'count')));
  const classIndex = (raw: string, at: XmlElement): number => {
    const typed = typedCategory(target, raw, at);
    const i = index.get(toText(typed)!);
    if (i === undefined) throw pmmlError(at, `class '${raw}' is not listed in BayesOutput`);
    return i;
  };

  const inputsEl = requiredChild(el, 'BayesInputs');
  // Producers older than PMML 4.2 wrap continuous BayesInputs in an Extension.
  const inputEls = [
    ...children(inputsEl, 'BayesInput'),
    ...children(inputsEl, 'Extension').flatMap((x) => children(x, 'BayesInput')),
  ];
  const contributions: Contribution[] = inputEls.map((bi) => {
    const name = requiredAttr(bi, 'fieldName');
    const field = resolveField(scope, name, bi);
    const get0 = field.get;

    const stats = child(bi, 'TargetValueStats');
    if (stats) {
      const dists = children(stats, 'TargetValueStat').map((s) => {
        const ci = classIndex(requiredAttr(s, 'value'), s);
        const g = child(s, 'GaussianDistribution');
        const p = child(s, 'PoissonDistribution');
        if (g) {
          const mean = requiredNumberAttr(g, 'mean');
          const variance = requiredNumberAttr(g, 'variance');
          if (!(variance > 0)) throw pmmlError(g, 'variance must be positive');
          return {
            ci,
            density: (x: number) =>
              Math.exp(-((x - mean) ** 2) / (2 * variance)) / Math.sqrt(2 * Math.PI * variance),
          };
        }
        if (p) {
          const mean = requiredNumberAttr(p, 'mean');
          return { ci, density: (x: number) => poisson(mean, x) };
        }
        throw pmmlError(s, 'needs a GaussianDistribution or PoissonDistribution');
      });
      return (ctx, logL) => {
        const x = toNumber(get0(ctx));
        if (x === null) return;
        for (const d of dists) {
          const p = d.density(x);
          logL[d.ci] = logL[d.ci]! + Math.log(p < threshold || p !== p ? threshold : p);
        }
      };
    }

    // Discrete input, optionally binned by a DerivedField (Discretize) first.
    const derived = child(bi, 'DerivedField');
    let get: Getter = get0;
    let dataType = field.dataType;
    if (derived) {
      const def = compileDerivedField(derived, scope, env, `${name}#binned`);
      get = def.get;
      dataType = def.dataType;
    }
    const pairs = children(bi, 'PairCounts');
    const sums = new Float64Array(k);
    const table = new Map<FeatureValue, { ci: Int32Array; count: Float64Array }>();
    for (const pc of pairs) {
      const raw = requiredAttr(pc, 'value');
      const v = coerce(dataType, raw);
      if (v === undefined || v === null) throw pmmlError(pc, `value '${raw}' is not a valid ${dataType}`);
      const counts = children(requiredChild(pc, 'TargetValueCounts'), 'TargetValueCount');
      const ci = Int32Array.from(counts, (c) => classIndex(requiredAttr(c, 'value'), c));
      const count = Float64Array.from(counts, (c) => requiredNumberAttr(c, 'count'));
      ci.forEach((c, j) => (sums[c] = sums[c]! + count[j]!));
      table.set(v, { ci, count });
    }
    return (ctx, logL) => {
      const v = get(ctx);
      if (v === null) return;
      const row = table.get(v);
      if (!row) return;
      for (let j = 0; j < row.ci.length; j++) {
        const c = row.ci[j]!;
        const n = row.count[j]!;
        logL[c] = logL[c]! + Math.log(n === 0 ? threshold : n / sums[c]!);
      }
    };
  });

  const logL = new Float64Array(k);
  return {
    categories,
    evaluate: (ctx): ModelResult => {
      logL.set(logPrior);
      for (const add of contributions) add(ctx, logL);
      let max = -Infinity;
      for (let i = 0; i < k; i++) if (logL[i]! > max) max = logL[i]!;
      let sum = 0;
      for (let i = 0; i < k; i++) {
        logL[i] = Math.exp(logL[i]! - max);
        sum += logL[i]!;
      }
      for (let i = 0; i < k; i++) logL[i] = logL[i]! / sum;
      const best = argmax(logL);
      return { value: best < 0 ? null : categories[best]!, probabilities: logL };
    },
  };
};

function poisson(mean: number, x: number): number {
  if (x < 0 || !Number.isInteger(x)) return 0;
  let logFact = 0;
  for (let i = 2; i <= x; i++) logFact += Math.log(i);
  return Math.exp(-mean + x * Math.log(mean) - logFact);
}
