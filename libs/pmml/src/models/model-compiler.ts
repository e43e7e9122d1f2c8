import type { FeatureValue } from '@modelserving/model-core';
import { pmmlError } from '../errors';
import {
  hasTreatment,
  isTargetUsage,
  parseMiningSchema,
  retreatedFieldDef,
  type MiningFieldDef,
} from '../mining-schema';
import { compileOutput } from '../output';
import { Scope, type CompileEnv, type FieldDef } from '../scope';
import { classificationPriors, parseTargets, regressionTargetTransform } from '../targets';
import { defineDerivedFields } from '../transformations/transformation-dictionary';
import { child, enumAttr, requiredChild } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';
import {
  MINING_FUNCTIONS,
  type CompiledModel,
  type ModelCompiler,
  type ModelResult,
  type TargetInfo,
} from './model';

/** Every model element PMML 4.4 defines (so an unsupported one gets a precise message). */
export const PMML_MODEL_ELEMENTS = new Set([
  'AnomalyDetectionModel',
  'AssociationModel',
  'BayesianNetworkModel',
  'BaselineModel',
  'ClusteringModel',
  'GaussianProcessModel',
  'GeneralRegressionModel',
  'MiningModel',
  'NaiveBayesModel',
  'NearestNeighborModel',
  'NeuralNetwork',
  'RegressionModel',
  'RuleSetModel',
  'SequenceModel',
  'Scorecard',
  'SupportVectorMachineModel',
  'TextModel',
  'TimeSeriesModel',
  'TreeModel',
]);

/** Model compilers by element name; filled in by models/index.ts (avoids import cycles with MiningModel). */
export const MODEL_COMPILERS = new Map<string, ModelCompiler>();

function resolveTarget(
  el: XmlElement,
  miningFields: readonly MiningFieldDef[],
  scope: Scope,
  functionName: string,
): TargetInfo {
  const mf = miningFields.find((f) => isTargetUsage(f.usageType));
  const name = mf?.name ?? el.attrs['targetFieldName'] ?? el.attrs['targetVariableName'];
  const classification = functionName === 'classification';
  const categorical = classification || functionName === 'clustering';
  let def: FieldDef | undefined;
  if (name !== undefined) {
    try {
      def = scope.resolve(name);
    } catch {
      def = undefined;
    }
  }
  const dataType = def?.dataType ?? (categorical ? 'string' : 'double');
  const optype = mf?.optype ?? def?.optype ?? (categorical ? 'categorical' : 'continuous');
  return {
    name: name ?? (functionName === 'clustering' ? 'cluster' : 'prediction'),
    dataType,
    optype: classification && optype === 'continuous' ? 'categorical' : optype,
    synthetic: name === undefined,
    ...(def?.values ? { values: def.values } : {}),
    ...(def?.displayValues ? { displayValues: def.displayValues } : {}),
    ...(def ? { actual: def } : {}),
  };
}

/**
 * Compiles any model element: MiningSchema (re-treating inputs for nested models), LocalTransformations,
 * target resolution, the model type itself, then Targets post-processing and Output fields. `top` is
 * true for the document's model, whose inputs the caller has already prepared from the DataDictionary.
 */
export function compileModel(
  el: XmlElement,
  parentScope: Scope,
  env: CompileEnv,
  top: boolean,
): CompiledModel {
  const compiler = MODEL_COMPILERS.get(el.name);
  if (!compiler) {
    if (PMML_MODEL_ELEMENTS.has(el.name)) throw pmmlError(el, `model type ${el.name} is not supported`);
    throw pmmlError(el, `unknown model element <${el.name}>`);
  }
  if (el.attrs['isScorable'] === 'false') throw pmmlError(el, 'the model is marked isScorable="false"');
  const functionName = enumAttr(el, 'functionName', MINING_FUNCTIONS);
  if (!functionName) throw pmmlError(el, "missing required attribute 'functionName'");
  const miningFields = parseMiningSchema(requiredChild(el, 'MiningSchema'));

  let inputScope = parentScope;
  if (!top) {
    inputScope = new Scope(parentScope);
    for (const mf of miningFields) {
      if (!hasTreatment(mf) || isTargetUsage(mf.usageType)) continue;
      const parent = parentScope.resolve(mf.name);
      if (!parent) throw pmmlError(mf.element, `MiningField '${mf.name}' refers to an undefined field`);
      inputScope.define(retreatedFieldDef(parent, mf, env));
    }
  }
  const scope = new Scope(inputScope);
  const local = child(el, 'LocalTransformations');
  if (local) defineDerivedFields(local, scope, env);

  const target = resolveTarget(el, miningFields, scope, functionName);
  const core = compiler({
    element: el,
    functionName,
    target,
    miningFields,
    scope,
    env,
    compileNested: (nested, s) => compileModel(nested, s, env, false),
  });

  const targetSpec = parseTargets(child(el, 'Targets'), target);
  let post: ((r: ModelResult) => ModelResult) | undefined;
  if (targetSpec) {
    if (functionName === 'regression') {
      const t0 = regressionTargetTransform(targetSpec);
      const transform =
        el.attrs['x-mathContext'] === 'float'
          ? (x: FeatureValue) => {
              const y = t0(x);
              return typeof y === 'number' ? Math.fround(y) : y;
            }
          : t0;
      post = (r) => {
        const v = transform(r.value);
        return v === r.value ? r : { ...r, value: v };
      };
    } else if (functionName === 'classification' && core.categories) {
      post = classificationPriors(targetSpec, core.categories);
    }
  }
  const displayValues = new Map<FeatureValue, string>([
    ...(target.displayValues ?? []),
    ...(core.displayValues ?? []),
  ]);
  for (const tv of targetSpec?.values ?? [])
    if (tv.displayValue !== undefined) displayValues.set(tv.value, tv.displayValue);

  const { program } = compileOutput(
    child(el, 'Output'),
    { ...core, target, ...(displayValues.size > 0 ? { displayValues } : {}) },
    core.outputScope ?? scope,
    env,
  );
  // Surface errors in derived fields nothing references yet (they would otherwise go unnoticed).
  scope.compileAll();

  const inner = core.evaluate;
  const evaluate =
    post && program
      ? (ctx: Parameters<typeof inner>[0]) => {
          const r = post(inner(ctx));
          program.run(ctx, r);
          return r;
        }
      : post
        ? (ctx: Parameters<typeof inner>[0]) => post(inner(ctx))
        : program
          ? (ctx: Parameters<typeof inner>[0]) => {
              const r = inner(ctx);
              program.run(ctx, r);
              return r;
            }
          : inner;

  const method = child(el, 'Segmentation')?.attrs['multipleModelMethod'];
  const verification = top ? child(el, 'ModelVerification') : undefined;
  return {
    elementName: el.name,
    line: el.line,
    ...(method !== undefined ? { multipleModelMethod: method } : {}),
    ...(verification ? { verification } : {}),
    modelName: el.attrs['modelName'],
    functionName,
    target,
    ...(core.categories ? { categories: core.categories } : {}),
    ...(core.entities ? { entities: core.entities } : {}),
    ...(core.segmentModels ? { segmentModels: core.segmentModels } : {}),
    ...(core.segmentIds ? { segmentIds: core.segmentIds } : {}),
    ...(core.association ? { association: core.association } : {}),
    ...(core.extraTargets ? { extraTargets: core.extraTargets } : {}),
    miningFields,
    outputFields: program?.fields ?? [],
    ...(top && core.fast && !post && (!program || program.pure)
      ? { fast: { core: core.fast, outputs: program?.pure ?? [] } }
      : {}),
    evaluate,
  };
}
