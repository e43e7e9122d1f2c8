import { pmmlError } from '../errors';
import { toNumber } from '../values';
import { arrayNumbers, findArray } from '../xml/array';
import { child, enumAttr, requiredAttr } from '../xml/element';
import type { ModelCompiler, ModelResult } from './model';
import { PMML_MODEL_ELEMENTS } from './model-compiler';

const EULER_GAMMA = 0.5772156649;

/**
 * Average path length of an unsuccessful search in a binary search tree of n points (isolation forest
 * normalisation): c(n) = 2·H(n−1) − 2(n−1)/n with H(i) ≈ ln(i) + γ; c(2) = 1, c(n < 2) = 0.
 */
export function isolationForestC(n: number): number {
  if (n > 2) return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
  return n === 2 ? 1 : 0;
}

/**
 * AnomalyDetectionModel (PMML 4.4): one embedded model whose prediction becomes an anomaly score.
 * - iforest: the embedded MiningModel averages the trees' path lengths E(h(x)); the score is
 *   2^(−E(h(x)) / c(sampleDataSize)).
 * - ocsvm: the embedded SupportVectorMachineModel's decision value, as is.
 * - clusterMeanDist: the embedded ClusteringModel's distance to the winning cluster divided by that
 *   cluster's entry in MeanClusterDistances.
 * - other: the embedded model's (numeric) predicted value.
 * A missing prediction of the embedded model gives a missing score.
 */
export const compileAnomalyDetectionModel: ModelCompiler = ({ element: el, scope, compileNested }) => {
  const algorithm = enumAttr(el, 'algorithmType', ['iforest', 'ocsvm', 'clusterMeanDist', 'other'] as const);
  if (!algorithm) throw pmmlError(el, "missing required attribute 'algorithmType'");
  let sampleDataSize = NaN;
  if (algorithm === 'iforest') {
    const raw = requiredAttr(el, 'sampleDataSize');
    sampleDataSize = Number(raw);
    if (!Number.isFinite(sampleDataSize) || sampleDataSize < 1)
      throw pmmlError(el, `sampleDataSize '${raw}' must be a positive number`);
  }
  const innerEl = el.children.find((c) => PMML_MODEL_ELEMENTS.has(c.name));
  if (!innerEl) throw pmmlError(el, 'has no embedded model');
  const inner = compileNested(innerEl, scope);

  if (algorithm === 'iforest') {
    const c = isolationForestC(sampleDataSize);
    return {
      evaluate: (ctx): ModelResult => {
        const h = toNumber(inner.evaluate(ctx).value);
        // c(1) = 0: every point is isolated at once; the score is then 2^−∞ = 0 for h > 0.
        return { value: h === null ? null : Math.pow(2, c === 0 ? (h > 0 ? -Infinity : 0) : -h / c) };
      },
    };
  }

  if (algorithm === 'clusterMeanDist') {
    const mcd = child(el, 'MeanClusterDistances');
    if (!mcd) throw pmmlError(el, "algorithmType 'clusterMeanDist' needs MeanClusterDistances");
    const arr = findArray(mcd);
    if (!arr) throw pmmlError(mcd, 'missing the Array of mean distances');
    const means = arrayNumbers(arr);
    const clusters = inner.entities?.length;
    if (clusters === undefined)
      throw pmmlError(innerEl, "algorithmType 'clusterMeanDist' needs a ClusteringModel");
    if (means.length !== clusters)
      throw pmmlError(mcd, `has ${means.length} mean distances for ${clusters} clusters`);
    return {
      evaluate: (ctx): ModelResult => {
        const r = inner.evaluate(ctx);
        const i = r.entityIndex;
        const d = i === undefined ? undefined : r.affinities?.[i];
        return { value: r.value === null || d === undefined ? null : d / means[i!]! };
      },
    };
  }

  // ocsvm and other: the embedded model's predicted value.
  return {
    evaluate: (ctx): ModelResult => ({ value: toNumber(inner.evaluate(ctx).value) }),
  };
};
