import type { FeatureValue } from '@modelserving/model-core';
import type { Getter } from '../context';
import { pmmlError } from '../errors';
import { resolveField } from '../transformations/expressions';
import { toNumber } from '../values';
import { arrayNumbers, findArray } from '../xml/array';
import { boolAttr, child, children, enumAttr, requiredAttr, requiredChild } from '../xml/element';
import { comparedField, compileComparisonMeasure } from './comparison-measure';
import type { ModelCompiler, ModelResult } from './model';

/**
 * ClusteringModel (center-based): each record is compared with every cluster center over the
 * ClusteringFields using the ComparisonMeasure; the nearest cluster (or the most similar one) wins.
 * Affinities are the raw distances/similarities. Missing inputs are skipped and the measure is scaled by
 * the MissingValueWeights adjustment, as the spec describes.
 */
export const compileClusteringModel: ModelCompiler = ({ element: el, functionName, scope }) => {
  if (functionName !== 'clustering')
    throw pmmlError(el, `functionName '${functionName}' is not supported by ClusteringModel`);
  const modelClass = enumAttr(el, 'modelClass', ['centerBased', 'distributionBased'] as const, 'centerBased');
  if (modelClass !== 'centerBased') throw pmmlError(el, "only modelClass='centerBased' is supported");

  const fields = children(el, 'ClusteringField').filter((f) => boolAttr(f, 'isCenterField', true));
  const n = fields.length;
  const getters: Getter[] = fields.map((f) => resolveField(scope, requiredAttr(f, 'field'), f).get);
  const comparison = compileComparisonMeasure(
    requiredChild(el, 'ComparisonMeasure'),
    fields.map((f) => comparedField(f)),
  );

  const mvwEl = child(el, 'MissingValueWeights');
  const mvwArray = mvwEl ? findArray(mvwEl) : undefined;
  if (mvwEl && !mvwArray) throw pmmlError(mvwEl, 'missing the Array of weights');
  const missingWeights = mvwArray ? arrayNumbers(mvwArray) : Float64Array.from(fields, () => 1);
  if (missingWeights.length !== n)
    throw pmmlError(mvwEl ?? el, `MissingValueWeights has ${missingWeights.length} entries for ${n} fields`);
  let totalMissingWeight = 0;
  for (const q of missingWeights) totalMissingWeight += q;

  const clusters = children(el, 'Cluster').map((c, i) => {
    const arr = findArray(c);
    if (!arr) throw pmmlError(c, 'missing the cluster center Array');
    const center = arrayNumbers(arr);
    if (center.length !== n)
      throw pmmlError(c, `center has ${center.length} values for ${n} clustering fields`);
    const id: FeatureValue = c.attrs['id'] ?? String(i + 1);
    return { id, name: c.attrs['name'], center };
  });
  if (clusters.length === 0) throw pmmlError(el, 'has no Cluster');
  const entities = clusters.map((c) => c.id);
  const displayValues = new Map<FeatureValue, string>(clusters.map((c) => [c.id, c.name ?? String(c.id)]));

  const x = new Float64Array(n);
  const present = new Uint8Array(n);
  const affinities = new Float64Array(clusters.length);
  return {
    entities,
    displayValues,
    evaluate: (ctx): ModelResult => {
      let presentWeight = 0;
      for (let i = 0; i < n; i++) {
        const v = toNumber(getters[i]!(ctx));
        present[i] = v === null ? 0 : 1;
        if (v !== null) {
          x[i] = v;
          presentWeight += missingWeights[i]!;
        }
      }
      if (presentWeight === 0) return { value: null };
      const adjust = totalMissingWeight / presentWeight;
      let best = -1;
      for (let j = 0; j < clusters.length; j++) {
        const m = comparison.measure(x, present, clusters[j]!.center, adjust);
        affinities[j] = m;
        if (best < 0 || comparison.better(m, affinities[best]!)) best = j;
      }
      const id = clusters[best]!.id;
      return { value: id, entityId: id, entityIndex: best, affinities };
    },
  };
};
