import type { FeatureValue } from '@modelserving/model-core';
import { slotGetter, writeSlot, type EvalContext } from './context';
import { parseDataType, parseOpType } from './data-dictionary';
import { pmmlError } from './errors';
import {
  RANK_BASES,
  RULE_ALGORITHMS,
  type AssociationRuleInfo,
  type AssociationRules,
} from './models/association-model';
import type { CompiledModel, ExtraTarget, ModelResult, OutputFieldInfo, TargetInfo } from './models/model';
import { Scope, type CompileEnv } from './scope';
import { compileExpression, findExpression } from './transformations/expressions';
import {
  coerce,
  coerceOrNull,
  defaultOpType,
  isNumericType,
  toNumber,
  toText,
  type DataType,
} from './values';
import { boolAttr, children, enumAttr, intAttr, requiredAttr } from './xml/element';
import type { XmlElement } from './xml/xml-parser';

/** The parts of a model an OutputField needs (a model, or a MiningModel segment's model). */
export interface OutputSubject {
  readonly target: TargetInfo;
  readonly categories?: readonly FeatureValue[];
  readonly entities?: readonly FeatureValue[];
  readonly segmentModels?: readonly CompiledModel[];
  readonly segmentIds?: ReadonlyMap<string, number>;
  readonly displayValues?: ReadonlyMap<FeatureValue, string>;
  readonly association?: AssociationRules;
  /** Further targets of a multi-target model, which OutputField@targetField selects. */
  readonly extraTargets?: readonly ExtraTarget[];
}

type Feature = (ctx: EvalContext, r: ModelResult) => FeatureValue;

/**
 * An output field whose value depends on the model's result only (not on other fields), described for
 * generated fast paths: `value` is the predicted value, `probability` the probability at index `idx` of the
 * model's categories (-1: the model never predicts it, so 0), `pure` any other result-only feature, computed
 * by `compute` (which never reads its context argument). `coerce` is the declared type to convert to.
 */
export interface PureOutput {
  readonly name: string;
  readonly kind: 'value' | 'probability' | 'pure';
  readonly idx: number;
  readonly compute: (ctx: EvalContext | undefined, r: ModelResult) => FeatureValue;
  readonly coerce: DataType | undefined;
}

/** Features that read nothing but the model result (when the OutputField has no segmentId). */
const RESULT_ONLY = new Set([
  'predictedValue',
  'predictedDisplayValue',
  'probability',
  'confidence',
  'clusterId',
  'affinity',
  'entityAffinity',
  'clusterAffinity',
  'reasonCode',
  'warning',
  'standardError',
]);

export interface OutputProgram {
  readonly fields: readonly OutputFieldInfo[];
  /** Set when every field depends on the model result only (see PureOutput). */
  readonly pure?: readonly PureOutput[];
  /** Computes every output field for `r` into its slot (in document order, so later fields see earlier ones). */
  run(ctx: EvalContext, r: ModelResult): void;
}

const SUPPORTED = new Set([
  'predictedValue',
  'predictedDisplayValue',
  'probability',
  'confidence',
  'residual',
  'entityId',
  'clusterId',
  'affinity',
  'entityAffinity',
  'clusterAffinity',
  'reasonCode',
  'transformedValue',
  'decision',
  'warning',
  'standardError',
  'ruleValue',
]);

const RULE_FEATURES = [
  'antecedent',
  'consequent',
  'rule',
  'ruleId',
  'confidence',
  'support',
  'lift',
  'leverage',
  'affinity',
] as const;

/**
 * PMML 4.0 named association-rule features directly (`feature="rule"`, `"consequent"`, ...); 4.1 and later
 * spell them `feature="ruleValue" ruleFeature="..."`. Old documents (the DMG's own examples) still use them.
 */
const LEGACY_RULE_FEATURES: ReadonlySet<string> = new Set(RULE_FEATURES.filter((r) => r !== 'affinity'));

function indexOfValue(values: readonly FeatureValue[], v: FeatureValue): number {
  for (let i = 0; i < values.length; i++) if (values[i] === v) return i;
  return -1;
}

function probabilityOf(
  categories: readonly FeatureValue[] | undefined,
  r: ModelResult,
  value: FeatureValue,
): FeatureValue {
  const p = r.probabilities;
  if (!p || !categories) return null;
  const i = indexOfValue(categories, value);
  return i < 0 ? 0 : (p[i] ?? null);
}

/** The natural data type of a feature, used when the OutputField does not declare one. */
function naturalType(
  feature: string,
  subject: OutputSubject,
  f?: XmlElement,
  ruleFeature?: string,
): DataType {
  switch (feature) {
    case 'ruleValue': {
      const rf = ruleFeature ?? f?.attrs['ruleFeature'] ?? 'consequent';
      return ['antecedent', 'consequent', 'rule', 'ruleId'].includes(rf) ? 'string' : 'double';
    }
    case 'predictedValue':
      return subject.target.dataType;
    case 'predictedDisplayValue':
    case 'entityId':
    case 'reasonCode':
    case 'warning':
      return 'string';
    case 'clusterId':
      return 'integer';
    default:
      return 'double';
  }
}

