import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext } from '../context';
import { pmmlError } from '../errors';
import { compilePredicate, requiredPredicate, TRUE, type Predicate } from '../predicates';
import type { CompileEnv, Scope } from '../scope';
import { children, enumAttr, numberAttr, requiredAttr, requiredChild } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import type { ModelCompiler, ModelResult } from './model';
import { typedCategory } from './regression-model';

interface Rule {
  readonly test: Predicate | null;
  readonly id: FeatureValue;
  readonly category: number;
  readonly weight: number;
  readonly confidence: number;
  readonly probabilities: Float64Array | undefined;
}

interface Compound {
  readonly test: Predicate | null;
  readonly rules: readonly (Rule | Compound)[];
}

/**
 * RuleSetModel: SimpleRules (possibly nested in CompoundRules, which fire only when their own predicate
 * holds) are collected in document order; the first RuleSelectionMethod decides — firstHit takes the
 * first rule that fires, weightedMax the firing rule with the largest weight, weightedSum the class with
 * the largest total weight (confidence = that total / rules fired). Nothing fires: defaultScore.
 */
export const compileRuleSetModel: ModelCompiler = ({ element: el, functionName, target, scope, env }) => {
  if (functionName !== 'classification')
    throw pmmlError(el, `functionName '${functionName}' is not supported by RuleSetModel`);
  const ruleSet = requiredChild(el, 'RuleSet');
  const methodEl = children(ruleSet, 'RuleSelectionMethod')[0];
  if (!methodEl) throw pmmlError(ruleSet, 'missing required child element <RuleSelectionMethod>');
  const criterion = enumAttr(methodEl, 'criterion', ['weightedSum', 'weightedMax', 'firstHit'] as const);
  if (!criterion) throw pmmlError(methodEl, "missing required attribute 'criterion'");

  const categories: FeatureValue[] = [];
  const categoryIndex = (raw: string, at: XmlElement): number => {
    const v = typedCategory(target, raw, at);
    let i = categories.indexOf(v);
    if (i < 0) i = categories.push(v) - 1;
    return i;
  };
  // First pass: every category a rule can produce, so probability arrays share one layout.
  const collect = (container: XmlElement) => {
    for (const r of container.children) {
      if (r.name === 'SimpleRule') {
        categoryIndex(requiredAttr(r, 'score'), r);
        for (const sd of children(r, 'ScoreDistribution')) categoryIndex(requiredAttr(sd, 'value'), sd);
      } else if (r.name === 'CompoundRule') collect(r);
    }
  };
  collect(ruleSet);
  const defaultScore = ruleSet.attrs['defaultScore'];
  const defaultIndex = defaultScore === undefined ? -1 : categoryIndex(defaultScore, ruleSet);
  const defaultConfidence = numberAttr(ruleSet, 'defaultConfidence', 0);
  const k = categories.length;

  let implicitId = 0;
  const compileRules = (container: XmlElement, s: Scope, e: CompileEnv): (Rule | Compound)[] =>
    container.children
      .filter((r) => r.name === 'SimpleRule' || r.name === 'CompoundRule')
      .map((r): Rule | Compound => {
        const pred = compilePredicate(requiredPredicate(r), s, e);
        const test = pred.constant === TRUE ? null : pred.test;
        if (r.name === 'CompoundRule') return { test, rules: compileRules(r, s, e) };
        implicitId++;
        const sds = children(r, 'ScoreDistribution');
        let probabilities: Float64Array | undefined;
        if (sds.length > 0) {
          probabilities = new Float64Array(k);
          let total = 0;
          for (const sd of sds) {
            const p = numberAttr(sd, 'probability') ?? numberAttr(sd, 'recordCount', 0);
            probabilities[categoryIndex(requiredAttr(sd, 'value'), sd)] = p;
            total += p;
          }
          if (total > 0) for (let i = 0; i < k; i++) probabilities[i] = probabilities[i]! / total;
        }
        return {
          test,
          id: r.attrs['id'] ?? String(implicitId),
          category: categoryIndex(requiredAttr(r, 'score'), r),
          weight: numberAttr(r, 'weight', 1),
          confidence: numberAttr(r, 'confidence', 1),
          probabilities,
        };
      });
  const rules = compileRules(ruleSet, scope, env);

  const fired: Rule[] = [];
  const fire = (ctx: EvalContext, list: readonly (Rule | Compound)[], firstOnly: boolean): boolean => {
    for (const r of list) {
      if (r.test && r.test(ctx) !== TRUE) continue;
      if ('rules' in r) {
        if (fire(ctx, r.rules, firstOnly) && firstOnly) return true;
      } else {
        fired.push(r);
        if (firstOnly) return true;
      }
    }
    return false;
  };

  const confidences = new Float64Array(k);
  const result = (rule: Rule, confidence: number): ModelResult => {
    confidences.fill(0);
    confidences[rule.category] = confidence;
    return {
      value: categories[rule.category]!,
      entityId: rule.id,
      confidences,
      ...(rule.probabilities ? { probabilities: rule.probabilities } : {}),
    };
  };
  const fallback = (): ModelResult => {
    if (defaultIndex < 0) return { value: null };
    confidences.fill(0);
    confidences[defaultIndex] = defaultConfidence;
    return { value: categories[defaultIndex]!, confidences };
  };

  const sums = new Float64Array(k);
  return {
    categories,
    evaluate: (ctx): ModelResult => {
      fired.length = 0;
      fire(ctx, rules, criterion === 'firstHit');
      if (fired.length === 0) return fallback();
      if (criterion === 'firstHit') return result(fired[0]!, fired[0]!.confidence);
      if (criterion === 'weightedMax') {
        let best = fired[0]!;
        for (const r of fired) if (r.weight > best.weight) best = r;
        return result(best, best.confidence);
      }
      sums.fill(0);
      for (const r of fired) sums[r.category] = sums[r.category]! + r.weight;
      let bestCategory = 0;
      for (let i = 1; i < k; i++) if (sums[i]! > sums[bestCategory]!) bestCategory = i;
      const winner = fired.find((r) => r.category === bestCategory)!;
      return result(winner, sums[bestCategory]! / fired.length);
    },
  };
};
