import {
  Code,
  ServingError,
  type FeatureValue,
  type Features,
  type FieldSpec,
  type ModelSignature,
  type TensorDatatype,
} from '@modelserving/model-core';
import { EvalContext } from './context';
import {
  compileFastPath,
  confidenceOf as confidenceOfResult,
  type FastEvaluate,
  type FastPlan,
} from './fast-path';
import { compileResultBuilder, type ResultBuilder } from './result-builder';
import { parseDataDictionary, type DataFieldDef } from './data-dictionary';
import { pmmlError } from './errors';
import { inputFieldDef, parseMiningSchema } from './mining-schema';
import { compileModel, PMML_MODEL_ELEMENTS, type CompiledModel, type ModelResult } from './models';
import { CompileEnv, Scope, type CompileOptions } from './scope';
import { defineDerivedFields, defineFunctions } from './transformations/transformation-dictionary';
import { isNumericType, toText, type DataType } from './values';
import { child, requiredChild } from './xml/element';
import { parseXml, type XmlElement, type XmlParseOptions } from './xml/xml-parser';

export interface PmmlOptions extends XmlParseOptions {
  /** Which model to use when the document holds several (by modelName); default: the first scorable one. */
  readonly modelName?: string;
  /**
   * Generate a specialized scoring function for simple models (fast-path.ts). Default true; false scores
   * every record with the general evaluator (same results, for comparison and debugging).
   */
  readonly fastPath?: boolean;
}

/** The result of scoring one record with a PmmlEvaluator. */
export interface PmmlEvaluation {
  /** The predicted value of the (first) target field; null when the model cannot predict. */
  readonly value: FeatureValue;
  /** Predicted values by target field name (empty when the model names no target). */
  readonly targets: Readonly<Record<string, FeatureValue>>;
  /** Every Output field by name (for modelChain/selectFirst also those of the deciding segment). */
  readonly outputs: Readonly<Record<string, FeatureValue>>;
  /** Probability of the predicted class, when the model computes one. */
  readonly confidence?: number;
}

/** Elements that may sit next to the model in <PMML> and are not models. */
const NON_MODEL_CHILDREN = new Set([
  'Header',
  'MiningBuildTask',
  'DataDictionary',
  'TransformationDictionary',
  'Extension',
]);

function tensorType(dt: DataType, optype: string): TensorDatatype {
  if (dt === 'boolean') return 'BOOL';
  return isNumericType(dt) && optype === 'continuous' ? 'FP64' : 'BYTES';
}

/**
 * A compiled PMML document. `evaluate` is synchronous, reuses one scratch context, and never walks XML:
 * the element tree is dropped after compilation. Not re-entrant (JavaScript scoring is single-threaded).
 */
export class PmmlEvaluator {
  private readonly ctx: EvalContext;
  private cachedSignature: ModelSignature | undefined;

  /** @internal use parsePmml / compilePmml */
  constructor(
    readonly version: string | undefined,
    private readonly model: CompiledModel,
    private readonly dataFields: ReadonlyMap<string, DataFieldDef>,
    slots: number,
    fastPlan?: FastPlan,
  ) {
    this.ctx = new EvalContext(slots);
    const target = model.target;
    const targetEntries: { name: string; slot?: number }[] = target.synthetic ? [] : [{ name: target.name }];
    for (const t of model.extraTargets ?? []) targetEntries.push({ name: t.name, slot: t.slot });
    this.buildTargets = compileResultBuilder(targetEntries);
    this.buildOutputs = compileResultBuilder([
      ...targetEntries,
      ...model.outputFields.map((f) => ({ name: f.name, slot: f.slot })),
    ]);
    this.fast =
      fastPlan && !model.segmentModels
        ? compileFastPath(fastPlan, target.synthetic ? undefined : target.name, model.categories)
        : undefined;
  }

  /** The generated fast path for ordinary records of simple models (fast-path.ts), if the model has one. */
  private readonly fast: FastEvaluate | undefined;

  private readonly buildTargets: ResultBuilder;
  private readonly buildOutputs: ResultBuilder;

  /**
   * The evaluated model's ModelVerification block, if it has one (the only part of the document an evaluator
   * keeps; verifyPmml reads it). Do not mutate.
   */
  get verificationXml(): XmlElement | undefined {
    return this.model.verification;
  }

  /** The model element that is evaluated (e.g. "TreeModel"). */
  get modelElement(): string {
    return this.model.elementName;
  }

  /** Line of the evaluated model's start tag in the document. */
  get modelLine(): number {
    return this.model.line;
  }

  get functionName(): string {
    return this.model.functionName;
  }

  /** Name of the predicted field, or undefined when the MiningSchema declares no target. */
  get targetName(): string | undefined {
    return this.model.target.synthetic ? undefined : this.model.target.name;
  }