export function compileOutput(
  outputEl: XmlElement | undefined,
  subject: OutputSubject,
  parentScope: Scope,
  env: CompileEnv,
): { program: OutputProgram | undefined; scope: Scope } {
  const scope = new Scope(parentScope);
  if (!outputEl) return { program: undefined, scope };
  const fields: OutputFieldInfo[] = [];
  const features: Feature[] = [];
  const slots: number[] = [];
  const coercions: (DataType | undefined)[] = [];
  let pure: PureOutput[] | undefined = [];

  for (const f of children(outputEl, 'OutputField')) {
    const name = requiredAttr(f, 'name');
    const declaredFeature = f.attrs['feature'] ?? 'predictedValue';
    // `confidence` is also a feature of its own (trees, rule sets); only an AssociationModel means the rule's.
    const legacyRule =
      LEGACY_RULE_FEATURES.has(declaredFeature) &&
      (declaredFeature !== 'confidence' || subject.association !== undefined)
        ? declaredFeature
        : undefined;
    const feature = legacyRule ? 'ruleValue' : declaredFeature;
    if (!SUPPORTED.has(feature)) throw pmmlError(f, `output feature '${feature}' is not supported`);
    if (scope.hasOwn(name)) throw pmmlError(f, `duplicate OutputField '${name}'`);

    // OutputField@segmentId reads a segment's result instead of the model's own.
    let sub: OutputSubject = subject;
    let pick: (r: ModelResult) => ModelResult | undefined = (r) => r;
    const segmentId = f.attrs['segmentId'];
    if (segmentId !== undefined) {
      const idx = subject.segmentIds?.get(segmentId);
      const model = idx === undefined ? undefined : subject.segmentModels?.[idx];
      if (idx === undefined || !model) throw pmmlError(f, `no Segment with id '${segmentId}'`);
      sub = model;
      pick = (r) => r.segments?.[idx];
    }
    // OutputField@targetField naming a further target of a multi-target model reads that target's result.
    const targetField = f.attrs['targetField'];
    const extraIdx =
      targetField === undefined || targetField === subject.target.name
        ? -1
        : (subject.extraTargets?.findIndex((t) => t.name === targetField) ?? -1);
    if (extraIdx >= 0) {
      const extra = subject.extraTargets![extraIdx]!;
      const { categories: _own, displayValues: _display, ...rest } = subject;
      sub = {
        ...rest,
        target: extra.target,
        ...(extra.categories ? { categories: extra.categories } : {}),
        ...(extra.target.displayValues ? { displayValues: extra.target.displayValues } : {}),
      };
      pick = (r) => r.targetResults?.[extraIdx];
    }

    const compute = compileFeature(f, feature, sub, scope, env, legacyRule);
    const declared = parseDataType(f);
    const dataType = declared ?? naturalType(feature, sub, f, legacyRule);
    const optype =
      parseOpType(f) ?? (feature === 'predictedValue' ? sub.target.optype : defaultOpType(dataType));
    const slot = env.allocSlot();
    const isFinalResult = boolAttr(f, 'isFinalResult', true);
    const get: Feature =
      segmentId === undefined && extraIdx < 0
        ? compute
        : (ctx, r) => {
            const s = pick(r);
            return s ? compute(ctx, s) : null;
          };
    fields.push({ name, dataType, optype, feature, slot, isFinalResult });
    features.push(get);
    slots.push(slot);
    const coercion = declared && declared !== naturalType(feature, sub, f, legacyRule) ? declared : undefined;
    coercions.push(coercion);
    const resultOnly =
      segmentId === undefined &&
      extraIdx < 0 &&
      !legacyRule &&
      (RESULT_ONLY.has(feature) ||
        (feature === 'entityId' && !sub.association) ||
        ((feature === 'transformedValue' || feature === 'decision') && !findExpression(f)));
    if (pure && resultOnly) {
      let kind: PureOutput['kind'] = 'pure';
      let idx = -1;
      if (feature === 'predictedValue') kind = 'value';
      else if (feature === 'probability' && f.attrs['value'] !== undefined && sub.categories) {
        kind = 'probability';
        const value = coerce(sub.target.dataType, f.attrs['value']);
        idx = indexOfValue(sub.categories, value ?? null);
      }
      pure.push({ name, kind, idx, compute: get as PureOutput['compute'], coerce: coercion });
    } else pure = undefined;
    scope.define({ name, dataType, optype, get: slotGetter(slot) });
  }

  const n = fields.length;
  const program: OutputProgram = {
    fields,
    ...(pure ? { pure } : {}),
    run(ctx, r) {
      for (let i = 0; i < n; i++) {
        let v = features[i]!(ctx, r);
        const dt = coercions[i];
        if (dt !== undefined && v !== null) v = coerceOrNull(dt, v);
        writeSlot(ctx, slots[i]!, v);
      }
    },
  };
  return { program, scope };
}

