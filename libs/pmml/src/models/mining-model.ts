import type { FeatureValue } from '@modelserving/model-core';
import { slotGetter, type EvalContext } from '../context';
import { pmmlError, type ElementRef } from '../errors';
import { compilePredicate, requiredPredicate, TRUE, type Predicate } from '../predicates';
import { Scope } from '../scope';
import { defineDerivedFields } from '../transformations/transformation-dictionary';
import { coerce, toNumber, toText } from '../values';
import { child, enumAttr, numberAttr, requiredChild, children } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import { argmax, type CompiledModel, type ModelCompiler, type ModelResult } from './model';
import { PMML_MODEL_ELEMENTS } from './model-compiler';

const METHODS = [
  'majorityVote',
  'weightedMajorityVote',
  'average',
  'weightedAverage',
  'median',
  'weightedMedian',
  'max',
  'sum',
  'weightedSum',
  'selectFirst',
  'selectAll',
  'modelChain',
] as const;
type Method = (typeof METHODS)[number];

interface CompiledSegment {
  readonly id: string;
  readonly weight: number;
  readonly test: Predicate | null;
  readonly model: CompiledModel;
  /** For classification: this segment's category index → the ensemble's category index. */
  readonly toUnion: Int32Array | undefined;
  readonly unionOfValue: ReadonlyMap<FeatureValue, number> | undefined;
}

const NULL_RESULT: ModelResult = { value: null };

function weightedMedian(values: Float64Array, weights: Float64Array, n: number): number {
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  let acc = 0;
  for (const i of idx) {
    acc += weights[i]!;
    if (acc >= total / 2) return values[i]!;
  }
  return values[idx[idx.length - 1]!]!;
}