  /**
   * The MiningField with usageType="group", if any: records sharing its value form one transaction, whose
   * item values the caller passes as an array (AssociationModel).
   */
  get groupField(): string | undefined {
    return this.model.miningFields.find((f) => f.usageType === 'group')?.name;
  }

  /** Class labels of a classification model (in the order of its probabilities). */
  get categories(): readonly FeatureValue[] | undefined {
    return this.model.categories;
  }

  /**
   * Scores one record. Missing fields follow the model's missing-value rules; a value the model declares
   * invalid (with invalidValueTreatment="returnInvalid") throws a ServingError INVALID_ARGUMENT.
   */
  evaluate(features: Features): PmmlEvaluation {
    if (typeof features !== 'object' || features === null) {
      throw new ServingError(
        Code.INVALID_ARGUMENT,
        'PMML: a record must be an object of named feature values',
      );
    }
    const fast = this.fast;
    if (fast !== undefined) {
      let e: PmmlEvaluation | null;
      try {
        e = fast(features);
      } catch (err) {
        throw internalError(err);
      }
      if (e !== null) return e;
    }
    const ctx = this.ctx;
    ctx.begin(features);
    let r: ModelResult;
    try {
      r = this.model.evaluate(ctx);
    } catch (err) {
      throw internalError(err);
    }
    const { values, stamps, epoch } = ctx;
    const targets = this.buildTargets(values, stamps, epoch, r.value);
    const outputs = this.buildOutputs(values, stamps, epoch, r.value);
    // modelChain/selectFirst: the deciding segment's own Output fields stand for the whole model's.
    let sel = r.selected;
    while (sel) {
      for (const f of sel.model.outputFields) {
        if (!(f.name in outputs))
          outputs[f.name] = stamps[f.slot] === epoch ? (values[f.slot] as FeatureValue) : null;
      }
      sel = sel.result.selected;
    }
    // A result column always has a value: a segment's Output field is missing when that segment did not
    // run (a modelChain whose last segment's predicate is false), not absent.
    for (const name of this.segmentColumns()) if (!(name in outputs)) outputs[name] = null;
    const confidence = confidenceOf(this.model, r);
    return confidence === undefined
      ? { value: r.value, targets, outputs }
      : { value: r.value, targets, outputs, confidence };
  }

  private cachedSegmentColumns: readonly string[] | undefined;

  /** Result columns that come from segments rather than the top-level model (empty for most models). */
  private segmentColumns(): readonly string[] {
    if (this.cachedSegmentColumns) return this.cachedSegmentColumns;
    const own = new Set(this.model.outputFields.map((f) => f.name));
    if (!this.model.target.synthetic) own.add(this.model.target.name);
    for (const t of this.model.extraTargets ?? []) own.add(t.name);
    this.cachedSegmentColumns = this.resultColumns().filter((c) => !own.has(c));
    return this.cachedSegmentColumns;
  }

  /**
   * Names of the result columns a consumer should compare: the (non-synthetic) target, then the Output
   * fields with isFinalResult != false, including those a modelChain/selectFirst exposes from its segments.
   */
  resultColumns(): string[] {
    const cols: string[] = [];
    const target = this.model.target;
    if (!target.synthetic) cols.push(target.name);
    for (const t of this.model.extraTargets ?? []) cols.push(t.name);
    const add = (m: CompiledModel) => {
      for (const f of m.outputFields) if (f.isFinalResult && !cols.includes(f.name)) cols.push(f.name);
    };
    add(this.model);
    const method = this.model.multipleModelMethod;
    const segments = this.model.segmentModels;
    if (segments && segments.length > 0) {
      if (method === 'modelChain') add(segments[segments.length - 1]!);
      else if (method === 'selectFirst') for (const s of segments) add(s);
    }
    return cols;
  }

