import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext } from '../context';
import { pmmlError } from '../errors';
import { compilePredicate, requiredPredicate, TRUE, UNKNOWN, type Predicate } from '../predicates';
import { children, enumAttr, numberAttr, parseNumber } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import { argmax, type ModelCompiler, type ModelResult } from './model';
import { typedCategory } from './regression-model';

const MISSING_VALUE_STRATEGIES = [
  'none',
  'lastPrediction',
  'nullPrediction',
  'defaultChild',
  'weightedConfidence',
  'aggregateNodes',
] as const;

/** One tree node, flattened: children are indices into the node array. */
interface TreeNode {
  readonly test: Predicate | null;
  readonly children: Int32Array;
  readonly hasScore: boolean;
  readonly recordCount: number;
  readonly defaultChild: number;
  /** ScoreDistribution record counts (or probabilities) per model category, for aggregateNodes. */
  readonly counts: Float64Array | undefined;
  /** The precomputed result of stopping at this node (no missing-value penalty). */
  readonly result: ModelResult;
}

const NULL_RESULT: ModelResult = { value: null };

/**
 * TreeModel, compiled into a flat node array whose predicates are closures. Scoring walks from the root
 * taking the first child whose predicate is TRUE; UNKNOWN predicates follow missingValueStrategy and a
 * node without a TRUE child follows noTrueChildStrategy. Every node's result (score, probabilities,
 * confidences, entity id) is built at compile time, so a walk allocates nothing.
 */
