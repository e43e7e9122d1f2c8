import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext } from '../context';
import { pmmlError } from '../errors';
import type { FastComparison, FastTreeNode } from '../fast-path';
import {
  compilePredicate,
  fastPredicate,
  requiredPredicate,
  TRUE,
  UNKNOWN,
  type Predicate,
} from '../predicates';
import { children, enumAttr, numberAttr, parseNumber } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import { PMML_MODEL_ELEMENTS } from './model-compiler';
import {
  argmax,
  type CompiledModel,
  type ModelCompileInput,
  type ModelCompiler,
  type ModelResult,
} from './model';
import { typedCategory } from './regression-model';

const MISSING_VALUE_STRATEGIES = [
  'none',
  'lastPrediction',
  'nullPrediction',
  'defaultChild',
  'weightedConfidence',
  'aggregateNodes',
] as const;

/** One tree node while reading (packed into typed arrays afterwards). */
interface TreeNode {
  readonly test: Predicate | null;
  readonly children: readonly number[];
  readonly hasScore: boolean;
  readonly recordCount: number;
  readonly defaultChild: number;
  readonly hasCounts: boolean;
  readonly result: ModelResult;
}

/**
 * A tree as scored: node i's children are childList[childStart[i] .. childStart[i + 1]), its
 * ScoreDistribution counts (aggregateNodes) counts[i * k .. (i + 1) * k) when hasCounts[i]. Typed arrays
 * instead of one object and a few small typed arrays per node: a 10-tree forest has thousands of nodes.
 */
interface PackedTree {
  readonly tests: readonly (Predicate | null)[];
  readonly childStart: Int32Array;
  readonly childList: Int32Array;
  readonly hasScore: Uint8Array;
  readonly recordCount: Float64Array;
  readonly defaultChild: Int32Array;
  readonly hasCounts: Uint8Array;
  readonly counts: Float64Array;
  /** The precomputed result of stopping at each node (no missing-value penalty). */
  readonly results: readonly ModelResult[];
}

function packTree(nodes: readonly TreeNode[], counts: Float64Array): PackedTree {
  const n = nodes.length;
  const childStart = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    childStart[i] = total;
    total += nodes[i]!.children.length;
  }
  childStart[n] = total;
  const childList = new Int32Array(total);
  nodes.forEach((node, i) => childList.set(node.children, childStart[i]!));
  return {
    tests: nodes.map((node) => node.test),
    childStart,
    childList,
    hasScore: Uint8Array.from(nodes, (node) => (node.hasScore ? 1 : 0)),
    recordCount: Float64Array.from(nodes, (node) => node.recordCount),
    defaultChild: Int32Array.from(nodes, (node) => node.defaultChild),
    hasCounts: Uint8Array.from(nodes, (node) => (node.hasCounts ? 1 : 0)),
    counts,
    results: nodes.map((node) => node.result),
  };
}

const NULL_RESULT: ModelResult = { value: null };

/**
 * TreeModel, compiled into a flat node array whose predicates are closures. Scoring walks from the root
 * taking the first child whose predicate is TRUE; UNKNOWN predicates follow missingValueStrategy and a
 * node without a TRUE child follows noTrueChildStrategy. Every node's result (score, probabilities,
 * confidences, entity id) is built at compile time, so a walk allocates nothing.
 */
/**
 * Reads the TreeModel element into plain data. Kept apart from the closures that score so that no closure
 * context holds on to the XML (V8 keeps every variable any closure of a scope captures).
 */