function compileFeature(
  f: XmlElement,
  feature: string,
  sub: OutputSubject,
  scope: Scope,
  env: CompileEnv,
  legacyRuleFeature?: string,
): Feature {
  const target = sub.target;
  const rawValue = f.attrs['value'];
  switch (feature) {
    case 'predictedValue':
      return (_ctx, r) => r.value;
    case 'predictedDisplayValue': {
      const display = sub.displayValues ?? target.displayValues;
      return (_ctx, r) => {
        if (r.value === null) return null;
        return display?.get(r.value) ?? toText(r.value);
      };
    }
    case 'probability': {
      const categories = sub.categories;
      if (rawValue !== undefined) {
        const value = coerce(target.dataType, rawValue);
        if (value === undefined || value === null)
          throw pmmlError(f, `value '${rawValue}' is not a valid ${target.dataType}`);
        // The category's position is fixed at compile time; -1 means the model never predicts it.
        const idx = categories ? indexOfValue(categories, value) : -1;
        return (_ctx, r) => {
          const p = r.probabilities;
          if (!p || !categories) return null;
          return idx < 0 ? 0 : (p[idx] ?? null);
        };
      }
      return (_ctx, r) => (r.value === null ? null : probabilityOf(categories, r, r.value));
    }
    case 'confidence': {
      const categories = sub.categories;
      return (_ctx, r) => {
        if (r.value === null || !categories) return null;
        const i = indexOfValue(categories, r.value);
        if (i < 0) return null;
        const c = r.confidences ?? r.probabilities;
        return c ? (c[i] ?? null) : null;
      };
    }
    case 'residual': {
      const actual = target.actual;
      if (!actual) return () => null;
      const getActual = actual.get;
      if (isNumericType(target.dataType) && target.optype === 'continuous') {
        return (ctx, r) => {
          const a = toNumber(getActual(ctx));
          const p = toNumber(r.value);
          return a === null || p === null ? null : a - p;
        };
      }
      const categories = sub.categories;
      return (ctx, r) => {
        const a = getActual(ctx);
        if (a === null) return null;
        const p = probabilityOf(categories, r, a);
        return typeof p === 'number' ? 1 - p : null;
      };
    }
    case 'entityId': {
      // For association rules the entity is the selected rule (PMML: "the id of the rule").
      if (sub.association) return compileFeature(f, 'ruleValue', sub, scope, env, 'ruleId');
      const rank = intAttr(f, 'rank', 1);
      return (_ctx, r) => (r.entityIds ? (r.entityIds[rank - 1] ?? null) : (r.entityId ?? null));
    }
    case 'clusterId':
      return (_ctx, r) => (r.entityIndex === undefined ? null : r.entityIndex + 1);
    case 'affinity':
    case 'entityAffinity':
    case 'clusterAffinity': {
      const entities = sub.entities;
      if (rawValue !== undefined) {
        const idx = entities ? entities.findIndex((e) => toText(e) === rawValue) : -1;
        return (_ctx, r) => (idx < 0 || !r.affinities ? null : (r.affinities[idx] ?? null));
      }
      const rank = intAttr(f, 'rank', 1);
      return (_ctx, r) => {
        if (!r.affinities) return null;
        // Ranked results (k-NN): the rank-th best; otherwise the winning entity's affinity.
        if (r.entityIds) return r.affinities[rank - 1] ?? null;
        return r.entityIndex === undefined ? null : (r.affinities[r.entityIndex] ?? null);
      };
    }
    case 'reasonCode': {
      const rank = intAttr(f, 'rank', 1);
      return (_ctx, r) => r.reasonCodes?.[rank - 1] ?? null;
    }
    case 'transformedValue':
    case 'decision': {
      const exprEl = findExpression(f);
      if (!exprEl) return (_ctx, r) => r.value;
      const expr = compileExpression(exprEl, scope, env);
      const get = expr.get;
      return (ctx) => get(ctx);
    }
    case 'ruleValue': {
      const rules = sub.association;
      if (!rules) throw pmmlError(f, "feature 'ruleValue' needs an AssociationModel");
      const ruleFeature =
        (legacyRuleFeature as (typeof RULE_FEATURES)[number] | undefined) ??
        enumAttr(f, 'ruleFeature', RULE_FEATURES, 'consequent');
      const algorithm = enumAttr(f, 'algorithm', RULE_ALGORITHMS, 'exclusiveRecommendation');
      const basis = enumAttr(f, 'rankBasis', RANK_BASES, 'confidence');
      const ascending =
        enumAttr(f, 'rankOrder', ['descending', 'ascending'] as const, 'descending') === 'ascending';
      const rank = intAttr(f, 'rank', 1);
      const pickValue = (r: AssociationRuleInfo): FeatureValue => {
        switch (ruleFeature) {
          case 'antecedent':
            return r.antecedentText;
          case 'consequent':
            return r.consequentText;
          case 'rule':
            return `${r.antecedentText}->${r.consequentText}`;
          case 'ruleId':
            return r.id;
          default:
            return r[ruleFeature];
        }
      };
      return (_ctx, r) => {
        if (!r.basket) return null;
        const rule = rules.select(r.basket, algorithm, basis, ascending, rank);
        return rule ? pickValue(rule) : null;
      };
    }
    default:
      // warning and standardError: not computed by any supported model.
      return () => null;
  }
}
