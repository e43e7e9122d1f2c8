import type { FeatureValue, Features } from '@modelserving/model-core';
import { EvalContext, writeSlot, type Getter } from '../context';
import { pmmlError } from '../errors';
import { isTargetUsage } from '../mining-schema';
import { findTable, parseInlineTable, resolveField } from '../transformations/expressions';
import { coerce, isNumericType, toNumber, toText } from '../values';
import { children, enumAttr, intAttr, numberAttr, requiredAttr, requiredChild } from '../xml/element';
import { comparedField, compileComparisonMeasure } from './comparison-measure';
import { argmax, type ExtraTarget, type ModelCompiler, type ModelResult, type TargetInfo } from './model';

/**
 * NearestNeighborModel (k-NN): distances (or similarities) from the record to every training instance
 * over the KNNInputs, the k best instances kept in order, then each target predicted from theirs —
 * average / median / weightedAverage for continuous targets, majorityVote / weightedMajorityVote for
 * categorical ones (weights 1 / (distance + threshold)). Non-numeric inputs are compared through codes
 * shared with the training table (so delta/equal compare functions work on categories).
 *
 * Training instances: a KNNInput with its own InstanceField column is read from it (values already in the
 * inputs' space, as with isTransformed="true" or plain FieldRef inputs). When some KNNInput has no column
 * (a derived field) and the table is not marked isTransformed="true", every training row is fed through
 * the model's own transformations (the InstanceFields name the raw fields) once, on the first record.
 *
 * functionName="mixed" predicts every target of the MiningSchema, each by its optype (continuous → the
 * continuous scoring method, otherwise the categorical one): the first is the model's value, the others
 * are extra target columns and can be read by OutputField@targetField.
 */
export const compileNearestNeighborModel: ModelCompiler = ({
  element: el,
  functionName,
  target,
  scope,
  miningFields,
  env,
}) => {
  if (functionName !== 'classification' && functionName !== 'regression' && functionName !== 'mixed') {
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
  const isTransformed = training.attrs['isTransformed'] === 'true';
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
    if (column === undefined && isTransformed)
      throw pmmlError(inp, `KNNInput '${name}' has no InstanceField column`);
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
    return { name, get: field.get as Getter, column, encode, codes };
  });
  const n = inputs.length;
  // Derived KNN inputs without a column of their own: transform the raw training rows.
  const transformRows = inputs.some((i) => i.column === undefined);
  const rowFeatures: Features[] | undefined = transformRows
    ? rows.map((row) => {
        const f: Record<string, FeatureValue> = {};
        for (const [field, column] of columnOf) if (row[column] !== undefined) f[field] = row[column]!;
        return f;
      })
    : undefined;

  /** Builds the training vectors; with transformations, on the first record (when every slot exists). */
  let instances: Float64Array[] | undefined;
  const buildInstances = (slots: number): Float64Array[] => {
    const tctx = rowFeatures ? new EvalContext(slots) : undefined;
    return rows.map((row, r) => {
      if (tctx) tctx.begin(rowFeatures![r]!);
      return Float64Array.from(inputs, (inp) => {
        let v: number;
        if (tctx && inp.column === undefined) {
          let raw: FeatureValue;
          try {
            raw = inp.get(tctx);
          } catch (err) {
            throw pmmlError(training, `instance ${r + 1}: ${(err as Error).message}`, err);
          }
          v = raw === null ? NaN : inp.encode(raw);
        } else {
          const raw = row[inp.column!];
          v = raw === undefined ? NaN : inp.encode(raw);
        }
        if (v !== v)
          throw pmmlError(
            training,
            `instance ${r + 1} has no usable value for KNNInput '${inp.name}'${inp.column !== undefined ? ` (column '${inp.column}')` : ''}`,
          );
        return v;
      });
    });
  };
  if (!transformRows) instances = buildInstances(0);

  const comparison = compileComparisonMeasure(
    requiredChild(el, 'ComparisonMeasure'),
    inputEls.map((i) => comparedField(i)),
  );

  // The targets: the model's one, plus (functionName="mixed") every other target MiningField.
  const targetInfos: TargetInfo[] = [target];
  if (functionName === 'mixed') {
    for (const mf of miningFields) {
      if (!isTargetUsage(mf.usageType) || mf.name === target.name) continue;
      const def = scope.resolve(mf.name);
      targetInfos.push({
        name: mf.name,
        dataType: def?.dataType ?? 'double',
        optype: mf.optype ?? def?.optype ?? 'continuous',
        synthetic: false,
        ...(def?.values ? { values: def.values } : {}),
        ...(def?.displayValues ? { displayValues: def.displayValues } : {}),
        ...(def ? { actual: def } : {}),
      });
    }
  }

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
  const nearest = (instances: readonly Float64Array[]): void => {
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

  /** One target's prediction from the current neighbours (bestIdx/bestVal). */
  interface Predictor {
    readonly categories?: FeatureValue[];
    predict(): ModelResult;
  }
  const predictor = (t: TargetInfo, continuous: boolean): Predictor => {
    const column = columnOf.get(t.name);
    if (column === undefined) throw pmmlError(training, `the target '${t.name}' has no InstanceField column`);
    const targetValues: FeatureValue[] = rows.map((row) => {
      const v = coerce(t.dataType, row[column] ?? '');
      return v === undefined ? null : v;
    });
    if (continuous) {
      const buf = new Float64Array(k);
      return {
        predict: (): ModelResult => {
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
            return { value: m % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2 };
          }
          return { value: continuousMethod === 'weightedAverage' ? sum / wsum : sum / m };
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
      predict: (): ModelResult => {
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
        return { value: categories[best]!, probabilities: votes };
      },
    };
  };
  const isContinuous = (t: TargetInfo) =>
    functionName === 'regression' || (functionName === 'mixed' && t.optype === 'continuous');
  const predictors = targetInfos.map((t) => predictor(t, isContinuous(t)));
  const primary = predictors[0]!;
  const extras = targetInfos.slice(1).map((t, i) => ({
    name: t.name,
    slot: env.allocSlot(),
    target: t,
    ...(predictors[i + 1]!.categories ? { categories: predictors[i + 1]!.categories! } : {}),
  }));
  const extraTargets: ExtraTarget[] = extras;
  const extraResults: ModelResult[] = extras.map(() => ({ value: null }));

  return {
    ...(primary.categories ? { categories: primary.categories } : {}),
    ...(extraTargets.length > 0 ? { extraTargets } : {}),
    evaluate: (ctx): ModelResult => {
      if (!instances) {
        instances = buildInstances(ctx.values.length);
        // the raw rows are no longer needed once transformed
        if (rowFeatures) rowFeatures.length = 0;
      }
      if (!readInput(ctx)) return { value: null };
      nearest(instances);
      for (let j = 0; j < k; j++) {
        affinities[j] = bestVal[j]!;
        neighbours[j] = ids[bestIdx[j]!]!;
      }
      const neighbourhood = { entityId: neighbours[0]!, entityIds: neighbours, affinities };
      for (let t = 0; t < extras.length; t++) {
        const r = { ...predictors[t + 1]!.predict(), ...neighbourhood };
        extraResults[t] = r;
        writeSlot(ctx, extras[t]!.slot, r.value);
      }
      const r = primary.predict();
      return extras.length > 0
        ? { ...r, ...neighbourhood, targetResults: extraResults }
        : { ...r, ...neighbourhood };
    },
  };
};