  /** Inputs = active MiningFields; outputs = target and Output fields (also the deciding segments' ones). */
  signature(): ModelSignature {
    if (this.cachedSignature) return this.cachedSignature;
    const inputs: FieldSpec[] = [];
    for (const mf of this.model.miningFields) {
      if (mf.usageType !== 'active') continue;
      const df = this.dataFields.get(mf.name);
      const dataType = df?.dataType ?? 'double';
      const optype = mf.optype ?? df?.optype ?? 'continuous';
      const datatype = tensorType(dataType, optype);
      const values =
        datatype === 'BYTES' && df && df.validValues.length > 0
          ? df.validValues.map((v) => toText(v) ?? '')
          : undefined;
      inputs.push({ name: mf.name, datatype, shape: [-1], ...(values ? { values } : {}) });
    }
    const outputs: FieldSpec[] = [];
    const seen = new Set<string>();
    const target = this.model.target;
    if (!target.synthetic) {
      const values = this.model.categories?.map((v) => toText(v) ?? '');
      outputs.push({
        name: target.name,
        datatype: tensorType(target.dataType, target.optype),
        shape: [-1],
        ...(values ? { values } : {}),
      });
      seen.add(target.name);
    }
    for (const t of this.model.extraTargets ?? []) {
      if (seen.has(t.name)) continue;
      seen.add(t.name);
      const values = t.categories?.map((v) => toText(v) ?? '');
      outputs.push({
        name: t.name,
        datatype: tensorType(t.target.dataType, t.target.optype),
        shape: [-1],
        ...(values ? { values } : {}),
      });
    }
    const addOutputs = (m: CompiledModel) => {
      for (const f of m.outputFields) {
        if (seen.has(f.name)) continue;
        seen.add(f.name);
        outputs.push({ name: f.name, datatype: tensorType(f.dataType, f.optype), shape: [-1] });
      }
    };
    addOutputs(this.model);
    // Nested outputs a modelChain (last segment) or selectFirst (any segment) exposes.
    const method = this.model.multipleModelMethod;
    const segments = this.model.segmentModels;
    if (segments && segments.length > 0) {
      if (method === 'modelChain') addOutputs(segments[segments.length - 1]!);
      else if (method === 'selectFirst') for (const s of segments) addOutputs(s);
    }
    const targetName = !target.synthetic
      ? target.name
      : this.model.outputFields.find((f) => f.feature === 'predictedValue')?.name;
    this.cachedSignature = { inputs, outputs, ...(targetName ? { target: targetName } : {}) };
    return this.cachedSignature;
  }
}

function confidenceOf(model: CompiledModel, r: ModelResult): number | undefined {
  return confidenceOfResult(model.categories, r);
}

/** ServingErrors pass through; anything else thrown while scoring is an internal error. */
function internalError(err: unknown): ServingError {
  if (err instanceof ServingError) return err;
  return new ServingError(
    Code.INTERNAL,
    `PMML: internal error while scoring: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}

function selectModel(root: XmlElement, modelName: string | undefined): XmlElement {
  const candidates = root.children.filter((c) => !NON_MODEL_CHILDREN.has(c.name));
  if (modelName !== undefined) {
    const m = candidates.find((c) => c.attrs['modelName'] === modelName);
    if (!m) throw pmmlError(root, `no model named '${modelName}'`);
    return m;
  }
  const scorable = candidates.find(
    (c) => PMML_MODEL_ELEMENTS.has(c.name) && c.attrs['isScorable'] !== 'false',
  );
  const m = scorable ?? candidates[0];
  if (!m) throw pmmlError(root, 'the document contains no model element');
  return m;
}

/** Compiles an already parsed PMML element tree. */
export function compilePmml(root: XmlElement, options: PmmlOptions = {}): PmmlEvaluator {
  if (root.name !== 'PMML') throw pmmlError(root, 'the root element must be <PMML>');
  const version = root.attrs['version'];
  if (version !== undefined && !/^[34]\.\d+(\.\d+)?$/.test(version.trim())) {
    throw pmmlError(root, `PMML version '${version}' is not supported (expected 3.x or 4.x)`);
  }
  const dataFields = parseDataDictionary(requiredChild(root, 'DataDictionary'));
  const modelEl = selectModel(root, options.modelName);
  const env = new CompileEnv(options as CompileOptions);

  // Data fields as the top-level model prepares them (its MiningSchema decides treatments).
  const rootScope = new Scope();
  const miningSchema = child(modelEl, 'MiningSchema');
  const miningFields = new Map((miningSchema ? parseMiningSchema(miningSchema) : []).map((f) => [f.name, f]));
  for (const df of dataFields.values()) {
    rootScope.defineLazy(df.name, () => inputFieldDef(df, miningFields.get(df.name), env));
  }
  for (const mf of miningFields.values()) {
    if (mf.usageType === 'active' && !dataFields.has(mf.name)) {
      throw pmmlError(mf.element, `MiningField '${mf.name}' is not defined in the DataDictionary`);
    }
  }

  const dictScope = new Scope(rootScope);
  const dict = child(root, 'TransformationDictionary');
  if (dict) {
    defineFunctions(dict, env);
    defineDerivedFields(dict, dictScope, env);
  }
  // The fast-path plan is consumed here (compiled into a function), not kept with the model.
  const { fast: fastPlan, ...model } = compileModel(modelEl, dictScope, env, true);
  dictScope.compileAll();
  rootScope.compileAll();
  for (const name of env.functions.keys()) env.resolveFunction(name);
  return new PmmlEvaluator(
    version,
    model,
    dataFields,
    env.slots,
    options.fastPath === false ? undefined : fastPlan,
  );
}

/** Parses and compiles a PMML document (string or UTF-8 bytes) into a PmmlEvaluator. */
export function parsePmml(xml: string | Uint8Array, options: PmmlOptions = {}): PmmlEvaluator {
  const root = parseXml(xml, options);
  try {
    return compilePmml(root, options);
  } catch (err) {
    if (err instanceof ServingError) throw err;
    throw new ServingError(
      Code.INVALID_ARGUMENT,
      `PMML: cannot compile the document: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
}