function readTree({ element: el, functionName, target, scope, env, compileNested }: ModelCompileInput) {
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

  // Pass 2: compile every node. Probabilities of all nodes share one buffer (each node's result holds a
  // view of its part), as do the ScoreDistribution counts.
  const probsAll = new Float64Array(classification ? nodeEls.length * k : 0);
  const countsAll = new Float64Array(classification ? nodeEls.length * k : 0);
  const hasCountsAll = new Uint8Array(nodeEls.length);
  // PMML 3.x model composition: a Node may embed a model that predicts when the walk ends at the Node.
  let embedded: (CompiledModel | undefined)[] | undefined;
  let fastTests: (FastComparison | boolean)[] | undefined = [];
  const nodes: TreeNode[] = nodeEls.map((n, i) => {
    const predEl = requiredPredicate(n);
    const pred = compilePredicate(predEl, scope, env);
    if (fastTests) {
      const ft = fastPredicate(predEl, scope);
      if (ft === undefined) fastTests = undefined;
      else fastTests.push(ft);
    }
    const kids = children(n, 'Node');
    const childIdx = kids.map((c) => indexOf.get(c)!);
    const modelEl = n.children.find((c) => PMML_MODEL_ELEMENTS.has(c.name));
    if (modelEl) {
      if (classification)
        throw pmmlError(modelEl, 'models embedded in Nodes are supported for regression trees only');
      (embedded ??= new Array<CompiledModel | undefined>(nodeEls.length).fill(undefined))[i] = compileNested(
        modelEl,
        scope,
      );
      fastTests = undefined;
    }
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
    if (classification) {
      const sds = children(n, 'ScoreDistribution');
      let value: FeatureValue = rawScore === undefined ? null : categories[addCategory(rawScore, n)]!;
      if (sds.length > 0) {
        hasCountsAll[i] = 1;
        const base = i * k;
        const probs = probsAll.subarray(base, base + k);
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
          countsAll[base + ci] =
            countsAll[base + ci]! +
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
        const probs = probsAll.subarray(i * k, (i + 1) * k);
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
      hasCounts: hasCountsAll[i] === 1,
      result,
    };
  });
  return {
    classification,
    strategy,
    noTrueChild,
    penalty,
    categories,
    k,
    tree: packTree(nodes, countsAll),
    embedded,
    fastTests: fastTests as (FastComparison | boolean)[] | undefined,
  };
}

export const compileTreeModel: ModelCompiler = (input) => {
  const { classification, strategy, noTrueChild, penalty, categories, k, tree, fastTests, embedded } =
    readTree(input);
  const { tests, childStart, childList, hasScore, recordCount, defaultChild, hasCounts, counts, results } =
    tree;
  /** The result of stopping at node `idx`: precomputed, or its embedded model's. */
  const resultAt = embedded
    ? (ctx: EvalContext, idx: number): ModelResult => {
        const m = embedded[idx];
        return m ? m.evaluate(ctx) : results[idx]!;
      }
    : (_ctx: EvalContext, idx: number): ModelResult => results[idx]!;
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
    const from = childStart[idx]!;
    const to = childStart[idx + 1]!;
    const leaf = () => {
      const r = resultAt(ctx, idx);
      const probs =
        aggregate && hasCounts[idx]
          ? counts.slice(idx * k, (idx + 1) * k)
          : Float64Array.from((r.probabilities as Float64Array | undefined) ?? new Float64Array(k));
      return {
        probs,
        score: typeof r.value === 'number' ? r.value : NaN,
        weight: aggregate ? recordCount[idx]! || 1 : 1,
      };
    };
    if (from === to) return leaf();
    const open: number[] = [];
    let sawUnknown = false;
    for (let i = from; i < to; i++) {
      const c = childList[i]!;
      const test = tests[c]!;
      const t = test ? test(ctx) : TRUE;
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
      const w = aggregate ? 1 : (recordCount[c]! || 0) / (recordCount[idx]! || 1);
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

  const rootTest = tests[0]!;
  const returnLast = noTrueChild === 'returnLastPrediction';
  const evaluate = (ctx: EvalContext): ModelResult => {
    ctx.surrogates = 0;
    if (rootTest && rootTest(ctx) !== TRUE) return NULL_RESULT;
    let levels = 0;
    let idx = 0;
    walk: for (;;) {
      const from = childStart[idx]!;
      const to = childStart[idx + 1]!;
      if (from === to) return withPenalty(resultAt(ctx, idx), levels + ctx.surrogates);
      for (let i = from; i < to; i++) {
        const c = childList[i]!;
        const test = tests[c]!;
        const t = test === null ? TRUE : test(ctx);
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
              return withPenalty(resultAt(ctx, idx), levels + ctx.surrogates);
            case 'defaultChild':
              levels++;
              idx = defaultChild[idx]!;
              continue walk;
            case 'weightedConfidence':
              return evaluateSpread(ctx, false);
            case 'aggregateNodes':
              return evaluateSpread(ctx, true);
          }
        }
      }
      // No TRUE child: the parent answers only if it has a score of its own.
      return returnLast && hasScore[idx]
        ? withPenalty(resultAt(ctx, idx), levels + ctx.surrogates)
        : NULL_RESULT;
    }
  };
  const fast = fastTests
    ? {
        kind: 'tree' as const,
        nodes: fastTests.map((test, i): FastTreeNode => ({
          test,
          children: [...childList.subarray(childStart[i]!, childStart[i + 1]!)],
          hasScore: hasScore[i] === 1,
          result: results[i]!,
        })),
        returnLast,
      }
    : undefined;
  return {
    ...(classification ? { categories } : {}),
    ...(fast ? { fast } : {}),
    evaluate,
  };
};
