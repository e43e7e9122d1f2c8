import type { FeatureValue } from '@modelserving/model-core';
import type { Getter } from '../context';
import { pmmlError } from '../errors';
import { findTable, parseInlineTable, resolveField } from '../transformations/expressions';
import { coerce, isNumericType, toNumber, toText } from '../values';
import { children, enumAttr, intAttr, numberAttr, requiredAttr, requiredChild } from '../xml/element';
import { comparedField, compileComparisonMeasure } from './comparison-measure';
import { argmax, type ModelCompiler, type ModelResult } from './model';

/**
 * NearestNeighborModel (k-NN): distances (or similarities) from the record to every training instance
 * over the KNNInputs, the k best instances kept in order, then the target predicted from theirs —
 * average / median / weightedAverage for continuous targets, majorityVote / weightedMajorityVote for
 * categorical ones (weights 1 / (distance + threshold)). Non-numeric inputs are compared through codes
 * shared with the training table (so delta/equal compare functions work on categories).
 * Limitations: the training table must hold values in the KNN inputs' own space (as producers write it
 * with isTransformed="true" or plain FieldRef inputs), and only the first target is predicted.
 */
export const compileNearestNeighborModel: ModelCompiler = ({ element: el, functionName, target, scope }) => {
  if (functionName !== 'classification' && functionName !== 'regression') {
    throw pmmlError(el, `functionName '${functionName}' is not supported by NearestNeighborModel`);
  }
  const k = intAttr(el, 'numberOfNeighbors', 0);
  if (k < 1) throw pmmlError(el, "attribute 'numberOfNeighbors' must be a positive integer");
  const threshold = numberAttr(el, 'threshold', 0.001);
  const continuousMethod = enumAttr(
    el,
    'continuousScoringMethod',
    ['average', 'median', 'weightedAverage'] as const,
    'average',
  );
  const categoricalMethod = enumAttr(
    el,
    'categoricalScoringMethod',
    ['majorityVote', 'weightedMajorityVote'] as const,
    'majorityVote',
  );

  const training = requiredChild(el, 'TrainingInstances');
  const columnOf = new Map(
    children(requiredChild(training, 'InstanceFields'), 'InstanceField').map((f) => [
      requiredAttr(f, 'field'),
      f.attrs['column'] ?? requiredAttr(f, 'field'),
    ]),
  );
  const rows = parseInlineTable(findTable(training));
  if (rows.length < k)
    throw pmmlError(training, `has ${rows.length} instances, fewer than numberOfNeighbors=${k}`);

  const inputEls = children(requiredChild(el, 'KNNInputs'), 'KNNInput');
  const inputs = inputEls.map((inp) => {
    const name = requiredAttr(inp, 'field');
    const field = resolveField(scope, name, inp);
    const column = columnOf.get(name);
    if (column === undefined) throw pmmlError(inp, `KNNInput '${name}' has no InstanceField column`);
    // Categorical values become codes shared by training rows and records.
    const codes = isNumericType(field.dataType) ? undefined : new Map<string, number>();
    const encode = (v: FeatureValue): number => {
      if (!codes) return toNumber(v) ?? NaN;
      const t = toText(v);
      if (t === null) return NaN;
      let c = codes.get(t);
      if (c === undefined) codes.set(t, (c = codes.size));
      return c;
    };
    return { get: field.get as Getter, column, encode, codes };
  });
  const n = inputs.length;
  const instances = rows.map((row, r) =>
    Float64Array.from(inputs, (inp) => {
      const raw = row[inp.column];
      const v = raw === undefined ? NaN : inp.encode(raw);
      if (v !== v)
        throw pmmlError(training, `instance ${r + 1} has no usable value in column '${inp.column}'`);
      return v;
    }),
  );
  const comparison = compileComparisonMeasure(
    requiredChild(el, 'ComparisonMeasure'),
    inputEls.map((i) => comparedField(i)),
  );

  const targetColumn = columnOf.get(target.name);
  if (targetColumn === undefined)
    throw pmmlError(training, `the target '${target.name}' has no InstanceField column`);
  const targetValues: FeatureValue[] = rows.map((row) => {
    const v = coerce(target.dataType, row[targetColumn] ?? '');
    return v === undefined ? null : v;
  });
  const idColumn = el.attrs['instanceIdVariable'];
  const ids: FeatureValue[] = rows.map((row, i) =>
    idColumn !== undefined ? (row[columnOf.get(idColumn) ?? idColumn] ?? null) : String(i + 1),
  );

  const x = new Float64Array(n);
  const present = new Uint8Array(n);
  const bestIdx = new Int32Array(k);
  const bestVal = new Float64Array(k);
  const affinities = new Float64Array(k);
  const neighbours: FeatureValue[] = new Array<FeatureValue>(k).fill(null);

  /** Fills bestIdx/bestVal with the k best instances, best first (earlier rows win ties). */
  const nearest = (): void => {
    let filled = 0;
    for (let r = 0; r < instances.length; r++) {
      const m = comparison.measure(x, present, instances[r]!, 1);
      if (filled === k && !comparison.better(m, bestVal[k - 1]!)) continue;
      // Insertion into the sorted top-k; a tie never displaces an earlier instance.
      let j = filled < k ? filled++ : k - 1;
      while (j > 0 && comparison.better(m, bestVal[j - 1]!)) {
        bestVal[j] = bestVal[j - 1]!;
        bestIdx[j] = bestIdx[j - 1]!;
        j--;
      }
      bestVal[j] = m;
      bestIdx[j] = r;
    }
  };

  const readInput = (ctx: Parameters<Getter>[0]): boolean => {
    let any = false;
    for (let i = 0; i < n; i++) {
      const inp = inputs[i]!;
      const v = inp.get(ctx);
      const e = v === null ? NaN : inp.codes ? (inp.codes.get(toText(v)!) ?? -1) : (toNumber(v) ?? NaN);
      present[i] = e === e ? 1 : 0;
      if (e === e) {
        x[i] = e;
        any = true;
      }
    }
    return any;
  };

  const weight = (d: number) => (comparison.kind === 'distance' ? 1 / (d + threshold) : d);
  const finish = (value: FeatureValue, extra: Partial<ModelResult> = {}): ModelResult => {
    for (let j = 0; j < k; j++) {
      affinities[j] = bestVal[j]!;
      neighbours[j] = ids[bestIdx[j]!]!;
    }
    return { value, entityId: neighbours[0]!, entityIds: neighbours, affinities, ...extra };
  };

  if (functionName === 'regression') {
    const buf = new Float64Array(k);
    return {
      evaluate: (ctx): ModelResult => {
        if (!readInput(ctx)) return { value: null };
        nearest();
        let m = 0;
        let sum = 0;
        let wsum = 0;
        for (let j = 0; j < k; j++) {
          const y = toNumber(targetValues[bestIdx[j]!]!);
          if (y === null) continue;
          const w = weight(bestVal[j]!);
          buf[m++] = y;
          sum += continuousMethod === 'weightedAverage' ? w * y : y;
          wsum += w;
        }
        if (m === 0) return { value: null };
        if (continuousMethod === 'median') {
          const s = Array.from(buf.subarray(0, m)).sort((a, b) => a - b);
          const h = m >> 1;
          return finish(m % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2);
        }
        return finish(continuousMethod === 'weightedAverage' ? sum / wsum : sum / m);
      },
    };
  }

  const categories: FeatureValue[] = [];
  const catIndex = targetValues.map((v) => {
    if (v === null) return -1;
    let i = categories.indexOf(v);
    if (i < 0) i = categories.push(v) - 1;
    return i;
  });
  const votes = new Float64Array(categories.length);
  return {
    categories,
    evaluate: (ctx): ModelResult => {
      if (!readInput(ctx)) return { value: null };
      nearest();
      votes.fill(0);
      let total = 0;
      for (let j = 0; j < k; j++) {
        const c = catIndex[bestIdx[j]!]!;
        if (c < 0) continue;
        const w = categoricalMethod === 'weightedMajorityVote' ? weight(bestVal[j]!) : 1;
        votes[c] = votes[c]! + w;
        total += w;
      }
      if (total === 0) return { value: null };
      const best = argmax(votes);
      for (let i = 0; i < votes.length; i++) votes[i] = votes[i]! / total;
      return finish(categories[best]!, { probabilities: votes });
    },
  };
};
