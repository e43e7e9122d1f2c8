import type { FeatureValue } from '@modelserving/model-core';
import type { EvalContext } from '../context';
import type { MiningFieldDef } from '../mining-schema';
import type { CompileEnv, FieldDef, Scope } from '../scope';
import type { DataType, OpType } from '../values';
import type { XmlElement } from '../xml/xml-parser';
import type { AssociationRules } from './association-model';
import type { FastCore, FastPlan } from '../fast-path';

export const MINING_FUNCTIONS = [
  'regression',
  'classification',
  'clustering',
  'associationRules',
  'sequences',
  'timeSeries',
  'mixed',
] as const;
export type MiningFunction = (typeof MINING_FUNCTIONS)[number];

/** The field a model predicts. `synthetic` when the MiningSchema names no target. */
export interface TargetInfo {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: OpType;
  readonly synthetic: boolean;
  /** The target's declared categories (DataDictionary Value list), when it has them. */
  readonly values?: readonly FeatureValue[];
  readonly displayValues?: ReadonlyMap<FeatureValue, string>;
  /** Reads the actual target value from the record (for the residual output feature). */
  readonly actual?: FieldDef;
}

/**
 * What one model returns for one record. Arrays are aligned with the model's static `categories` (or
 * `entities` for clustering and the like) and may be reused by the model for the next record: consume
 * them before evaluating the same model again.
 */
export interface ModelResult {
  /** The predicted value, typed as the target field (null when the model cannot predict). */
  readonly value: FeatureValue;
  readonly probabilities?: ArrayLike<number>;
  readonly confidences?: ArrayLike<number>;
  /** The winning entity: tree node id, cluster id, rule id, neighbour id, ... */
  readonly entityId?: FeatureValue;
  /** 0-based index of the winning entity in the model's `entities`. */
  readonly entityIndex?: number;
  readonly affinities?: ArrayLike<number>;
  /** Ranked entities (k-NN neighbours, best first), aligned with `affinities`; OutputField@rank picks one. */
  readonly entityIds?: readonly FeatureValue[];
  readonly reasonCodes?: readonly string[];
  /** Segment results of a MiningModel, by segment index (undefined where a segment did not run). */
  readonly segments?: readonly (ModelResult | undefined)[];
  /** AssociationModel: which items (by index) the record's basket holds. */
  readonly basket?: Uint8Array;
  /** Results of the extra targets (ModelCore.extraTargets, same order), for OutputField@targetField. */
  readonly targetResults?: readonly ModelResult[];
  /** The segment whose outputs a modelChain/selectFirst MiningModel exposes as its own. */
  readonly selected?: { readonly model: CompiledModel; readonly result: ModelResult };
}

/**
 * A further target a multi-target model (k-NN functionName="mixed") predicts: its value lands in `slot`
 * for each record (an extra target column) and its full result in ModelResult.targetResults.
 */
export interface ExtraTarget {
  readonly name: string;
  readonly slot: number;
  readonly target: TargetInfo;
  readonly categories?: readonly FeatureValue[];
}

/** One compiled OutputField: where its value lands for the current record. */
export interface OutputFieldInfo {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: OpType;
  readonly feature: string;
  readonly slot: number;
  readonly isFinalResult: boolean;
}

/** A model compiled once into closures; `evaluate` runs it (Targets and Output included) for one record. */
export interface CompiledModel {
  /** The model element's local name (e.g. "TreeModel") and line; compiled models keep no XML. */
  readonly elementName: string;
  readonly line: number;
  /** Segmentation@multipleModelMethod of a MiningModel. */
  readonly multipleModelMethod?: string;
  /** The top-level model's ModelVerification block, the only XML kept after compilation. */
  readonly verification?: XmlElement;
  readonly modelName: string | undefined;
  readonly functionName: MiningFunction;
  readonly target: TargetInfo;
  /** Class labels (typed as the target) of a classification model, in the order of its probabilities. */
  readonly categories?: readonly FeatureValue[];
  /** Entity ids (cluster ids, ...) aligned with `affinities`. */
  readonly entities?: readonly FeatureValue[];
  readonly miningFields: readonly MiningFieldDef[];
  readonly outputFields: readonly OutputFieldInfo[];
  /** For MiningModels: the compiled segment models and their ids, for OutputField@segmentId. */
  readonly segmentModels?: readonly CompiledModel[];
  readonly segmentIds?: ReadonlyMap<string, number>;
  readonly association?: AssociationRules;
  /** Targets beyond `target` (multi-target models), each an extra target column. */
  readonly extraTargets?: readonly ExtraTarget[];
  /** A generated fast path's description (simple models without Targets post-processing; see fast-path.ts). */
  readonly fast?: FastPlan;
  evaluate(ctx: EvalContext): ModelResult;
}

/** What a model-type compiler produces before Targets and Output are attached. */
export interface ModelCore {
  readonly categories?: readonly FeatureValue[];
  readonly entities?: readonly FeatureValue[];
  /** Display names of predicted values (cluster names, ...), for predictedDisplayValue. */
  readonly displayValues?: ReadonlyMap<FeatureValue, string>;
  readonly segmentModels?: readonly CompiledModel[];
  readonly segmentIds?: ReadonlyMap<string, number>;
  readonly association?: AssociationRules;
  /** Targets beyond the model's `target` (multi-target models). */
  readonly extraTargets?: readonly ExtraTarget[];
  /** Scope the model's Output fields resolve names in (a modelChain adds its segments' outputs). */
  readonly outputScope?: Scope;
  /** The model in a shape fast-path.ts can generate code for, when it has one. */
  readonly fast?: FastCore;
  evaluate(ctx: EvalContext): ModelResult;
}

/** Everything a model-type compiler gets. */
export interface ModelCompileInput {
  readonly element: XmlElement;
  readonly functionName: MiningFunction;
  readonly target: TargetInfo;
  readonly miningFields: readonly MiningFieldDef[];
  /** The model's own scope: inputs, LocalTransformations. */
  readonly scope: Scope;
  readonly env: CompileEnv;
  /** Compiles a nested model (MiningModel segments) within `scope`. */
  readonly compileNested: (el: XmlElement, scope: Scope) => CompiledModel;
}

export type ModelCompiler = (input: ModelCompileInput) => ModelCore;

/** Index of the largest value (first one on ties); -1 when all are NaN or the array is empty. */
export function argmax(xs: ArrayLike<number>): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x > bestValue) {
      bestValue = x;
      best = i;
    }
  }
  return best;
}
