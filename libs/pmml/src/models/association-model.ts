import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext } from '../context';
import { pmmlError } from '../errors';
import { isTargetUsage } from '../mining-schema';
import { toText } from '../values';
import { children, numberAttr, requiredAttr, requiredNumberAttr } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import type { ModelCompiler, ModelResult } from './model';

export const RULE_ALGORITHMS = ['recommendation', 'exclusiveRecommendation', 'ruleAssociation'] as const;
export const RANK_BASES = ['confidence', 'support', 'lift', 'leverage', 'affinity'] as const;
export type RuleAlgorithm = (typeof RULE_ALGORITHMS)[number];
export type RankBasis = (typeof RANK_BASES)[number];

export interface AssociationRuleInfo {
  readonly id: string;
  readonly antecedent: Int32Array;
  readonly consequent: Int32Array;
  readonly antecedentText: string;
  readonly consequentText: string;
  readonly support: number;
  readonly confidence: number;
  readonly lift: number | null;
  readonly leverage: number | null;
  readonly affinity: number | null;
}

/** What OutputField feature="ruleValue" needs from an AssociationModel. */
export interface AssociationRules {
  /** The rank-th (1-based) rule that fires for `basket` under `algorithm`, ordered by `basis`. */
  select(
    basket: Uint8Array,
    algorithm: RuleAlgorithm,
    basis: RankBasis,
    ascending: boolean,
    rank: number,
  ): AssociationRuleInfo | undefined;
}

/**
 * AssociationModel: the record is a basket of items. The item field may be given as an array of values
 * (one record per transaction) or a single value; with Item@field, an item is present when that field
 * equals the item's category. Rules fire by algorithm: recommendation (antecedent ⊆ basket),
 * exclusiveRecommendation (… and consequent ⊄ basket), ruleAssociation (antecedent ∪ consequent ⊆
 * basket); OutputField feature="ruleValue" picks one by rank.
 */
export const compileAssociationModel: ModelCompiler = ({ element: el, functionName, miningFields }) => {
  if (functionName !== 'associationRules')
    throw pmmlError(el, `functionName '${functionName}' is not supported by AssociationModel`);
  const active = miningFields
    .filter((f) => f.usageType === 'active' && !isTargetUsage(f.usageType))
    .map((f) => f.name);
  if (active.length === 0) throw pmmlError(el, 'has no active MiningField for the items');

  const items = children(el, 'Item').map((it) => ({
    id: requiredAttr(it, 'id'),
    value: requiredAttr(it, 'value'),
    field: it.attrs['field'],
    category: it.attrs['category'],
  }));
  const itemIndex = new Map(items.map((it, i) => [it.id, i]));
  const byValue = new Map<string, number>();
  items.forEach((it, i) => {
    if (it.field === undefined) byValue.set(it.value, i);
  });
  const fieldItems = items.map((it, i) => ({ ...it, i })).filter((it) => it.field !== undefined);

  const itemsets = new Map<string, Int32Array>();
  const itemsetText = new Map<string, string>();
  for (const s of children(el, 'Itemset')) {
    const refs = children(s, 'ItemRef').map((r) => {
      const i = itemIndex.get(requiredAttr(r, 'itemRef'));
      if (i === undefined) throw pmmlError(r, `unknown itemRef '${r.attrs['itemRef']}'`);
      return i;
    });
    const id = requiredAttr(s, 'id');
    itemsets.set(id, Int32Array.from(refs));
    itemsetText.set(id, `{${refs.map((i) => items[i]!.value).join(',')}}`);
  }
  const itemset = (at: XmlElement, name: string): [Int32Array, string] => {
    const id = requiredAttr(at, name);
    const set = itemsets.get(id);
    if (!set) throw pmmlError(at, `unknown ${name} itemset '${id}'`);
    return [set, itemsetText.get(id)!];
  };
  const rules: AssociationRuleInfo[] = children(el, 'AssociationRule').map((r, i) => {
    const [antecedent, antecedentText] = itemset(r, 'antecedent');
    const [consequent, consequentText] = itemset(r, 'consequent');
    return {
      id: r.attrs['id'] ?? String(i + 1),
      antecedent,
      consequent,
      antecedentText,
      consequentText,
      support: requiredNumberAttr(r, 'support'),
      confidence: requiredNumberAttr(r, 'confidence'),
      lift: numberAttr(r, 'lift') ?? null,
      leverage: numberAttr(r, 'leverage') ?? null,
      affinity: numberAttr(r, 'affinity') ?? null,
    };
  });

  // Rule orders per rank basis, sorted once (stable, so ties keep document order).
  const orders = new Map<string, AssociationRuleInfo[]>();
  const ordered = (basis: RankBasis, ascending: boolean) => {
    const key = `${basis}/${ascending}`;
    let list = orders.get(key);
    if (!list) {
      const val = (r: AssociationRuleInfo) => r[basis] ?? (ascending ? Infinity : -Infinity);
      list = [...rules].sort((a, b) => (ascending ? val(a) - val(b) : val(b) - val(a)));
      orders.set(key, list);
    }
    return list;
  };
  const all = (set: Int32Array, basket: Uint8Array) => {
    for (const i of set) if (!basket[i]) return false;
    return true;
  };
  const association: AssociationRules = {
    select(basket, algorithm, basis, ascending, rank) {
      let seen = 0;
      for (const r of ordered(basis, ascending)) {
        if (!all(r.antecedent, basket)) continue;
        if (algorithm === 'exclusiveRecommendation' && all(r.consequent, basket)) continue;
        if (algorithm === 'ruleAssociation' && !all(r.consequent, basket)) continue;
        if (++seen === rank) return r;
      }
      return undefined;
    },
  };

  const basket = new Uint8Array(items.length);
  const mark = (v: unknown) => {
    const t = toText(v as FeatureValue);
    if (t === null) return;
    const i = byValue.get(t);
    if (i !== undefined) basket[i] = 1;
  };
  return {
    association,
    evaluate: (ctx: EvalContext): ModelResult => {
      basket.fill(0);
      for (const name of active) {
        // Reading the raw feature on purpose: a basket arrives as an array, which no DataField type describes.
        const raw = (ctx.features as Record<string, unknown>)[name];
        if (Array.isArray(raw)) for (const v of raw) mark(v);
        else if (raw !== undefined && raw !== null) mark(raw);
      }
      for (const it of fieldItems) {
        const v = toText((ctx.features as Record<string, FeatureValue>)[it.field!] ?? null);
        if (v !== null && v === (it.category ?? it.value)) basket[it.i] = 1;
      }
      return { value: null, basket };
    },
  };
};