export const compileTreeModel: ModelCompiler = ({ element: el, functionName, target, scope, env }) => {
  if (functionName !== 'classification' && functionName !== 'regression') {
    throw pmmlError(el, `functionName '${functionName}' is not supported by TreeModel`);
  }
  const classification = functionName === 'classification';
  const strategy = enumAttr(el, 'missingValueStrategy', MISSING_VALUE_STRATEGIES, 'none');
  const noTrueChild = enumAttr(
    el,
    'noTrueChildStrategy',
    ['returnNullPrediction', 'returnLastPrediction'] as const,
    'returnNullPrediction',
  );
  const penalty = numberAttr(el, 'missingValuePenalty', 1);
  const rootEl = children(el, 'Node')[0];
  if (!rootEl) throw pmmlError(el, 'missing required child element <Node>');

  // Pass 1: collect the categories (node scores and ScoreDistribution values), in document order.
  const categories: FeatureValue[] = [];
  const catIndex = new Map<FeatureValue, number>();
  const addCategory = (raw: string, at: XmlElement): number => {
    const v = typedCategory(target, raw, at);
    let i = catIndex.get(v);
    if (i === undefined) {
      i = categories.length;
      catIndex.set(v, i);
      categories.push(v);
    }
    return i;
  };
  const nodeEls: XmlElement[] = [];
  const stack: XmlElement[] = [rootEl];
  while (stack.length > 0) {
    const n = stack.pop()!;
    nodeEls.push(n);
    const kids = children(n, 'Node');
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    if (classification) {
      if (n.attrs['score'] !== undefined) addCategory(n.attrs['score'], n);
      for (const sd of children(n, 'ScoreDistribution')) addCategory(sd.attrs['value'] ?? '', sd);
    }
  }
  const indexOf = new Map<XmlElement, number>();
  nodeEls.forEach((n, i) => indexOf.set(n, i));
  const k = categories.length;

  // Pass 2: compile every node.
  const nodes: TreeNode[] = nodeEls.map((n, i) => {
    const predEl = requiredPredicate(n);
    const pred = compilePredicate(predEl, scope, env);
    const kids = children(n, 'Node');
    const childIdx = Int32Array.from(kids, (c) => indexOf.get(c)!);
    const id: FeatureValue = n.attrs['id'] ?? String(i + 1);
    const rawScore = n.attrs['score'];
    let defaultChild = -1;
    const dc = n.attrs['defaultChild'];
    if (dc !== undefined) {
      defaultChild = kids.findIndex((c) => c.attrs['id'] === dc);
      if (defaultChild < 0) throw pmmlError(n, `defaultChild '${dc}' is not the id of a child Node`);
      defaultChild = childIdx[defaultChild]!;
    } else if (strategy === 'defaultChild' && kids.length > 0) {
      throw pmmlError(
        n,
        "missingValueStrategy 'defaultChild' needs a defaultChild attribute on every non-leaf Node",
      );
    }
    const recordCount = numberAttr(n, 'recordCount', NaN);
    let result: ModelResult;
    let counts: Float64Array | undefined;
    if (classification) {
      const sds = children(n, 'ScoreDistribution');
      let value: FeatureValue = rawScore === undefined ? null : categories[addCategory(rawScore, n)]!;
      if (sds.length > 0) {
        counts = new Float64Array(k);
        const probs = new Float64Array(k);
        let confs: Float64Array | undefined;
        const useProbability = sds[0]!.attrs['probability'] !== undefined;
        let sum = 0;
        for (const sd of sds) {
          const ci = addCategory(sd.attrs['value'] ?? '', sd);
          const count = numberAttr(sd, 'recordCount', 0);
          const p = useProbability ? numberAttr(sd, 'probability') : count;
          if (p === undefined)
            throw pmmlError(
              sd,
              "missing attribute 'probability' (other ScoreDistributions of this Node have one)",
            );
          if (useProbability && (p < 0 || p > 1)) throw pmmlError(sd, `probability ${p} is outside [0, 1]`);
          // Probability-only distributions count as probability × the node's recordCount when aggregated.
          counts[ci] =
            counts[ci]! +
            (useProbability && sd.attrs['recordCount'] === undefined
              ? p * (recordCount === recordCount ? recordCount : 1)
              : count);
          probs[ci] = probs[ci]! + p;
          sum += p;
          const conf = numberAttr(sd, 'confidence');
          if (conf !== undefined) {
            confs ??= new Float64Array(k);
            confs[ci] = conf;
          }
        }
        if (sum !== 1 && sum > 0) for (let c = 0; c < k; c++) probs[c] = probs[c]! / sum;
        if (value === null) {
          const best = argmax(probs);
          value = best >= 0 ? categories[best]! : null;
        }
        result = { value, probabilities: probs, entityId: id, ...(confs ? { confidences: confs } : {}) };
      } else {
        // A node with only a score votes for it with certainty.
        const probs = new Float64Array(k);
        if (value !== null) probs[catIndex.get(value)!] = 1;
        result =
          value === null ? { value: null, entityId: id } : { value, probabilities: probs, entityId: id };
      }
    } else {
      const score = rawScore === undefined ? undefined : parseNumber(rawScore);
      if (rawScore !== undefined && score === undefined)
        throw pmmlError(n, `score '${rawScore}' is not a number`);
      const typed =
        score === undefined ? null : el.attrs['x-mathContext'] === 'float' ? Math.fround(score) : score;
      result = { value: typed, entityId: id };
    }
    return {
      test: pred.constant === TRUE ? null : pred.test,
      children: childIdx,
      hasScore: rawScore !== undefined,
      recordCount,
      defaultChild,
      counts,
      result,
    };
  });

  const withPenalty = (r: ModelResult, levels: number): ModelResult => {
    if (levels === 0 || penalty === 1 || !r.confidences) return r;
    const f = Math.pow(penalty, levels);
    return { ...r, confidences: Float64Array.from(r.confidences as Float64Array, (c) => c * f) };
  };

  // weightedConfidence / aggregateNodes: follow every branch a missing value leaves open.
  const distribution = (
    ctx: EvalContext,
    idx: number,
    aggregate: boolean,
  ): { probs: Float64Array; score: number; weight: number } | null => {
    const node = nodes[idx]!;
    const kids = node.children;
    const leaf = () => {
      const r = node.result;
      const probs =
        aggregate && node.counts
          ? Float64Array.from(node.counts)
          : Float64Array.from((r.probabilities as Float64Array | undefined) ?? new Float64Array(k));
      return {
        probs,
        score: typeof r.value === 'number' ? r.value : NaN,
        weight: aggregate ? node.recordCount || 1 : 1,
      };
    };
    if (kids.length === 0) return leaf();
    const open: number[] = [];
    let sawUnknown = false;
    for (const c of kids) {
      const child = nodes[c]!;
      const t = child.test ? child.test(ctx) : TRUE;
      if (t === TRUE) {
        open.push(c);
        if (!sawUnknown) return distribution(ctx, c, aggregate);
        break;
      }
      if (t === UNKNOWN) {
        open.push(c);
        sawUnknown = true;
      }
    }
    if (open.length === 0) return noTrueChild === 'returnLastPrediction' ? leaf() : null;
    const probs = new Float64Array(k);
    let score = 0;
    let total = 0;
    for (const c of open) {
      const d = distribution(ctx, c, aggregate);
      if (!d) continue;
      const w = aggregate ? 1 : (nodes[c]!.recordCount || 0) / (node.recordCount || 1);
      for (let j = 0; j < k; j++) probs[j] = probs[j]! + w * d.probs[j]!;
      score += w * d.weight * d.score;
      total += w * d.weight;
    }
    return { probs, score: total > 0 ? score / total : NaN, weight: aggregate ? total : 1 };
  };

  const evaluateSpread = (ctx: EvalContext, aggregate: boolean): ModelResult => {
    const d = distribution(ctx, 0, aggregate);
    if (!d) return NULL_RESULT;
    if (!classification) return { value: d.score === d.score ? d.score : null };
    let sum = 0;
    for (let j = 0; j < k; j++) sum += d.probs[j]!;
    if (sum > 0 && aggregate) for (let j = 0; j < k; j++) d.probs[j] = d.probs[j]! / sum;
    const best = argmax(d.probs);
    return {
      value: best >= 0 && sum > 0 ? categories[best]! : null,
      probabilities: d.probs,
      confidences: d.probs,
    };
  };

  const root = nodes[0]!;
  const returnLast = noTrueChild === 'returnLastPrediction';
  const evaluate = (ctx: EvalContext): ModelResult => {
    ctx.surrogates = 0;
    if (root.test && root.test(ctx) !== TRUE) return NULL_RESULT;
    let levels = 0;
    let idx = 0;
    walk: for (;;) {
      const node = nodes[idx]!;
      const kids = node.children;
      if (kids.length === 0) return withPenalty(node.result, levels + ctx.surrogates);
      for (let i = 0; i < kids.length; i++) {
        const c = kids[i]!;
        const child = nodes[c]!;
        const t = child.test === null ? TRUE : child.test(ctx);
        if (t === TRUE) {
          idx = c;
          continue walk;
        }
        if (t === UNKNOWN) {
          switch (strategy) {
            case 'none':
              continue;
            case 'nullPrediction':
              return NULL_RESULT;
            case 'lastPrediction':
              return withPenalty(node.result, levels + ctx.surrogates);
            case 'defaultChild':
              levels++;
              idx = node.defaultChild;
              continue walk;
            case 'weightedConfidence':
              return evaluateSpread(ctx, false);
            case 'aggregateNodes':
              return evaluateSpread(ctx, true);
          }
        }
      }
      // No TRUE child: the parent answers only if it has a score of its own.
      return returnLast && node.hasScore ? withPenalty(node.result, levels + ctx.surrogates) : NULL_RESULT;
    }
  };
  return classification ? { categories, evaluate } : { evaluate };
};