function median(values: Float64Array, n: number): number {
  const s = Array.from(values.subarray(0, n)).sort((a, b) => a - b);
  const m = n >> 1;
  return n % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * MiningModel with Segmentation. Segments are compiled once as nested models; a modelChain makes each
 * segment's OutputFields visible to the segments after it. Classification ensembles aggregate over the
 * union of the segments' categories through index maps built at compile time.
 */
/** PMML 3.x embedded models (model composition) and the model elements they correspond to. */
const EMBEDDED_MODELS: Readonly<Record<string, string>> = {
  Regression: 'RegressionModel',
  DecisionTree: 'TreeModel',
};

/**
 * PMML 3.x model composition: a MiningModel without Segmentation holds embedded `Regression` and
 * `DecisionTree` elements, applied in sequence (each one's ResultFields visible to the next, the last one
 * predicting), and a DecisionTree's Nodes may embed a model that predicts when the Node is selected. PMML 4
 * removed this for Segmentation; the element tree is rewritten into its PMML 4 form — a modelChain of the
 * embedded models, converted to RegressionModel/TreeModel with the MiningModel's MiningSchema and their
 * ResultFields as OutputFields (TreeModel compiles models embedded in Nodes itself).
 */
function legacyComposition(el: XmlElement): XmlElement {
  const embedded = el.children.filter((c) => EMBEDDED_MODELS[c.name] !== undefined);
  if (embedded.length === 0) return el;
  const schema = child(el, 'MiningSchema');
  const make = (name: string, like: XmlElement, kids: XmlElement[], attrs: Record<string, string> = {}) => ({
    name,
    attrs,
    children: kids,
    text: '',
    line: like.line,
  });
  const convert = (c: XmlElement): XmlElement => {
    const modelName = EMBEDDED_MODELS[c.name];
    if (modelName !== undefined) {
      const kids: XmlElement[] = [];
      if (!child(c, 'MiningSchema') && schema) kids.push(schema);
      const results = children(c, 'ResultField');
      if (results.length > 0)
        kids.push(
          make(
            'Output',
            c,
            results.map((r) => ({ ...r, name: 'OutputField' })),
          ),
        );
      for (const k of c.children) if (k.name !== 'ResultField') kids.push(convert(k));
      return { ...c, name: modelName, children: kids };
    }
    return c.name === 'Node' ? { ...c, children: c.children.map(convert) } : c;
  };
  const segments = embedded.map((m, i) =>
    make('Segment', m, [make('True', m, []), convert(m)], { id: String(i + 1) }),
  );
  return {
    ...el,
    children: [
      ...el.children.filter((c) => EMBEDDED_MODELS[c.name] === undefined),
      make('Segmentation', el, segments, { multipleModelMethod: 'modelChain' }),
    ],
  };
}

export const compileMiningModel: ModelCompiler = ({
  element: original,
  functionName,
  target,
  scope,
  env,
  compileNested,
}) => {
  const el = child(original, 'Segmentation') ? original : legacyComposition(original);
  const seg = requiredChild(el, 'Segmentation');
  // Closures below keep only this reference for messages, not the element (see tree-model.ts readTree).
  const segRef: ElementRef = { name: seg.name, line: seg.line };
  const method = enumAttr(seg, 'multipleModelMethod', METHODS);
  if (!method) throw pmmlError(segRef, "missing required attribute 'multipleModelMethod'");
  const missingTreatment = enumAttr(
    seg,
    'missingPredictionTreatment',
    ['returnMissing', 'skipSegment', 'continue'] as const,
    'continue',
  );
  const missingThreshold = numberAttr(seg, 'missingThreshold', 1);
  const classification = functionName === 'classification';
  const chain = method === 'modelChain';
  // JPMML's x-mathContext="float" (XGBoost, LightGBM): aggregate in 32-bit floats like the producer did.
  const f32 = el.attrs['x-mathContext'] === 'float';
  const r32 = f32 ? Math.fround : (x: number) => x;

  // Segments see the MiningModel's fields, the Segmentation's LocalTransformations and, in a modelChain,
  // the Output fields of the segments before them (defined here as each segment is compiled).
  const chainScope = new Scope(scope);
  const local = child(seg, 'LocalTransformations');
  if (local) defineDerivedFields(local, chainScope, env);

  const segmentEls = children(seg, 'Segment');
  if (segmentEls.length === 0) throw pmmlError(segRef, 'has no Segment');
  const raw = segmentEls.map((s, i) => {
    const pred = compilePredicate(requiredPredicate(s), chainScope, env);
    const modelEl = s.children.find((c) => PMML_MODEL_ELEMENTS.has(c.name));
    if (!modelEl) throw pmmlError(s, 'has no model element');
    const model = compileNested(modelEl, chainScope);
    if (chain) {
      for (const f of model.outputFields) {
        chainScope.define({ name: f.name, dataType: f.dataType, optype: f.optype, get: slotGetter(f.slot) });
      }
    } else if (model.functionName !== functionName && method !== 'selectAll') {
      throw pmmlError(
        modelEl,
        `segment model's functionName '${model.functionName}' differs from the MiningModel's '${functionName}'`,
      );
    }
    return {
      id: s.attrs['id'] ?? String(i + 1),
      weight: numberAttr(s, 'weight', 1),
      test: pred.constant === TRUE ? null : pred.test,
      model,
    };
  });

  // The ensemble's categories: the union of the classification segments' categories, typed as the target.
  const categories: FeatureValue[] = [];
  const unionByText = new Map<string, number>();
  const unionIndex = (v: FeatureValue): number => {
    const key = toText(v) ?? '';
    let i = unionByText.get(key);
    if (i === undefined) {
      i = categories.length;
      unionByText.set(key, i);
      const typed = coerce(target.dataType, v);
      categories.push(typed === undefined || typed === null ? v : typed);
    }
    return i;
  };
  const segments: CompiledSegment[] = raw.map((s) => {
    const cats = s.model.functionName === 'classification' ? s.model.categories : undefined;
    if (!classification || !cats) return { ...s, toUnion: undefined, unionOfValue: undefined };
    const toUnion = Int32Array.from(cats, (c) => unionIndex(c));
    const unionOfValue = new Map<FeatureValue, number>();
    cats.forEach((c, i) => unionOfValue.set(c, toUnion[i]!));
    return { ...s, toUnion, unionOfValue };
  });
  const k = categories.length;
  const n = segments.length;
  const segmentIds = new Map<string, number>(segments.map((s, i) => [s.id, i]));
  const segmentModels = segments.map((s) => s.model);

  const results: (ModelResult | undefined)[] = new Array<ModelResult | undefined>(n).fill(undefined);
  const values = new Float64Array(n);
  const weights = new Float64Array(n);

  /** A segment's result re-expressed in the ensemble's category space. */
  const remap = (s: CompiledSegment, r: ModelResult): ModelResult => {
    if (!classification || !s.toUnion)
      return { ...r, segments: results, selected: { model: s.model, result: r } };
    const probs = new Float64Array(k);
    const src = r.probabilities;
    if (src) for (let j = 0; j < s.toUnion.length; j++) probs[s.toUnion[j]!] = src[j]!;
    const vi = r.value === null ? -1 : (s.unionOfValue!.get(r.value) ?? unionIndex(r.value));
    return {
      value: vi < 0 ? null : categories[vi]!,
      ...(src ? { probabilities: probs } : {}),
      ...(r.entityId !== undefined ? { entityId: r.entityId } : {}),
      segments: results,
      selected: { model: s.model, result: r },
    };
  };

  const runAll = (ctx: EvalContext): number => {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const s = segments[i]!;
      results[i] = undefined;
      if (s.test && s.test(ctx) !== TRUE) continue;
      results[i] = s.model.evaluate(ctx);
      count++;
    }
    return count;
  };

  /** Applies missingPredictionTreatment; returns false when the whole prediction is missing. */
  const tooManyMissing = (missingWeight: number, totalWeight: number) =>
    missingWeight / totalWeight > missingThreshold;

  const aggregateRegression = (ctx: EvalContext): ModelResult => {
    runAll(ctx);
    let m = 0;
    let totalWeight = 0;
    let missingWeight = 0;
    for (let i = 0; i < n; i++) if (results[i]) totalWeight += segments[i]!.weight;
    for (let i = 0; i < n; i++) {
      const r = results[i];
      if (!r) continue;
      const x = toNumber(r.value);
      if (x === null) {
        if (missingTreatment !== 'skipSegment') return { value: null, segments: results };
        missingWeight += segments[i]!.weight;
        if (tooManyMissing(missingWeight, totalWeight)) return { value: null, segments: results };
        continue;
      }
      values[m] = x;
      weights[m] = segments[i]!.weight;
      m++;
    }
    if (m === 0) return { value: null, segments: results };
    let v: number;
    switch (method) {
      case 'sum': {
        v = 0;
        for (let i = 0; i < m; i++) v = r32(v + values[i]!);
        break;
      }
      case 'weightedSum': {
        v = 0;
        for (let i = 0; i < m; i++) v = r32(v + r32(values[i]! * weights[i]!));
        break;
      }
      case 'average': {
        v = 0;
        for (let i = 0; i < m; i++) v = r32(v + values[i]!);
        v = r32(v / m);
        break;
      }
      case 'weightedAverage': {
        let s = 0;
        let w = 0;
        for (let i = 0; i < m; i++) {
          s = r32(s + r32(values[i]! * weights[i]!));
          w = r32(w + weights[i]!);
        }
        v = r32(s / w);
        break;
      }
      case 'median':
        v = median(values, m);
        break;
      case 'weightedMedian':
        v = weightedMedian(values, weights, m);
        break;
      case 'max': {
        v = -Infinity;
        for (let i = 0; i < m; i++) if (values[i]! > v) v = values[i]!;
        break;
      }
      default:
        throw pmmlError(segRef, `multipleModelMethod '${method}' is not defined for regression`);
    }
    return { value: v, segments: results };
  };

  const probs = new Float64Array(k);
  const aggregateClassification = (ctx: EvalContext): ModelResult => {
    runAll(ctx);
    probs.fill(0);
    let totalWeight = 0;
    let missingWeight = 0;
    let missingVotes = 0;
    let used = 0;
    let usedWeight = 0;
    for (let i = 0; i < n; i++) if (results[i]) totalWeight += segments[i]!.weight;
    const vote = method === 'majorityVote' || method === 'weightedMajorityVote';
    for (let i = 0; i < n; i++) {
      const r = results[i];
      if (!r) continue;
      const s = segments[i]!;
      const w = method === 'weightedMajorityVote' || method === 'weightedAverage' ? s.weight : 1;
      if (r.value === null) {
        if (missingTreatment === 'returnMissing') return { value: null, segments: results };
        missingWeight += s.weight;
        if ((vote || missingTreatment === 'skipSegment') && tooManyMissing(missingWeight, totalWeight))
          return { value: null, segments: results };
        if (!vote && missingTreatment === 'continue') return { value: null, segments: results };
        if (vote && missingTreatment === 'continue') missingVotes += w;
        continue;
      }
      used++;
      usedWeight += w;
      if (vote) {
        const vi = s.unionOfValue?.get(r.value) ?? unionIndex(r.value);
        if (vi < k) probs[vi] = probs[vi]! + w;
        continue;
      }
      const src = r.probabilities;
      if (!src || !s.toUnion) continue;
      if (method === 'max' || method === 'median') continue;
      for (let j = 0; j < s.toUnion.length; j++) probs[s.toUnion[j]!] = probs[s.toUnion[j]!]! + w * src[j]!;
    }
    if (used === 0) return { value: null, segments: results };
    if (vote) {
      let best = argmax(probs);
      if (missingVotes > 0 && best >= 0 && missingVotes > probs[best]!)
        return { value: null, segments: results };
      let sum = 0;
      for (let j = 0; j < k; j++) sum += probs[j]!;
      for (let j = 0; j < k; j++) probs[j] = probs[j]! / sum;
      best = argmax(probs);
      return { value: best < 0 ? null : categories[best]!, probabilities: probs, segments: results };
    }
    if (method === 'average' || method === 'weightedAverage') {
      for (let j = 0; j < k; j++) probs[j] = probs[j]! / usedWeight;
    } else if (method === 'median') {
      const col = new Float64Array(n);
      for (let j = 0; j < k; j++) {
        let m = 0;
        for (let i = 0; i < n; i++) {
          const r = results[i];
          const s = segments[i]!;
          if (!r || r.value === null || !r.probabilities || !s.toUnion) continue;
          const local = s.toUnion.indexOf(j);
          col[m++] = local < 0 ? 0 : r.probabilities[local]!;
        }
        probs[j] = m === 0 ? 0 : median(col, m);
      }
    } else if (method === 'max') {
      // The winner is the class with the single highest probability; its models' distributions are averaged.
      let bestClass = -1;
      let bestP = -Infinity;
      for (let i = 0; i < n; i++) {
        const r = results[i];
        const s = segments[i]!;
        if (!r || r.value === null || !r.probabilities || !s.toUnion) continue;
        for (let j = 0; j < s.toUnion.length; j++) {
          if (r.probabilities[j]! > bestP) {
            bestP = r.probabilities[j]!;
            bestClass = s.toUnion[j]!;
          }
        }
      }
      let m = 0;
      for (let i = 0; i < n; i++) {
        const r = results[i];
        const s = segments[i]!;
        if (!r || r.value === null || !r.probabilities || !s.toUnion) continue;
        const local = s.toUnion.indexOf(bestClass);
        if (local < 0 || r.probabilities[local] !== bestP) continue;
        for (let j = 0; j < s.toUnion.length; j++)
          probs[s.toUnion[j]!] = probs[s.toUnion[j]!]! + r.probabilities[j]!;
        m++;
      }
      for (let j = 0; j < k; j++) probs[j] = probs[j]! / m;
    } else {
      throw pmmlError(segRef, `multipleModelMethod '${method}' is not defined for classification`);
    }
    const best = argmax(probs);
    return { value: best < 0 ? null : categories[best]!, probabilities: probs, segments: results };
  };

  let evaluate: (ctx: EvalContext) => ModelResult;
  switch (method as Method) {
    case 'selectFirst':
      evaluate = (ctx) => {
        results.fill(undefined);
        for (let i = 0; i < n; i++) {
          const s = segments[i]!;
          if (s.test && s.test(ctx) !== TRUE) continue;
          const r = s.model.evaluate(ctx);
          results[i] = r;
          return remap(s, r);
        }
        return NULL_RESULT;
      };
      break;
    case 'modelChain':
      evaluate = (ctx) => {
        let last = -1;
        for (let i = 0; i < n; i++) {
          const s = segments[i]!;
          results[i] = undefined;
          if (s.test && s.test(ctx) !== TRUE) continue;
          results[i] = s.model.evaluate(ctx);
          last = i;
        }
        return last < 0 ? NULL_RESULT : remap(segments[last]!, results[last]!);
      };
      break;
    case 'selectAll':
      // Every matching segment runs; the first one's prediction stands for the whole (others via segmentId).
      evaluate = (ctx) => {
        runAll(ctx);
        for (let i = 0; i < n; i++) {
          const r = results[i];
          if (r) return remap(segments[i]!, r);
        }
        return NULL_RESULT;
      };
      break;
    default:
      if (classification) evaluate = aggregateClassification;
      else if (functionName === 'regression') evaluate = aggregateRegression;
      else
        throw pmmlError(
          segRef,
          `multipleModelMethod '${method}' is not supported for functionName '${functionName}'`,
        );
  }

  return {
    ...(classification ? { categories } : {}),
    segmentModels,
    segmentIds,
    outputScope: chainScope,
    evaluate,
  };
};
